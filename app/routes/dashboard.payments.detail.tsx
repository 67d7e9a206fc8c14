import { Form, Link, useActionData, useLoaderData } from "react-router";
import type { Route } from "./+types/dashboard.payments.detail";
import { Alert, Button, Card, PageHeader, cx } from "../components/ui";
import { requireIspUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { formatDateTime } from "../lib/format";
import { kes, phoneForDisplay, PAYMENT_STATUS_STYLE } from "../lib/money";
import { ispCan } from "../../policies/permissions";

export function meta() {
  return [{ title: "Payment · mnetifi" }];
}

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const { caller, viewer, tenant } = await requireIspUser(context, request, { permission: "payments.view" });
  try {
    return { ...(await caller.payments.byId({ id: params.id })), canManage: ispCan(viewer.user.role, "payments.manage"), timezone: tenant.timezone };
  } catch {
    throw new Response("Not found", { status: 404 });
  }
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const { caller } = await requireIspUser(context, request, { permission: "payments.manage" });
  const values = formValues(await readForm(request));
  try {
    await caller.payments.retry({ paymentId: params.id });
    return { ok: true as const, message: "Retrying now." };
  } catch (err) {
    return formFailure(err, values);
  }
}

function Row({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-3 gap-4 py-2">
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className="col-span-2 text-sm">{children}</dd>
    </div>
  );
}

export default function PaymentDetail() {
  const { payment: p, callbacks, exchanges, canManage, timezone } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const retryable = (p.method === "manual" && p.status === "failed") || (p.status === "paid" && !p.appliedAt && p.purpose);
  return (
    <div className="grid gap-6">
      <Link to="/dashboard/payments" className="text-sm font-medium text-brand-700 hover:underline">← Payments</Link>
      <PageHeader title={`${kes(p.paidAmountCents ?? p.amountCents)} · ${p.method.toUpperCase()}`} description={p.mpesaReceipt ? `M-Pesa code ${p.mpesaReceipt}` : "No M-Pesa code yet"} />
      {result?.ok ? <Alert tone="success">{result.message}</Alert> : null}
      {result && !result.ok && result.formError ? <Alert>{result.formError}</Alert> : null}
      <div className="grid gap-6 lg:grid-cols-2">
        <Card className="p-5">
          <dl className="divide-y divide-slate-100">
            <Row label="Status">
              <span className={cx("rounded px-2 py-0.5 text-xs font-medium", PAYMENT_STATUS_STYLE[p.status])}>{p.status}</span>
              {p.failureReason ? <p className="mt-1 text-slate-600">{p.failureReason}</p> : null}
            </Row>
            <Row label="Asked">{kes(p.amountCents)}</Row>
            <Row label="Paid">{kes(p.paidAmountCents)}</Row>
            <Row label="Phone / payer">{phoneForDisplay(p.phone) || p.payerName || p.msisdn || "—"}</Row>
            <Row label="Account">{p.accountReference ?? "—"}</Row>
            <Row label="For">{p.purpose ? `${p.purpose}${p.purposeRef ? ` · ${p.purposeRef}` : ""}` : "—"}{p.appliedAt ? " (delivered)" : ""}</Row>
            <Row label="Created">{formatDateTime(p.createdAt, timezone)}</Row>
            <Row label="Paid at">{p.paidAt ? formatDateTime(p.paidAt, timezone) : "—"}</Row>
            <Row label="CheckoutRequestID"><span className="break-all font-mono text-xs">{p.checkoutRequestId ?? "—"}</span></Row>
            <Row label="Result">{p.resultCode ? `${p.resultCode} · ${p.resultDesc ?? ""}` : "—"}</Row>
            <Row label="Status checks">{p.queryAttempts}</Row>
          </dl>
          {canManage && retryable ? (
            <Form method="post" className="mt-4">
              <Button type="submit" variant="secondary">{p.method === "manual" ? "Check the code again" : "Deliver again"}</Button>
            </Form>
          ) : null}
        </Card>
        <Card className="p-5">
          <h2 className="font-semibold">What M-Pesa and we said</h2>
          <ol className="mt-3 grid gap-3">
            {[...exchanges.map((e) => ({ at: e.at, title: `→ ${e.kind} (${e.httpStatus ?? "no answer"}, ${e.ms} ms)`, body: { request: e.request, response: e.response } })),
              ...callbacks.map((c) => ({ at: c.receivedAt, title: `← ${c.kind} callback: ${c.outcome ?? "not applied yet"}${c.detail ? ` — ${c.detail}` : ""}`, body: c.body ?? c.raw }))]
              .sort((a, b) => new Date(a.at).getTime() - new Date(b.at).getTime())
              .map((e, i) => (
                <li key={i} className="rounded-lg bg-slate-50 p-3 ring-1 ring-slate-200">
                  <p className="text-xs text-slate-500">{formatDateTime(e.at, timezone)}</p>
                  <p className="text-sm font-medium">{e.title}</p>
                  <pre className="mt-2 max-h-64 overflow-auto whitespace-pre-wrap break-all text-xs text-slate-700">{typeof e.body === "string" ? e.body : JSON.stringify(e.body, null, 2)}</pre>
                </li>
              ))}
            {exchanges.length + callbacks.length === 0 ? <li className="text-sm text-slate-500">Nothing exchanged yet.</li> : null}
          </ol>
        </Card>
      </div>
    </div>
  );
}
