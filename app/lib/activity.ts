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
  "export.payments": "Exported payments",
  "export.csv": "Exported a list (CSV)",
  "export.xlsx": "Exported a list (Excel)",
  "mpesa.credentials_tested": "Tested the M-Pesa credentials",
  "mpesa.c2b_registered": "Registered the paybill/till URLs with M-Pesa",
  "mpesa.manual_payment_recorded": "Recorded an M-Pesa code by hand",
  "mpesa.payment_assigned": "Assigned unmatched money",
  "mpesa.payment_retried": "Retried a payment",
  "mpesa.exception_acknowledged": "Acknowledged a payment exception",
  "router.setup_script_generated": "Made a router setup script (new API password)",
  "router.operations_retried": "Retried router changes",
  "router.drift_repair_requested": "Asked for a router drift check",
  "router.offline": "Router went offline",
  "router.online": "Router came back online",
  "messaging.provider_saved": "Saved an SMS/WhatsApp provider",
  "messaging.provider_removed": "Removed an SMS/WhatsApp provider",
  "messaging.template_saved": "Changed a message template",
  "messaging.notifications_saved": "Changed notification settings",
  "messaging.test_sent": "Sent a test message",
  "messaging.broadcast_created": "Created a broadcast",
  "messaging.broadcast_cancelled": "Cancelled a broadcast",
  "ticket.resolved": "Resolved a ticket",
  "ticket.retried": "Retried a ticket",
  "hotspot.plan_created": "Created a hotspot plan",
  "hotspot.plan_updated": "Changed a hotspot plan",
  "hotspot.plan_deleted": "Deleted a hotspot plan",
  "hotspot.plans_reordered": "Reordered hotspot plans",
  "hotspot.settings_saved": "Changed the hotspot rules",
  "hotspot.branding_saved": "Changed the portal's branding",
  "vouchers.batch_generated": "Generated a batch of vouchers",
  "voucher.extended": "Extended a voucher",
  "voucher.modified": "Changed a voucher",
  "voucher.disabled": "Disabled a voucher",
  "voucher.enabled": "Enabled a voucher",
  "voucher.device_logged_out": "Logged a device out of a voucher",
  "impersonation.start": "mnetifi support started viewing your dashboard",
  "impersonation.entered": "mnetifi support entered your dashboard",
  "impersonation.action": "mnetifi support made a change while viewing",
  "impersonation.end": "mnetifi support stopped viewing your dashboard",
  "impersonation.token_refused": "A link to enter the dashboard was refused",
  "tenant.suspended": "mnetifi suspended your dashboard",
  "tenant.blocked": "mnetifi blocked your dashboard",
  "tenant.restored": "mnetifi restored your dashboard",
  "support.message_sent": "Wrote to mnetifi support",
  "support.reply_sent": "mnetifi support replied",
};
const THINGS: Record<string, string> = {
  zones: "Zone",
  users: "Team member",
  tenants: "ISP profile",
  user_tokens: "Sign-in link",
  recovery_codes: "Recovery code",
  routers: "Router",
  hotspot_plans: "Hotspot plan",
  hotspot_settings: "Hotspot rules",
  vouchers: "Voucher",
  voucher_batches: "Voucher batch",
  hotspot_trials: "Free trial",
  customers: "Customer",
  payments: "Payment",
  tickets: "Ticket",
  impersonations: "Console visit",
  support_messages: "Support message",
  platform_users: "Console admin",
};

export const ACTION_FILTERS: Array<[string, string]> = [
  ["", "Everything"],
  ["auth", "Sign-ins and security"],
  ["staff", "Team changes"],
  ["zones", "Zones"],
  ["hotspot", "Hotspot plans and rules"],
  ["voucher", "Vouchers"],
  ["router", "Routers"],
  ["messaging", "Messaging"],
  ["mpesa", "M-Pesa"],
  ["users", "Account records"],
  ["export", "Exports"],
  ["impersonation", "mnetifi support visits"],
  ["support", "Support chat"],
];

export function describeEvent(e: { action: string; tableName: string | null; changes: unknown }) {
  if (!e.tableName) return EVENTS[e.action] ?? e.action;
  const thing = THINGS[e.tableName] ?? e.tableName.replace(/_/g, " ");
  const changes = (e.changes ?? {}) as Record<string, unknown>;
  const name = typeof changes.name === "string" ? ` “${changes.name}”` : typeof changes.username === "string" ? ` “${changes.username}”` : "";
  if (e.action === "UPDATE") return `${thing} changed: ${Object.keys(changes).join(", ").replace(/_/g, " ")}`;
  return `${thing}${name} ${e.action === "INSERT" ? "created" : "deleted"}`;
}

export function describeActor(e: { actorKind: string; actorName: string | null; impersonatorId?: string | null }) {
  // Done while a platform admin was viewing the ISP: the admin did it, whoever it looks like.
  if (e.impersonatorId && e.actorKind !== "platform_user") return e.actorName ? `mnetifi support (viewing as ${e.actorName})` : "mnetifi support";
  if (e.actorName) return e.actorName;
  return { system: "mnetifi (automatic)", anonymous: "Not signed in", platform_user: "mnetifi support" }[e.actorKind] ?? e.actorKind;
}
