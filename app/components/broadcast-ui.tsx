import { useEffect } from "react";
import { useRevalidator } from "react-router";
import { cx } from "./ui";

// Small pieces shared by the broadcasts list and a broadcast's report.

export type BroadcastProgress = { total: number; queued: number; sent: number; delivered: number; failed: number; skipped: number };
export type SegmentLike = Record<string, unknown>;

const STATUS: Record<string, [string, string, string]> = {
  scheduled: ["Scheduled", "bg-sky-100 text-sky-800", "bg-sky-500"],
  sending: ["Sending", "bg-amber-100 text-amber-800", "bg-amber-500"],
  done: ["Done", "bg-emerald-100 text-emerald-800", "bg-emerald-500"],
  cancelled: ["Cancelled", "bg-slate-100 text-slate-700", "bg-slate-400"],
};

export function BroadcastStatusBadge({ status }: { status: string }) {
  const [label, style, dot] = STATUS[status] ?? [status, "bg-slate-100 text-slate-700", "bg-slate-400"];
  return (
    <span className={cx("inline-flex items-center gap-1.5 rounded-full px-2.5 py-0.5 text-xs font-medium", style)} data-status={status}>
      <span className={cx("h-1.5 w-1.5 rounded-full", dot, status === "sending" && "animate-pulse")} aria-hidden />
      {label}
    </span>
  );
}

export const CHANNEL_WORDS: Record<string, string> = { sms: "SMS", whatsapp: "WhatsApp", both: "SMS + WhatsApp" };

export function ChannelChips({ channels }: { channels: string }) {
  const list = channels === "both" ? ["sms", "whatsapp"] : [channels];
  return (
    <span className="inline-flex gap-1">
      {list.map((c) => (
        <span key={c} className={cx("rounded px-1.5 py-0.5 text-xs font-medium", c === "whatsapp" ? "bg-green-50 text-green-800 ring-1 ring-green-200" : "bg-violet-50 text-violet-800 ring-1 ring-violet-200")}>
          {CHANNEL_WORDS[c] ?? c}
        </span>
      ))}
    </span>
  );
}

/** The audience in words: "Everyone", "Zone Kasarani", "People who paid in the last 30 days"… */
export function segmentInWords(segment: SegmentLike, names: { zones: Record<string, string>; customers: Record<string, string> }) {
  switch (segment.kind) {
    case "all":
      return "Everyone";
    case "customer": {
      const who = names.customers[String(segment.customerId)];
      return who ? `One customer: ${who}` : "One customer";
    }
    case "zone": {
      const zone = names.zones[String(segment.zoneId)];
      return zone ? `Customers in ${zone}` : "Customers in one zone";
    }
    case "recent_buyers":
      return `People who paid in the last ${Number(segment.days)} day${Number(segment.days) === 1 ? "" : "s"}`;
    default:
      return "—";
  }
}

const PARTS = [
  { key: "delivered", label: "Delivered", bar: "bg-emerald-500", dot: "bg-emerald-500" },
  { key: "sent", label: "Sent", bar: "bg-sky-400", dot: "bg-sky-400" },
  { key: "failed", label: "Failed", bar: "bg-red-500", dot: "bg-red-500" },
  { key: "skipped", label: "Skipped", bar: "bg-slate-400", dot: "bg-slate-400" },
  { key: "queued", label: "Waiting", bar: "bg-slate-200", dot: "bg-slate-200 ring-1 ring-slate-300" },
] as const;

/** One stacked bar: delivered, sent, failed, skipped, still waiting, out of every message. */
export function BroadcastProgressBar({ progress, legend = true, className, label }: { progress: BroadcastProgress; legend?: boolean; className?: string; label?: string }) {
  const { total } = progress;
  const finished = total - progress.queued;
  return (
    <div className={className}>
      <div
        className="flex h-2.5 w-full overflow-hidden rounded-full bg-slate-100"
        role="progressbar"
        aria-label={label ?? "Progress"}
        aria-valuemin={0}
        aria-valuemax={total}
        aria-valuenow={finished}
        aria-valuetext={total ? `${finished} of ${total} handled` : "Not started"}
      >
        {total > 0
          ? PARTS.map((p) => {
              const n = progress[p.key];
              return n > 0 ? <div key={p.key} className={cx("h-full", p.bar)} style={{ width: `${(n / total) * 100}%` }} title={`${p.label}: ${n}`} /> : null;
            })
          : null}
      </div>
      {legend ? (
        <p className="mt-1.5 flex flex-wrap gap-x-3 gap-y-1 text-xs text-slate-600 tabular-nums">
          {total === 0 ? (
            <span>No messages yet</span>
          ) : (
            PARTS.filter((p) => progress[p.key] > 0 || p.key === "delivered").map((p) => (
              <span key={p.key} className="inline-flex items-center gap-1">
                <span className={cx("h-2 w-2 rounded-full", p.dot)} aria-hidden />
                {p.label} {progress[p.key]}
              </span>
            ))
          )}
          {total > 0 ? <span className="text-slate-500">of {total}</span> : null}
        </p>
      ) : null}
    </div>
  );
}

/** Reloads the page's data every `seconds` while `active` and the tab is visible. */
export function useRefreshWhile(active: boolean, seconds: number) {
  const { revalidate, state } = useRevalidator();
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => {
      if (document.visibilityState === "visible" && state === "idle") void revalidate();
    }, seconds * 1000);
    return () => clearInterval(timer);
  }, [active, seconds, revalidate, state]);
}

/** "2026-05-01T14:30" (a datetime-local value) in `timeZone` → the UTC instant, or null if not a time. */
export function zonedLocalToUtc(local: string, timeZone: string): Date | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local.trim());
  if (!m) return null;
  const [y, mo, d, h, mi] = [Number(m[1]), Number(m[2]), Number(m[3]), Number(m[4]), Number(m[5])];
  const asUtc = Date.UTC(y, mo - 1, d, h, mi);
  const check = new Date(asUtc);
  if (check.getUTCFullYear() !== y || check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || check.getUTCHours() !== h) return null;
  // The zone's offset at an instant; applied twice so a time next to a DST change lands right.
  let t = asUtc - zoneOffset(asUtc, timeZone);
  t = asUtc - zoneOffset(t, timeZone);
  return new Date(t);
}

/** The UTC instant as a datetime-local value in `timeZone`, e.g. "2026-05-01T14:30". */
export function utcToZonedLocal(value: Date | number, timeZone: string) {
  const p = zoneParts(new Date(value).getTime(), timeZone);
  return `${p.year}-${p.month}-${p.day}T${p.hour}:${p.minute}`;
}

function zoneParts(t: number, timeZone: string) {
  const parts = new Intl.DateTimeFormat("en-US", { timeZone, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit" }).formatToParts(new Date(t));
  const get = (type: string) => parts.find((x) => x.type === type)?.value ?? "00";
  return { year: get("year"), month: get("month"), day: get("day"), hour: get("hour"), minute: get("minute"), second: get("second") };
}

function zoneOffset(t: number, timeZone: string) {
  const p = zoneParts(t, timeZone);
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - Math.floor(t / 1000) * 1000;
}

/** "Nairobi" from "Africa/Nairobi". */
export function zoneCity(timeZone: string) {
  return (timeZone.split("/").pop() ?? timeZone).replace(/_/g, " ");
}
