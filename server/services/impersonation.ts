import { and, desc, eq, isNull, sql } from "drizzle-orm";
import { impersonations, tenants, users } from "../../db/schema";
import { enterTenant, withTenant, type Db, type Tx } from "../../db/client";
import { generateSessionToken, sessionIdFromToken, type SessionUser } from "./sessions";
import { recordEvent } from "./audit";
import type { TenantInfo } from "./hosts";

/**
 * Impersonation (issue 8): a platform user with tenants.impersonate views one ISP's dashboard as
 * that ISP, for troubleshooting, for a limited time.
 *
 * 1. The console (admin host, platform context) checks the permission, takes a reason, and
 *    writes an impersonations row in the ISP's tenant (enterTenant) with the hash of a random
 *    hand-over token that lives HANDOVER_SECONDS. The browser is sent to
 *    {slug}.APP_DOMAIN/impersonate?token=… — the console session cookie never leaves admin.*.
 * 2. The ISP host redeems the token once, in its own tenant context (a token made for another
 *    ISP is simply not found there), and sets an ISP-side session cookie whose hash is kept on
 *    the row. That session is the owner's view, flagged as impersonated, and ends at expires_at.
 * 3. Every request re-checks the row: ended or past its time means no session (and an expired
 *    one is closed then and there). Exit, sign-out and the sweeper end it otherwise.
 * 4. The transaction of every request made meanwhile carries app.impersonator_id = the admin, so
 *    every row change (trigger) and every app event (audit.stamp_impersonator) names the admin.
 */
export const IMPERSONATION_MINUTES = 30;
export const HANDOVER_SECONDS = 60;

export type ImpersonationInfo = { id: string; adminId: string; adminName: string; reason: string; startedAt: Date; expiresAt: Date };
type Meta = { ip?: string | null; userAgent?: string | null; requestId?: string | null };
type Fail = { ok: false; status: 400 | 401 | 403 | 404; error: string; fieldErrors?: Record<string, string[]> };

const audMeta = (m: Meta) => ({ ip: m.ip ?? null, userAgent: m.userAgent ?? null, requestId: m.requestId ?? null });

/** The reason as stored: one line of plain text, 5–500 characters. */
export function cleanReason(reason: string) {
  return reason.replace(/[\u0000-\u001f\u007f]+/g, " ").replace(/\s+/g, " ").trim();
}

/** Makes the rest of this transaction act as the ISP user, with the admin as the impersonator. */
async function actAs(tx: Tx, actingUserId: string, adminId: string) {
  await tx.execute(
    sql`select set_config('app.user_id', ${actingUserId}, true), set_config('app.actor_kind', 'user', true), set_config('app.impersonator_id', ${adminId}, true)`,
  );
}

/**
 * Starts an impersonation. `tx` is a platform transaction (the console); it enters the ISP's
 * tenant to write the row. Returns the one-time hand-over token for the ISP host.
 */
