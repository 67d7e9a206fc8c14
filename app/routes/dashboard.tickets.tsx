import { Form, Link, useActionData, useLoaderData, useNavigation } from "react-router";
import type { Route } from "./+types/dashboard.tickets";
import { Alert, Button, Card, EmptyState, Field, PageHeader, cx } from "../components/ui";
import { requireIspUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { formatAgo, formatDateTime } from "../lib/format";
import { useAutoRefresh } from "../lib/use-auto-refresh";

export function meta() {
  return [{ title: "Tickets · mnetifi" }];
}

const FILTERS = [
  { status: "open", label: "Open" },
  { status: "resolved", label: "Resolved" },
  { status: "all", label: "All" },
] as const;
type Filter = (typeof FILTERS)[number]["status"];

const KIND_LABEL: Record<string, string> = {
  message_failed: "Message not delivered",
  payment_no_voucher: "Paid, no voucher",
};

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, tenant } = await requireIspUser(context, request, { permission: "tickets.manage" });
  const asked = new URL(request.url).searchParams.get("status");
  const status: Filter = FILTERS.some((f) => f.status === asked) ? (asked as Filter) : "open";
  const data = await caller.messaging.tickets({ status });
  return { ...data, status, timezone: tenant.timezone, now: Date.now() };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { caller } = await requireIspUser(context, request, { permission: "tickets.manage" });
  const values = formValues(await readForm(request));
  const id = values.id ?? "";
  try {
    if (values.intent === "retry") {
      await caller.messaging.retryTicket({ id });
      return { ok: true as const, id, message: "Sending it again. The ticket closes by itself once the message goes out." };
    }
    await caller.messaging.resolveTicket({ id, resolution: values.resolution ?? "" });
    return { ok: true as const, id, message: "Resolved." };
  } catch (err) {
    const f = formFailure(err, values).data;
    return { ok: false as const, id, message: f.formError ?? (Object.values(f.fieldErrors).flat().join(" ") || "That did not work."), fieldErrors: f.fieldErrors, values: f.values };
  }
}

export default function Tickets() {
  const { tickets, open, status, timezone, now } = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>();
  const nav = useNavigation();
  useAutoRefresh(30);
  const busy = (intent: string, id: string) => nav.state !== "idle" && nav.formData?.get("intent") === intent && nav.formData?.get("id") === id;
  const failed = r && !r.ok ? r : null;
  return (
    <div className="grid gap-6">
      <PageHeader title="Tickets" description="What mnetifi could not finish on its own: a voucher or payment message that could not be delivered, a payment that produced no voucher. Retry or resolve each one." />
      {r ? <Alert tone={r.ok ? "success" : "error"}>{r.message}</Alert> : null}
      <nav className="flex w-fit gap-1 rounded-lg bg-slate-100 p-1 text-sm" aria-label="Ticket status">
        {FILTERS.map((f) => (
          <Link
            key={f.status}
            to={f.status === "open" ? "?" : `?status=${f.status}`}
            replace
            preventScrollReset
            aria-current={f.status === status ? "page" : undefined}
            className={cx("rounded-md px-3 py-1", f.status === status ? "bg-white font-semibold shadow-sm" : "text-slate-600 hover:text-slate-900")}
          >
            {f.label}
            {f.status === "open" && open > 0 ? <span className="ml-1.5 rounded-full bg-amber-100 px-1.5 text-xs font-semibold text-amber-800 tabular-nums">{open}</span> : null}
          </Link>
        ))}
      </nav>
      {tickets.length === 0 ? (
        <EmptyState title={status === "resolved" ? "No resolved tickets yet" : "Nothing needs your attention"}>
          {status === "resolved" ? "Tickets you or mnetifi close show here with how they were resolved." : "When a voucher or payment message cannot be delivered, or a payment produces no voucher, a ticket appears here so nothing fails silently."}
        </EmptyState>
      ) : (
        <ul className="grid gap-3">
          {tickets.map((t) => {
            const typed = failed?.id === t.id ? failed.values.resolution : undefined;
            return (
              <li key={t.id}>
                <Card className="p-4 sm:p-5" data-ticket={t.id}>
                  <div className="flex flex-wrap items-start justify-between gap-2">
                    <div className="min-w-0">
                      <h2 className="font-semibold text-slate-900">{t.subject}</h2>
                      <p className="mt-0.5 text-xs text-slate-500">
                        {KIND_LABEL[t.kind] ?? t.kind} · <time dateTime={new Date(t.createdAt).toISOString()}>{formatDateTime(t.createdAt, timezone)}</time> ({formatAgo(t.createdAt, now)})
                      </p>
                    </div>
                    <span className={cx("rounded-full px-2.5 py-0.5 text-xs font-medium", t.status === "open" ? "bg-amber-100 text-amber-800" : "bg-emerald-100 text-emerald-800")} data-status={t.status}>
                      {t.status === "open" ? "Open" : "Resolved"}
                    </span>
                  </div>
                  {t.detail ? <pre className="mt-3 max-h-64 overflow-auto whitespace-pre-wrap break-words rounded-lg bg-slate-50 p-3 font-sans text-sm text-slate-700">{t.detail}</pre> : null}
                  {t.status === "resolved" ? (
                    <p className="mt-3 text-sm text-slate-600">
                      Resolved {t.resolvedAt ? formatDateTime(t.resolvedAt, timezone) : ""}
                      {t.resolution ? `: ${t.resolution}` : ""}
                    </p>
                  ) : (
                    <div className="mt-4 flex flex-col gap-3 sm:flex-row sm:items-end">
                      {t.messageId ? (
                        <Form method="post" className="shrink-0">
                          <input type="hidden" name="intent" value="retry" />
                          <input type="hidden" name="id" value={t.id} />
                          <Button variant="secondary" className="w-full sm:w-auto" disabled={busy("retry", t.id)}>
                            {busy("retry", t.id) ? "Sending…" : "Retry sending"}
                          </Button>
                        </Form>
                      ) : null}
                      <Form method="post" className="flex flex-1 flex-col gap-2 sm:flex-row sm:items-end">
                        <input type="hidden" name="intent" value="resolve" />
                        <input type="hidden" name="id" value={t.id} />
                        <Field
                          id={`resolution-${t.id}`}
                          label="Note (optional)"
                          name="resolution"
                          maxLength={500}
                          placeholder="e.g. Sent the code by phone"
                          defaultValue={typed}
                          error={failed?.id === t.id ? failed.fieldErrors?.resolution?.[0] : undefined}
                          className="flex-1"
                        />
                        <Button className="shrink-0" disabled={busy("resolve", t.id)}>
                          {busy("resolve", t.id) ? "Resolving…" : "Resolve"}
                        </Button>
                      </Form>
                    </div>
                  )}
                </Card>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
