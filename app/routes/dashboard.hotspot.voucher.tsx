import { Form, Link, useActionData, useLoaderData, useNavigation } from "react-router";
import { TRPCError } from "@trpc/server";
import { useEffect, useRef, type ReactNode } from "react";
import type { Route } from "./+types/dashboard.hotspot.voucher";
import { Alert, Button, Card, Field, SelectField, cx } from "../components/ui";
import { DataTable, Td } from "../components/table";
import { BatchLinks, VoucherStateBadge } from "../components/voucher-ui";
import { requireIspUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { formatDateTime, formatDuration } from "../lib/format";
import { kes, phoneForDisplay, PAYMENT_STATUS_STYLE } from "../lib/money";
import { ispCan } from "../../policies/permissions";
import { describeDuration, type DurationUnit } from "../../server/services/hotspot/rules";

export function meta({ data }: Route.MetaArgs) {
  return [{ title: `${data?.voucher.code ?? "Voucher"} · mnetifi` }];
}

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const { caller, viewer, tenant } = await requireIspUser(context, request, { permission: "vouchers.manage" });
  let d;
  try {
    d = await caller.vouchers.detail({ id: params.id });
  } catch (err) {
    if (err instanceof TRPCError && (err.code === "NOT_FOUND" || err.code === "BAD_REQUEST")) throw new Response("Not found", { status: 404 });
    throw err;
  }
  // Router names for the devices table, for those who may see routers (resellers may not).
  const routerNames: Record<string, string> = {};
  if (d.devices.some((x) => x.routerId) && ispCan(viewer.user.role, "routers.view")) {
    for (const r of await caller.routers.list()) routerNames[r.id] = r.name;
  }
  return {
    voucher: d.voucher,
    state: d.state,
    plan: { name: d.plan.name, priceCents: d.plan.priceCents, duration: describeDuration(d.plan.durationValue, d.plan.durationUnit as DurationUnit) },
    payment: d.payment ? { id: d.payment.id, amountCents: d.payment.paidAmountCents ?? d.payment.amountCents, receipt: d.payment.mpesaReceipt, status: d.payment.status, phone: d.payment.phone, paidAt: d.payment.paidAt, createdAt: d.payment.createdAt } : null,
    devices: d.devices,
    messages: d.messages.map((m) => ({ id: m.id, channel: m.channel, event: m.event, status: m.status, phone: m.phone, error: m.error, createdAt: m.createdAt, body: m.body })),
    batch: d.batch ? { id: d.batch.id, name: d.batch.name, notes: d.batch.notes } : null,
    routerNames,
    canSeeRouters: ispCan(viewer.user.role, "routers.view"),
    canSeePayments: ispCan(viewer.user.role, "payments.view"),
    timezone: tenant.timezone,
    now: Date.now(),
  };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const { caller, tenant } = await requireIspUser(context, request, { permission: "vouchers.manage" });
  const values = formValues(await readForm(request));
  try {
    if (values.intent === "extend") {
      const r = await caller.vouchers.extend({ id: params.id, amount: Number(values.amount ?? ""), unit: values.unit as "minutes" });
      const added = `${values.amount} ${Number(values.amount) === 1 ? values.unit!.replace(/s$/, "") : values.unit}`;
      return {
        ok: true as const,
        intent: "extend",
        message: r.expiresAt ? `Added ${added}. It now ends ${formatDateTime(r.expiresAt, tenant.timezone)}.` : `Added ${added}. It now gives ${formatDuration(r.durationSeconds)} from its first use.`,
      };
    }
    if (values.intent === "disable" || values.intent === "enable") {
      const disabled = values.intent === "disable";
      await caller.vouchers.setDisabled({ id: params.id, disabled });
      return {
        ok: true as const,
        intent: values.intent,
        message: disabled ? "Voucher disabled. It no longer gives internet and its devices are being logged out." : "Voucher enabled again.",
      };
    }
    return { ok: false as const, fieldErrors: {}, formError: "Unknown action.", values };
  } catch (err) {
    return formFailure(err, values);
  }
}

function Row({ label, children, compact }: { label: string; children: ReactNode; compact?: boolean }) {
  return (
    <div className={cx("grid gap-3 py-2", compact ? "grid-cols-[6.5rem_1fr]" : "grid-cols-[8rem_1fr] sm:grid-cols-[10rem_1fr]")}>
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className="min-w-0 text-sm text-slate-900">{children}</dd>
    </div>
  );
}

const MESSAGE_STATUS_STYLE: Record<string, string> = {
  delivered: "bg-emerald-100 text-emerald-800",
  sent: "bg-sky-100 text-sky-800",
  queued: "bg-slate-100 text-slate-700",
  failed: "bg-red-100 text-red-800",
};

