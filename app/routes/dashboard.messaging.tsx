import { NavLink, Outlet } from "react-router";
import type { Route } from "./+types/dashboard.messaging";
import { cx } from "../components/ui";
import { requireIspUser } from "../lib/session.server";

export async function loader({ request, context }: Route.LoaderArgs) {
  await requireIspUser(context, request, { permission: "messaging.view" });
  return null;
}

const TABS = [
  { to: "/dashboard/messaging/sms", label: "SMS" },
  { to: "/dashboard/messaging/whatsapp", label: "WhatsApp" },
  { to: "/dashboard/messaging/notifications", label: "Notifications" },
  { to: "/dashboard/messaging/broadcasts", label: "Broadcasts" },
];

/** Messaging: SMS and WhatsApp are separate panels; notifications and broadcasts use both. */
export default function MessagingLayout() {
  return (
    <div className="grid gap-6">
      <nav className="flex gap-1 overflow-x-auto rounded-xl bg-slate-100 p-1 text-sm" aria-label="Messaging">
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
