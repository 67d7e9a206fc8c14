import { Form, Link, useActionData, useLoaderData, useNavigation } from "react-router";
import type { Route } from "./+types/dashboard.payments";
import { Alert, Button, Card, EmptyState, Field, PageHeader, cx } from "../components/ui";
import { DataTable, Td } from "../components/table";
import { ExportLinks, FilterBar, FilterInput, FilterSelect } from "../components/filters";
import { requireIspUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { paymentFilterFrom } from "../lib/payments.server";
import { formatDateTime } from "../lib/format";
import { kes, phoneForDisplay, PAYMENT_STATUS_STYLE } from "../lib/money";
import { ispCan } from "../../policies/permissions";

export function meta() {
  return [{ title: "Payments · mnetifi" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, viewer, tenant } = await requireIspUser(context, request, { permission: "payments.view" });
  const data = await caller.payments.list(paymentFilterFrom(new URL(request.url)));
  return { ...data, canManage: ispCan(viewer.user.role, "payments.manage"), timezone: tenant.timezone };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { caller } = await requireIspUser(context, request, { permission: "payments.manage" });
  const values = formValues(await readForm(request));
  try {
    const r = await caller.payments.manual({ receipt: values.receipt ?? "", amount: Number(values.amount), phone: values.phone, note: values.note });
    if (!r.ok) return { ok: false as const, fieldErrors: r.fieldErrors as unknown as Record<string, string[]>, formError: null, values };
    return { ok: true as const, message: `Code ${values.receipt?.toUpperCase()} recorded; checking it with M-Pesa now.` };
  } catch (err) {
    return formFailure(err, values);
  }
}

export default function Payments() {
  const { rows, totals, canManage, timezone } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state === "submitting";
  const failed = result && !result.ok ? result : null;
  const fe = (failed?.fieldErrors ?? {}) as Record<string, string[] | undefined>;
  return (
    <div className="grid gap-6">
      <PageHeader
        title="Payments"
        description="Every M-Pesa payment: STK pushes, paybill and till payments, and codes customers report."
        actions={
          <div className="flex flex-wrap gap-2">
            <Link to="/dashboard/payments/exceptions" className="rounded-lg bg-white px-4 py-2 text-sm font-semibold text-amber-800 shadow-sm ring-1 ring-amber-300 hover:bg-amber-50">
              Exceptions
            </Link>
            <ExportLinks path="/dashboard/payments/export" />
          </div>
        }
      />
      <div className="grid gap-4 sm:grid-cols-4">
        <Stat label="Received" value={kes(totals.paidCents)} note={`${totals.paidCount} paid`} />
        <Stat label="Payments" value={String(totals.count)} note="matching the filters" />
        <Stat label="Waiting" value={String(totals.pendingCount)} note="pending or being checked" />
        <Stat label="Need a look" value={String(totals.problemCount)} note="failed, timed out, unmatched" tone={totals.problemCount ? "warn" : undefined} />
      </div>
      <FilterBar columns={6}>
        <FilterSelect label="Status" name="status" options={[["", "Any"], ...["paid", "pending", "verifying", "failed", "cancelled", "timeout", "unmatched"].map((x): [string, string] => [x, x])]} />
        <FilterInput label="Phone" name="phone" placeholder="0712…" />
        <FilterInput label="M-Pesa code" name="receipt" />
        <FilterInput label="From" name="from" type="date" />
        <FilterInput label="To" name="to" type="date" />
      </FilterBar>
      <div className="grid gap-6 xl:grid-cols-[1fr_20rem]">
        <Card className="overflow-x-auto">
          {rows.length === 0 ? (
            <EmptyState title="No payments yet">Payments appear here the moment a customer pays by STK push, paybill or till.</EmptyState>
          ) : (
            <DataTable columns={["When", "Amount", "Phone / payer", "Code", "For", "Status"]}>
              {rows.map((p) => (
                <tr key={p.id} className="hover:bg-slate-50">
                  <Td className="whitespace-nowrap text-slate-600">
                    <Link to={`/dashboard/payments/${p.id}`} className="hover:underline">{formatDateTime(p.createdAt, timezone)}</Link>
                  </Td>
                  <Td className="whitespace-nowrap font-medium tabular-nums">{kes(p.paidAmountCents ?? p.amountCents)}</Td>
                  <Td className="text-slate-600">{phoneForDisplay(p.phone) || p.payerName || p.msisdn || "—"}</Td>
                  <Td className="font-mono text-xs">{p.mpesaReceipt ?? ""}</Td>
                  <Td className="text-slate-600">{p.purpose ?? (p.accountReference ? `Account ${p.accountReference}` : "—")}</Td>
                  <Td>
                    <span className={cx("rounded px-2 py-0.5 text-xs font-medium", PAYMENT_STATUS_STYLE[p.status])}>{p.status}</span>
                    {p.failureReason && p.status !== "paid" ? <p className="mt-1 max-w-56 text-xs text-slate-500">{p.failureReason}</p> : null}
                  </Td>
                </tr>
              ))}
            </DataTable>
          )}
        </Card>
        {canManage ? (
          <Card className="p-5">
            <h2 className="font-semibold">Record a reported code</h2>
            <p className="mt-1 text-sm text-slate-600">A customer says they paid but nothing arrived? Enter the M-Pesa code from their SMS. We check it with M-Pesa before it counts.</p>
            <Form method="post" className="mt-4 grid gap-4" noValidate>
              {result?.ok ? <Alert tone="success">{result.message}</Alert> : null}
              {failed?.formError ? <Alert>{failed.formError}</Alert> : null}
              <Field label="M-Pesa code" name="receipt" autoCapitalize="characters" placeholder="TC14ABCD12" defaultValue={failed?.values.receipt} error={fe.receipt?.[0]} />
              <Field label="Amount (KES)" name="amount" inputMode="numeric" defaultValue={failed?.values.amount} error={fe.amount?.[0]} />
              <Field label="Customer phone (optional)" name="phone" type="tel" defaultValue={failed?.values.phone} error={fe.phone?.[0]} />
              <Field label="Note (optional)" name="note" defaultValue={failed?.values.note} />
              <Button type="submit" disabled={busy}>{busy ? "Recording…" : "Record and check"}</Button>
            </Form>
          </Card>
        ) : null}
      </div>
    </div>
  );
}

function Stat({ label, value, note, tone }: { label: string; value: string; note: string; tone?: "warn" }) {
  return (
    <Card className={cx("p-5", tone === "warn" && "ring-amber-300")}>
      <p className="text-sm text-slate-500">{label}</p>
      <p className="mt-1 text-2xl font-bold tabular-nums">{value}</p>
      <p className="text-xs text-slate-500">{note}</p>
    </Card>
  );
}
