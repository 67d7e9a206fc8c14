import type { Route } from "./+types/dashboard.payments.export";
import { requireIspUser } from "../lib/session.server";
import { paymentFilterFrom } from "../lib/payments.server";
import { exportFormat, exportResponse, type ExportColumn } from "../../server/services/exports";

type Row = Awaited<ReturnType<Awaited<ReturnType<typeof requireIspUser>>["caller"]["payments"]["list"]>>["rows"][number];

const COLUMNS: ExportColumn<Row>[] = [
  { header: "Created", value: (p) => new Date(p.createdAt), width: 22 },
  { header: "Paid at", value: (p) => (p.paidAt ? new Date(p.paidAt) : null), width: 22 },
  { header: "Status", value: (p) => p.status },
  { header: "Method", value: (p) => p.method },
  { header: "Amount (KES)", value: (p) => (p.amountCents / 100) },
  { header: "Paid (KES)", value: (p) => (p.paidAmountCents == null ? null : p.paidAmountCents / 100) },
  { header: "M-Pesa code", value: (p) => p.mpesaReceipt },
  { header: "Phone", value: (p) => p.phone },
  { header: "Payer", value: (p) => p.payerName },
  { header: "Account", value: (p) => p.accountReference },
  { header: "Purpose", value: (p) => p.purpose },
  { header: "Reason", value: (p) => p.failureReason, width: 40 },
  { header: "Payment id", value: (p) => p.id, width: 38 },
];

/** The filtered payments as CSV or Excel; the export is audited. */
export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, tenant } = await requireIspUser(context, request, { permission: "payments.view" });
  const url = new URL(request.url);
  const format = exportFormat(url);
  const { rows } = await caller.payments.list(paymentFilterFrom(url, 5000));
  await caller.payments.exported({ format, rows: rows.length });
  return exportResponse(rows, COLUMNS, { format, slug: tenant.slug, what: "payments", sheet: "Payments" });
}
