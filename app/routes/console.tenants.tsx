import { Form, Link, useLoaderData, useSearchParams } from "react-router";
import type { Route } from "./+types/console.tenants";
import { Button, Card, EmptyState, PageHeader, cx } from "../components/ui";
import { DataTable, Td } from "../components/table";
import { Stat, StatusBadge, STATUS_FILTER_LABELS, TENANT_STATUSES } from "../components/console-ui";
import { requirePlatformUser } from "../lib/session.server";
import { formatAgo, formatDateTime } from "../lib/format";
import { kes } from "../lib/money";
import type { TenantStatus, TenantSort } from "../../server/services/console";

export function meta() {
  return [{ title: "ISPs · mnetifi console" }];
}

const SORTS: Array<[TenantSort, string]> = [
  ["newest", "Newest first"],
  ["name", "Name"],
  ["revenue", "Revenue (30 days)"],
  ["activity", "Last activity"],
];

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller } = await requirePlatformUser(context, request);
  const q = new URL(request.url).searchParams;
  const status = TENANT_STATUSES.includes(q.get("status") as TenantStatus) ? (q.get("status") as TenantStatus) : undefined;
  const sort = SORTS.some(([s]) => s === q.get("sort")) ? (q.get("sort") as TenantSort) : "newest";
  const search = (q.get("q") ?? "").trim().slice(0, 100);
  const { rows, counts } = await caller.console.tenants({ q: search || undefined, status, sort });
  return { rows, counts, status: status ?? "", now: Date.now() };
}

