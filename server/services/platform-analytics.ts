// The console's Analytics page: the platform's subscription business at a glance (issue 8).
// Platform context. What is "now" comes from global tables (tenants, billing_tiers) and the same
// rule as the Billing page's MRR; history (money received, paying ISPs month by month) comes from
// the aggregate definers in policies/96-analytics.sql, because invoices and payments are tenant
// tables the platform cannot read across ISPs (design §4). Definitions:
// docs/decisions/0018-platform-analytics.md.
import { asc, sql } from "drizzle-orm";
import { tenants } from "../../db/schema";
import type { Tx } from "../../db/client";
import { listTiers } from "./billing/tiers";
import { billingStatus, type BillingPhase } from "./billing/state";
import { listTenants, USAGE_DAYS } from "./console";

/** The platform's clock for calendar months (ISPs keep their own timezone for their due dates). */
export const PLATFORM_TIMEZONE = "Africa/Nairobi";
/** Months of history on the page, the current one included. */
export const ANALYTICS_MONTHS = 12;
/** ISPs in the usage table. */
export const TOP_ISPS = 10;

const MONTH_NAMES = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** "2026-11" → "Nov 2026" (fixed English abbreviations: no locale turns Sep into "Sept"). */
export function monthLabel(key: string) {
  const [y, m] = key.split("-").map(Number);
  return `${MONTH_NAMES[(m ?? 1) - 1]} ${y}`;
}

/**
 * Monthly recurring revenue at `now`: every ISP inside a paid month (billingStatus phase "paid",
 * so a dashboard suspended or blocked by hand does not count) at its tier's current monthly
 * price. The Billing page's summary and Analytics both read it.
 */
export async function currentMrr(tx: Tx, now: Date) {
  const rows = await tx
    .select({ id: tenants.id, slug: tenants.slug, businessName: tenants.businessName, status: tenants.status, trialEndsAt: tenants.trialEndsAt, paidUntil: tenants.paidUntil, tierId: tenants.tierId, service: tenants.service, timezone: tenants.timezone })
    .from(tenants)
    .orderBy(asc(tenants.businessName));
  const tiers = await listTiers(tx);
  const tier = new Map(tiers.map((t) => [t.id, t]));
  const isps = rows.map((r) => ({ ...r, phase: billingStatus(r, now).phase, tierName: r.tierId ? (tier.get(r.tierId)?.name ?? r.tierId) : null }));
  const paying = isps.filter((i) => i.phase === "paid" && i.tierId);
  const mrrCents = paying.reduce((sum, i) => sum + (tier.get(i.tierId!)?.monthlyCents ?? 0), 0);
  // Every tier, those with no paying ISP included (the Billing page lists them all).
  const byTier = tiers.map((t) => {
    const n = paying.filter((i) => i.tierId === t.id).length;
    return { id: t.id, name: t.name, isps: n, mrrCents: n * t.monthlyCents };
  });
  const count = (phase: BillingPhase) => isps.filter((i) => i.phase === phase).length;
  return {
    mrrCents,
    byTier,
    counts: {
      total: isps.length,
      paying: paying.length,
      trial: count("trial"),
      pending: count("pending"),
      unbilled: count("unbilled"),
      lapsed: count("lapsed"),
      suspended: count("suspended"),
      blocked: count("blocked"),
    },
    isps,
    tiers,
  };
}

export type AnalyticsMonth = {
  /** "2026-11" on the platform's clock. */
  month: string;
  label: string;
  /** ISPs that confirmed their email (or were set up by the platform) this month. */
  newIsps: number;
  /** Registrations started this month, confirmed or not. */
  registered: number;
  revenueCents: number;
  payments: number;
  /** Money received per tier id. */
  revenueByTier: Record<string, number>;
  payingStart: number;
  payingEnd: number;
  newPaying: number;
  returningPaying: number;
  churned: number;
  /** churned / paying at the month's start; null when nobody was paying then. */
  churnRate: number | null;
  /** MRR at the month's end (the current month: now), at the prices the ISPs paid. */
  mrrEndCents: number;
};

