import type { Route } from "./+types/console.analytics.export";
import { requirePlatformUser } from "../lib/session.server";
import { exportFormat, exportResponse, type ExportColumn } from "../../server/services/exports";
import type { AnalyticsMonth } from "../../server/services/platform-analytics";

/** The Analytics page's month-by-month table as CSV or Excel (money in shillings); audited. */
export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller } = await requirePlatformUser(context, request);
  const format = exportFormat(new URL(request.url));
  const a = await caller.platformAnalytics.overview();
  const columns: ExportColumn<AnalyticsMonth>[] = [
    { header: "Month", value: (m) => m.month, width: 10 },
    { header: "Received (KES)", value: (m) => m.revenueCents / 100 },
    { header: "Payments", value: (m) => m.payments, width: 10 },
    ...a.revenueTiers.map((t): ExportColumn<AnalyticsMonth> => ({ header: `${t.name} (KES)`, value: (m) => (m.revenueByTier[t.id] ?? 0) / 100 })),
    { header: "MRR at month end (KES)", value: (m) => m.mrrEndCents / 100, width: 24 },
    { header: "Paying at start", value: (m) => m.payingStart },
    { header: "Paying at end", value: (m) => m.payingEnd },
    { header: "New ISPs", value: (m) => m.newIsps, width: 10 },
    { header: "Registrations", value: (m) => m.registered },
    { header: "New paying", value: (m) => m.newPaying },
    { header: "Returned", value: (m) => m.returningPaying, width: 10 },
    { header: "Churned", value: (m) => m.churned, width: 10 },
    { header: "Churn rate (%)", value: (m) => (m.churnRate === null ? null : Math.round(m.churnRate * 1000) / 10) },
  ];
  await caller.platformAnalytics.exported({ format, rows: a.months.length });
  return exportResponse(a.months, columns, { format, slug: "mnetifi", what: "analytics", sheet: "Analytics" });
}
