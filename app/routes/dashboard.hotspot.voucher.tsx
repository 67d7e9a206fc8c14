import { Await, Form, Link, useActionData, useLoaderData, useNavigation, useRevalidator } from "react-router";
import { TRPCError } from "@trpc/server";
import { Suspense, useEffect, useRef, type ReactNode } from "react";
import type { Route } from "./+types/dashboard.hotspot.voucher";
import { Alert, Button, Card, Field, SelectField, TextAreaField, cx } from "../components/ui";
import { DataTable, Td } from "../components/table";
import { BatchLinks, VoucherStateBadge, formatBytes } from "../components/voucher-ui";
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
    plan: { name: d.plan.name, priceCents: d.plan.priceCents, devices: d.plan.devices, duration: describeDuration(d.plan.durationValue, d.plan.durationUnit as DurationUnit) },
    // Streamed: the page shows at once, the routers' answers follow (each router a few seconds at most).
    sessions: caller.vouchers.sessions({ id: params.id }),
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
    if (values.intent === "modify") {
      const r = await caller.vouchers.modify({ id: params.id, devicesAllowed: values.devicesAllowed, notes: values.notes ?? "" });
      const devices = `${r.devicesAllowed} ${r.devicesAllowed === 1 ? "device" : "devices"}`;
      const message =
        r.changed.length === 0
          ? "Nothing to change."
          : r.changed.includes("devicesAllowed")
            ? r.devicesUsed > r.devicesAllowed
              ? `Saved. It now allows ${devices}. The ${r.devicesUsed} devices already on it keep working; no new device can use it.`
              : `Saved. It now allows ${devices}.`
            : "Notes saved.";
      return { ok: true as const, intent: "modify", message };
    }
    if (values.intent === "logout") {
      const r = await caller.vouchers.logoutDevice({ id: params.id, routerId: values.routerId ?? "", mac: values.mac ?? "" });
      return {
        ok: true as const,
        intent: "logout",
        message: `Logging ${values.mac} out${r.routerName ? ` on ${r.routerName}` : ""}: the router does it in a few seconds. The code still works: disable the voucher to stop it.`,
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
  const { voucher: v, state, plan, payment, devices, messages, batch, routerNames, canSeeRouters, canSeePayments, timezone, now, sessions } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const nav = useNavigation();
  const busy = nav.state !== "idle" ? String(nav.formData?.get("intent") ?? "") : "";
  const failed = result && !result.ok ? result : null;
  const failedIntent = failed?.values?.intent;
  const fe = (failed?.fieldErrors ?? {}) as Record<string, string[] | undefined>;
  const typed = failed?.values ?? {};
  const left = v.expiresAt ? Math.max(0, Math.floor((new Date(v.expiresAt).getTime() - now) / 1000)) : null;
  const extendForm = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (result?.ok && result.intent === "extend") extendForm.current?.reset();
  }, [result]);
  const at = (x: Date | string | null) => (x ? formatDateTime(x, timezone) : "—");
  const maxDevices = Math.max(plan.devices, v.devicesAllowed);

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
      <div className="-mt-4 grid gap-1">
        <p className="text-sm text-slate-600">
          {plan.name} · {kes(plan.priceCents)}
          {plan.name.toLowerCase().includes(plan.duration.toLowerCase()) ? "" : ` · ${plan.duration}`} · <span data-testid="devices-allowed">{v.devicesAllowed} {v.devicesAllowed === 1 ? "device" : "devices"}</span>
        </p>
        {v.notes ? (
          <p className="max-w-prose whitespace-pre-line text-sm text-slate-800" data-testid="voucher-notes">
            <span className="font-medium text-slate-500">Notes: </span>
            {v.notes}
          </p>
        ) : null}
      </div>

      {result?.ok ? <Alert tone="success">{result.message}</Alert> : null}
      {failed?.formError ? <Alert>{failed.formError}</Alert> : null}

      <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_20rem]">
        <div className="grid min-w-0 content-start gap-6">
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

          <LiveSessions sessions={sessions} timezone={timezone} busy={busy === "logout" ? String(nav.formData?.get("mac") ?? "") : null} />

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
            {devices.length > v.devicesAllowed ? (
              <p className="border-t border-slate-100 px-5 py-3 text-xs text-slate-600">
                More devices than it now allows: the limit was lowered after they joined. They keep working; no new device can use the code.
              </p>
            ) : null}
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
            <h2 className="font-semibold">Modify</h2>
            <p className="mt-1 text-sm text-slate-600">How many devices may use the code, and notes for your team.</p>
            <Form method="post" className="mt-4 grid gap-3" noValidate key={`${v.devicesAllowed}:${v.notes}`}>
              <input type="hidden" name="intent" value="modify" />
              <Field
                label="Devices allowed"
                name="devicesAllowed"
                type="number"
                inputMode="numeric"
                min={1}
                max={maxDevices}
                defaultValue={failedIntent === "modify" ? typed.devicesAllowed : String(v.devicesAllowed)}
                error={failedIntent === "modify" ? fe.devicesAllowed?.[0] : undefined}
                hint={`1 to ${maxDevices}. A lower number logs nobody out: devices already on it keep working, only new ones are refused.`}
              />
              <TextAreaField
                label="Notes"
                name="notes"
                rows={3}
                maxLength={500}
                placeholder="e.g. Given free to the church office"
                defaultValue={failedIntent === "modify" ? typed.notes : v.notes}
                error={failedIntent === "modify" ? fe.notes?.[0] : undefined}
              />
              <Button type="submit" variant="secondary" disabled={busy === "modify"}>
                {busy === "modify" ? "Saving…" : "Save changes"}
              </Button>
            </Form>
          </Card>

          <Card className="p-5">
            <h2 className="font-semibold">Extend</h2>
            <p className="mt-1 text-sm text-slate-600">
              {state === "active" ? "Adds time to the end." : state === "expired" ? "Gives it time again, counted from now." : "Makes it last longer once it is used."}
            </p>
            <Form method="post" ref={extendForm} className="mt-4 grid gap-3" noValidate>
              <input type="hidden" name="intent" value="extend" />
              <div className="grid grid-cols-2 gap-3">
                <Field label="Amount" name="amount" type="number" inputMode="numeric" min={1} max={1000} defaultValue={failedIntent === "extend" ? typed.amount : "1"} error={failedIntent === "extend" ? fe.amount?.[0] : undefined} />
                <SelectField label="Unit" name="unit" defaultValue={failedIntent === "extend" ? typed.unit : "hours"} error={failedIntent === "extend" ? fe.unit?.[0] : undefined}>
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

