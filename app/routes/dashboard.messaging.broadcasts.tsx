import { Link, useActionData, useLoaderData, useNavigation } from "react-router";
import { TRPCError } from "@trpc/server";
import type { Route } from "./+types/dashboard.messaging.broadcasts";
import { Alert, Card, EmptyState, PageHeader } from "../components/ui";
import { BroadcastForm, type BroadcastFormValues } from "../components/broadcast-form";
import { BroadcastProgressBar, BroadcastStatusBadge, ChannelChips, segmentInWords, useRefreshWhile, utcToZonedLocal, zonedLocalToUtc } from "../components/broadcast-ui";
import { requireIspUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { formatDateTime } from "../lib/format";
import { phoneForDisplay } from "../lib/money";
import { ispCan } from "../../policies/permissions";
import { FieldErrors } from "../../server/trpc/init";

export function meta() {
  return [{ title: "Broadcasts · mnetifi" }];
}

/** The audience from form or query values, shaped as the segment procedures expect. */
function segmentFrom(values: Record<string, string | undefined>) {
  switch (values.segmentKind ?? values.kind) {
    case "customer":
      return { kind: "customer" as const, customerId: values.customerId ?? "" };
    case "zone":
      return { kind: "zone" as const, zoneId: values.zoneId ?? "" };
    case "recent_buyers":
      return { kind: "recent_buyers" as const, days: Number(values.days) };
    default:
      return { kind: "all" as const };
  }
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, viewer, tenant } = await requireIspUser(context, request, { permission: "messaging.view" });
  const url = new URL(request.url);
  // The form's look-ups (a fetcher on this same route): how many an audience reaches, customers to pick from.
  const probe = url.searchParams.get("probe");
  if (probe === "size") {
    const recipients = await caller.messaging
      .segmentSize({ segment: segmentFrom(Object.fromEntries(url.searchParams)) })
      .then((r) => r.recipients)
      .catch(() => null);
    // The query comes back so the form can tell this count from one for an audience chosen since.
    return { probe: "size" as const, query: url.searchParams.toString(), recipients };
  }
  if (probe === "customers") {
    // Phones are stored as 2547…: "0712 000 101" is searched as its digits after the leading 0.
    const q = (url.searchParams.get("q") ?? "").trim().slice(0, 60);
    const search = /^[\d\s+()-]+$/.test(q) ? q.replace(/\D/g, "").replace(/^0/, "") : q;
    const rows = await caller.messaging.customers({ search });
    return { probe: "customers" as const, customers: rows.slice(0, 50).map((c) => ({ id: c.id, name: c.name, phone: c.phone, optedOut: !!c.optedOutAt })) };
  }

  const [data, zones, providers] = await Promise.all([
    caller.messaging.broadcasts(),
    caller.zones.list().catch(() => []),
    caller.messaging
      .notifications()
      .then((n) => n.providers)
      .catch(() => null),
  ]);
  // Names for "One customer: …" (the latest customers; an older one just reads "One customer").
  const customerNames: Record<string, string> = {};
  if (data.broadcasts.some((b) => b.segment.kind === "customer")) {
    for (const c of await caller.messaging.customers({ search: "" })) customerNames[c.id] = [c.name, phoneForDisplay(c.phone)].filter(Boolean).join(" · ");
  }
  const now = Date.now();
  return {
    probe: null,
    broadcasts: data.broadcasts,
    customers: data.customers,
    smsAllowed: data.smsAllowed,
    whatsappAllowed: data.whatsappAllowed,
    providers,
    zones: zones.map((z) => ({ id: z.id, name: z.name })),
    names: { zones: Object.fromEntries(zones.map((z) => [z.id, z.name])), customers: customerNames },
    canSend: ispCan(viewer.user.role, "messaging.send"),
    timezone: tenant.timezone,
    defaultLocal: utcToZonedLocal(Math.ceil((now + 3_600_000) / 900_000) * 900_000, tenant.timezone),
    minLocal: utcToZonedLocal(now, tenant.timezone),
  };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { caller, tenant } = await requireIspUser(context, request, { permission: "messaging.send" });
  const values = formValues(await readForm(request));
  const mine: Record<string, string[]> = {};
  let scheduledAt: string | undefined;
  if (values.when === "later") {
    const at = values.scheduledAt ? zonedLocalToUtc(values.scheduledAt, tenant.timezone) : null;
    if (at) scheduledAt = at.toISOString();
    else {
      mine.scheduledAt = ["Choose the date and time to send it."];
      // Not a date: the procedure refuses it too, so nothing is created while other fields are checked.
      scheduledAt = "not a date";
    }
  }
  try {
    const r = await caller.messaging.createBroadcast({
      name: values.name ?? "",
      channels: values.channels,
      body: values.body ?? "",
      segment: segmentFrom(values),
      ...(scheduledAt ? { scheduledAt } : {}),
    });
    return {
      ok: true as const,
      id: r.id,
      message: values.when === "later" ? `“${values.name?.trim()}” is scheduled for ${formatDateTime(scheduledAt!, tenant.timezone)}.` : `“${values.name?.trim()}” is sending now. Progress shows below.`,
    };
  } catch (err) {
    const f = formFailure(err, values).data;
    // A refusal with both field errors and its own message keeps the message too.
    const joined = Object.values(f.fieldErrors).flat().filter(Boolean).join(" ");
    const formError = f.formError ?? (err instanceof TRPCError && err.cause instanceof FieldErrors && err.message !== joined ? err.message : null);
    return { ok: false as const, fieldErrors: { ...f.fieldErrors, ...mine }, formError, values: f.values as BroadcastFormValues };
  }
}

