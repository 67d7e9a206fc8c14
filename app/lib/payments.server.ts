import { paymentFilter } from "../../server/trpc/routers/payments";

/** The payments filters from the page's query string (bad values are dropped, not a 500). */
export function paymentFilterFrom(url: URL, limit = 200) {
  const q = url.searchParams;
  const day = (v: string | null, plusDay = false) => (v && /^\d{4}-\d{2}-\d{2}$/.test(v) ? new Date(new Date(`${v}T00:00:00+03:00`).getTime() + (plusDay ? 86_400_000 : 0)) : undefined);
  const raw = {
    status: q.get("status") || undefined,
    method: q.get("method") || undefined,
    phone: q.get("phone") || undefined,
    receipt: q.get("receipt") || undefined,
    from: day(q.get("from")),
    to: day(q.get("to"), true),
    limit,
  };
  const parsed = paymentFilter.safeParse(raw);
  return parsed.success ? parsed.data : paymentFilter.parse({ limit });
}
