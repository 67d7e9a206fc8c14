import { Link, useLoaderData } from "react-router";
import type { Route } from "./+types/console.support";
import { Card, EmptyState, PageHeader, cx } from "../components/ui";
import { requirePlatformUser } from "../lib/session.server";
import { formatAgo } from "../lib/format";
import { useAutoRefresh } from "../lib/use-auto-refresh";

export function meta() {
  return [{ title: "Support · mnetifi console" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller } = await requirePlatformUser(context, request);
  return { ...(await caller.console.supportInbox()), now: Date.now() };
}

export default function SupportInbox() {
  const { threads, unread, now } = useLoaderData<typeof loader>();
  // New messages from ISPs appear without reloading.
  useAutoRefresh(5);
  return (
    <div className="grid gap-6">
      <PageHeader title="Support" description={unread > 0 ? `${unread} unread message${unread === 1 ? "" : "s"} from ISPs. Threads with something new come first.` : "One thread per ISP. Everything is answered here; the ISP sees replies in its dashboard's Support tab."} />
      {threads.length === 0 ? (
        <EmptyState title="No conversations yet">When an ISP writes from its dashboard&apos;s Support tab, the thread appears here.</EmptyState>
      ) : (
        <Card className="divide-y divide-slate-100 overflow-hidden">
          {[...threads]
            .sort((a, b) => Number(b.unread > 0) - Number(a.unread > 0))
            .map((t) => (
              <Link key={t.tenantId} to={`/support/${t.tenantId}`} className="flex items-start justify-between gap-4 px-4 py-3 hover:bg-slate-50 sm:px-5" data-thread={t.slug}>
                <div className="min-w-0">
                  <p className={cx("truncate", t.unread > 0 ? "font-bold text-slate-900" : "font-medium text-slate-800")}>{t.businessName}</p>
                  <p className="truncate text-sm text-slate-600">
                    {t.lastAuthor === "platform" ? <span className="text-slate-400">You: </span> : null}
                    {t.lastPreview}
                  </p>
                </div>
                <div className="flex shrink-0 flex-col items-end gap-1">
                  <span className="text-xs text-slate-500">{formatAgo(t.lastMessageAt, now)}</span>
                  {t.unread > 0 ? (
                    <span className="rounded-full bg-brand-600 px-2 text-xs font-semibold text-white tabular-nums" data-testid="thread-unread">
                      {t.unread}
                    </span>
                  ) : null}
                </div>
              </Link>
            ))}
        </Card>
      )}
    </div>
  );
}
