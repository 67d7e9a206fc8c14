import { Area, AreaChart, CartesianGrid, Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { cx } from "./ui";

export type RouterSamplePoint = {
  at: string;
  reachable: boolean;
  /** Polls in this time slot that answered / did not. */
  up: number;
  down: number;
  cpuLoad: number | null;
  memoryUsedPct: number | null;
  hotspotActive: number | null;
  pppActive: number | null;
};

const tick = { fontSize: 11, fill: "#64748b" };

/** Samples on a real time axis from `hours` ago to now, so a gap in polling shows as a gap. */
function onTimeAxis(samples: RouterSamplePoint[], hours: number) {
  const end = Date.now();
  const start = end - hours * 3_600_000;
  const ticks = Array.from({ length: 5 }, (_, i) => Math.round(start + (i * (end - start)) / 4));
  return { data: samples.map((s) => ({ ...s, t: new Date(s.at).getTime() })), domain: [start, end] as [number, number], ticks };
}

function timeLabel(timezone: string, spanHours: number) {
  const f = new Intl.DateTimeFormat("en-KE", spanHours > 36 ? { weekday: "short", hour: "2-digit", timeZone: timezone } : { hour: "2-digit", minute: "2-digit", timeZone: timezone });
  return (v: string | number) => f.format(new Date(v));
}

/** CPU and memory use over time: a router near 100% is why customers say "slow". */
export function RouterResourceChart({ samples, timezone, hours }: { samples: RouterSamplePoint[]; timezone: string; hours: number }) {
  const label = timeLabel(timezone, hours);
  const axis = onTimeAxis(samples, hours);
  return (
    <div className="h-52 w-full" role="img" aria-label="CPU and memory use over time">
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={axis.data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="t" type="number" scale="time" domain={axis.domain} ticks={axis.ticks} tickFormatter={label} tick={tick} tickLine={false} axisLine={false} minTickGap={40} />
          <YAxis domain={[0, 100]} tick={tick} tickLine={false} axisLine={false} width={44} tickFormatter={(v: number) => `${v}%`} />
          <Tooltip labelFormatter={(v) => label(Number(v))} formatter={(v, name) => [v === null || v === undefined ? "unreachable" : `${String(v)}%`, String(name)]} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Line type="monotone" dataKey="cpuLoad" name="CPU" stroke="#0284c7" strokeWidth={2} dot={false} connectNulls={false} isAnimationActive={false} />
          <Line type="monotone" dataKey="memoryUsedPct" name="Memory" stroke="#7c3aed" strokeWidth={2} dot={false} connectNulls={false} isAnimationActive={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Customers online over time (hotspot and PPPoE sessions). */
export function RouterSessionsChart({ samples, timezone, hours }: { samples: RouterSamplePoint[]; timezone: string; hours: number }) {
  const label = timeLabel(timezone, hours);
  const axis = onTimeAxis(samples, hours);
  return (
    <div className="h-52 w-full" role="img" aria-label="Active hotspot and PPP sessions over time">
      <ResponsiveContainer width="100%" height="100%">
        <AreaChart data={axis.data} margin={{ top: 8, right: 8, bottom: 0, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="t" type="number" scale="time" domain={axis.domain} ticks={axis.ticks} tickFormatter={label} tick={tick} tickLine={false} axisLine={false} minTickGap={40} />
          <YAxis allowDecimals={false} tick={tick} tickLine={false} axisLine={false} width={36} />
          <Tooltip labelFormatter={(v) => label(Number(v))} />
          <Legend wrapperStyle={{ fontSize: 12 }} />
          <Area type="stepAfter" dataKey="hotspotActive" name="Hotspot" stackId="s" stroke="#059669" fill="#a7f3d0" isAnimationActive={false} />
          <Area type="stepAfter" dataKey="pppActive" name="PPPoE" stackId="s" stroke="#d97706" fill="#fde68a" isAnimationActive={false} />
        </AreaChart>
      </ResponsiveContainer>
    </div>
  );
}

/**
 * Availability as a strip of time slots: green when every poll in the slot answered, amber when
 * some did, red when none did, grey when there was no poll. Plain HTML: it must read on any phone.
 */
export function AvailabilityStrip({ samples, hours, slots = 48, timezone }: { samples: RouterSamplePoint[]; hours: number; slots?: number; timezone: string }) {
  const end = Date.now();
  const start = end - hours * 3_600_000;
  const width = (end - start) / slots;
  const buckets = Array.from({ length: slots }, () => ({ up: 0, down: 0 }));
  for (const s of samples) {
    const i = Math.min(slots - 1, Math.floor((new Date(s.at).getTime() - start) / width));
    if (i < 0) continue;
    buckets[i]!.up += s.up;
    buckets[i]!.down += s.down;
  }
  const f = new Intl.DateTimeFormat("en-KE", { dateStyle: "medium", timeStyle: "short", timeZone: timezone });
  return (
    <div>
      <div className="flex h-8 gap-px overflow-hidden rounded" aria-label={`Availability over the last ${hours} hours`}>
        {buckets.map((b, i) => {
          const tone = b.up + b.down === 0 ? "bg-slate-200" : b.down === 0 ? "bg-emerald-500" : b.up === 0 ? "bg-red-500" : "bg-amber-400";
          const from = f.format(new Date(start + i * width));
          const title = b.up + b.down === 0 ? `${from}: no polls` : `${from}: ${b.up} answered, ${b.down} missed`;
          return <div key={i} className={cx("flex-1", tone)} title={title} />;
        })}
      </div>
      <div className="mt-1 flex justify-between text-xs text-slate-500">
        <span>{hours >= 48 ? `${Math.round(hours / 24)} days ago` : `${hours} hours ago`}</span>
        <span>now</span>
      </div>
    </div>
  );
}
