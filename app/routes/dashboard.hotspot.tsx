import type { Route } from "./+types/dashboard.hotspot";
import { SectionTabs } from "../components/section-tabs";
import { requireIspUser } from "../lib/session.server";

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireIspUser(context, request, { permission: "vouchers.manage" });
  return null;
}

/** Hotspot: vouchers, the plans they sell, and the rules and portal branding. */
export default function HotspotLayout() {
  return (
    <SectionTabs
      label="Hotspot"
      tabs={[
        { to: "/dashboard/hotspot/vouchers", label: "Vouchers" },
        { to: "/dashboard/hotspot/plans", label: "Plans" },
        { to: "/dashboard/hotspot/settings", label: "Settings" },
      ]}
    />
  );
}
