/**
 * The role/permission matrix. The server enforces it in every procedure
 * (server/trpc/init.ts: `can(...)` middlewares); the UI reads the same table to hide or
 * disable what a role cannot do. Adding a permission means adding it here, nowhere else.
 */

export const ISP_ROLES = ["owner", "admin", "staff", "technician", "reseller"] as const;
export type IspRole = (typeof ISP_ROLES)[number];

export const PLATFORM_ROLES = ["super_admin", "support", "billing", "read_only"] as const;
export type PlatformRole = (typeof PLATFORM_ROLES)[number];

export const ISP_PERMISSIONS = {
  "dashboard.view": "See the dashboard overview",
  "zones.view": "See zones",
  "zones.manage": "Create, rename and delete zones",
  "routers.view": "See routers and their status",
  "routers.manage": "Add, change, test and remove routers",
  "staff.view": "See staff accounts",
  "staff.manage": "Invite staff, change roles, deactivate accounts",
  "audit.view": "Read the ISP's activity log",
  "settings.manage": "Change the ISP's settings (M-Pesa credentials included)",
  "payments.view": "See payments, exceptions and totals",
  "payments.manage": "Record reported M-Pesa codes, assign unmatched payments, retry",
  "messaging.view": "See messages, templates, broadcasts and their delivery",
  "messaging.send": "Send test messages and broadcasts",
  "messaging.manage": "Set up SMS/WhatsApp providers, templates, notifications and branding",
  "tickets.manage": "See and resolve tickets (failed voucher/payment messages…)",
  "customers.view": "See customers (later issue)",
  "customers.manage": "Create and change customers (later issue)",
  "vouchers.manage": "Generate, look up, extend and disable vouchers",
  "hotspot.manage": "Hotspot plans, voucher rules and the captive portal's branding",
  "billing.manage": "Choose the mnetifi plan, pay the subscription, download invoices and receipts",
  "support.chat": "Chat with mnetifi support",
} as const;
export type IspPermission = keyof typeof ISP_PERMISSIONS;

const ALL_ISP = Object.keys(ISP_PERMISSIONS) as IspPermission[];

export const ISP_MATRIX: Record<IspRole, readonly IspPermission[]> = {
  owner: ALL_ISP,
  admin: ALL_ISP.filter((p) => p !== "billing.manage"),
  staff: ["dashboard.view", "zones.view", "routers.view", "staff.view", "customers.view", "customers.manage", "vouchers.manage", "payments.view", "messaging.view", "messaging.send", "tickets.manage", "support.chat"],
  technician: ["dashboard.view", "zones.view", "routers.view", "customers.view", "customers.manage"],
  reseller: ["dashboard.view", "vouchers.manage"],
};

export const PLATFORM_PERMISSIONS = {
  "tenants.view": "See ISPs and their usage",
  "tenants.manage": "Suspend, block and restore ISPs",
  "tenants.impersonate": "Enter an ISP's dashboard as the ISP, for troubleshooting (time-limited, audited)",
  "billing.view": "See platform billing",
  "billing.manage": "Record payments, change tiers and prices",
  "settings.manage": "Change platform settings (trial length, senders)",
  "admins.manage": "Manage platform sub-admins",
  "audit.view": "Read the platform audit log",
  "support.chat": "Read and answer ISPs' support chats",
} as const;
export type PlatformPermission = keyof typeof PLATFORM_PERMISSIONS;

export const PLATFORM_MATRIX: Record<PlatformRole, readonly PlatformPermission[]> = {
  super_admin: Object.keys(PLATFORM_PERMISSIONS) as PlatformPermission[],
  // Entering an ISP's dashboard is the super admin's alone by default (issue 8); add
  // "tenants.impersonate" here to let support staff do it too.
  support: ["tenants.view", "billing.view", "audit.view", "support.chat"],
  billing: ["tenants.view", "billing.view", "billing.manage"],
  read_only: ["tenants.view", "billing.view", "audit.view"],
};

/** How each console role is called on screen, and in a few words what it is for. */
export const PLATFORM_ROLE_INFO: Record<PlatformRole, { name: string; summary: string }> = {
  super_admin: { name: "Super admin", summary: "Everything, including other admins" },
  support: { name: "Support", summary: "Helps ISPs: reads their numbers, answers the support chat" },
  billing: { name: "Billing", summary: "Runs the platform's own billing of ISPs" },
  read_only: { name: "Read only", summary: "Looks, changes nothing" },
};

/** What a console role may do, in words (the PLATFORM_PERMISSIONS descriptions), for the Admins page. */
export function platformRoleAbilities(role: string): string[] {
  return (PLATFORM_MATRIX[role as PlatformRole] ?? []).map((p) => PLATFORM_PERMISSIONS[p]);
}

export function ispCan(role: string, permission: IspPermission): boolean {
  return (ISP_MATRIX[role as IspRole] ?? []).includes(permission);
}

export function platformCan(role: string, permission: PlatformPermission): boolean {
  return (PLATFORM_MATRIX[role as PlatformRole] ?? []).includes(permission);
}

/** Roles an ISP user may hand out: nobody creates owners, admins cannot create admins. */
export function assignableRoles(actorRole: string): IspRole[] {
  if (actorRole === "owner") return ["admin", "staff", "technician", "reseller"];
  if (actorRole === "admin") return ["staff", "technician", "reseller"];
  return [];
}