export async function startImpersonation(
  tx: Tx,
  admin: { id: string; name: string },
  input: { tenantId: string; reason: string },
  meta: Meta,
  now = new Date(),
): Promise<{ ok: true; token: string; id: string; slug: string; expiresAt: Date } | Fail> {
  const reason = cleanReason(input.reason);
  if (reason.length < 5) return { ok: false, status: 400, error: "Say why you need to enter this ISP's dashboard.", fieldErrors: { reason: ["Say why (at least 5 characters): it is recorded, and the ISP sees it."] } };
  if (reason.length > 500) return { ok: false, status: 400, error: "The reason is too long.", fieldErrors: { reason: ["Keep the reason under 500 characters."] } };
  const [tenant] = await tx.select({ id: tenants.id, slug: tenants.slug, status: tenants.status, businessName: tenants.businessName }).from(tenants).where(eq(tenants.id, input.tenantId));
  if (!tenant) return { ok: false, status: 404, error: "No such ISP." };
  if (tenant.status === "pending") return { ok: false, status: 400, error: "This ISP has not confirmed its email yet: there is no dashboard to enter." };
  await enterTenant(tx, tenant.id);
  const [owner] = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.tenantId, tenant.id), eq(users.role, "owner"), isNull(users.disabledAt), sql`${users.passwordHash} is not null`))
    .orderBy(users.createdAt)
    .limit(1);
  if (!owner) return { ok: false, status: 400, error: "This ISP has no active owner account to view the dashboard as." };

  // One impersonation of an ISP per admin at a time: an earlier one still open ends here.
  const replaced = await tx
    .update(impersonations)
    .set({ endedAt: now, endReason: "replaced", sessionHash: null })
    .where(and(eq(impersonations.tenantId, tenant.id), eq(impersonations.adminId, admin.id), isNull(impersonations.endedAt)))
    .returning({ id: impersonations.id });
  for (const r of replaced) {
    await recordEvent(tx, { action: "impersonation.end", tenantId: tenant.id, actorKind: "platform_user", actorId: admin.id, impersonatorId: admin.id, details: { impersonationId: r.id, reason: "replaced" }, ...audMeta(meta) });
  }

  const token = generateSessionToken();
  const expiresAt = new Date(now.getTime() + IMPERSONATION_MINUTES * 60_000);
  const [row] = await tx
    .insert(impersonations)
    .values({
      tenantId: tenant.id,
      adminId: admin.id,
      adminName: admin.name,
      actingUserId: owner.id,
      reason,
      tokenHash: sessionIdFromToken(token),
      tokenExpiresAt: new Date(now.getTime() + HANDOVER_SECONDS * 1000),
      startedAt: now,
      expiresAt,
      ip: meta.ip ?? null,
    })
    .returning({ id: impersonations.id });
  await recordEvent(tx, {
    action: "impersonation.start",
    tenantId: tenant.id,
    actorKind: "platform_user",
    actorId: admin.id,
    impersonatorId: admin.id,
    details: { impersonationId: row!.id, reason, admin: admin.name, asUserId: owner.id, expiresAt: expiresAt.toISOString() },
    ...audMeta(meta),
  });
  return { ok: true, token, id: row!.id, slug: tenant.slug, expiresAt };
}

/**
 * Redeems a hand-over token on the ISP's own host: once, within its minute, while the
 * impersonation is open. Returns the ISP-side session token. A refused token is audited.
 */
export async function redeemImpersonation(db: Db, tenant: TenantInfo, token: string, meta: Meta, now = new Date()): Promise<{ ok: true; sessionToken: string; expiresAt: Date } | { ok: false; error: string }> {
  return withTenant(db, tenant.id, { actorKind: "anonymous", ...audMeta(meta) }, async (tx) => {
    const [row] = token.length <= 100
      ? await tx.select().from(impersonations).where(and(eq(impersonations.tenantId, tenant.id), eq(impersonations.tokenHash, sessionIdFromToken(token)))).for("update")
      : [];
    const why = !row ? "unknown" : row.redeemedAt ? "already_used" : row.endedAt ? "ended" : row.tokenExpiresAt <= now || row.expiresAt <= now ? "expired" : null;
    if (!row || why) {
      await recordEvent(tx, { action: "impersonation.token_refused", tenantId: tenant.id, actorKind: "anonymous", impersonatorId: row?.adminId ?? null, details: { why, impersonationId: row?.id ?? null }, ...audMeta(meta) });
      return { ok: false as const, error: "This link to enter the dashboard has expired or was already used. Start again from the console." };
    }
    await actAs(tx, row.actingUserId, row.adminId);
    const sessionToken = generateSessionToken();
    await tx
      .update(impersonations)
      .set({ redeemedAt: now, sessionHash: sessionIdFromToken(sessionToken) })
      .where(and(eq(impersonations.tenantId, tenant.id), eq(impersonations.id, row.id)));
    await recordEvent(tx, { action: "impersonation.entered", tenantId: tenant.id, actorKind: "user", actorId: row.actingUserId, impersonatorId: row.adminId, details: { impersonationId: row.id, admin: row.adminName }, ...audMeta(meta) });
    return { ok: true as const, sessionToken, expiresAt: row.expiresAt };
  });
}

/**
 * The impersonated session behind an ISP-host cookie, or null. Past its time it is ended here
 * (server-side expiry does not wait for the sweeper). Runs in the ISP's tenant context.
 */
