import { Form, Link, NavLink, Outlet, useLoaderData } from "react-router";
import { formatDateTime } from "../lib/format";
import type { Route } from "./+types/dashboard";
import { cx } from "../components/ui";
import { SessionTimeout } from "../components/session-timeout";
import { ImpersonationBanner } from "../components/impersonation-banner";
import { requireIspUser } from "../lib/session.server";
import { ispCan, type IspPermission } from "../../policies/permissions";

export async function loader({ request, context }: Route.LoaderArgs) {
  const { viewer, tenant, locked, caller } = await requireIspUser(context, request, { allowLocked: true });
  const billing = viewer.user.emailVerified ? await caller.billing.summary() : null;
  const imp = viewer.impersonation;
  const canChat = viewer.user.emailVerified && ispCan(viewer.user.role, "support.chat");
  return {
    tenant: { name: tenant.businessName, status: tenant.status, timezone: tenant.timezone },
    user: { name: viewer.user.fullName || viewer.user.username, role: viewer.user.role, canChat },
    locked: Boolean(locked),
    idleSecondsLeft: Math.max(0, Math.floor((viewer.idleExpiresAt.getTime() - Date.now()) / 1000)),
    /** The tier's features (the menu hides what the plan lacks) and the trial's end, for the banner. */
    features: billing?.features ?? [],
    trialEndsAt: billing?.phase === "trial" ? billing.dueAt : null,
    /** A platform admin viewing the ISP from the console (server/services/impersonation.ts). */
    impersonation: imp ? { adminName: imp.adminName, reason: imp.reason, secondsLeft: Math.max(0, Math.floor((imp.expiresAt.getTime() - Date.now()) / 1000)) } : null,
    supportUnread: canChat ? await caller.support.unread() : 0,
  };
}

const NAV: Array<{ to: string; label: string; end?: boolean; permission?: IspPermission; feature?: string }> = [
  { to: "/dashboard", label: "Overview", end: true, permission: "dashboard.view" },
  { to: "/dashboard/payments", label: "Payments", permission: "payments.view" },
  { to: "/dashboard/hotspot", label: "Hotspot", permission: "vouchers.manage", feature: "hotspot" },
  { to: "/dashboard/routers", label: "Routers", permission: "routers.view" },
  { to: "/dashboard/zones", label: "Zones", permission: "zones.view" },
  { to: "/dashboard/messaging", label: "Messaging", permission: "messaging.view" },
  { to: "/dashboard/tickets", label: "Tickets", permission: "tickets.manage" },
  { to: "/dashboard/staff", label: "Team", permission: "staff.view" },
  { to: "/dashboard/activity", label: "Activity", permission: "audit.view" },
  { to: "/dashboard/settings/mpesa", label: "M-Pesa", permission: "settings.manage" },
  { to: "/dashboard/billing", label: "Billing", permission: "billing.manage" },
  { to: "/dashboard/support", label: "Support", permission: "support.chat" },
  { to: "/dashboard/account", label: "My account" },
];

export default function DashboardLayout() {
  const { tenant, user, locked, idleSecondsLeft, features, trialEndsAt, impersonation, supportUnread } = useLoaderData<typeof loader>();
  // The menu shows only what the role and the plan allow; the server refuses the rest regardless. A
  // closed dashboard still offers Support: a suspended ISP must be able to reach mnetifi.
  const nav = locked
    ? NAV.filter((n) => n.to === "/dashboard/support" && user.canChat)
    : NAV.filter((n) => (!n.permission || ispCan(user.role, n.permission)) && (!n.feature || features.includes(n.feature as never)));
  return (
    <div className="min-h-dvh">
      {impersonation ? <ImpersonationBanner business={tenant.name} {...impersonation} /> : null}
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-3 px-4 py-3 sm:px-6">
          <span className="font-bold tracking-tight">{tenant.name}</span>
          <Form method="post" action="/logout" className="flex items-center gap-3 text-sm text-slate-600">
            <span>
              {user.name} <span className="text-slate-400">· {user.role}</span>
            </span>
            <button className="font-semibold text-slate-900 hover:underline">Sign out</button>
          </Form>
        </div>
        {nav.length ? (
          <nav className="mx-auto flex max-w-6xl gap-1 overflow-x-auto px-2 sm:px-4">
            {nav.map((n) => (
              <NavLink
                key={n.to}
                to={n.to}
                end={n.end}
                className={({ isActive }) =>
                  cx("whitespace-nowrap border-b-2 px-3 py-2.5 text-sm font-medium", isActive ? "border-brand-600 text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900")
                }
              >
                {({ isActive }) => (
                  <>
                    {n.label}
                    {n.to === "/dashboard/support" && supportUnread > 0 && !isActive ? (
                      <span className="ml-1.5 rounded-full bg-brand-600 px-1.5 text-xs font-semibold text-white tabular-nums" aria-label={`${supportUnread} unread`} data-testid="support-unread">
                        {supportUnread}
                      </span>
                    ) : null}
                  </>
                )}
              </NavLink>
            ))}
          </nav>
        ) : null}
      </header>
      {trialEndsAt && !locked ? (
        <div className="border-b border-sky-200 bg-sky-50 text-sm text-sky-900">
          <p className="mx-auto max-w-6xl px-4 py-2 sm:px-6">
            Free trial until {formatDateTime(trialEndsAt, tenant.timezone)}.{" "}
            {ispCan(user.role, "billing.manage") ? (
              <Link to="/dashboard/billing" className="font-semibold underline">
                Choose a plan
              </Link>
            ) : (
              "Your owner chooses the plan."
            )}
          </p>
        </div>
      ) : null}
      <main className="mx-auto max-w-6xl px-4 py-8 sm:px-6">
        <Outlet />
      </main>
      {impersonation ? null : <SessionTimeout secondsLeft={idleSecondsLeft} />}
    </div>
  );
}
