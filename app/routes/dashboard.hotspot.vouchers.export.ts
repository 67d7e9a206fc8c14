import type { Route } from "./+types/dashboard.hotspot.vouchers.export";
import { requireIspUser } from "../lib/session.server";
import { voucherFilterFrom } from "../components/voucher-ui";
import { exportFormat, exportResponse, type ExportColumn } from "../../server/services/exports";

type Row = Awaited<ReturnType<Awaited<ReturnType<typeof requireIspUser>>["caller"]["vouchers"]["list"]>>["rows"][number];

const when = (v: Date | string | null) => (v ? new Date(v) : null);

const COLUMNS: ExportColumn<Row>[] = [
  { header: "Code", value: (v) => v.code, width: 12 },
  { header: "State", value: (v) => v.state, width: 10 },
  { header: "Plan", value: (v) => v.planName, width: 24 },
  { header: "Phone", value: (v) => v.phone },
  { header: "Purchased", value: (v) => when(v.purchasedAt), width: 22 },
  { header: "First used", value: (v) => when(v.firstUsedAt), width: 22 },
  { header: "Expires", value: (v) => when(v.expiresAt), width: 22 },
  { header: "Lapses if unused", value: (v) => when(v.lapsesAt), width: 22 },
  { header: "Devices used", value: (v) => v.devices, width: 12 },
  { header: "Devices allowed", value: (v) => v.devicesAllowed, width: 14 },
  { header: "Notes", value: (v) => v.notes, width: 30 },
  { header: "Batch id", value: (v) => v.batchId, width: 38 },
  { header: "Voucher id", value: (v) => v.id, width: 38 },
];

/** The filtered vouchers (state, search, batch; every page, up to 5,000) as CSV or Excel; the export is audited. */
export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, tenant } = await requireIspUser(context, request, { permission: "vouchers.manage" });
  const url = new URL(request.url);
  const format = exportFormat(url);
  const filter = voucherFilterFrom(url, 5000, { paged: false });
  const { rows } = await caller.vouchers.list(filter);
  await caller.vouchers.exported({ format, rows: rows.length, batchId: filter.batchId });
  return exportResponse(rows, COLUMNS, { format, slug: tenant.slug, what: filter.batchId ? "voucher-batch" : "vouchers", sheet: "Vouchers" });
}
