import type { Route } from "./+types/dashboard.activity.export";
import { requireIspUser } from "../lib/session.server";
import { activityFilterFrom } from "../lib/activity.server";
import { describeActor, describeEvent } from "../lib/activity";
import { exportFormat, exportResponse, type ExportColumn } from "../../server/services/exports";

type Row = Awaited<ReturnType<Awaited<ReturnType<typeof requireIspUser>>["caller"]["activity"]["recent"]>>[number];

const COLUMNS: ExportColumn<Row>[] = [
  { header: "Time", value: (e) => new Date(e.occurredAt), width: 22 },
  { header: "What", value: (e) => describeEvent(e), width: 40 },
  { header: "Action", value: (e) => e.action, width: 24 },
  { header: "Who", value: (e) => describeActor(e), width: 22 },
  { header: "IP", value: (e) => e.ip, width: 16 },
  { header: "Browser", value: (e) => e.userAgent, width: 40 },
  { header: "Table", value: (e) => e.tableName },
  { header: "Row", value: (e) => e.rowId, width: 38 },
];

/** The filtered activity log as CSV or Excel (?format=xlsx); the export itself is audited. */
export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, tenant } = await requireIspUser(context, request, { permission: "audit.view" });
  const url = new URL(request.url);
  const format = exportFormat(url);
  const events = await caller.activity.recent({ ...activityFilterFrom(url), limit: 1000 });
  await caller.activity.exported({ format, rows: events.length });
  return exportResponse(events, COLUMNS, { format, slug: tenant.slug, what: "activity", sheet: "Activity" });
}
