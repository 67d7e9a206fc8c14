import { Area, AreaChart, Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";

/** One month of the console's Analytics page, as the charts need it. */
export type ChartMonth = {
  label: string;
  revenueByTier: Record<string, number>;
  newIsps: number;
  churned: number;
  mrrEndCents: number;
};

/** Colours for tiers in the order of the price list (brand green first). */
export const TIER_COLOURS = ["#059669", "#0284c7", "#7c3aed", "#d97706", "#db2777", "#475569"];

const tick = { fontSize: 11, fill: "#64748b" };
/** 2250 → "2.25k", 1500000 → "1.5M": short, but never rounded into a different number. */
const shillingsTick = (v: number) => {
  const short = (x: number, unit: string) => `${x.toLocaleString("en-KE", { maximumFractionDigits: 2 })}${unit}`;
  return v >= 1_000_000 ? short(v / 1_000_000, "M") : v >= 1000 ? short(v / 1000, "k") : String(v);
};
/** Round steps (1, 2, 2.5, 5 × 10ⁿ) from 0 to just above `max`: 0, 1k, 2k, 3k rather than 0, 650, 1.3k. */
export function niceTicks(max: number, most = 4): number[] {
  if (!(max > 0)) return [0, 1];
  const pow = Math.max(1, 10 ** Math.floor(Math.log10(max / most)));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * pow).find((s) => Math.ceil(max / s) <= most) ?? 10 * pow;
  return Array.from({ length: Math.ceil(max / step) + 1 }, (_, i) => i * step);
}
const kesText = (shillings: number) => `KES ${shillings.toLocaleString("en-KE")}`;
const margin = { top: 8, right: 8, bottom: 0, left: 0 };

// The same month axis and grid on every chart.
const monthAxis = { dataKey: "label", tick, tickLine: false, axisLine: false, interval: "preserveStartEnd", minTickGap: 16 } as const;
const grid = { strokeDasharray: "3 3", vertical: false, stroke: "#e2e8f0" } as const;

/** Money received per month, one stacked colour per tier. */
export function RevenueByTierChart({ months, tiers }: { months: ChartMonth[]; tiers: Array<{ id: string; name: string }> }) {
  // Keys of our own (a tier id could contain a dot, which recharts would read as a path).
  const data = months.map((m) => ({ label: m.label, ...Object.fromEntries(tiers.map((t, i) => [`t${i}`, (m.revenueByTier[t.id] ?? 0) / 100])) }));
  const ticks = niceTicks(Math.max(...months.map((m) => Object.values(m.revenueByTier).reduce((a, b) => a + b, 0) / 100)));
  return (
    <div className="h-64 w-full" role="img" aria-label="Subscription money received per month, by plan">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={margin}>
          <CartesianGrid {...grid} />
          <XAxis {...monthAxis} />
          <YAxis tick={tick} tickLine={false} axisLine={false} width={48} tickFormatter={shillingsTick} ticks={ticks} domain={[0, ticks.at(-1)!]} />
          <Tooltip cursor={{ fill: "#f1f5f9" }} formatter={(v, name) => [kesText(Number(v)), String(name)]} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          {tiers.map((t, i) => (
            <Bar key={t.id} dataKey={`t${i}`} name={t.name} stackId="revenue" fill={TIER_COLOURS[i % TIER_COLOURS.length]} isAnimationActive={false} />
          ))}
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** ISPs that joined and paying ISPs that left, side by side per month. */
export function GrowthChart({ months }: { months: ChartMonth[] }) {
  return (
    <div className="h-56 w-full" role="img" aria-label="New ISPs and churned ISPs per month">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={months} margin={margin}>
          <CartesianGrid {...grid} />
          <XAxis {...monthAxis} />
          <YAxis tick={tick} tickLine={false} axisLine={false} width={32} allowDecimals={false} />
          <Tooltip cursor={{ fill: "#f1f5f9" }} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Bar dataKey="newIsps" name="New ISPs" fill="#059669" radius={[3, 3, 0, 0]} isAnimationActive={false} />
          <Bar dataKey="churned" name="Churned" fill="#dc2626" radius={[3, 3, 0, 0]} isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** MRR at each month's end (the current month: now). */
export function MrrTrendChart({ months }: { months: ChartMonth[] }) {
  const data = months.map((m) => ({ label: m.label, mrr: m.mrrEndCents / 100 }));
  const ticks = niceTicks(Math.max(...data.map((d) => d.mrr)));
  return (
    <div className="h-56 w-full" role="img" aria-label="Monthly recurring revenue at the end of each month">
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={data} margin={margin}>
          <CartesianGrid {...grid} />
          <XAxis {...monthAxis} />
          <YAxis tick={tick} tickLine={false} axisLine={false} width={48} tickFormatter={shillingsTick} ticks={ticks} domain={[0, ticks.at(-1)!]} />
          <Tooltip formatter={(v) => [kesText(Number(v)), "MRR"]} />
          <Area type="linear" dataKey="mrr" name="MRR" stroke="#059669" fill="#d1fae5" strokeWidth={2} dot={{ r: 2.5, fill: "#059669" }} isAnimationActive={false} />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}
