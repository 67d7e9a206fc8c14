import type { Route } from "./+types/dashboard.activity.export";
import { requireIspUser } from "../lib/session.server";
import { activityFilterFrom } from "../lib/activity.server";
import { describeActor, describeEvent } from "../lib/activity";

function csvCell(v: unknown) {
  const s = v == null ? "" : String(v);
  // Quote everything, double quotes inside, and defuse spreadsheet formulas (=, +, -, @).
  return `"${(/^[=+\-@\t\r]/.test(s) ? `'${s}` : s).replace(/"/g, '""')}"`;
}

/** The filtered activity log as CSV; the export itself is audited. */
export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, tenant } = await requireIspUser(context, request, { permission: "audit.view" });
  const events = await caller.activity.recent({ ...activityFilterFrom(new URL(request.url)), limit: 1000 });
  await caller.activity.exported({ format: "csv", rows: events.length });
  const header = ["time", "what", "action", "who", "ip", "user_agent", "table", "row"];
  const lines = events.map((e) => [new Date(e.occurredAt).toISOString(), describeEvent(e), e.action, describeActor(e), e.ip, e.userAgent, e.tableName, e.rowId].map(csvCell).join(","));
  const body = "\uFEFF" + [header.join(","), ...lines].join("\r\n");
  return new Response(body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${tenant.slug}-activity-${new Date().toISOString().slice(0, 10)}.csv"`,
      "cache-control": "no-store",
    },
  });
}
