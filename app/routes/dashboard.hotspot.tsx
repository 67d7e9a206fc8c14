import { useLoaderData } from "react-router";
import type { Route } from "./+types/dashboard.hotspot";
import { SectionTabs } from "../components/section-tabs";
import { requireIspUser } from "../lib/session.server";
import { ispCan } from "../../policies/permissions";

export async function loader({ request, context }: Route.LoaderArgs) {
  const { viewer } = await requireIspUser(context, request, { permission: "vouchers.manage" });
  return { canBrand: ispCan(viewer.user.role, "hotspot.manage") };
}

/** Hotspot: vouchers, the plans they sell, and the rules and portal branding. */
export default function HotspotLayout() {
  const { canBrand } = useLoaderData<typeof loader>();
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
