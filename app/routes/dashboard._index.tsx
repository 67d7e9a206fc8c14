import { Link, useLoaderData } from "react-router";
import type { Route } from "./+types/dashboard._index";
import { Card, PageHeader } from "../components/ui";
import { requireIspUser } from "../lib/session.server";

export function meta() {
  return [{ title: "Overview · mnetifi" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, viewer, tenant } = await requireIspUser(context, request, { permission: "dashboard.view" });
  const zones = await caller.zones.list();
  return { name: viewer.user.fullName || viewer.user.username, business: tenant.businessName, status: tenant.status, zoneCount: zones.length };
}

export default function Overview() {
  const d = useLoaderData<typeof loader>();
  return (
    <div className="grid gap-6">
      <PageHeader title={`Karibu, ${d.name}`} description={`${d.business} · account status: ${d.status}`} />
      <div className="grid gap-4 sm:grid-cols-3">
        <Card className="p-5">
          <p className="text-sm text-slate-500">Zones</p>
          <p className="mt-1 text-3xl font-bold">{d.zoneCount}</p>
          <Link to="/dashboard/zones" className="mt-2 inline-block text-sm font-semibold text-brand-700 hover:underline">
            Manage zones
          </Link>
        </Card>
      </div>
    </div>
  );
}
