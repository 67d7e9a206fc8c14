// Value formats RouterOS uses in API replies (reference §2.6): booleans, durations, versions.

export type Version = { major: number; minor: number; patch: number };

export function parseVersion(v: string): Version {
  const m = /^(\d+)\.(\d+)(?:\.(\d+))?/.exec(v.trim());
  if (!m) throw new Error(`Not a RouterOS version: ${v}`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3] ?? 0) };
}

/** a >= b */
export function versionAtLeast(a: Version, b: Version): boolean {
  if (a.major !== b.major) return a.major > b.major;
  if (a.minor !== b.minor) return a.minor > b.minor;
  return a.patch >= b.patch;
}

const TRUE_WORDS = new Set(["yes", "true"]);
const FALSE_WORDS = new Set(["no", "false"]);

/** "yes"/"true" → "true", "no"/"false" → "false", anything else null. */
export function normalizeBool(value: string): "true" | "false" | null {
  const v = value.trim().toLowerCase();
  if (TRUE_WORDS.has(v)) return "true";
  if (FALSE_WORDS.has(v)) return "false";
  return null;
}

const UNIT_MS: Record<string, number> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };

/**
 * Milliseconds from a RouterOS time: unit form (`1w2d3h4m5s`, `500ms`), clock form
 * (`[Xw][Yd]HH:MM:SS`), or a bare number of seconds. Null when unreadable.
 */
export function parseDurationMs(value: string): number | null {
  const v = value.trim();
  if (v === "") return null;
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const clock = /^(?:(\d+)w)?(?:(\d+)d)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(v);
  if (clock) {
    const [, w, d, h, m, s, frac] = clock;
    return (
      Number(w ?? 0) * UNIT_MS.w! +
      Number(d ?? 0) * UNIT_MS.d! +
      Number(h) * UNIT_MS.h! +
      Number(m) * UNIT_MS.m! +
      Number(s) * 1000 +
      Number((frac ?? "").padEnd(3, "0"))
    );
  }
  let total = 0;
  let rest = v;
  const part = /^(\d+)(ms|w|d|h|m|s)/;
  while (rest.length > 0) {
    const m = part.exec(rest);
    if (!m) return null;
    total += Number(m[1]) * (UNIT_MS[m[2] as string] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return total;
}

/**
 * How a router of this version prints a time: v7 uses the unit form (`1d2h`, `0s`), v6 the clock
 * form (`1d02:00:00`, `00:00:00`).
 */
export function formatDuration(ms: number, version: Version): string {
  let rest = Math.max(0, Math.round(ms));
  const weeks = Math.floor(rest / UNIT_MS.w!);
  rest -= weeks * UNIT_MS.w!;
  const days = Math.floor(rest / UNIT_MS.d!);
  rest -= days * UNIT_MS.d!;
  const hours = Math.floor(rest / UNIT_MS.h!);
  rest -= hours * UNIT_MS.h!;
  const minutes = Math.floor(rest / UNIT_MS.m!);
  rest -= minutes * UNIT_MS.m!;
  const seconds = Math.floor(rest / 1000);
  const millis = rest - seconds * 1000;
  if (version.major < 7) {
    const pad = (n: number) => String(n).padStart(2, "0");
    return `${weeks ? `${weeks}w` : ""}${days ? `${days}d` : ""}${pad(hours)}:${pad(minutes)}:${pad(seconds)}${millis ? `.${String(millis).padStart(3, "0")}` : ""}`;
  }
  const out = `${weeks ? `${weeks}w` : ""}${days ? `${days}d` : ""}${hours ? `${hours}h` : ""}${minutes ? `${minutes}m` : ""}${seconds ? `${seconds}s` : ""}${millis ? `${millis}ms` : ""}`;
  return out || "0s";
}

/** Upper-case colon form of a MAC address, or null when it is not one. */
export function normalizeMac(value: string): string | null {
  const hex = value.trim().replace(/[:\-.]/g, "");
  if (!/^[0-9a-fA-F]{12}$/.test(hex)) return null;
  return hex.toUpperCase().match(/../g)!.join(":");
}

export function isIPv4(value: string): boolean {
  const parts = value.trim().split(".");
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}