/** Everything the Analytics page shows, as of `now`. */
export async function platformAnalytics(tx: Tx, now = new Date()) {
  const nowIso = now.toISOString();
  const tz = PLATFORM_TIMEZONE;
  // The first instant of the month ANALYTICS_MONTHS - 1 months before now's, on the platform's clock.
  const [range] = (
    await tx.execute<{ from_ms: string }>(sql`
      select (extract(epoch from (date_trunc('month', ${nowIso}::timestamptz at time zone ${tz}) - make_interval(months => ${ANALYTICS_MONTHS - 1})) at time zone ${tz}) * 1000)::bigint::text as from_ms`)
  ).rows;
  const from = new Date(Number(range!.from_ms));
  const fromIso = from.toISOString();

  const revenue = (
    await tx.execute<{ month: string; tier_id: string; tier_name: string; revenue_cents: string; payments: number; isps: number }>(sql`
      select to_char(b.month, 'YYYY-MM') as month, b.tier_id, b.tier_name, b.revenue_cents, b.payments, b.isps
        from app_public.platform_billing_monthly(${fromIso}::timestamptz, ${nowIso}::timestamptz, ${tz}) b`)
  ).rows;
  const paying = (
    await tx.execute<{ month: string; paying_start: number; paying_end: number; new_paying: number; returning_paying: number; churned: number; mrr_end_cents: string }>(sql`
      select to_char(p.month, 'YYYY-MM') as month, p.paying_start, p.paying_end, p.new_paying, p.returning_paying, p.churned, p.mrr_end_cents
        from app_public.platform_paying_monthly(${fromIso}::timestamptz, ${nowIso}::timestamptz, ${tz}) p`)
  ).rows;
  // New ISPs straight from tenants (a global table the platform reads): confirmed ones by the
  // month they confirmed (or were created, when the platform set them up), and every registration.
  const growth = (
    await tx.execute<{ month: string; new_isps: number; registered: number }>(sql`
      with m as (
        select to_char(date_trunc('month', coalesce(t.verified_at, t.created_at) at time zone ${tz}), 'YYYY-MM') as month,
               (t.status <> 'pending') as confirmed, false as registration
          from tenants t
         where coalesce(t.verified_at, t.created_at) >= ${fromIso}::timestamptz and coalesce(t.verified_at, t.created_at) < ${nowIso}::timestamptz
        union all
        select to_char(date_trunc('month', t.created_at at time zone ${tz}), 'YYYY-MM'), false, true
          from tenants t
         where t.created_at >= ${fromIso}::timestamptz and t.created_at < ${nowIso}::timestamptz
      )
      select month, (count(*) filter (where confirmed))::int as new_isps, (count(*) filter (where registration))::int as registered
        from m group by month`)
  ).rows;
  const current = await currentMrr(tx, now);

  // Every month of the window, in order, even the empty ones.
  const keys = paying.map((p) => p.month);
  const months: AnalyticsMonth[] = keys.map((month) => {
    const p = paying.find((x) => x.month === month)!;
    const g = growth.find((x) => x.month === month);
    const r = revenue.filter((x) => x.month === month);
    const revenueByTier: Record<string, number> = {};
    for (const x of r) revenueByTier[x.tier_id] = (revenueByTier[x.tier_id] ?? 0) + Number(x.revenue_cents);
    return {
      month,
      label: monthLabel(month),
      newIsps: g?.new_isps ?? 0,
      registered: g?.registered ?? 0,
      revenueCents: r.reduce((s, x) => s + Number(x.revenue_cents), 0),
      payments: r.reduce((s, x) => s + x.payments, 0),
      revenueByTier,
      payingStart: p.paying_start,
      payingEnd: p.paying_end,
      newPaying: p.new_paying,
      returningPaying: p.returning_paying,
      churned: p.churned,
      churnRate: p.paying_start > 0 ? p.churned / p.paying_start : null,
      mrrEndCents: Number(p.mrr_end_cents),
    };
  });

  // The tiers money came in for (a retired tier still has its history), in the price list's order.
  const tierName = new Map(current.tiers.map((t) => [t.id, t.name]));
  for (const x of revenue) if (!tierName.has(x.tier_id)) tierName.set(x.tier_id, x.tier_name);
  const revenueTiers = [...tierName.entries()].filter(([id]) => revenue.some((x) => x.tier_id === id)).map(([id, name]) => ({ id, name }));

  // The ISPs' own business, top ones by the money their customers paid them (30 days).
  const phase = new Map(current.isps.map((i) => [i.id, i]));
  const top = (await listTenants(tx, { sort: "revenue", limit: TOP_ISPS }, now)).map((r) => {
    const i = phase.get(r.id);
    return {
      id: r.id,
      slug: r.slug,
      businessName: r.businessName,
      status: r.status,
      phase: i?.phase ?? null,
      tierName: i?.tierId ? (tierName.get(i.tierId) ?? i.tierId) : null,
      customers: r.usage.customers,
      activeSessions: r.usage.activeVouchers,
      vouchersSold: r.usage.vouchersSold,
      messagesSent: r.usage.messagesSent,
      revenueCents: r.usage.revenueCents,
    };
  });

  const thisMonth = months.at(-1)!;
  const lastMonth = months.at(-2) ?? null;
  return {
    now,
    timezone: tz,
    from,
    mrrCents: current.mrrCents,
    arrCents: current.mrrCents * 12,
    mrrByTier: current.byTier.filter((t) => t.isps > 0),
    counts: current.counts,
    thisMonth,
    lastMonth,
    months,
    revenueTiers,
    /** Any subscription money or paid month in the window: without it the money charts are empty states. */
    hasBillingHistory: months.some((m) => m.revenueCents > 0 || m.payingEnd > 0 || m.payingStart > 0),
    topIsps: top,
    usageDays: USAGE_DAYS,
  };
}

export type PlatformAnalytics = Awaited<ReturnType<typeof platformAnalytics>>;