type Sessions = Awaited<ReturnType<typeof useLoaderData<typeof loader>>["sessions"]>;

/**
 * Who is online with the code now, as each router it is on answers (streamed in after the page).
 * A router that does not answer says so; the rest of the page never waits for it.
 */
function LiveSessions({ sessions, timezone, busy }: { sessions: Promise<Sessions>; timezone: string; busy: string | null }) {
  const revalidator = useRevalidator();
  const refreshing = revalidator.state !== "idle";
  return (
    <Card className="overflow-hidden" data-testid="live-sessions">
      <div className="flex items-center justify-between gap-3 px-5 pt-5">
        <div>
          <h2 className="font-semibold">Live sessions</h2>
          <p className="mt-0.5 text-sm text-slate-600">Who is online with this code now, from the routers.</p>
        </div>
        <Button type="button" variant="secondary" className="shrink-0 px-3 py-1.5 text-xs" onClick={() => revalidator.revalidate()} disabled={refreshing}>
          {refreshing ? "Asking…" : "Refresh"}
        </Button>
      </div>
      <Suspense fallback={<p className="animate-pulse px-5 pb-5 pt-3 text-sm text-slate-500">Asking the routers…</p>}>
        <Await resolve={sessions} errorElement={<p className="px-5 pb-5 pt-3 text-sm text-red-700">The live sessions could not be read. Refresh to try again.</p>}>
          {(s) => <SessionList data={s} timezone={timezone} busy={busy} />}
        </Await>
      </Suspense>
    </Card>
  );
}

