import { cx } from "./ui";

export const VOUCHER_STATES = ["unused", "active", "expired", "lapsed", "disabled"] as const;
export type VoucherStateName = (typeof VOUCHER_STATES)[number];

const STATE: Record<VoucherStateName, [string, string, string]> = {
  unused: ["Unused", "bg-sky-100 text-sky-800", "bg-sky-500"],
  active: ["Active", "bg-emerald-100 text-emerald-800", "bg-emerald-500"],
  expired: ["Expired", "bg-slate-200 text-slate-700", "bg-slate-500"],
  lapsed: ["Lapsed", "bg-amber-100 text-amber-800", "bg-amber-500"],
  disabled: ["Disabled", "bg-red-100 text-red-800", "bg-red-500"],
};

export const stateLabel = (s: string) => STATE[s as VoucherStateName]?.[0] ?? s;

/** A voucher's state as a coloured badge (data-state for tests and styling). */
export function VoucherStateBadge({ state, className }: { state: string; className?: string }) {
  const [label, style, dot] = STATE[state as VoucherStateName] ?? [state, "bg-slate-100 text-slate-700", "bg-slate-400"];
  return (
    <span className={cx("inline-flex items-center gap-1.5 whitespace-nowrap rounded-full px-2.5 py-0.5 text-xs font-medium", style, className)} data-state={state}>
      <span className={cx("h-1.5 w-1.5 rounded-full", dot)} aria-hidden />
      {label}
    </span>
  );
}

/** Vouchers per page of the list. */
export const VOUCHERS_PER_PAGE = 50;

/**
 * The list filters from the URL (?state, ?search, ?batchId, ?page), dropping values the procedure
 * would refuse, so a hand-edited URL shows a list instead of an error. Shared by the page (one
 * page of `limit` rows) and the export (everything, from the first row: pass `paged: false`).
 */
export function voucherFilterFrom(url: URL, limit = VOUCHERS_PER_PAGE, opts: { paged?: boolean } = {}) {
  const state = url.searchParams.get("state") ?? "";
  const search = (url.searchParams.get("search") ?? "").trim().slice(0, 40);
  const batchId = url.searchParams.get("batchId") ?? "";
  const page = opts.paged === false ? 1 : Math.min(Math.max(1, Math.floor(Number(url.searchParams.get("page")) || 1)), 10_000);
  return {
    state: (VOUCHER_STATES as readonly string[]).includes(state) ? (state as VoucherStateName) : undefined,
    search: search || undefined,
    batchId: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(batchId) ? batchId : undefined,
    limit,
    offset: (page - 1) * limit,
  };
}

/** Bytes for people: "980 B", "12.4 MB", "1.2 GB" (decimal units, as phones show data). */
export function formatBytes(n: number) {
  if (n < 1000) return `${n} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v >= 100 ? Math.round(v) : v.toFixed(1)} ${units[i]}`;
}

/** Short date and time in the tenant's timezone for dense lists, e.g. "24 Nov, 14:05". */
export function shortDateTime(value: Date | string | null | undefined, timeZone: string) {
  if (!value) return "—";
  return new Intl.DateTimeFormat("en-KE", { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone }).format(new Date(value));
}

/** Links to a batch's printable cards (new tab) and its CSV. */
export function BatchLinks({ batchId, className }: { batchId: string; className?: string }) {
  const link = "whitespace-nowrap rounded-lg px-3 py-1.5 text-xs font-semibold ring-1 ring-slate-300 hover:bg-slate-50";
  return (
    <span className={cx("flex flex-wrap gap-2", className)}>
      <a href={`/dashboard/hotspot/batches/${batchId}/cards`} target="_blank" rel="noopener" className={cx(link, "bg-white text-brand-700")}>
        Print cards
      </a>
      <a href={`/dashboard/hotspot/vouchers/export?format=csv&batchId=${batchId}`} className={cx(link, "bg-white text-slate-800")}>
        Download CSV
      </a>
    </span>
  );
}

