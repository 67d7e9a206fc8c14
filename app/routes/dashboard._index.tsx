import { Link, useLoaderData } from "react-router";
import type { Route } from "./+types/dashboard._index";
import { Alert, Card, PageHeader } from "../components/ui";
import { RevenueChart } from "../components/revenue-chart";
import { requireIspUser } from "../lib/session.server";
import { kes } from "../lib/money";
import { ispCan } from "../../policies/permissions";

export function meta() {
  return [{ title: "Overview · mnetifi" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, viewer, tenant } = await requireIspUser(context, request, { permission: "dashboard.view" });
  const canPay = ispCan(viewer.user.role, "payments.view");
  const canSeeRouters = ispCan(viewer.user.role, "routers.view");
  const [zones, daily, routers, tickets] = await Promise.all([
    caller.zones.list(),
    canPay ? caller.payments.daily({ days: 14 }) : Promise.resolve(null),
    canSeeRouters ? caller.routers.list() : Promise.resolve(null),
    ispCan(viewer.user.role, "tickets.manage") ? caller.messaging.tickets({ status: "open" }) : Promise.resolve(null),
  ]);
  const routerSummary = routers && {
    total: routers.length,
    online: routers.filter((r) => r.status === "online").length,
    offline: routers.filter((r) => r.status === "offline").map((r) => ({ id: r.id, name: r.name })),
  };
  return { name: viewer.user.fullName || viewer.user.username, business: tenant.businessName, status: tenant.status, zoneCount: zones.length, daily, routers: routerSummary, openTickets: tickets?.open ?? 0 };
}

export default function Overview() {
  const d = useLoaderData<typeof loader>();
  const today = d.daily?.at(-1);
  const fortnight = d.daily?.reduce((sum, x) => sum + x.shillings, 0) ?? 0;
  return (
    <div className="grid gap-6">
      <PageHeader title={`Karibu, ${d.name}`} description={`${d.business} · account status: ${d.status}`} />
      {d.openTickets > 0 ? (
        <Alert>
          {d.openTickets === 1 ? "1 ticket needs" : `${d.openTickets} tickets need`} your attention (a customer message that could not be delivered, or a payment to look at).{" "}
          <Link to="/dashboard/tickets" className="font-semibold underline">
            Open tickets
          </Link>
        </Alert>
      ) : null}
      {d.routers && d.routers.offline.length > 0 ? (
        <Alert>
          Offline now:{" "}
          {d.routers.offline.map((r, i) => (
            <span key={r.id}>
              {i > 0 ? ", " : ""}
              <Link to={`/dashboard/routers/${r.id}`} className="font-semibold underline">
                {r.name}
              </Link>
            </span>
          ))}
          . Customers on {d.routers.offline.length === 1 ? "it" : "them"} may have no internet.
        </Alert>
      ) : null}
      <div className="grid gap-4 sm:grid-cols-3">
        {d.daily ? (
          <>
            <Card className="p-5">
              <p className="text-sm text-slate-500">Received today</p>
              <p className="mt-1 text-3xl font-bold tabular-nums">{kes((today?.shillings ?? 0) * 100)}</p>
              <p className="text-xs text-slate-500">{today?.count ?? 0} payments</p>
            </Card>
            <Card className="p-5">
              <p className="text-sm text-slate-500">Last 14 days</p>
              <p className="mt-1 text-3xl font-bold tabular-nums">{kes(fortnight * 100)}</p>
              <Link to="/dashboard/payments" className="mt-1 inline-block text-sm font-semibold text-brand-700 hover:underline">All payments</Link>
            </Card>
          </>
        ) : null}
        {d.routers ? (
          <Card className="p-5">
            <p className="text-sm text-slate-500">Routers online</p>
            <p className="mt-1 text-3xl font-bold tabular-nums">
              {d.routers.online}
              <span className="text-lg font-medium text-slate-400"> / {d.routers.total}</span>
            </p>
            <Link to="/dashboard/routers" className="mt-1 inline-block text-sm font-semibold text-brand-700 hover:underline">Check each router</Link>
          </Card>
        ) : (
          <Card className="p-5">
            <p className="text-sm text-slate-500">Zones</p>
            <p className="mt-1 text-3xl font-bold">{d.zoneCount}</p>
            <Link to="/dashboard/zones" className="mt-1 inline-block text-sm font-semibold text-brand-700 hover:underline">Manage zones</Link>
          </Card>
        )}
      </div>
      {d.daily ? (
        <Card className="p-5">
          <h2 className="font-semibold">Money received, last 14 days</h2>
          <div className="mt-4">
            <RevenueChart data={d.daily} />
          </div>
        </Card>
      ) : null}
    </div>
  );
}