export default function Tenants() {
  const { rows, counts, status, now } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  const sum = (f: (r: (typeof rows)[number]) => number) => rows.reduce((n, r) => n + f(r), 0);
  const withStatus = (s: string) => {
    const p = new URLSearchParams(params);
    if (s) p.set("status", s);
    else p.delete("status");
    const qs = p.toString();
    return qs ? `?${qs}` : "?";
  };
  return (
    <div className="grid gap-6">
      <PageHeader title="ISPs" description="Every ISP on mnetifi with its usage over the last 30 days. Open one for its details, activity, support thread and to view its dashboard." />
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-5">
        <Stat label={status || params.get("q") ? "ISPs shown" : "ISPs"} value={rows.length.toLocaleString("en-KE")} hint={`${(counts.active ?? 0) + (counts.trial ?? 0)} open · ${(counts.unpaid ?? 0) + (counts.suspended ?? 0) + (counts.blocked ?? 0)} closed`} />
        <Stat label="Customers" value={sum((r) => r.usage.customers).toLocaleString("en-KE")} hint={`${sum((r) => r.usage.activeVouchers).toLocaleString("en-KE")} vouchers in use now`} />
        <Stat label="Revenue, 30 days" value={kes(sum((r) => r.usage.revenueCents))} hint="M-Pesa paid to the ISPs" />
        <Stat label="Vouchers sold, 30 days" value={sum((r) => r.usage.vouchersSold).toLocaleString("en-KE")} />
        <Stat label="Messages sent, 30 days" value={sum((r) => r.usage.messagesSent).toLocaleString("en-KE")} hint="SMS and WhatsApp" />
      </div>
      <div className="flex flex-col gap-3">
        <nav className="flex w-fit flex-wrap gap-1 self-start rounded-lg bg-slate-100 p-1 text-sm" aria-label="Status">
          {[["", "All", total] as const, ...TENANT_STATUSES.map((s) => [s, STATUS_FILTER_LABELS[s] ?? s, counts[s] ?? 0] as const)].map(([s, label, n]) => (
            <Link
              key={s || "all"}
              to={withStatus(s)}
              replace
              preventScrollReset
              aria-current={s === status ? "page" : undefined}
              className={cx("whitespace-nowrap rounded-md px-3 py-1", s === status ? "bg-white font-semibold shadow-sm" : "text-slate-600 hover:text-slate-900")}
            >
              {label} <span className="text-xs text-slate-500 tabular-nums">{n}</span>
            </Link>
          ))}
        </nav>
        <Form method="get" className="flex flex-wrap items-end gap-2" role="search">
          {status ? <input type="hidden" name="status" value={status} /> : null}
          <label className="text-sm font-medium text-slate-700">
            Search
            <input
              type="search"
              name="q"
              defaultValue={params.get("q") ?? ""}
              placeholder="Name or address"
              className="mt-1 block w-56 rounded-lg border border-slate-300 bg-white px-3 py-2 text-base sm:text-sm"
            />
          </label>
          <label className="text-sm font-medium text-slate-700">
            Sort
            <select name="sort" defaultValue={params.get("sort") ?? "newest"} className="mt-1 block rounded-lg border border-slate-300 bg-white px-3 py-2 text-base sm:text-sm">
              {SORTS.map(([v, l]) => (
                <option key={v} value={v}>
                  {l}
                </option>
              ))}
            </select>
          </label>
          <Button type="submit" variant="secondary">
            Show
          </Button>
        </Form>
      </div>
      <Card className="overflow-x-auto">
        {rows.length === 0 ? (
          <EmptyState title={total === 0 ? "No ISPs yet" : "No ISP matches"}>{total === 0 ? "ISPs appear here as soon as they register." : "Try another name or status."}</EmptyState>
        ) : (
          <DataTable columns={["ISP", "Status", "Tier", "Trial ends / paid until", "Customers", "Routers", "Vouchers", "Messages", "Revenue", "Last activity"]}>
            {rows.map((r) => (
              <tr key={r.id} data-tenant={r.slug} className="hover:bg-slate-50">
                <Td>
                  <Link to={`/tenants/${r.id}`} className="font-semibold text-slate-900 hover:text-brand-700 hover:underline">
                    {r.businessName}
                  </Link>
                  <span className="block font-mono text-xs text-slate-500">{r.slug}</span>
                </Td>
                <Td>
                  <StatusBadge status={r.status} />
                  {r.holdReason ? (
                    <span className="mt-1 block max-w-48 truncate text-xs text-slate-500" title={r.holdReason}>
                      {r.holdReason}
                    </span>
                  ) : null}
                </Td>
                <Td className="whitespace-nowrap text-slate-700">{r.tierName ?? <span className="text-slate-400">—</span>}</Td>
                <Td className={cx("whitespace-nowrap", r.status === "unpaid" ? "font-semibold text-red-700" : "text-slate-600")}>
                  {r.paidUntil ? (
                    <>
                      <span className="text-xs text-slate-500">paid until </span>
                      {formatDateTime(r.paidUntil)}
                    </>
                  ) : r.trialEndsAt ? (
                    <>
                      <span className="text-xs text-slate-500">trial ends </span>
                      {formatDateTime(r.trialEndsAt)}
                    </>
                  ) : r.status === "trial" ? (
                    "Open-ended trial"
                  ) : (
                    "—"
                  )}
                </Td>
                <Td className="tabular-nums">{r.usage.customers.toLocaleString("en-KE")}</Td>
                <Td className="whitespace-nowrap tabular-nums">
                  <span className={r.usage.routersTotal > 0 && r.usage.routersOnline < r.usage.routersTotal ? "font-semibold text-amber-700" : ""}>{r.usage.routersOnline}</span>
                  <span className="text-slate-400"> / {r.usage.routersTotal}</span>
                </Td>
                <Td className="tabular-nums">{r.usage.vouchersSold.toLocaleString("en-KE")}</Td>
                <Td className="tabular-nums">{r.usage.messagesSent.toLocaleString("en-KE")}</Td>
                <Td className="whitespace-nowrap tabular-nums">{kes(r.usage.revenueCents)}</Td>
                <Td className="whitespace-nowrap text-slate-600">{formatAgo(r.usage.lastActivityAt, now)}</Td>
              </tr>
            ))}
          </DataTable>
        )}
      </Card>
      <p className="text-xs text-slate-500">Vouchers, messages and revenue: last 30 days. Routers: online / total. Last activity: the latest thing an ISP user did or their latest request.</p>
    </div>
  );
}
