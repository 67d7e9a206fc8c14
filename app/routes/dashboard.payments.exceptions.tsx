import { Form, Link, useActionData, useLoaderData } from "react-router";
import type { Route } from "./+types/dashboard.payments.exceptions";
import { Alert, Button, Card, EmptyState, PageHeader } from "../components/ui";
import { DataTable, Td } from "../components/table";
import { requireIspUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { formatDateTime } from "../lib/format";
import { kes } from "../lib/money";
import { ispCan } from "../../policies/permissions";

export function meta() {
  return [{ title: "Payment exceptions · mnetifi" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, viewer, tenant } = await requireIspUser(context, request, { permission: "payments.view" });
  return { ...(await caller.payments.exceptions()), canManage: ispCan(viewer.user.role, "payments.manage"), timezone: tenant.timezone };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { caller } = await requireIspUser(context, request, { permission: "payments.manage" });
  const values = formValues(await readForm(request));
  try {
    if (values.intent === "assign") {
      await caller.payments.assign({ paymentId: values.paymentId ?? "", purpose: values.purpose ?? "", reference: values.reference });
      return { ok: true as const, message: "Payment assigned and recorded as paid." };
    }
    await caller.payments.acknowledge({ callbackId: values.callbackId ?? "" });
    return { ok: true as const, message: "Marked as seen." };
  } catch (err) {
    return formFailure(err, values);
  }
}

const OUTCOMES: Record<string, string> = {
  malformed: "Could not be read",
  unknown_request: "For a payment we never started",
  amount_mismatch: "Amount differs from what was asked",
  duplicate_receipt: "M-Pesa code already used on another payment",
  conflict: "Second, different success for one payment",
  duplicate: "Sent twice (applied once)",
  late_failure_ignored: "Failure after the payment was already paid",
};

export default function Exceptions() {
  const { callbacks, unmatched, purposes, canManage, timezone } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <div className="grid gap-6">
      <Link to="/dashboard/payments" className="text-sm font-medium text-brand-700 hover:underline">← Payments</Link>
      <PageHeader title="Exceptions and reconciliation" description="Money that arrived without a match, and everything M-Pesa sent that did not fit. Nothing here was credited twice." />
      {result?.ok ? <Alert tone="success">{result.message}</Alert> : null}
      {result && !result.ok && result.formError ? <Alert>{result.formError}</Alert> : null}

      <section className="grid gap-3">
        <h2 className="text-lg font-semibold">Unmatched payments ({unmatched.length})</h2>
        <Card className="overflow-x-auto">
          {unmatched.length === 0 ? (
            <EmptyState title="Nothing to reconcile">Paybill and till payments whose account number matched nothing will wait here.</EmptyState>
          ) : (
            <DataTable columns={["Received", "Amount", "Code", "Account typed", "Why", canManage ? "Assign to" : ""]}>
              {unmatched.map((p) => (
                <tr key={p.id}>
                  <Td className="whitespace-nowrap text-slate-600">{formatDateTime(p.createdAt, timezone)}</Td>
                  <Td className="font-medium tabular-nums">{kes(p.paidAmountCents ?? p.amountCents)}</Td>
                  <Td className="font-mono text-xs">{p.mpesaReceipt}</Td>
                  <Td>{p.accountReference ?? "—"}</Td>
                  <Td className="max-w-64 text-xs text-slate-600">{p.failureReason}</Td>
                  <Td>
                    {canManage ? (
                      <Form method="post" className="flex flex-wrap items-center gap-2">
                        <input type="hidden" name="intent" value="assign" />
                        <input type="hidden" name="paymentId" value={p.id} />
                        <label className="sr-only" htmlFor={`purpose-${p.id}`}>Purpose</label>
                        <select id={`purpose-${p.id}`} name="purpose" className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm">
                          {purposes.map((x) => (
                            <option key={x.name} value={x.name}>{x.label}</option>
                          ))}
                        </select>
                        <label className="sr-only" htmlFor={`ref-${p.id}`}>Reference or note</label>
                        <input id={`ref-${p.id}`} name="reference" placeholder="Customer / note" className="w-36 rounded-md border border-slate-300 px-2 py-1 text-sm" />
                        <Button className="px-3 py-1 text-xs">Assign</Button>
                      </Form>
                    ) : null}
                  </Td>
                </tr>
              ))}
            </DataTable>
          )}
        </Card>
      </section>

      <section className="grid gap-3">
        <h2 className="text-lg font-semibold">Callbacks that did not fit ({callbacks.length})</h2>
        <Card className="overflow-x-auto">
          {callbacks.length === 0 ? (
            <EmptyState title="No exceptions">Duplicates, unknown requests, mismatched amounts and unreadable bodies appear here.</EmptyState>
          ) : (
            <DataTable columns={["Received", "What", "Details", ""]}>
              {callbacks.map((c) => (
                <tr key={c.id}>
                  <Td className="whitespace-nowrap text-slate-600">{formatDateTime(c.receivedAt, timezone)}</Td>
                  <Td>
                    <p className="font-medium">{OUTCOMES[c.outcome ?? ""] ?? c.outcome}</p>
                    <p className="text-xs text-slate-500">{c.kind}{c.reference ? ` · ${c.reference}` : ""}</p>
                  </Td>
                  <Td className="max-w-md text-xs text-slate-600">
                    {c.detail}
                    <pre className="mt-1 max-h-24 overflow-auto whitespace-pre-wrap break-all text-slate-500">{c.raw}</pre>
                    {c.paymentId ? <Link className="font-medium text-brand-700 hover:underline" to={`/dashboard/payments/${c.paymentId}`}>Open the payment</Link> : null}
                  </Td>
                  <Td>
                    {canManage ? (
                      <Form method="post">
                        <input type="hidden" name="intent" value="ack" />
                        <input type="hidden" name="callbackId" value={c.id} />
                        <Button variant="secondary" className="px-3 py-1 text-xs">Seen</Button>
                      </Form>
                    ) : null}
                  </Td>
                </tr>
              ))}
            </DataTable>
          )}
        </Card>
      </section>
    </div>
  );
}
