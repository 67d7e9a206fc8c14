import { NavLink, Outlet } from "react-router";
import type { Route } from "./+types/dashboard.hotspot";
import { cx } from "../components/ui";
import { requireIspUser } from "../lib/session.server";

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireIspUser(context, request, { permission: "vouchers.manage" });
  return null;
}

const TABS = [
  { to: "/dashboard/hotspot/vouchers", label: "Vouchers" },
  { to: "/dashboard/hotspot/plans", label: "Plans" },
  { to: "/dashboard/hotspot/settings", label: "Settings" },
];

/** Hotspot: vouchers, the plans they sell, and the rules and portal branding. */
export default function HotspotLayout() {
  return (
    <div className="grid gap-6">
      <nav className="flex gap-1 overflow-x-auto rounded-xl bg-slate-100 p-1 text-sm" aria-label="Hotspot">
        {TABS.map((t) => (
          <NavLink
            key={t.to}
            to={t.to}
            className={({ isActive }) => cx("whitespace-nowrap rounded-lg px-4 py-2 font-medium", isActive ? "bg-white text-slate-900 shadow-sm" : "text-slate-600 hover:text-slate-900")}
          >
            {t.label}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </div>
  );
}
