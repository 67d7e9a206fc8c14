import { Form, NavLink, Outlet, useLoaderData } from "react-router";
import type { Route } from "./+types/console";
import { Logo, cx } from "../components/ui";
import { SessionTimeout } from "../components/session-timeout";
import { requirePlatformUser } from "../lib/session.server";
import { platformCan, type PlatformPermission } from "../../policies/permissions";

/**
 * The platform console's frame on admin.APP_DOMAIN (any other host: 404): header, menu by the
 * console role (policies/permissions.ts), the unread support count and the idle warning.
 */
export async function loader({ request, context }: Route.LoaderArgs) {
  const { viewer, caller } = await requirePlatformUser(context, request);
  const role = viewer.user.role;
  return {
    user: { name: viewer.user.fullName || viewer.user.username, role },
    can: Object.fromEntries(NAV.map((n) => [n.to, platformCan(role, n.permission)])) as Record<string, boolean>,
    supportUnread: platformCan(role, "support.chat") ? (await caller.console.supportInbox()).unread : 0,
    idleSecondsLeft: Math.max(0, Math.floor((viewer.idleExpiresAt.getTime() - Date.now()) / 1000)),
  };
}

const NAV: Array<{ to: string; label: string; permission: PlatformPermission }> = [
  { to: "/analytics", label: "Analytics", permission: "billing.view" },
  { to: "/tenants", label: "ISPs", permission: "tenants.view" },
  { to: "/billing", label: "Billing", permission: "billing.view" },
  { to: "/support", label: "Support", permission: "support.chat" },
  { to: "/audit", label: "Audit", permission: "audit.view" },
  { to: "/admins", label: "Admins", permission: "admins.manage" },
  { to: "/settings", label: "Settings", permission: "settings.manage" },
];

const ROLE_NAMES: Record<string, string> = { super_admin: "Super admin", support: "Support", billing: "Billing", read_only: "Read only" };

export default function ConsoleLayout() {
  const { user, can, supportUnread, idleSecondsLeft } = useLoaderData<typeof loader>();
  return (
    <div className="min-h-dvh">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-3 px-4 py-3 sm:px-6">
          <span className="flex items-center gap-3">
            <Logo /> <span className="rounded bg-slate-900 px-2 py-0.5 text-xs font-semibold text-white">Console</span>
          </span>
          <Form method="post" action="/logout" className="flex flex-wrap items-center justify-end gap-x-4 gap-y-1 text-sm text-slate-600">
            <span>
              {user.name} <span className="hidden text-slate-400 sm:inline">· {ROLE_NAMES[user.role] ?? user.role}</span>
            </span>
            <NavLink to="/account" className={({ isActive }) => cx("whitespace-nowrap font-semibold hover:underline", isActive ? "text-brand-700" : "text-slate-900")}>
              My account
            </NavLink>
            <button className="whitespace-nowrap font-semibold text-slate-900 hover:underline">Sign out</button>
          </Form>
        </div>
        <nav className="mx-auto flex max-w-6xl gap-1 overflow-x-auto px-2 sm:px-4">
          {NAV.filter((n) => can[n.to]).map((n) => (
            <NavLink
              key={n.to}
              to={n.to}
              className={({ isActive }) =>
                cx("whitespace-nowrap border-b-2 px-3 py-2.5 text-sm font-medium", isActive ? "border-brand-600 text-brand-700" : "border-transparent text-slate-600 hover:text-slate-900")
              }
            >
              {n.label}
              {n.to === "/support" && supportUnread > 0 ? (
                <span className="ml-1.5 rounded-full bg-brand-600 px-1.5 text-xs font-semibold text-white tabular-nums" aria-label={`${supportUnread} unread`} data-testid="console-support-unread">
                  {supportUnread}
                </span>
              ) : null}
            </NavLink>
          ))}
        </nav>
      </header>
      <main className="mx-auto max-w-6xl px-4 py-8 sm:px-6">
        <Outlet />
      </main>
      <SessionTimeout secondsLeft={idleSecondsLeft} />
    </div>
  );
}
