import { Form, Link } from "react-router";
import type { ReactNode } from "react";
import { Alert, Button, Card, Field, cx } from "./ui";
import { DataTable, Td } from "./table";
import { kes, phoneForDisplay } from "../lib/money";
import { formatDateTime } from "../lib/format";
import { useAutoRefresh } from "../lib/use-auto-refresh";
import type { loadBillingPage, BillingActionResult } from "../lib/billing.server";

type Page = Awaited<ReturnType<typeof loadBillingPage>>;
type Overview = Page["overview"];

const STATUS_STYLE: Record<string, string> = {
  paid: "bg-emerald-100 text-emerald-800",
  open: "bg-sky-100 text-sky-800",
  pending: "bg-sky-100 text-sky-800",
  void: "bg-slate-100 text-slate-600",
  failed: "bg-red-100 text-red-800",
  cancelled: "bg-slate-100 text-slate-700",
  timeout: "bg-amber-100 text-amber-800",
};
const METHOD: Record<string, string> = { mpesa_stk: "M-Pesa", mpesa: "M-Pesa (recorded)", bank: "Bank transfer", paypal: "PayPal" };

export function StatusPill({ status }: { status: string }) {
  return <span className={cx("rounded px-2 py-0.5 text-xs font-medium capitalize", STATUS_STYLE[status] ?? "bg-slate-100 text-slate-700")}>{status}</span>;
}

/** Where the ISP stands: trial, paid until, lapsed. */
export function PlanStatus({ o }: { o: Overview }) {
  const tz = o.timezone;
  const line =
    o.phase === "trial"
      ? o.dueAt
        ? `Free trial, every feature, until ${formatDateTime(o.dueAt, tz)}.`
        : "Free trial, every feature, with no end date set."
      : o.phase === "paid" && o.dueAt
        ? `${o.tier?.name ?? ""} plan${o.service ? ` (${o.service === "pppoe" ? "PPPoE/static" : "hotspot"})` : ""}, paid until ${formatDateTime(o.dueAt, tz)}.`
        : o.phase === "lapsed" && o.lapsed
          ? `${o.lapsed.what === "trial" ? "The free trial" : `The ${o.tier?.name ?? ""} plan`} ended on ${formatDateTime(o.lapsed.at, tz)}.`
          : o.phase === "unbilled"
            ? "Your account is not billed (set up by mnetifi)."
            : "";
  return (
    <Card className="p-5">
      <p className="text-xs font-semibold uppercase tracking-wide text-slate-500">Your plan</p>
      <p className="mt-1 text-lg font-semibold">{o.phase === "trial" ? "Free trial" : (o.tier?.name ?? (o.phase === "unbilled" ? "Not billed" : "No plan yet"))}</p>
      <p className="mt-1 text-sm text-slate-600">{line}</p>
      {o.features.length ? (
        <ul className="mt-3 flex flex-wrap gap-2">
          {o.features.map((f) => (
            <li key={f.id} className="rounded-full bg-slate-100 px-3 py-1 text-xs text-slate-700">
              {f.label}
            </li>
          ))}
        </ul>
      ) : null}
    </Card>
  );
}

/** The plans, as cards to pick one of; Starter-like tiers ask hotspot or PPPoE/static. */
export function PlanPicker({ o, result, busy, title = "Choose a plan" }: { o: Overview; result?: BillingActionResult; busy: boolean; title?: string }) {
  const r = result?.intent === "choose" ? result : undefined;
  const selected = r?.values.tierId ?? o.openInvoice?.tierId ?? o.tier?.id ?? "";
  const service = r?.values.service ?? o.openInvoice?.service ?? o.service ?? "";
  return (
    <Form method="post" className="grid gap-4" noValidate>
      <input type="hidden" name="intent" value="choose" />
      <h2 className="text-lg font-semibold">{title}</h2>
      {r?.formError ? <Alert>{r.formError}</Alert> : null}
      {r?.fieldErrors.tierId ? <Alert>{r.fieldErrors.tierId[0]}</Alert> : null}
      <div className="grid gap-4 md:grid-cols-2">
        {o.tiers.map((t) => (
          <label
            key={t.id}
            className="relative flex cursor-pointer flex-col rounded-xl bg-white p-5 shadow-sm ring-1 ring-slate-200 transition has-[:checked]:ring-2 has-[:checked]:ring-brand-600"
          >
            <span className="flex items-start justify-between gap-3">
              <span>
                <span className="text-lg font-semibold">{t.name}</span>
                {t.current ? <span className="ml-2 rounded bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-800">Current</span> : null}
                <span className="mt-0.5 block text-sm text-slate-600">{t.description}</span>
              </span>
              <input type="radio" name="tierId" value={t.id} defaultChecked={selected === t.id} className="mt-1 h-4 w-4 accent-brand-600" aria-label={t.name} />
            </span>
            <span className="mt-4 flex items-baseline gap-1">
              <span className="text-3xl font-bold tracking-tight">{kes(t.monthlyCents)}</span>
              <span className="text-sm text-slate-500">/ month</span>
            </span>
            {t.registrationFeeCents > 0 ? <span className="text-sm text-slate-600">+ {kes(t.registrationFeeCents)} registration, paid once</span> : <span className="text-sm text-slate-600">No registration fee</span>}
            <ul className="mt-4 grid gap-1.5 text-sm text-slate-700">
              {t.singleService ? <li>✓ Hotspot <strong>or</strong> PPPoE/static (you choose)</li> : t.features.map((f) => <li key={f}>✓ {f}</li>)}
              {t.singleService ? t.features.filter((f) => !/^Hotspot|^PPPoE/.test(f)).map((f) => <li key={f}>✓ {f}</li>) : null}
              <li>✓ {t.maxTechnicians === null ? "Unlimited technician accounts" : `${t.maxTechnicians} technician account${t.maxTechnicians === 1 ? "" : "s"}`}</li>
            </ul>
            {t.singleService ? (
              <fieldset className="mt-4 rounded-lg bg-slate-50 p-3">
                <legend className="sr-only">What you run on {t.name}</legend>
                <p className="text-xs font-semibold uppercase tracking-wide text-slate-500">On {t.name} you run</p>
                <div className="mt-2 flex flex-wrap gap-4 text-sm">
                  <label className="flex items-center gap-2">
                    <input type="radio" name="service" value="hotspot" defaultChecked={service === "hotspot"} className="accent-brand-600" /> Hotspot
                  </label>
                  <label className="flex items-center gap-2">
                    <input type="radio" name="service" value="pppoe" defaultChecked={service === "pppoe"} className="accent-brand-600" /> PPPoE / static
                  </label>
                </div>
                {r?.fieldErrors.service ? <p className="mt-2 text-sm text-red-600">{r.fieldErrors.service[0]}</p> : null}
              </fieldset>
            ) : null}
          </label>
        ))}
      </div>
      <div>
        <Button type="submit" disabled={busy}>
          {busy ? "Preparing…" : "Continue to payment"}
        </Button>
      </div>
    </Form>
  );
}

