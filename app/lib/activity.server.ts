import { activityFilter } from "../../server/trpc/routers/activity";

/** The activity filters from the page's query string (bad values are dropped, not a 500). */
export function activityFilterFrom(url: URL) {
  const q = url.searchParams;
  const raw = {
    userId: q.get("user") || undefined,
    action: q.get("action") || undefined,
    from: q.get("from") || undefined,
    // "to" is a day: include all of it.
    to: q.get("to") ? new Date(new Date(q.get("to")!).getTime() + 86_400_000).toISOString() : undefined,
  };
  const parsed = activityFilter.safeParse(raw);
  return parsed.success ? parsed.data : activityFilter.parse({});
}