export default function VoucherDetail() {
  const { voucher: v, state, plan, payment, devices, messages, batch, routerNames, canSeeRouters, canSeePayments, timezone, now } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const nav = useNavigation();
  const busy = nav.state !== "idle" ? String(nav.formData?.get("intent") ?? "") : "";
  const failed = result && !result.ok ? result : null;
  const fe = (failed?.fieldErrors ?? {}) as Record<string, string[] | undefined>;
  const typed = failed?.values ?? {};
  const left = v.expiresAt ? Math.max(0, Math.floor((new Date(v.expiresAt).getTime() - now) / 1000)) : null;
  const extendForm = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (result?.ok && result.intent === "extend") extendForm.current?.reset();
  }, [result]);
  const at = (x: Date | string | null) => (x ? formatDateTime(x, timezone) : "—");

  return (
    <div className="grid gap-6">
      <Link to="/dashboard/hotspot/vouchers" className="text-sm font-medium text-brand-700 hover:underline">
        ← Vouchers
      </Link>
      <div className="flex flex-wrap items-center gap-3">
        <h1 className="break-all font-mono text-3xl font-bold tracking-widest text-slate-900 sm:text-4xl" data-testid="voucher-code">
          {v.code}
        </h1>
        <VoucherStateBadge state={state} className="text-sm" />
      </div>
      <p className="-mt-4 text-sm text-slate-600">
        {plan.name} · {kes(plan.priceCents)} · {plan.duration} · {v.devicesAllowed} {v.devicesAllowed === 1 ? "device" : "devices"}
      </p>

      {result?.ok ? <Alert tone="success">{result.message}</Alert> : null}
      {failed?.formError ? <Alert>{failed.formError}</Alert> : null}

      <div className="grid gap-6 lg:grid-cols-[1fr_20rem]">
        <div className="grid content-start gap-6">
          <Card className="p-5">
            <h2 className="font-semibold">Time</h2>
            {state === "active" && left !== null ? (
              <p className="mt-2 rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-900" data-testid="time-left">
                <span className="text-lg font-semibold tabular-nums">{formatDuration(left)}</span> left
              </p>
            ) : null}
            <dl className="mt-2 divide-y divide-slate-100">
              <Row label="Purchased">{at(v.purchasedAt)}</Row>
              <Row label="First used">{v.firstUsedAt ? at(v.firstUsedAt) : "Not yet"}</Row>
              <Row label="Expires">{v.expiresAt ? at(v.expiresAt) : `${formatDuration(v.durationSeconds)} after first use`}</Row>
              <Row label={state === "lapsed" ? "Lapsed" : "Lapses if unused"}>
                {at(v.lapsesAt)}
                {v.firstUsedAt ? <span className="text-slate-500"> (used, so this no longer applies)</span> : null}
              </Row>
              {v.disabledAt ? <Row label="Disabled">{at(v.disabledAt)}</Row> : null}
              {v.phone ? <Row label="Phone">{phoneForDisplay(v.phone)}</Row> : null}
            </dl>
          </Card>

          <Card className="overflow-hidden">
            <div className="flex items-baseline justify-between gap-3 px-5 pt-5">
              <h2 className="font-semibold">Devices</h2>
              <span className="text-sm tabular-nums text-slate-500">
                {devices.length} of {v.devicesAllowed} used
              </span>
            </div>
            {devices.length === 0 ? (
              <p className="px-5 pb-5 pt-2 text-sm text-slate-600">No device has logged in with this code yet.</p>
            ) : (
              <div className="mt-3 overflow-x-auto">
                <DataTable columns={["MAC", "Router", "Last IP", "First seen", "Last seen"]}>
                  {devices.map((d) => (
                    <tr key={d.mac}>
                      <Td className="whitespace-nowrap font-mono text-xs">{d.mac}</Td>
                      <Td className="whitespace-nowrap">
                        {d.routerId ? (
                          canSeeRouters ? (
                            <Link to={`/dashboard/routers/${d.routerId}`} className="text-brand-700 hover:underline">
                              {routerNames[d.routerId] ?? "Removed router"}
                            </Link>
                          ) : (
                            "A router"
                          )
                        ) : (
                          "—"
                        )}
                      </Td>
                      <Td className="whitespace-nowrap font-mono text-xs">{d.lastIp ?? "—"}</Td>
                      <Td className="whitespace-nowrap text-slate-600">{at(d.firstSeenAt)}</Td>
                      <Td className="whitespace-nowrap text-slate-600">{at(d.lastSeenAt)}</Td>
                    </tr>
                  ))}
                </DataTable>
              </div>
            )}
          </Card>

          <Card className="p-5">
            <h2 className="font-semibold">Messages about it</h2>
            {messages.length === 0 ? (
              <p className="mt-2 text-sm text-slate-600">No SMS or WhatsApp message was sent about this voucher.</p>
            ) : (
              <ul className="mt-3 grid gap-3">
                {messages.map((m) => (
                  <li key={m.id} className="rounded-lg bg-slate-50 p-3 ring-1 ring-slate-200">
                    <div className="flex flex-wrap items-center gap-2 text-xs text-slate-500">
                      <span className={cx("rounded px-2 py-0.5 font-medium", MESSAGE_STATUS_STYLE[m.status] ?? "bg-amber-100 text-amber-800")}>{m.status}</span>
                      <span className="uppercase">{m.channel}</span>
                      <span>to {phoneForDisplay(m.phone)}</span>
                      <span>· {at(m.createdAt)}</span>
                    </div>
                    <p className="mt-1 break-words text-sm text-slate-800">{m.body}</p>
                    {m.error ? <p className="mt-1 text-xs text-red-700">{m.error}</p> : null}
                  </li>
                ))}
              </ul>
            )}
          </Card>
        </div>

        <div className="grid content-start gap-6">
          <Card className="p-5">
            <h2 className="font-semibold">Where it came from</h2>
            <dl className="mt-2 divide-y divide-slate-100">
              {payment ? (
                <>
                  <Row compact label="Payment">
                    <span className="font-medium tabular-nums">{kes(payment.amountCents)}</span>{" "}
                    <span className={cx("rounded px-2 py-0.5 text-xs font-medium", PAYMENT_STATUS_STYLE[payment.status])}>{payment.status}</span>
                  </Row>
                  <Row compact label="M-Pesa code">
                    <span className="font-mono">{payment.receipt ?? "—"}</span>
                  </Row>
                  {canSeePayments ? (
                    <Row compact label="Details">
                      <Link to={`/dashboard/payments/${payment.id}`} className="font-medium text-brand-700 hover:underline">
                        Open the payment
                      </Link>
                    </Row>
                  ) : null}
                </>
              ) : (
                <Row compact label="Payment">{batch ? "None (printed card)" : "None"}</Row>
              )}
              {batch ? (
                <Row compact label="Batch">
                  <Link to={`/dashboard/hotspot/vouchers?batchId=${batch.id}`} className="font-medium text-brand-700 hover:underline">
                    {batch.name}
                  </Link>
                  {batch.notes ? <p className="text-xs text-slate-500">{batch.notes}</p> : null}
                  <BatchLinks batchId={batch.id} className="mt-2" />
                </Row>
              ) : null}
            </dl>
          </Card>

          <Card className="p-5">
            <h2 className="font-semibold">Extend</h2>
            <p className="mt-1 text-sm text-slate-600">
              {state === "active" ? "Adds time to the end." : state === "expired" ? "Gives it time again, counted from now." : "Makes it last longer once it is used."}
            </p>
            <Form method="post" ref={extendForm} className="mt-4 grid gap-3" noValidate>
              <input type="hidden" name="intent" value="extend" />
              <div className="grid grid-cols-2 gap-3">
                <Field label="Amount" name="amount" type="number" inputMode="numeric" min={1} max={1000} defaultValue={typed.amount ?? "1"} error={fe.amount?.[0]} />
                <SelectField label="Unit" name="unit" defaultValue={typed.unit ?? "hours"} error={fe.unit?.[0]}>
                  <option value="minutes">minutes</option>
                  <option value="hours">hours</option>
                  <option value="days">days</option>
                </SelectField>
              </div>
              <Button type="submit" variant="secondary" disabled={busy === "extend"}>
                {busy === "extend" ? "Extending…" : "Extend"}
              </Button>
            </Form>
          </Card>

          <Card className={cx("p-5", !v.disabledAt && "ring-red-100")}>
            <h2 className="font-semibold">{v.disabledAt ? "Enable" : "Disable"}</h2>
            <p className="mt-1 text-sm text-slate-600">
              {v.disabledAt ? "Lets the code give internet again, with the time it had left." : "Stops the code at once on every router and logs its devices out. You can enable it again."}
            </p>
            <details className="group mt-4" key={v.disabledAt ? "enable" : "disable"}>
              <summary className={cx("inline-flex cursor-pointer list-none items-center rounded-lg px-4 py-2 text-sm font-semibold shadow-sm ring-1 [&::-webkit-details-marker]:hidden", v.disabledAt ? "bg-white text-slate-800 ring-slate-300 hover:bg-slate-50" : "bg-white text-red-700 ring-red-200 hover:bg-red-50")}>
                {v.disabledAt ? "Enable…" : "Disable…"}
              </summary>
              <Form method="post" className="mt-3 rounded-lg bg-slate-50 p-3 ring-1 ring-slate-200">
                <input type="hidden" name="intent" value={v.disabledAt ? "enable" : "disable"} />
                <p className="text-sm text-slate-800">{v.disabledAt ? `Enable ${v.code} again?` : `Disable ${v.code}? Anyone using it loses internet now.`}</p>
                <Button type="submit" variant={v.disabledAt ? "primary" : "danger"} className="mt-3" disabled={busy === "disable" || busy === "enable"}>
                  {v.disabledAt ? "Yes, enable it" : "Yes, disable it"}
                </Button>
              </Form>
            </details>
          </Card>
        </div>
      </div>
    </div>
  );
}
