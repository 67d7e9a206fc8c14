import { Link, useLoaderData } from "react-router";
import type { Route } from "./+types/dashboard._index";
import { Card, PageHeader } from "../components/ui";
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
  const [zones, daily] = await Promise.all([caller.zones.list(), canPay ? caller.payments.daily({ days: 14 }) : Promise.resolve(null)]);
  return { name: viewer.user.fullName || viewer.user.username, business: tenant.businessName, status: tenant.status, zoneCount: zones.length, daily };
}

export default function Overview() {
  const d = useLoaderData<typeof loader>();
  const today = d.daily?.at(-1);
  const fortnight = d.daily?.reduce((sum, x) => sum + x.shillings, 0) ?? 0;
  return (
    <div className="grid gap-6">
      <PageHeader title={`Karibu, ${d.name}`} description={`${d.business} · account status: ${d.status}`} />
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
        <Card className="p-5">
          <p className="text-sm text-slate-500">Zones</p>
          <p className="mt-1 text-3xl font-bold">{d.zoneCount}</p>
          <Link to="/dashboard/zones" className="mt-1 inline-block text-sm font-semibold text-brand-700 hover:underline">Manage zones</Link>
        </Card>
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
