import type { ReactNode } from "react";
import { Card, cx } from "./ui";

/** An ISP's state as the console shows it (server/services/tenant-standing.ts), in list order. */
export const TENANT_STATUSES = ["trial", "active", "unpaid", "suspended", "blocked", "pending"] as const;

const STATUS_STYLES: Record<string, string> = {
  pending: "bg-slate-100 text-slate-700",
  trial: "bg-sky-100 text-sky-800",
  active: "bg-emerald-100 text-emerald-800",
  unpaid: "bg-orange-100 text-orange-800",
  suspended: "bg-amber-100 text-amber-800",
  blocked: "bg-red-100 text-red-800",
};
export const STATUS_LABELS: Record<string, string> = { pending: "Email not confirmed", trial: "Trial", active: "Active", unpaid: "Unpaid, closed", suspended: "Suspended", blocked: "Blocked" };
/** Shorter words for the status filter. */
export const STATUS_FILTER_LABELS: Record<string, string> = { ...STATUS_LABELS, pending: "Unconfirmed", unpaid: "Unpaid" };

/** An ISP's status as a coloured pill. */
export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={cx("inline-flex whitespace-nowrap rounded-full px-2.5 py-0.5 text-xs font-medium", STATUS_STYLES[status] ?? "bg-slate-100 text-slate-700")} data-status={status}>
      {STATUS_LABELS[status] ?? status}
    </span>
  );
}

/** One number with its label, for the console's summary rows. */
export function Stat({ label, value, hint, testId }: { label: string; value: ReactNode; hint?: ReactNode; testId?: string }) {
  return (
    <Card className="p-4">
      <p className="text-xs font-medium uppercase tracking-wide text-slate-500">{label}</p>
      <p className="mt-1 text-2xl font-bold tabular-nums text-slate-900" data-testid={testId}>
        {value}
      </p>
      {hint ? <p className="mt-0.5 text-xs text-slate-500">{hint}</p> : null}
    </Card>
  );
}

/** What a console audit row was, in words (platform events first, then the ISP wording). */
const CONSOLE_EVENTS: Record<string, string> = {
  "auth.login": "Signed in",
  "auth.login_failed": "Failed sign-in",
  "auth.logout": "Signed out",
  "impersonation.start": "Started viewing as the ISP",
  "impersonation.entered": "Entered the ISP's dashboard",
  "impersonation.action": "Changed something while viewing as the ISP",
  "impersonation.end": "Stopped viewing as the ISP",
  "impersonation.token_refused": "Entry link refused",
  "console.tenant_viewed": "Opened an ISP's page",
  "tenant.suspended": "Suspended the ISP's dashboard",
  "tenant.blocked": "Blocked the ISP's dashboard",
  "tenant.restored": "Restored the ISP's dashboard",
  "tenant.renamed": "Renamed the ISP",
  "support.message_sent": "ISP wrote to support",
  "support.reply_sent": "Replied to the ISP",
  "platform_admin.invited": "Invited a console admin",
  "platform_admin.invite_resent": "Sent a console admin's invitation again",
  "platform_admin.invite_accepted": "Accepted the console invitation and chose a password",
  "platform_admin.role_changed": "Changed a console admin's role",
  "platform_admin.disabled": "Disabled a console admin",
  "platform_admin.enabled": "Enabled a console admin",
  "platform_admin.two_factor_reset": "Reset a console admin's two-step sign-in",
};

const CONSOLE_ROLE_NAMES: Record<string, string> = { super_admin: "Super admin", support: "Support", billing: "Billing", read_only: "Read only" };

/** "Jane Wanjiru (@jane)": the admin a platform_admin.* event was about, from its details. */
function adminNamed(d: Record<string, unknown>) {
  const name = typeof d.name === "string" && d.name ? d.name : null;
  const username = typeof d.username === "string" ? `@${d.username}` : null;
  return name && username ? `${name} (${username})` : (name ?? username ?? "a console admin");
}

function platformAdminEvent(action: string, d: Record<string, unknown>): string | null {
  const role = (r: unknown) => (typeof r === "string" ? (CONSOLE_ROLE_NAMES[r] ?? r) : "?");
  switch (action) {
    case "platform_admin.invited":
      return `Invited ${adminNamed(d)} as ${role(d.role)}`;
    case "platform_admin.invite_resent":
      return `Sent ${adminNamed(d)} a new invitation`;
    case "platform_admin.invite_accepted":
      return `Accepted the invitation and chose a password (${role(d.role)})`;
    case "platform_admin.role_changed":
      return `Changed the role of ${adminNamed(d)}: ${role(d.from)} → ${role(d.to)}`;
    case "platform_admin.disabled": {
      const n = typeof d.sessionsEnded === "number" ? d.sessionsEnded : 0;
      return `Disabled ${adminNamed(d)}${n ? ` (${n} session${n === 1 ? "" : "s"} ended)` : ""}`;
    }
    case "platform_admin.enabled":
      return `Enabled ${adminNamed(d)} again`;
    case "platform_admin.two_factor_reset":
      return `Turned off the two-step sign-in of ${adminNamed(d)} (lost phone and recovery codes)`;
  }
  return null;
}

export function describeConsoleEvent(e: { action: string; tableName: string | null; changes: unknown; details: unknown }, fallback: (e: { action: string; tableName: string | null; changes: unknown }) => string) {
  const d = (e.details ?? {}) as Record<string, unknown>;
  if (!e.tableName && e.action.startsWith("platform_admin.")) return platformAdminEvent(e.action, d) ?? CONSOLE_EVENTS[e.action] ?? e.action;
  const base = e.tableName ? fallback(e) : CONSOLE_EVENTS[e.action] ?? fallback(e);
  if ((e.action === "impersonation.start" || e.action.startsWith("tenant.")) && typeof d.reason === "string") return `${base}: “${d.reason}”`;
  if (e.action === "impersonation.end" && typeof d.reason === "string") return `${base} (${{ exit: "exit", expired: "time up", signed_out: "signed out", replaced: "started again", console: "ended from the console", console_signed_out: "signed out of the console" }[d.reason] ?? d.reason})`;
  if (e.action === "impersonation.action" && typeof d.procedure === "string") return `${base}: ${d.procedure}`;
  if (e.action === "tenant.renamed" && typeof d.from === "string" && typeof d.to === "string") return `${base}: “${d.from}” → “${d.to}”`;
  return base;
}

/** Who did it: the platform admin when there was one (directly, or while viewing as the ISP). */
export function Who({ e }: { e: { actorKind: string; actorName: string | null; impersonatorName: string | null } }) {
  if (e.impersonatorName && e.actorKind !== "platform_user") {
    return (
      <span data-testid="impersonated-by">
        <strong className="font-semibold text-amber-800">{e.impersonatorName}</strong>
        {e.actorName ? <span className="block text-xs text-slate-500">as {e.actorName}</span> : null}
      </span>
    );
  }
  if (e.actorKind === "platform_user") return <strong className="font-semibold text-slate-800">{e.actorName ?? "A platform admin"}</strong>;
  if (e.actorKind === "anonymous" && e.actorName) return <>Not signed in <span className="block text-xs text-slate-500">trying {e.actorName}&apos;s account</span></>;
  return <>{e.actorName ?? { system: "mnetifi (automatic)", anonymous: "Not signed in", user: "ISP user" }[e.actorKind] ?? e.actorKind}</>;
}