export async function validateImpersonationSession(tx: Tx, tenantId: string, token: string, now = new Date()) {
  const [row] = await tx
    .select({ imp: impersonations, user: users })
    .from(impersonations)
    .innerJoin(users, and(eq(users.tenantId, impersonations.tenantId), eq(users.id, impersonations.actingUserId)))
    .where(and(eq(impersonations.tenantId, tenantId), eq(impersonations.sessionHash, sessionIdFromToken(token)), isNull(impersonations.endedAt)));
  if (!row) return null;
  if (row.imp.expiresAt <= now || row.user.disabledAt) {
    await closeImpersonation(tx, tenantId, row.imp, "expired", {}, row.imp.expiresAt <= now ? row.imp.expiresAt : now);
    return null;
  }
  const u = row.user;
  const user: SessionUser = { id: u.id, username: u.username, email: u.email, fullName: u.fullName, role: u.role, emailVerified: Boolean(u.emailVerifiedAt), twoFactorMethod: u.twoFactorMethod };
  const impersonation: ImpersonationInfo = { id: row.imp.id, adminId: row.imp.adminId, adminName: row.imp.adminName, reason: row.imp.reason, startedAt: row.imp.startedAt, expiresAt: row.imp.expiresAt };
  return { user, impersonation };
}

async function closeImpersonation(tx: Tx, tenantId: string, imp: { id: string; adminId: string; adminName: string; actingUserId: string }, reason: "exit" | "expired" | "signed_out", meta: Meta, at: Date) {
  const ended = await tx
    .update(impersonations)
    .set({ endedAt: at, endReason: reason, sessionHash: null })
    .where(and(eq(impersonations.tenantId, tenantId), eq(impersonations.id, imp.id), isNull(impersonations.endedAt)))
    .returning({ id: impersonations.id });
  if (!ended.length) return false;
  await recordEvent(tx, {
    action: "impersonation.end",
    tenantId,
    actorKind: reason === "expired" ? "system" : "user",
    actorId: reason === "expired" ? null : imp.actingUserId,
    impersonatorId: imp.adminId,
    details: { impersonationId: imp.id, reason, admin: imp.adminName },
    ...audMeta(meta),
  });
  return true;
}

/** Ends an impersonation from the ISP side (the banner's Exit, or Sign out). */
export async function endImpersonation(db: Db, tenantId: string, imp: ImpersonationInfo, actingUserId: string, reason: "exit" | "signed_out", meta: Meta) {
  return withTenant(db, tenantId, { userId: actingUserId, actorKind: "user", impersonatorId: imp.adminId, ...audMeta(meta) }, (tx) =>
    closeImpersonation(tx, tenantId, { id: imp.id, adminId: imp.adminId, adminName: imp.adminName, actingUserId }, reason, meta, new Date()),
  );
}

/** The latest impersonations of one ISP (console detail page; tx already inside that tenant). */
export async function recentImpersonations(tx: Tx, tenantId: string, limit = 10) {
  return tx
    .select({
      id: impersonations.id,
      adminId: impersonations.adminId,
      adminName: impersonations.adminName,
      reason: impersonations.reason,
      startedAt: impersonations.startedAt,
      expiresAt: impersonations.expiresAt,
      redeemedAt: impersonations.redeemedAt,
      endedAt: impersonations.endedAt,
      endReason: impersonations.endReason,
    })
    .from(impersonations)
    .where(eq(impersonations.tenantId, tenantId))
    .orderBy(desc(impersonations.startedAt))
    .limit(limit);
}

/**
 * Ends open visits from the console (platform context): one visit by id (the End button on the
 * ISP's page), or every visit of one admin (on signing out of the console). Returns how many.
 */
export async function endImpersonationsFromConsole(tx: Tx, by: { impersonationId: string } | { adminId: string }, reason: "console" | "console_signed_out") {
  const res = await tx.execute<{ n: number }>(
    sql`select app_public.end_impersonations_from_console(${reason}, ${"adminId" in by ? by.adminId : null}::uuid, ${"impersonationId" in by ? by.impersonationId : null}::uuid) as n`,
  );
  return res.rows[0]?.n ?? 0;
}

/** Closes every impersonation past its time, in every ISP (platform context; the sweeper job). */
export async function sweepExpiredImpersonations(tx: Tx) {
  const res = await tx.execute<{ n: number }>(sql`select app_public.end_expired_impersonations() as n`);
  return res.rows[0]?.n ?? 0;
}
