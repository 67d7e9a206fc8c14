import { Link, useLoaderData } from "react-router";
import type { Route } from "./+types/dashboard.hotspot";
import { SectionTabs } from "../components/section-tabs";
import { Card } from "../components/ui";
import { requireIspUser } from "../lib/session.server";
import { ispCan } from "../../policies/permissions";

export async function loader({ request, context }: Route.LoaderArgs) {
  const { viewer, caller } = await requireIspUser(context, request, { permission: "vouchers.manage" });
  // The tier gate: a plan without hotspot explains itself here instead of failing page by page.
  const billing = await caller.billing.summary();
  return { canBrand: ispCan(viewer.user.role, "hotspot.manage"), onPlan: billing.features.includes("hotspot") };
}

/** Hotspot: vouchers, the plans they sell, and the rules and portal branding. */
export default function HotspotLayout() {
  const { canBrand, onPlan } = useLoaderData<typeof loader>();
  if (!onPlan) {
    return (
      <Card className="max-w-xl p-6">
        <h1 className="text-xl font-bold tracking-tight">Hotspot is not on your plan</h1>
        <p className="mt-2 text-slate-600">Your plan does not include hotspot vouchers and the captive portal. Change your plan under Billing to sell them.</p>
        <Link to="/dashboard/billing" className="mt-4 inline-block font-semibold text-brand-700 hover:underline">
          See plans →
        </Link>
      </Card>
    );
  }
  return (
    <SectionTabs
      label="Hotspot"
      tabs={[
        { to: "/dashboard/hotspot/vouchers", label: "Vouchers" },
        { to: "/dashboard/hotspot/plans", label: "Plans" },
        { to: "/dashboard/hotspot/settings", label: "Settings" },
        ...(canBrand ? [{ to: "/dashboard/hotspot/branding", label: "Portal" }] : []),
      ]}
    />
  );
}
