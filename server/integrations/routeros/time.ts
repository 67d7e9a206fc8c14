// RouterOS time values (shared/reference/routeros.md §2.6): v7 prints `1w2d3h4m5s` (also `ms`),
// v6 often `[Xw][Yd]HH:MM:SS`; settings may also be `none`.

/** A time for the router: seconds, or RouterOS text such as "30m", "1d", "none". */
export type RouterTime = number | string;

const UNIT_SECONDS: Record<string, number> = { w: 604_800, d: 86_400, h: 3_600, m: 60, s: 1, ms: 0.001 };

/** Seconds in a RouterOS time (fractions for `ms`), null for `none` or unreadable text. */
export function parseRouterTime(value: string): number | null {
  const v = value.trim();
  if (v === "" || v === "none") return null;
  if (/^\d+$/.test(v)) return Number(v);
  const clock = /^(?:(\d+)w)?(?:(\d+)d)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d{1,3}))?$/.exec(v);
  if (clock) {
    const [, w, d, h, m, s, frac] = clock;
    return Number(w ?? 0) * 604_800 + Number(d ?? 0) * 86_400 + Number(h) * 3_600 + Number(m) * 60 + Number(s) + Number(`0.${frac ?? "0"}`);
  }
  let total = 0;
  let rest = v;
  while (rest.length > 0) {
    const m = /^(\d+)(ms|w|d|h|m|s)/.exec(rest);
    if (!m) return null;
    total += Number(m[1]) * (UNIT_SECONDS[m[2] as string] ?? 0);
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** RouterOS text for a time we send: whole seconds in unit form ("90" → "1m30s"); strings pass through. */
export function formatRouterTime(value: RouterTime): string {
  if (typeof value === "string") return value.trim();
  let rest = Math.max(0, Math.round(value));
  if (rest === 0) return "0s";
  let out = "";
  for (const unit of ["w", "d", "h", "m", "s"] as const) {
    const size = UNIT_SECONDS[unit] as number;
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

/** Whether two times mean the same ("none" equals "none"; "1d" equals "1d00:00:00" equals 86400). */
export function sameRouterTime(a: RouterTime | undefined, b: RouterTime | undefined): boolean {
  const seconds = (t: RouterTime | undefined): number | "none" | undefined => {
    if (t === undefined) return undefined;
    if (typeof t === "number") return t;
    if (t.trim() === "none") return "none";
    return parseRouterTime(t) ?? undefined;
  };
  const x = seconds(a);
  const y = seconds(b);
  return x !== undefined && x === y;
}
