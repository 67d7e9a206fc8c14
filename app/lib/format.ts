/** Date and time in the tenant's timezone (design §6), e.g. "24 Nov 2026, 14:05". */
export function formatDateTime(value: Date | string, timeZone = "Africa/Nairobi") {
  return new Intl.DateTimeFormat("en-KE", { dateStyle: "medium", timeStyle: "short", timeZone }).format(new Date(value));
}

/** A length of time in the largest units that matter, e.g. "3d 4h", "2h 5m", "45s". */
export function formatDuration(seconds: number | null | undefined) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "—";
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m`;
  return `${s}s`;
}

/** "5 minutes ago" style, for live status. */
export function formatAgo(value: Date | string | null | undefined, now = Date.now()) {
  if (!value) return "never";
  const seconds = Math.round((now - new Date(value).getTime()) / 1000);
  if (seconds < 45) return "just now";
  return `${formatDuration(seconds)} ago`;
}
