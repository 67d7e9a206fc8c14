import { and, desc, eq, isNotNull, isNull, like, or, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { auditEvents, billingTiers, platformUsers, tenants, users } from "../../db/schema";
import { enterTenant, type Tx } from "../../db/client";
import { recentImpersonations } from "./impersonation";
import { supportUnread } from "./support";
import { CONSOLE_STATUSES, consoleStatus, consoleStatusSql, type ConsoleStatus } from "./tenant-standing";

/**
 * What the platform console reads about ISPs. Platform context; numbers come from
 * app_public.platform_tenant_usage (aggregates only); one ISP's own rows (owner, impersonations,
 * support thread) are read after entering that ISP's tenant explicitly (design §4).
 */

export const TENANT_STATUSES = CONSOLE_STATUSES;
export type TenantStatus = ConsoleStatus;
export const USAGE_DAYS = 30;

export type TenantUsage = {
  customers: number;
  routersTotal: number;
  routersOnline: number;
  activeVouchers: number;
  vouchersSold: number;
  messagesSent: number;
  revenueCents: number;
  paymentsPaid: number;
  lastActivityAt: Date | null;
};

export type TenantListRow = {
  id: string;
  slug: string;
  businessName: string;
  status: TenantStatus;
  createdAt: Date;
  verifiedAt: Date | null;
  trialEndsAt: Date | null;
  tierId: string | null;
  tierName: string | null;
  paidUntil: Date | null;
  holdReason: string | null;
  usage: TenantUsage;
};

const SORTS = {
  newest: sql`t.created_at desc`,
  name: sql`lower(t.business_name) asc`,
  revenue: sql`u.revenue_cents desc, t.created_at desc`,
  activity: sql`u.last_activity_at desc nulls last`,
} as const;
export type TenantSort = keyof typeof SORTS;

type UsageSqlRow = {
  customers: number;
  routers_total: number;
  routers_online: number;
  active_vouchers: number;
  vouchers_sold: number;
  messages_sent: number;
  revenue_cents: string | number;
  payments_paid: number;
  last_activity_at: string | Date | null;
};

function usageFrom(r: UsageSqlRow): TenantUsage {
  return {
    customers: r.customers,
    routersTotal: r.routers_total,
    routersOnline: r.routers_online,
    activeVouchers: r.active_vouchers,
    vouchersSold: r.vouchers_sold,
    messagesSent: r.messages_sent,
    revenueCents: Number(r.revenue_cents),
    paymentsPaid: r.payments_paid,
    lastActivityAt: r.last_activity_at ? new Date(r.last_activity_at) : null,
  };
}

export function usageSince(now = new Date()) {
  return new Date(now.getTime() - USAGE_DAYS * 86_400_000);
}

/** Every ISP matching the search and status, with its numbers, in one query. */
export async function listTenants(tx: Tx, filter: { q?: string; status?: TenantStatus; sort?: TenantSort; limit?: number }, now = new Date()): Promise<TenantListRow[]> {
  const where: SQL[] = [];
  if (filter.q) {
    const like = `%${filter.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(sql`(t.business_name ilike ${like} or t.slug ilike ${like})`);
  }
  if (filter.status) where.push(sql`${consoleStatusSql(now)} = ${filter.status}`);
  type Row = UsageSqlRow & { id: string; slug: string; business_name: string; console_status: TenantStatus; created_at: string; verified_at: string | null; trial_ends_at: string | null; tier_id: string | null; tier_name: string | null; paid_until: string | null; hold_reason: string | null };
  const res = await tx.execute<Row>(sql`
    select t.id, t.slug, t.business_name, ${consoleStatusSql(now)} as console_status, t.created_at, t.verified_at, t.trial_ends_at,
           t.tier_id, bt.name as tier_name, t.paid_until, t.hold_reason, u.*
      from tenants t
      join app_public.platform_tenant_usage(${usageSince(now).toISOString()}::timestamptz) u on u.tenant_id = t.id
      left join billing_tiers bt on bt.id = t.tier_id
     ${where.length ? sql`where ${sql.join(where, sql` and `)}` : sql``}
     order by ${SORTS[filter.sort ?? "newest"]}
     limit ${filter.limit ?? 500}`);
  return res.rows.map((r) => ({
    id: r.id,
    slug: r.slug,
    businessName: r.business_name,
    status: r.console_status,
    createdAt: new Date(r.created_at),
    verifiedAt: r.verified_at ? new Date(r.verified_at) : null,
    trialEndsAt: r.trial_ends_at ? new Date(r.trial_ends_at) : null,
    tierId: r.tier_id,
    tierName: r.tier_name,
    paidUntil: r.paid_until ? new Date(r.paid_until) : null,
    holdReason: r.hold_reason,
    usage: usageFrom(r),
  }));
}

/** How many ISPs are in each console status (the list's filter chips). */
export async function tenantStatusCounts(tx: Tx, now = new Date()) {
  const res = await tx.execute<{ status: TenantStatus; n: number }>(sql`select ${consoleStatusSql(now)} as status, count(*)::int as n from tenants t group by 1`);
  const out: Record<string, number> = {};
  for (const r of res.rows) out[r.status] = r.n;
  return out;
}

/** Sign-in attempts on the console that did not (yet) sign anyone in: wrong passwords and codes, locks. */
const consoleSignInAttempt = and(eq(auditEvents.actorKind, "anonymous"), isNull(auditEvents.tenantId), like(auditEvents.action, "auth.%"));

/** Platform-wide recent audit events, with who did them (platform users and, for one ISP, its users). */
const aboutTenant = sql<string | null>`coalesce(${auditEvents.tenantId}, case when ${auditEvents.details}->>'tenantId' ~ '^[0-9a-f-]{36}$' then (${auditEvents.details}->>'tenantId')::uuid end)`;

async function auditRows(tx: Tx, where: SQL | undefined, limit: number) {
  const admin = alias(platformUsers, "admin");
  const impersonator = alias(platformUsers, "impersonator");
  const rows = await tx
    .select({ event: auditEvents, about: aboutTenant, adminName: admin.fullName, adminUsername: admin.username, impersonatorName: impersonator.fullName, impersonatorUsername: impersonator.username, ispUserName: users.fullName, ispUsername: users.username, tenantName: tenants.businessName, tenantSlug: tenants.slug })
    .from(auditEvents)
    // A console account named by an event: its own actions, and attempts to sign in as it.
    .leftJoin(admin, and(or(eq(auditEvents.actorKind, "platform_user"), and(eq(auditEvents.actorKind, "anonymous"), isNull(auditEvents.tenantId))), eq(admin.id, auditEvents.actorId)))
    .leftJoin(impersonator, eq(impersonator.id, auditEvents.impersonatorId))
    // Only the tenant entered (if any) shows its users' names: RLS hides the others.
    .leftJoin(users, and(eq(users.tenantId, auditEvents.tenantId), eq(users.id, auditEvents.actorId)))
    // Console events about one ISP (e.g. opening its page) name it in their details.
    .leftJoin(tenants, eq(tenants.id, aboutTenant))
    .where(where)
    .orderBy(desc(auditEvents.id))
    .limit(limit);
  return rows.map((r) => ({
    id: r.event.id,
    occurredAt: r.event.occurredAt,
    action: r.event.action,
    tableName: r.event.tableName,
    changes: r.event.changes,
    details: r.event.details,
    actorKind: r.event.actorKind,
    actorName: r.adminName || r.adminUsername || r.ispUserName || r.ispUsername || null,
    impersonatorId: r.event.impersonatorId,
    impersonatorName: r.event.impersonatorId ? r.impersonatorName || r.impersonatorUsername || "a platform admin" : null,
    tenantId: r.about,
    tenantName: r.tenantName,
    tenantSlug: r.tenantSlug,
    ip: r.event.ip,
  }));
}

/** One ISP for the console: its row, numbers, owner contact, recent activity and impersonations. */
export async function tenantDetail(tx: Tx, tenantId: string, now = new Date()) {
  const [tenant] = await tx.select().from(tenants).where(eq(tenants.id, tenantId));
  if (!tenant) return null;
  const [tier] = tenant.tierId ? await tx.select({ name: billingTiers.name }).from(billingTiers).where(eq(billingTiers.id, tenant.tierId)) : [];
  const [heldBy] = tenant.heldBy ? await tx.select({ fullName: platformUsers.fullName, username: platformUsers.username }).from(platformUsers).where(eq(platformUsers.id, tenant.heldBy)) : [];
  const res = await tx.execute<UsageSqlRow>(sql`select * from app_public.platform_tenant_usage(${usageSince(now).toISOString()}::timestamptz, ${tenantId}::uuid)`);
  const usage = usageFrom(res.rows[0]!);
  // The ISP's own rows from here on: entered explicitly, in this platform transaction only.
  await enterTenant(tx, tenantId);
  const [owner] = await tx
    .select({ id: users.id, fullName: users.fullName, username: users.username, email: users.email, phone: users.phone, emailVerifiedAt: users.emailVerifiedAt, lastLoginAt: users.lastLoginAt, disabledAt: users.disabledAt })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.role, "owner")))
    .orderBy(users.createdAt)
    .limit(1);
  const [staff] = await tx.select({ n: sql<number>`count(*)::int` }).from(users).where(and(eq(users.tenantId, tenantId), sql`${users.disabledAt} is null`));
  // What people did (ISP users, console users, anonymous visitors): the system's own row changes
  // (router polls, jobs) would bury them; the ISP's Activity page has everything.
  const events = await auditRows(tx, and(eq(auditEvents.tenantId, tenantId), sql`not (${auditEvents.actorKind} = 'system' and ${auditEvents.tableName} is not null and ${auditEvents.impersonatorId} is null)`), 30);
  return {
    tenant: {
      id: tenant.id,
      slug: tenant.slug,
      businessName: tenant.businessName,
      status: consoleStatus(tenant, now),
      timezone: tenant.timezone,
      createdAt: tenant.createdAt,
      verifiedAt: tenant.verifiedAt,
      trialEndsAt: tenant.trialEndsAt,
      tierId: tenant.tierId,
      tierName: tier?.name ?? tenant.tierId,
      service: tenant.service,
      paidUntil: tenant.paidUntil,
      hold: tenant.heldAt ? { reason: tenant.holdReason!, at: tenant.heldAt, by: heldBy ? heldBy.fullName || heldBy.username : null, returnsTo: tenant.statusBeforeHold } : null,
    },
    usage,
    owner: owner ?? null,
    staffCount: staff?.n ?? 0,
    events,
    impersonations: await recentImpersonations(tx, tenantId),
    supportUnread: await supportUnread(tx, tenantId, "platform"),
  };
}

/**
 * The platform's own audit trail: what platform users did in the console (sign-ins, starting an
 * impersonation, replies) and everything done while impersonating, optionally for one admin.
 */
export async function platformAudit(tx: Tx, filter: { adminId?: string; limit?: number }) {
  const mine = filter.adminId
    ? or(and(eq(auditEvents.actorKind, "platform_user"), eq(auditEvents.actorId, filter.adminId)), eq(auditEvents.impersonatorId, filter.adminId), and(consoleSignInAttempt, eq(auditEvents.actorId, filter.adminId)))
    : or(eq(auditEvents.actorKind, "platform_user"), isNotNull(auditEvents.impersonatorId), consoleSignInAttempt);
  return auditRows(tx, mine, filter.limit ?? 200);
}

export async function platformAdmins(tx: Tx) {
  return tx
    .select({ id: platformUsers.id, username: platformUsers.username, fullName: platformUsers.fullName, role: platformUsers.role, disabledAt: platformUsers.disabledAt })
    .from(platformUsers)
    .orderBy(platformUsers.username);
}