/** The open invoice and the M-Pesa form that pays it. */
export function PayInvoice({ o, result, busy, basePath, lastPhone }: { o: Overview; result?: BillingActionResult; busy: boolean; basePath: string; lastPhone?: string }) {
  const inv = o.openInvoice!;
  const r = result?.intent === "pay" ? result : undefined;
  return (
    <Card className="p-5">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div>
          <p className="text-xs font-semibold uppercase tracking-wide text-slate-500">Invoice {inv.number}</p>
          <h2 className="mt-1 text-lg font-semibold">
            {inv.tierName} plan{inv.service ? ` · ${inv.service === "pppoe" ? "PPPoE/static" : "hotspot"}` : ""}
          </h2>
        </div>
        <a href={`/dashboard/billing/invoice/${inv.id}/pdf`} className="text-sm font-medium text-brand-700 hover:underline">
          Download invoice (PDF)
        </a>
      </div>
      <dl className="mt-4 grid gap-1 text-sm">
        {inv.registrationFeeCents > 0 ? <Row label="Registration fee (once)">{kes(inv.registrationFeeCents)}</Row> : null}
        <Row label="One month">{kes(inv.monthlyCents)}</Row>
        {inv.paidCents > 0 ? <Row label="Already paid">− {kes(inv.paidCents)}</Row> : null}
        <div className="mt-1 flex justify-between border-t border-slate-200 pt-2 text-base font-semibold">
          <dt>To pay</dt>
          <dd>{kes(inv.outstandingCents)}</dd>
        </div>
      </dl>
      <p className="mt-2 text-xs text-slate-500">
        The plan starts as soon as M-Pesa confirms and runs for one month from the payment. Until then {o.tier && o.tier.id !== inv.tierId ? `you stay on ${o.tier.name}` : "nothing changes"}.
      </p>
      <Form method="post" className="mt-4 grid gap-3 sm:grid-cols-[1fr_auto] sm:items-start" noValidate>
        <input type="hidden" name="intent" value="pay" />
        <div className="sm:col-span-2">{r?.formError ? <Alert>{r.formError}</Alert> : null}</div>
        <Field label="M-Pesa phone number" name="phone" type="tel" inputMode="tel" autoComplete="tel" placeholder="0712 345 678" defaultValue={r?.values.phone ?? lastPhone ?? ""} error={r?.fieldErrors.phone?.[0]} />
        <Button type="submit" disabled={busy} className="sm:mt-6">
          {busy ? "Sending…" : `Pay ${kes(inv.outstandingCents)} with M-Pesa`}
        </Button>
      </Form>
      <p className="mt-3 text-sm text-slate-600">
        Paying by bank transfer or PayPal? Quote <strong>{inv.number}</strong> as the reference; mnetifi records it for you.{" "}
        <Link to={`${basePath}?change=1`} className="font-medium text-brand-700 hover:underline">
          Choose another plan
        </Link>
      </p>
    </Card>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex justify-between">
      <dt className="text-slate-600">{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** After "Pay": waits for M-Pesa (the page refreshes itself), then says what happened. */
export function PaymentProgress({ payment, basePath }: { payment: NonNullable<Page["payment"]>; basePath: string }) {
  const waiting = payment.status === "pending";
  useAutoRefresh(waiting || (payment.status === "paid" && !payment.dashboardOpen) ? 2 : 3600);
  if (waiting) {
    return (
      <Card className="flex items-start gap-4 p-5" data-payment-state="pending">
        <span className="mt-1 h-5 w-5 animate-spin rounded-full border-2 border-brand-600 border-t-transparent" aria-hidden />
        <div>
          <h2 className="text-lg font-semibold">Check your phone</h2>
          <p className="mt-1 text-sm text-slate-600">Enter your M-Pesa PIN to pay {kes(payment.amountCents)} to mnetifi. This page updates by itself.</p>
        </div>
      </Card>
    );
  }
  if (payment.status === "paid") {
    return (
      <Alert tone="success">
        Paid {kes(payment.paidCents ?? payment.amountCents)}, receipt {payment.receiptNumber}. {payment.dashboardOpen ? "Your dashboard is open." : "The plan starts once the invoice is paid in full."}
      </Alert>
    );
  }
  return (
    <Alert>
      The payment did not go through: {payment.failureReason ?? payment.status}.{" "}
      <Link to={basePath} className="font-semibold underline">
        Try again
      </Link>
    </Alert>
  );
}

/** Invoices and receipts, each downloadable as PDF. */
export function BillingHistory({ o }: { o: Overview }) {
  const tz = o.timezone;
  return (
    <div className="grid gap-6 lg:grid-cols-2">
      <Card className="overflow-x-auto">
        <h2 className="px-4 pt-4 font-semibold">Invoices</h2>
        {o.invoices.length === 0 ? (
          <p className="px-4 py-6 text-sm text-slate-500">No invoices yet.</p>
        ) : (
          <div className="mt-3">
            <DataTable columns={["Invoice", "Plan", "Amount", "Status", ""]}>
              {o.invoices.map((i) => (
                <tr key={i.id}>
                  <Td className="font-mono text-xs">
                    {i.number}
                    <span className="block font-sans text-slate-500">{formatDateTime(i.issuedAt, tz)}</span>
                  </Td>
                  <Td>{i.tierName}</Td>
                  <Td className="whitespace-nowrap">{kes(i.amountCents)}</Td>
                  <Td>
                    <StatusPill status={i.status} />
                  </Td>
                  <Td>
                    <a href={`/dashboard/billing/invoice/${i.id}/pdf`} className="font-medium text-brand-700 hover:underline">
                      PDF
                    </a>
                  </Td>
                </tr>
              ))}
            </DataTable>
          </div>
        )}
      </Card>
      <Card className="overflow-x-auto">
        <h2 className="px-4 pt-4 font-semibold">Payments and receipts</h2>
        {o.payments.length === 0 ? (
          <p className="px-4 py-6 text-sm text-slate-500">No payments yet.</p>
        ) : (
          <div className="mt-3">
            <DataTable columns={["When", "How", "Amount", "Status", ""]}>
              {o.payments.map((p) => (
                <tr key={p.id}>
                  <Td className="whitespace-nowrap text-slate-600">{formatDateTime(p.paidAt ?? p.createdAt, tz)}</Td>
                  <Td>
                    {METHOD[p.method] ?? p.method}
                    <span className="block text-xs text-slate-500">{p.mpesaReceipt ?? p.reference ?? (p.phone ? phoneForDisplay(p.phone) : "")}</span>
                  </Td>
                  <Td className="whitespace-nowrap">{kes(p.paidCents ?? p.amountCents)}</Td>
                  <Td>
                    <StatusPill status={p.status} />
                    {p.failureReason && p.status !== "paid" ? <span className="mt-1 block max-w-48 text-xs text-slate-500">{p.failureReason}</span> : null}
                  </Td>
                  <Td>
                    {p.status === "paid" ? (
                      <a href={`/dashboard/billing/receipt/${p.id}/pdf`} className="whitespace-nowrap font-medium text-brand-700 hover:underline">
                        {p.receiptNumber}
                      </a>
                    ) : null}
                  </Td>
                </tr>
              ))}
            </DataTable>
          </div>
        )}
      </Card>
    </div>
  );
}

/** The whole flow: progress of a payment, the open invoice to pay, or the plans to choose from. */
export function BillingFlow({ page, result, busyIntent, basePath, pickerTitle }: { page: Page; result?: BillingActionResult; busyIntent: string | null; basePath: string; pickerTitle?: string }) {
  const o = page.overview;
  const lastPhone = o.payments.find((p) => p.method === "mpesa_stk" && p.phone)?.phone;
  return (
    <div className="grid gap-4">
      {page.payment ? <PaymentProgress payment={page.payment} basePath={basePath} /> : null}
      {page.payment?.status === "pending" ? null : o.openInvoice && !page.changing ? (
        <PayInvoice o={o} result={result} busy={busyIntent === "pay"} basePath={basePath} lastPhone={lastPhone ? phoneForDisplay(lastPhone) : undefined} />
      ) : (
        <PlanPicker o={o} result={result} busy={busyIntent === "choose"} title={pickerTitle} />
      )}
    </div>
  );
}
