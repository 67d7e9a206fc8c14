import { cx } from "./ui";

const STATUS: Record<string, [string, string, string]> = {
  online: ["Online", "bg-emerald-100 text-emerald-800", "bg-emerald-500"],
  offline: ["Offline", "bg-red-100 text-red-800", "bg-red-500"],
  unverified: ["Not verified", "bg-amber-100 text-amber-800", "bg-amber-500"],
};

/** The router's status as a coloured badge with a dot (live status reads at a glance). */
export function RouterStatusBadge({ status }: { status: string }) {
  const [label, style, dot] = STATUS[status] ?? ["Unknown", "bg-slate-100 text-slate-700", "bg-slate-400"];
  return (
    <span className={cx("inline-flex items-center gap-1.5 rounded-full px-2.5 py-0.5 text-xs font-medium", style)} data-status={status}>
      <span className={cx("h-1.5 w-1.5 rounded-full", dot, status === "online" && "animate-pulse")} aria-hidden />
      {label}
    </span>
  );
}

/** One figure with its label, for the router's stats row. */
export function Stat({ label, value, hint }: { label: string; value: string; hint?: string }) {
  return (
    <div className="rounded-lg bg-slate-50 px-3 py-2">
      <p className="text-xs text-slate-500">{label}</p>
      <p className="text-lg font-semibold tabular-nums text-slate-900">{value}</p>
      {hint ? <p className="text-xs text-slate-500">{hint}</p> : null}
    </div>
  );
}