const NO_CUSTOMERS =
  "Customers appear here as they buy: everyone who pays for Wi-Fi by M-Pesa becomes a customer with their phone number. Until then, “Recent buyers” reaches people who paid, and a scheduled broadcast counts its audience again when it sends.";

export default function Broadcasts() {
  const data = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const nav = useNavigation();
  const page = data.probe === null ? data : null;
  const active = !!page?.broadcasts.some((b) => b.status === "scheduled" || b.status === "sending");
  const sending = !!page?.broadcasts.some((b) => b.status === "sending");
  useRefreshWhile(active, sending ? 5 : 20);
  if (!page) return null;
  const { broadcasts, customers, smsAllowed, whatsappAllowed, providers, zones, names, canSend, timezone } = page;
  const failed = result && !result.ok ? result : null;
  const busy = nav.state === "submitting" && nav.formData?.get("intent") === "create";

  return (
    <div className="grid gap-6">
      <PageHeader
        title="Broadcasts"
        description="One message to many customers: everyone, one zone, recent buyers or a single customer, now or at a set time."
        actions={
          canSend ? (
            <a href="#new-broadcast" className="w-fit rounded-lg bg-brand-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-brand-700 lg:hidden">
              New broadcast
            </a>
          ) : null
        }
      />
      {result?.ok ? (
        <Alert tone="success">
          {result.message}{" "}
          <Link to={`/dashboard/messaging/broadcasts/${result.id}`} className="font-semibold underline">
            Open it
          </Link>
        </Alert>
      ) : null}
      {customers.all === 0 && broadcasts.length > 0 ? <Alert tone="info">{NO_CUSTOMERS}</Alert> : null}
      <div className="grid items-start gap-6 lg:grid-cols-[1fr_24rem] xl:grid-cols-[1fr_26rem]">
        <section className="grid content-start gap-3" aria-labelledby="bc-list-title">
          <div className="flex items-baseline justify-between gap-3">
            <h2 id="bc-list-title" className="font-semibold">
              Your broadcasts
            </h2>
            {customers.all > 0 ? (
              <p className="text-xs text-slate-500 tabular-nums">
                {customers.all} customer{customers.all === 1 ? "" : "s"}
                {customers.optedOut ? ` · ${customers.optedOut} replied STOP` : ""}
              </p>
            ) : null}
          </div>
          {broadcasts.length === 0 && customers.all === 0 ? (
            <EmptyState title="No customers yet">{NO_CUSTOMERS}</EmptyState>
          ) : broadcasts.length === 0 ? (
            <EmptyState title="No broadcasts yet">{canSend ? "Write your first one with the form: an offer, a maintenance notice, a thank-you." : "Broadcasts your team sends show here with their progress."}</EmptyState>
          ) : (
            <ul className="grid gap-3">
              {broadcasts.map((b) => (
                <li key={b.id}>
                  <Card className="p-4 sm:p-5" data-broadcast={b.name}>
                    <div className="flex flex-wrap items-start justify-between gap-2">
                      <div className="min-w-0">
                        <Link to={`/dashboard/messaging/broadcasts/${b.id}`} className="font-semibold text-slate-900 hover:text-brand-700 hover:underline">
                          {b.name}
                        </Link>
                        <p className="mt-1 flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-slate-600">
                          <ChannelChips channels={b.channels} />
                          <span>{segmentInWords(b.segment, names)}</span>
                        </p>
                      </div>
                      <BroadcastStatusBadge status={b.status} />
                    </div>
                    <p className="mt-2 line-clamp-2 text-sm text-slate-700">{b.body}</p>
                    {b.startedAt || b.progress.total > 0 ? <BroadcastProgressBar className="mt-3" progress={b.progress} label={`Progress of ${b.name}`} /> : null}
                    <div className="mt-2 flex flex-wrap items-center justify-between gap-2 text-xs text-slate-500">
                      <span className="tabular-nums">
                        {b.status === "scheduled" ? "Sends" : b.status === "cancelled" && !b.startedAt ? "Was due" : "Started"} {formatDateTime(b.startedAt ?? b.scheduledAt, timezone)}
                        {b.recipients ? ` · ${b.recipients} recipient${b.recipients === 1 ? "" : "s"}` : ""}
                        {b.skipped ? ` · ${b.skipped} opted out` : ""}
                      </span>
                      <Link to={`/dashboard/messaging/broadcasts/${b.id}`} className="rounded-lg px-3 py-1.5 text-xs font-semibold text-brand-700 ring-1 ring-slate-300 hover:bg-slate-50">
                        Report
                      </Link>
                    </div>
                  </Card>
                </li>
              ))}
            </ul>
          )}
        </section>
        {canSend ? (
          <Card className="scroll-mt-4 p-5" id="new-broadcast">
            <h2 className="font-semibold">New broadcast</h2>
            <p className="mt-1 text-sm text-slate-600">Messages go out at your provider’s pace; the report fills in as delivery reports arrive.</p>
            <div className="mt-4">
              <BroadcastForm
                // A fresh form after each answer: typed values back after a refusal, empty after a success.
                key={result ? (result.ok ? result.id : JSON.stringify(result.values)) : "new"}
                values={failed?.values ?? {}}
                errors={failed?.fieldErrors ?? {}}
                formError={failed?.formError}
                smsAllowed={smsAllowed}
                whatsappAllowed={whatsappAllowed}
                providers={providers}
                zones={zones}
                customers={customers}
                timezone={timezone}
                defaultLocal={page.defaultLocal}
                minLocal={page.minLocal}
                busy={busy}
              />
            </div>
          </Card>
        ) : null}
      </div>
    </div>
  );
}
