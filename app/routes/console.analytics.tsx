import { Link, useLoaderData } from "react-router";
import type { ReactNode } from "react";
import type { Route } from "./+types/console.analytics";
import { Card, EmptyState, PageHeader } from "../components/ui";
import { DataTable, Td } from "../components/table";
import { Stat } from "../components/console-ui";
import { GrowthChart, MrrTrendChart, RevenueByTierChart, TIER_COLOURS } from "../components/analytics-charts";
import { requirePlatformUser } from "../lib/session.server";
import { formatDateTime } from "../lib/format";
import { kes } from "../lib/money";

export function meta() {
  return [{ title: "Analytics · mnetifi console" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller } = await requirePlatformUser(context, request);
  return { a: await caller.platformAnalytics.overview() };
}

const n = (v: number) => v.toLocaleString("en-KE");
const pct = (rate: number | null) => (rate === null ? "—" : `${(rate * 100).toLocaleString("en-KE", { maximumFractionDigits: 1 })}%`);
const plural = (count: number, one: string, many = `${one}s`) => `${n(count)} ${count === 1 ? one : many}`;
/** Zeros in grey, so the months that had something stand out. */
const muted = (v: number, base = "tabular-nums") => (v === 0 ? `${base} text-slate-400` : base);

const PHASE_LABELS: Record<string, string> = { trial: "Trial", pending: "Not confirmed", unbilled: "Not billed", lapsed: "Unpaid", suspended: "Suspended", blocked: "Blocked" };

/** A card with a heading, a line saying what it shows, and its chart or table. */
function Panel({ title, note, children, actions }: { title: string; note?: ReactNode; children: ReactNode; actions?: ReactNode }) {
  return (
    <Card className="min-w-0 p-4 sm:p-5">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div>
          <h2 className="font-semibold">{title}</h2>
          {note ? <p className="mt-0.5 text-xs text-slate-500">{note}</p> : null}
        </div>
        {actions}
      </div>
      <div className="mt-4">{children}</div>
    </Card>
  );
}

export default function Analytics() {
  const { a } = useLoaderData<typeof loader>();
  const { counts, thisMonth, lastMonth } = a;
  const closed = counts.lapsed + counts.suspended + counts.blocked;
  const tierSplit = a.mrrByTier.map((t) => `${n(t.isps)} ${t.name}`).join(" · ");
  const monthStart = `1 ${thisMonth.label.split(" ")[0]}`;
  const anyRevenue = a.months.some((m) => m.revenueCents > 0);
  const anyGrowth = a.months.some((m) => m.newIsps > 0 || m.churned > 0);
  const newest = [...a.months].reverse();
  return (
    <div className="grid gap-6">
      <PageHeader
        title="Analytics"
        description={`mnetifi's subscription business: recurring revenue, paying ISPs, growth and churn over the last ${a.months.length} months, and what the ISPs do with the product. Months run on Nairobi time; figures as of ${formatDateTime(a.now)}.`}
      />

      <section aria-label="Now" className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <div data-testid="stat-mrr" className="col-span-2 grid sm:col-span-1">
          <Stat label="MRR" value={kes(a.mrrCents)} hint={counts.paying ? `${plural(counts.paying, "paying ISP")} × plan price` : "No ISP inside a paid month"} />
        </div>
        <div data-testid="stat-arr" className="col-span-2 grid sm:col-span-1">
          <Stat label="ARR" value={kes(a.arrCents)} hint="12 × MRR" />
        </div>
        <div data-testid="stat-paying" className="grid">
          <Stat label="Paying ISPs" value={n(counts.paying)} hint={tierSplit || "None yet"} />
        </div>
        <div data-testid="stat-trial" className="grid">
          <Stat label="On trial" value={n(counts.trial)} hint={`${n(counts.pending)} not confirmed yet${counts.unbilled ? ` · ${n(counts.unbilled)} not billed` : ""}`} />
        </div>
        <div data-testid="stat-suspended" className="grid">
          <Stat label="Suspended" value={n(closed)} hint={`${n(counts.lapsed)} unpaid · ${n(counts.suspended)} suspended · ${n(counts.blocked)} blocked`} />
        </div>
        <div data-testid="stat-new" className="grid">
          <Stat label={`New ISPs, ${thisMonth.label}`} value={n(thisMonth.newIsps)} hint={lastMonth ? `${n(lastMonth.newIsps)} in ${lastMonth.label}` : undefined} />
        </div>
        <div data-testid="stat-churn" className="grid">
          <Stat
            label={`Churn, ${thisMonth.label}`}
            value={thisMonth.churnRate === null ? n(thisMonth.churned) : `${n(thisMonth.churned)} · ${pct(thisMonth.churnRate)}`}
            hint={thisMonth.payingStart ? `of ${plural(thisMonth.payingStart, "ISP")} paying on ${monthStart}` : `Nobody was paying on ${monthStart}`}
          />
        </div>
        <div data-testid="stat-received" className="grid">
          <Stat label={`Received, ${thisMonth.label}`} value={kes(thisMonth.revenueCents)} hint={`${plural(thisMonth.payments, "payment")}${lastMonth ? ` · ${kes(lastMonth.revenueCents)} in ${lastMonth.label}` : ""}`} />
        </div>
      </section>

      <div className="grid gap-4 lg:grid-cols-2">
        <div className="lg:col-span-2">
          <Panel title="Revenue by plan" note="Subscription money received each month (M-Pesa and recorded transfers, registration fees included), by the plan it paid for.">
            {anyRevenue ? (
              <div data-testid="chart-revenue">
                <RevenueByTierChart months={a.months} tiers={a.revenueTiers} />
              </div>
            ) : (
              <EmptyState title="No subscription payments yet">Revenue appears here as ISPs pay for their plans, by M-Pesa or by a payment recorded on the Billing page.</EmptyState>
            )}
          </Panel>
        </div>
        <Panel title="New ISPs and churn" note="New: confirmed their email that month. Churned: inside a paid month during the month, not at its end.">
          {anyGrowth ? (
            <div data-testid="chart-growth">
              <GrowthChart months={a.months} />
            </div>
          ) : (
            <EmptyState title="No ISPs joined or left">New registrations show here once their owners confirm their email.</EmptyState>
          )}
        </Panel>
        <Panel title="MRR trend" note="Paying ISPs at each month's end × the monthly price they paid; this month: now.">
          {a.hasBillingHistory ? (
            <div data-testid="chart-mrr">
              <MrrTrendChart months={a.months} />
            </div>
          ) : (
            <EmptyState title="No paid months yet">The trend starts with the first ISP that pays for a plan.</EmptyState>
          )}
        </Panel>
      </div>

      <Panel
        title="Month by month"
        note="Most recent first. Paying: ISPs inside a paid month on the 1st → at the month's end (this month: now)."
        actions={
          <div className="flex gap-2 text-sm">
            <a href="/analytics/export?format=csv" className="rounded-lg px-3 py-1.5 font-semibold text-brand-700 ring-1 ring-slate-300 hover:bg-slate-50" download>
              CSV
            </a>
            <a href="/analytics/export?format=xlsx" className="rounded-lg px-3 py-1.5 font-semibold text-brand-700 ring-1 ring-slate-300 hover:bg-slate-50" download>
              Excel
            </a>
          </div>
        }
      >
        <div className="-mx-4 overflow-x-auto sm:-mx-5" data-testid="monthly-table">
          <DataTable columns={["Month", "Received", ...a.revenueTiers.map((t) => t.name), "MRR at end", "Paying", "New ISPs", "New paying", "Returned", "Churned", "Churn rate"]}>
            {newest.map((m) => (
              <tr key={m.month} data-month={m.month}>
                <Td className="whitespace-nowrap font-medium">{m.label}</Td>
                <Td className={muted(m.revenueCents, "whitespace-nowrap tabular-nums")}>
                  {kes(m.revenueCents)}
                  {m.payments ? <span className="block text-xs text-slate-500">{plural(m.payments, "payment")}</span> : null}
                </Td>
                {a.revenueTiers.map((t, i) => (
                  <Td key={t.id} className={muted(m.revenueByTier[t.id] ?? 0, "whitespace-nowrap tabular-nums")}>
                    <span className="mr-1.5 inline-block h-2 w-2 rounded-full" style={{ backgroundColor: TIER_COLOURS[i % TIER_COLOURS.length] }} aria-hidden />
                    {kes(m.revenueByTier[t.id] ?? 0)}
                  </Td>
                ))}
                <Td className={muted(m.mrrEndCents, "whitespace-nowrap tabular-nums")}>{kes(m.mrrEndCents)}</Td>
                <Td className={muted(m.payingStart + m.payingEnd, "whitespace-nowrap tabular-nums")}>
                  {n(m.payingStart)} → {n(m.payingEnd)}
                </Td>
                <Td className={muted(m.newIsps)}>{n(m.newIsps)}</Td>
                <Td className={muted(m.newPaying)}>{n(m.newPaying)}</Td>
                <Td className={muted(m.returningPaying)}>{n(m.returningPaying)}</Td>
                <Td className={m.churned ? "font-semibold tabular-nums text-red-700" : muted(0)}>{n(m.churned)}</Td>
                <Td className={m.churnRate ? "tabular-nums" : muted(0)}>{pct(m.churnRate)}</Td>
              </tr>
            ))}
          </DataTable>
        </div>
      </Panel>

      <Panel
        title="ISPs' usage"
        note={`The top ISPs by what their customers paid them over the last ${a.usageDays} days.`}
        actions={
          <Link to="/tenants?sort=revenue" className="text-sm font-semibold text-brand-700 hover:underline">
            All ISPs
          </Link>
        }
      >
        {a.topIsps.length === 0 ? (
          <EmptyState title="No ISPs yet">ISPs appear here as soon as they register.</EmptyState>
        ) : (
          <div className="-mx-4 overflow-x-auto sm:-mx-5" data-testid="usage-table">
            <DataTable columns={["ISP", "Plan", "Customers", "Active sessions", `Vouchers sold, ${a.usageDays} d`, `Messages sent, ${a.usageDays} d`, `Revenue, ${a.usageDays} d`]}>
              {a.topIsps.map((r) => (
                <tr key={r.id} data-tenant={r.slug} className="hover:bg-slate-50">
                  <Td className="min-w-40">
                    <Link to={`/tenants/${r.id}`} className="font-semibold text-slate-900 hover:text-brand-700 hover:underline">
                      {r.businessName}
                    </Link>
                    <span className="block font-mono text-xs text-slate-500">{r.slug}</span>
                  </Td>
                  <Td className="whitespace-nowrap">{r.phase === "paid" ? r.tierName : (PHASE_LABELS[r.phase ?? ""] ?? "—")}</Td>
                  <Td className="tabular-nums">{n(r.customers)}</Td>
                  <Td className="tabular-nums">{n(r.activeSessions)}</Td>
                  <Td className="tabular-nums">{n(r.vouchersSold)}</Td>
                  <Td className="tabular-nums">{n(r.messagesSent)}</Td>
                  <Td className="whitespace-nowrap tabular-nums">{kes(r.revenueCents)}</Td>
                </tr>
              ))}
            </DataTable>
          </div>
        )}
      </Panel>

      <Card className="p-4 text-xs text-slate-600 sm:p-5">
        <h2 className="text-sm font-semibold text-slate-800">How these are counted</h2>
        <dl className="mt-2 grid gap-x-6 gap-y-2 sm:grid-cols-2">
          <Definition term="MRR">Every ISP inside a paid month now (not suspended or blocked by hand) × its plan's current monthly price. The Billing page uses the same rule.</Definition>
          <Definition term="ARR">12 × MRR: this month's recurring revenue over a year, registration fees not included.</Definition>
          <Definition term="New ISP">An ISP whose owner confirmed the email that month (or that the platform set up). Registrations never confirmed are not counted.</Definition>
          <Definition term="Churn">An ISP inside a paid month at some time in the month but not at its end (lapsed and not renewed by then). Rate: churned ÷ ISPs paying on the 1st. One that pays again later counts as returned.</Definition>
          <Definition term="Received">Subscription payments marked paid in the month, registration fees included, by the plan of the invoice they paid.</Definition>
          <Definition term="Usage">Customers and active sessions (vouchers in use) now; vouchers sold, messages sent and the ISP's own M-Pesa revenue over {a.usageDays} days.</Definition>
        </dl>
      </Card>
    </div>
  );
}

function Definition({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt className="inline font-semibold text-slate-800">{term}: </dt>
      <dd className="inline">{children}</dd>
    </div>
  );
}
