/** Plain-language descriptions of audit rows, shared by the page and the CSV export. */
const EVENTS: Record<string, string> = {
  "auth.login": "Signed in",
  "auth.login_failed": "Failed sign-in",
  "auth.login_blocked": "Sign-in refused while locked",
  "auth.locked": "Sign-in locked after failures",
  "auth.logout": "Signed out",
  "auth.2fa_challenge": "Asked for the second step",
  "auth.2fa_failed": "Wrong two-step code",
  "auth.2fa_enabled": "Turned on two-step verification",
  "auth.2fa_disabled": "Turned off two-step verification",
  "auth.recovery_codes_regenerated": "Made new recovery codes",
  "auth.password_changed": "Changed password",
  "auth.password_change_failed": "Failed password change",
  "auth.password_reset_requested": "Asked for a password reset",
  "auth.password_reset": "Reset password by email",
  "auth.email_verified": "Confirmed email address",
  "auth.verification_resent": "Asked for a new confirmation email",
  "auth.signed_out_everywhere": "Signed out everywhere",
  "staff.invited": "Invited a team member",
  "staff.invite_resent": "Sent an invitation again",
  "staff.invite_accepted": "Accepted the invitation",
  "staff.role_changed": "Changed a role",
  "staff.deactivated": "Deactivated an account",
  "staff.reactivated": "Reactivated an account",
  "tenant.registered": "Registered the ISP",
  "export.activity": "Exported the activity log",
};
const THINGS: Record<string, string> = { zones: "Zone", users: "Team member", tenants: "ISP profile", user_tokens: "Sign-in link", recovery_codes: "Recovery code" };

export const ACTION_FILTERS: Array<[string, string]> = [
  ["", "Everything"],
  ["auth", "Sign-ins and security"],
  ["staff", "Team changes"],
  ["zones", "Zones"],
  ["users", "Account records"],
  ["export", "Exports"],
];

export function describeEvent(e: { action: string; tableName: string | null; changes: unknown }) {
  if (!e.tableName) return EVENTS[e.action] ?? e.action;
  const thing = THINGS[e.tableName] ?? e.tableName.replace(/_/g, " ");
  const changes = (e.changes ?? {}) as Record<string, unknown>;
  const name = typeof changes.name === "string" ? ` “${changes.name}”` : typeof changes.username === "string" ? ` “${changes.username}”` : "";
  if (e.action === "UPDATE") return `${thing} changed: ${Object.keys(changes).join(", ").replace(/_/g, " ")}`;
  return `${thing}${name} ${e.action === "INSERT" ? "created" : "deleted"}`;
}

export function describeActor(e: { actorKind: string; actorName: string | null }) {
  if (e.actorName) return e.actorName;
  return { system: "mnetifi (automatic)", anonymous: "Not signed in", platform_user: "mnetifi support" }[e.actorKind] ?? e.actorKind;
}
