import { useEffect } from "react";
import { Form, Link, data, useActionData, useLoaderData, useNavigation, useSearchParams } from "react-router";
import type { Route } from "./+types/console.tenant";
import { Alert, Button, Card, EmptyState, Field, TextAreaField } from "../components/ui";
import { DataTable, Td } from "../components/table";
import { Stat, StatusBadge, Who, describeConsoleEvent } from "../components/console-ui";
import { requirePlatformUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { formatAgo, formatDateTime, formatDuration } from "../lib/format";
import { kes, phoneForDisplay } from "../lib/money";
import { describeEvent } from "../lib/activity";
import { platformCan } from "../../policies/permissions";
import { siteUrl } from "../../server/context";

export function meta({ data }: Route.MetaArgs) {
  return [{ title: `${data?.detail.tenant.businessName ?? "ISP"} · mnetifi console` }];
}

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const { caller, viewer } = await requirePlatformUser(context, request);
  if (!/^[0-9a-f-]{36}$/i.test(params.id)) throw new Response("Not found", { status: 404 });
  const detail = await caller.console.tenant({ id: params.id });
  const role = viewer.user.role;
  return {
    detail,
    address: siteUrl(context.app.env, detail.tenant.slug),
    canImpersonate: platformCan(role, "tenants.impersonate"),
    canManage: platformCan(role, "tenants.manage"),
    canChat: platformCan(role, "support.chat"),
    now: Date.now(),
  };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const { caller } = await requirePlatformUser(context, request);
  const values = formValues(await readForm(request));
  const intent = values.intent ?? "impersonate";
  try {
    if (intent === "hold") {
      const r = await caller.console.setHold({ tenantId: params.id, kind: values.kind, reason: values.reason });
      return { intent, ok: true as const, done: r.status };
    }
    if (intent === "rename") {
      const r = await caller.console.rename({ tenantId: params.id, businessName: values.businessName });
      return { intent, ok: true as const, done: r.businessName };
    }
    if (intent === "end_visit") {
      await caller.console.endImpersonation({ impersonationId: values.impersonationId ?? "" });
      return { intent, ok: true as const, done: "ended" };
    }
    const r = await caller.console.impersonate({ tenantId: params.id, reason: values.reason ?? "" });
    // The page goes to the ISP's own host, where the one-time token becomes a session for that
    // host only. Not a redirect: the CSP's form-action 'self' (rightly) stops a form from
    // landing on another host, so the page navigates itself (or offers the link without JS).
    return data({ intent, ok: true as const, url: r.url }, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    const f = formFailure(err, values).data;
    return { intent, ok: false as const, error: f.formError, fieldError: f.fieldErrors.reason?.[0] ?? f.fieldErrors.kind?.[0] ?? f.fieldErrors.businessName?.[0], reason: values.reason ?? "", kind: values.kind ?? "", businessName: values.businessName ?? "" };
  }
}

const END_WORDS: Record<string, string> = { exit: "Exited", expired: "Time ran out", signed_out: "Signed out", replaced: "Started again", console: "Ended from the console", console_signed_out: "Admin signed out of the console" };

export default function TenantDetail() {
  const { detail, address, canImpersonate, canManage, canChat, now } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const failed = result && !result.ok && result.intent === "impersonate" ? result : null;
  const entering = result?.ok && "url" in result ? result.url : null;
  useEffect(() => {
    if (entering) window.location.replace(entering);
  }, [entering]);
  const [params] = useSearchParams();
  const busy = useNavigation().state !== "idle";
  const { tenant, usage, owner, events, impersonations } = detail;
  const open = impersonations.find((i) => !i.endedAt && new Date(i.expiresAt).getTime() > now);
  return (
    <div className="grid gap-6">
      <div>
        <Link to="/tenants" className="text-sm font-medium text-slate-600 hover:text-slate-900">
          ← ISPs
        </Link>
        <div className="mt-2 flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
          <div>
            <h1 className="flex flex-wrap items-center gap-3 text-2xl font-bold tracking-tight">
              {tenant.businessName} <StatusBadge status={tenant.status} />
            </h1>
            <p className="mt-1 text-sm text-slate-600">
              <a href={address} className="font-mono text-brand-700 hover:underline" target="_blank" rel="noreferrer">
                {address.replace(/^https?:\/\//, "")}
              </a>{" "}
              · on mnetifi since {formatDateTime(tenant.createdAt)}
            </p>
          </div>
          {canChat ? (
            <Link to={`/support/${tenant.id}`} className="inline-flex items-center gap-2 rounded-lg bg-white px-4 py-2 text-sm font-semibold text-slate-800 shadow-sm ring-1 ring-slate-300 hover:bg-slate-50">
              Support chat
              {detail.supportUnread > 0 ? <span className="rounded-full bg-brand-600 px-1.5 text-xs font-semibold text-white tabular-nums">{detail.supportUnread}</span> : null}
            </Link>
          ) : null}
        </div>
      </div>

      {tenant.hold ? (
        <Alert tone="error">
          <strong>{tenant.status === "blocked" ? "Blocked" : "Suspended"}</strong> {formatDateTime(tenant.hold.at)}
          {tenant.hold.by ? ` by ${tenant.hold.by}` : ""}: {tenant.hold.reason}
          {/[.!?]$/.test(tenant.hold.reason) ? "" : "."} Only the dashboard is closed; the ISP&apos;s customers are not affected.
        </Alert>
      ) : null}
      {result?.ok && "done" in result && result.intent === "hold" ? <Alert tone="success">{HOLD_DONE[result.done] ?? "Done."}</Alert> : null}
      {result?.ok && result.intent === "end_visit" ? <Alert tone="success">The visit has ended: that dashboard session stops on its next request.</Alert> : null}
      {result && !result.ok && result.intent === "end_visit" ? <Alert>{result.error}</Alert> : null}

      {params.get("impersonation") === "ended" ? <Alert tone="success">You have left {tenant.businessName}&apos;s dashboard. The visit and everything done in it are in the activity below.</Alert> : null}

      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
        <Stat label="Customers" value={usage.customers.toLocaleString("en-KE")} />
        <Stat label="Routers online" value={`${usage.routersOnline} / ${usage.routersTotal}`} />
        <Stat label="Vouchers in use" value={usage.activeVouchers.toLocaleString("en-KE")} hint="running now" />
        <Stat label="Vouchers sold" value={usage.vouchersSold.toLocaleString("en-KE")} hint="last 30 days" />
        <Stat label="Messages sent" value={usage.messagesSent.toLocaleString("en-KE")} hint="last 30 days" />
        <Stat label="Revenue" value={kes(usage.revenueCents)} hint={`${usage.paymentsPaid} payments, 30 days`} />
      </div>

      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="p-5">
          <h2 className="font-semibold">Account</h2>
          <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm">
            <dt className="text-slate-500">Status</dt>
            <dd>
              <StatusBadge status={tenant.status} />
            </dd>
            <dt className="text-slate-500">Registered</dt>
            <dd>{formatDateTime(tenant.createdAt)}</dd>
            <dt className="text-slate-500">Email confirmed</dt>
            <dd>{tenant.verifiedAt ? formatDateTime(tenant.verifiedAt) : "Not yet"}</dd>
            <dt className="text-slate-500">Trial ends</dt>
            <dd>{tenant.trialEndsAt && !tenant.paidUntil ? formatDateTime(tenant.trialEndsAt) : tenant.status === "trial" ? "Open-ended" : "—"}</dd>
            <dt className="text-slate-500">Tier</dt>
            <dd>{tenant.tierName ? `${tenant.tierName}${tenant.service ? ` (${tenant.service === "pppoe" ? "PPPoE/static" : "hotspot"})` : ""}` : "None yet"}</dd>
            <dt className="text-slate-500">Paid until</dt>
            <dd className={tenant.status === "unpaid" ? "font-semibold text-red-700" : undefined}>{tenant.paidUntil ? formatDateTime(tenant.paidUntil) : "—"}</dd>
            <dt className="text-slate-500">Team</dt>
            <dd>{detail.staffCount} active account{detail.staffCount === 1 ? "" : "s"}</dd>
            <dt className="text-slate-500">Last activity</dt>
            <dd>{formatAgo(usage.lastActivityAt, now)}</dd>
          </dl>
          {canManage ? <RenameForm current={tenant.businessName} result={result && result.intent === "rename" ? result : null} busy={busy} /> : null}
        </Card>
        <Card className="p-5">
          <h2 className="font-semibold">Owner</h2>
          {owner ? (
            <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-4 gap-y-2 text-sm" data-testid="owner-contact">
              <dt className="text-slate-500">Name</dt>
              <dd>{owner.fullName || owner.username}</dd>
              <dt className="text-slate-500">Username</dt>
              <dd className="font-mono">{owner.username}</dd>
              <dt className="text-slate-500">Email</dt>
              <dd className="break-all">
                <a href={`mailto:${owner.email}`} className="text-brand-700 hover:underline">
                  {owner.email}
                </a>
                {owner.emailVerifiedAt ? null : <span className="ml-1 text-xs text-amber-700">(not confirmed)</span>}
              </dd>
              <dt className="text-slate-500">Phone</dt>
              <dd>
                {owner.phone ? (
                  <a href={`tel:+${owner.phone}`} className="text-brand-700 hover:underline">
                    {phoneForDisplay(owner.phone)}
                  </a>
                ) : (
                  <span className="text-slate-400">Not given</span>
                )}
              </dd>
              <dt className="text-slate-500">Last sign-in</dt>
              <dd>{owner.lastLoginAt ? formatDateTime(owner.lastLoginAt) : "Never"}</dd>
              {owner.disabledAt ? (
                <>
                  <dt className="text-slate-500">Account</dt>
                  <dd className="text-red-700">Deactivated</dd>
                </>
              ) : null}
            </dl>
          ) : (
            <p className="mt-3 text-sm text-slate-600">No owner account.</p>
          )}
        </Card>
        <Card className="p-5">
          <h2 className="font-semibold">View the dashboard as this ISP</h2>
          {canImpersonate ? (
            <Form method="post" className="mt-3 grid gap-3">
              <p className="text-sm text-slate-600">
                For troubleshooting: you see {tenant.businessName}&apos;s dashboard as its owner for 30 minutes, with a banner and an Exit button. The ISP sees that you came and why; everything you do is recorded under your name.
              </p>
              {open ? (
                <Alert tone="info">
                  You (or another admin) started a visit {formatAgo(open.startedAt, now)}; it ends in {formatDuration((new Date(open.expiresAt).getTime() - now) / 1000)}. Starting again ends your earlier one.
                </Alert>
              ) : null}
              {failed?.error ? <Alert>{failed.error}</Alert> : null}
              {entering ? (
                <Alert tone="info">
                  Opening {tenant.businessName}&apos;s dashboard…{" "}
                  <a href={entering} className="font-semibold underline">
                    Continue
                  </a>
                </Alert>
              ) : null}
              <TextAreaField
                label="Reason"
                id="reason"
                name="reason"
                rows={2}
                required
                minLength={5}
                maxLength={500}
                defaultValue={failed?.reason}
                placeholder="e.g. Owner reports vouchers not working on the Kasarani router"
                error={failed?.fieldError}
                hint="Recorded in the audit trail and shown to the ISP."
              />
              <div>
                <Button type="submit" disabled={busy || Boolean(entering) || tenant.status === "pending"}>
                  View as {tenant.businessName}
                </Button>
              </div>
            </Form>
          ) : (
            <p className="mt-3 text-sm text-slate-600">Your console role cannot enter an ISP&apos;s dashboard. Ask a super admin.</p>
          )}
        </Card>
      </div>

      {canManage && tenant.status !== "pending" ? <DashboardAccess tenant={tenant} result={result && result.intent === "hold" ? result : null} busy={busy} /> : null}

      <section className="grid gap-3">
        <h2 className="text-lg font-semibold">Console visits</h2>
        <Card className="overflow-x-auto">
          {impersonations.length === 0 ? (
            <EmptyState title="Nobody from mnetifi has viewed this ISP's dashboard" />
          ) : (
            <DataTable columns={["Started", "Who", "Reason", "How it ended"]}>
              {impersonations.map((i) => {
                const active = !i.endedAt && new Date(i.expiresAt).getTime() > now;
                return (
                  <tr key={i.id} data-impersonation={i.id}>
                    <Td className="whitespace-nowrap text-slate-600">{formatDateTime(i.startedAt)}</Td>
                    <Td className="font-medium">{i.adminName}</Td>
                    <Td className="max-w-md text-slate-700">{i.reason}</Td>
                    <Td className="whitespace-nowrap text-slate-600">
                      {active ? (
                        <span className="flex flex-wrap items-center gap-2">
                          <span className="rounded-full bg-amber-100 px-2.5 py-0.5 text-xs font-medium text-amber-800">In progress</span>
                          {canImpersonate ? (
                            <Form method="post">
                              <input type="hidden" name="intent" value="end_visit" />
                              <input type="hidden" name="impersonationId" value={i.id} />
                              <button type="submit" disabled={busy} className="text-xs font-semibold text-red-700 hover:underline disabled:opacity-50">
                                End visit
                              </button>
                            </Form>
                          ) : null}
                        </span>
                      ) : i.endedAt ? (
                        `${END_WORDS[i.endReason ?? ""] ?? "Ended"} after ${formatDuration((new Date(i.endedAt).getTime() - new Date(i.startedAt).getTime()) / 1000)}`
                      ) : (
                        "Time ran out"
                      )}
                      {!i.redeemedAt && !active ? <span className="block text-xs text-slate-400">never entered</span> : null}
                    </Td>
                  </tr>
                );
              })}
            </DataTable>
          )}
        </Card>
      </section>

      <section className="grid gap-3">
        <h2 className="text-lg font-semibold">Recent activity</h2>
        <Card className="overflow-x-auto">
          {events.length === 0 ? (
            <EmptyState title="Nothing recorded yet" />
          ) : (
            <DataTable columns={["When", "What", "Who", "From"]}>
              {events.map((e) => (
                <tr key={e.id} data-action={e.action}>
                  <Td className="whitespace-nowrap text-slate-600">{formatDateTime(e.occurredAt)}</Td>
                  <Td className="font-medium">{describeConsoleEvent(e, describeEvent)}</Td>
                  <Td className="text-slate-600">
                    <Who e={e} />
                  </Td>
                  <Td className="font-mono text-xs text-slate-500">{e.ip ?? ""}</Td>
                </tr>
              ))}
            </DataTable>
          )}
        </Card>
      </section>
    </div>
  );
}


/** The registered business name, changed on the ISP's request (it is on the portal, invoices and SMS). */
function RenameForm({ current, result, busy }: { current: string; result: { ok: boolean; fieldError?: string; error?: string | null; businessName?: string } | null; busy: boolean }) {
  const failed = result && !result.ok ? result : null;
  return (
    <details className="mt-4 border-t border-slate-100 pt-3" open={Boolean(result)}>
      <summary className="cursor-pointer text-sm font-semibold text-brand-700">Rename</summary>
      {result?.ok ? (
        <div className="mt-2">
          <Alert tone="success">Renamed. The portal, invoices and messages use the new name from now on.</Alert>
        </div>
      ) : null}
      <Form method="post" className="mt-2 grid gap-2">
        <input type="hidden" name="intent" value="rename" />
        {failed?.error ? <Alert>{failed.error}</Alert> : null}
        <Field label="Business name" name="businessName" id="rename-business" defaultValue={failed?.businessName ?? current} maxLength={80} required error={failed?.fieldError} hint="At the ISP's request: it is the portal's title and on its invoices." />
        <div>
          <Button type="submit" variant="secondary" disabled={busy}>
            Save name
          </Button>
        </div>
      </Form>
    </details>
  );
}

const HOLD_DONE: Record<string, string> = {
  suspended: "Suspended. The ISP's users see the reason instead of their dashboard; the owner was emailed. Customers are not affected.",
  blocked: "Blocked. The ISP's users see the reason instead of their dashboard; the owner was emailed. Customers are not affected.",
  trial: "Restored: the dashboard is open again (back on its trial). The owner was emailed.",
  active: "Restored: the dashboard is open again. The owner was emailed.",
  pending: "Restored: the account waits for its email confirmation again.",
};

/** Suspend, block or restore by hand, with a reason the ISP's owner reads. */
function DashboardAccess({
  tenant,
  result,
  busy,
}: {
  tenant: { businessName: string; status: string; hold: { reason: string } | null };
  result: { ok: boolean; fieldError?: string; error?: string | null; reason?: string; kind?: string } | null;
  busy: boolean;
}) {
  const failed = result && !result.ok ? result : null;
  const held = tenant.status === "suspended" || tenant.status === "blocked";
  const kinds: Array<[string, string, string]> = held
    ? [
        ["restore", "Restore the dashboard", "Opens it again as it was before."],
        tenant.status === "suspended" ? ["block", "Block instead", "For abuse or fraud."] : ["suspend", "Suspend instead", "A lighter hold, e.g. a payment to sort out."],
      ]
    : [
        ["suspend", "Suspend", "e.g. a bounced bank payment, a dispute to sort out."],
        ["block", "Block", "For abuse or fraud."],
      ];
  return (
    <section className="grid gap-3" aria-labelledby="access-title">
      <h2 id="access-title" className="text-lg font-semibold">
        Dashboard access
      </h2>
      <Card className="p-5">
        <Form method="post" className="grid gap-4 lg:grid-cols-2 lg:items-start" data-testid="hold-form">
          <input type="hidden" name="intent" value="hold" />
          <fieldset className="grid gap-2">
            <legend className="text-sm text-slate-600">
              Closing {tenant.businessName}&apos;s dashboard never touches its customers: the captive portal keeps selling, vouchers and PPPoE keep working, payments and routers keep being handled.
            </legend>
            {kinds.map(([value, label, hint], n) => (
              <label key={value} className="mt-2 flex items-start gap-3 rounded-lg border border-slate-200 p-3 has-[:checked]:border-brand-500 has-[:checked]:bg-brand-50">
                <input type="radio" name="kind" value={value} defaultChecked={failed?.kind ? failed.kind === value : n === 0} className="mt-1" />
                <span>
                  <span className="block text-sm font-semibold text-slate-900">{label}</span>
                  <span className="block text-xs text-slate-600">{hint}</span>
                </span>
              </label>
            ))}
          </fieldset>
          <div className="grid gap-3">
            {failed?.error ? <Alert>{failed.error}</Alert> : null}
            <TextAreaField
              label="Reason for the owner"
              id="hold-reason"
              name="reason"
              rows={3}
              maxLength={500}
              defaultValue={failed?.reason}
              placeholder={held ? "e.g. Payment confirmed by the bank" : "e.g. Bank transfer for invoice INV-2026-00042 bounced"}
              error={failed?.fieldError}
              hint="Emailed to the owner, shown on their closed dashboard and kept in the audit trail."
            />
            <div>
              <Button type="submit" variant={held ? "primary" : "danger"} disabled={busy}>
                {held ? "Apply" : "Close the dashboard"}
              </Button>
            </div>
          </div>
        </Form>
      </Card>
    </section>
  );
}