function SessionList({ data, timezone, busy }: { data: Sessions; timezone: string; busy: string | null }) {
  if (data.routers.length === 0) return <p className="px-5 pb-5 pt-3 text-sm text-slate-600">Not on any router yet: nobody has used this code.</p>;
  const online = data.routers.reduce((n, r) => n + (r.status === "ok" ? r.sessions.length : 0), 0);
  const silent = data.routers.some((r) => r.status === "unreachable");
  const checked = new Intl.DateTimeFormat("en-KE", { hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZone: timezone }).format(new Date(data.checkedAt));
  return (
    <div className="mt-3">
      <ul className="divide-y divide-slate-100 border-t border-slate-100">
        {data.routers.map((r) => {
          const name = r.routerName ?? "A router";
          if (r.status === "unreachable") {
            return (
              <li key={r.routerId} className="flex flex-wrap items-start gap-x-3 gap-y-1 px-5 py-3 text-sm" data-router={name} data-status="unreachable">
                <span className="font-medium text-slate-900">{name}</span>
                <span className="inline-flex items-center gap-1.5 rounded-full bg-amber-100 px-2.5 py-0.5 text-xs font-medium text-amber-900">
                  <span className="h-1.5 w-1.5 rounded-full bg-amber-500" aria-hidden />
                  Router not reachable
                </span>
                <span className="basis-full text-xs text-slate-500">{r.reason} Its sessions are unknown until it answers.</span>
              </li>
            );
          }
          if (r.sessions.length === 0) {
            return (
              <li key={r.routerId} className="flex flex-wrap items-center gap-x-3 gap-y-1 px-5 py-3 text-sm" data-router={name} data-status="ok">
                <span className="font-medium text-slate-900">{name}</span>
                <span className="text-slate-500">Nobody online with this code</span>
              </li>
            );
          }
          return r.sessions.map((s) => (
            <li key={`${r.routerId}:${s.mac}`} className="grid gap-3 px-5 py-3 text-sm sm:grid-cols-[minmax(0,1fr)_auto] sm:items-center" data-router={name} data-status="ok" data-mac={s.mac}>
              <div className="grid min-w-0 gap-1">
                <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
                  <span className="inline-flex items-center gap-1.5 font-mono text-xs font-semibold text-slate-900">
                    <span className="h-2 w-2 rounded-full bg-emerald-500" aria-hidden />
                    {s.mac}
                  </span>
                  <span className="font-mono text-xs text-slate-600">{s.ip}</span>
                  <span className="text-xs text-slate-500">on {name}</span>
                </div>
                <dl className="flex flex-wrap gap-x-5 gap-y-1 text-xs text-slate-600">
                  <div className="flex gap-1">
                    <dt>Online for</dt>
                    <dd className="font-semibold tabular-nums text-slate-900" data-testid="session-uptime">
                      {formatDuration(s.uptimeSeconds)}
                    </dd>
                  </div>
                  <div className="flex gap-1">
                    <dt>Downloaded</dt>
                    <dd className="font-semibold tabular-nums text-slate-900" data-testid="session-down">
                      {formatBytes(s.bytesOut)}
                    </dd>
                  </div>
                  <div className="flex gap-1">
                    <dt>Uploaded</dt>
                    <dd className="font-semibold tabular-nums text-slate-900" data-testid="session-up">
                      {formatBytes(s.bytesIn)}
                    </dd>
                  </div>
                </dl>
              </div>
              <Form method="post" className="sm:justify-self-end">
                <input type="hidden" name="intent" value="logout" />
                <input type="hidden" name="routerId" value={r.routerId} />
                <input type="hidden" name="mac" value={s.mac} />
                <Button type="submit" variant="danger" className="w-full px-3 py-1.5 text-xs sm:w-auto" disabled={busy === s.mac}>
                  {busy === s.mac ? "Logging out…" : r.sessions.length > 1 ? `Log out (all ${r.sessions.length} on this router)` : "Log out this device"}
                </Button>
              </Form>
            </li>
          ));
        })}
      </ul>
      <p className="border-t border-slate-100 px-5 py-2.5 text-xs text-slate-500">
        {online} online{silent ? " on the routers that answered" : ""} · checked {checked}. Logging a device out does not stop the code: it can sign in again while the voucher lasts.
      </p>
    </div>
  );
}
