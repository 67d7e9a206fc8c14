import { z } from "zod";
import { and, asc, eq, gt, isNull, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import { platformRecoveryCodes, platformUsers, platformUserTokens } from "../../db/schema";
import { withPlatform, type Db, type Tx } from "../../db/client";
import { PLATFORM_ROLES, PLATFORM_ROLE_INFO, platformCan, type PlatformRole } from "../../policies/permissions";
import { endPlatformSessions, sessionIdFromToken } from "./sessions";
import { platformTokens, TOKEN_TTL_MS } from "./tokens";
import { queueEmail, platformInvitationEmail } from "./emails";
import { recordEvent } from "./audit";
import { checkPassword } from "./password-policy";
import { hashPassword } from "./passwords";
import { clearLimit } from "./rate-limits";
import type { RequestMeta } from "./auth";
import { isUniqueViolation } from "../../db/errors";

/**
 * The platform console's own people (issue 8): super admins invite sub-admins by email, change
 * their roles, disable and enable them. Platform context only (platform_users and
 * platform_user_tokens are platform tables). Guard rails: nobody changes their own role or
 * disables themselves, and there is always at least one active super admin. Every change is an
 * audit event in the acting admin's name (platform_admin.*), read on the console's Audit page.
 */

export const PLATFORM_INVITE_TTL_MS = TOKEN_TTL_MS.invite;

export type AdminActor = { id: string; name: string };
export type AdminResult<T = null> = { ok: true; value: T } | { ok: false; status: 400 | 403 | 404 | 409; error?: string; fieldErrors?: Record<string, string[]> };
export type AdminStatus = "active" | "invited" | "disabled";

const usernameSchema = z
  .string()
  .trim()
  .min(3, "Use at least 3 characters.")
  .max(40, "Use at most 40 characters.")
  .regex(/^[a-zA-Z0-9._-]+$/, "Use letters, digits, dots, hyphens and underscores only.");

export const inviteAdminInput = z.object({
  fullName: z.string().trim().min(2, "Enter the person's full name.").max(80, "Keep the name under 80 characters."),
  username: usernameSchema,
  email: z.string().trim().toLowerCase().pipe(z.email("Enter a valid email address.").max(254, "That email address is too long.")),
  role: z.enum(PLATFORM_ROLES, "Choose a role."),
});

export const acceptAdminInviteInput = z
  .object({ password: z.string().max(256, "Use at most 256 characters."), confirmPassword: z.string() })
  .refine((v) => v.password === v.confirmPassword, { path: ["confirmPassword"], message: "The two passwords are not the same." });

const roleName = (role: string) => PLATFORM_ROLE_INFO[role as PlatformRole]?.name ?? role;
const displayName = (u: { fullName: string; username: string }) => u.fullName || u.username;
const NOT_FOUND = { ok: false as const, status: 404 as const, error: "There is no such console admin." };
const LAST_SUPER_ADMIN = "There must always be at least one active super admin. Make someone else a super admin first.";

function m(meta: RequestMeta) {
  return { ip: meta.ip ?? null, userAgent: meta.userAgent ?? null, requestId: meta.requestId ?? null };
}

function statusOf(u: { disabledAt: Date | null; passwordHash: string | null }): AdminStatus {
  return u.disabledAt ? "disabled" : u.passwordHash ? "active" : "invited";
}

/** The console's people, oldest first, with their status and the live invitation's expiry. */
export async function listAdmins(tx: Tx, now = new Date()) {
  const inviter = alias(platformUsers, "inviter");
  const inviteExpiresAt = sql`(select max(t.expires_at) from ${platformUserTokens} t where t.user_id = ${platformUsers.id} and t.purpose = 'invite' and t.used_at is null)`.mapWith(platformUserTokens.expiresAt);
  const rows = await tx
    .select({
      id: platformUsers.id,
      username: platformUsers.username,
      email: platformUsers.email,
      fullName: platformUsers.fullName,
      role: platformUsers.role,
      passwordHash: platformUsers.passwordHash,
      disabledAt: platformUsers.disabledAt,
      lastLoginAt: platformUsers.lastLoginAt,
      twoFactorOn: sql<boolean>`${platformUsers.twoFactorMethod} is not null`,
      createdAt: platformUsers.createdAt,
      invitedByName: sql<string | null>`coalesce(nullif(${inviter.fullName}, ''), ${inviter.username})`,
      inviteExpiresAt,
    })
    .from(platformUsers)
    .leftJoin(inviter, eq(inviter.id, platformUsers.invitedBy))
    .orderBy(asc(platformUsers.createdAt), asc(platformUsers.username));
  return rows.map(({ passwordHash, ...r }) => {
    const status = statusOf({ disabledAt: r.disabledAt, passwordHash });
    const invitePending = status === "invited" && r.inviteExpiresAt !== null && r.inviteExpiresAt > now;
    return { ...r, status, invitePending, inviteExpiresAt: status === "invited" ? r.inviteExpiresAt : null };
  });
}

type PlatformUserRow = typeof platformUsers.$inferSelect;

/**
 * Every console user, row-locked in a fixed order, and the acting admin re-checked on the
 * locked rows. Two super admins demoting or disabling each other at the same moment are thus
 * serialised, and the second one sees the first one's change (the "last super admin" rule
 * cannot be raced), nor can an admin disabled a moment ago still act.
 */
async function lockAdmins(tx: Tx, by: AdminActor): Promise<{ ok: true; all: PlatformUserRow[] } | { ok: false; status: 403; error: string }> {
  const all = await tx.select().from(platformUsers).orderBy(asc(platformUsers.id)).for("no key update");
  const me = all.find((u) => u.id === by.id);
  if (!me || me.disabledAt || !me.passwordHash || !platformCan(me.role, "admins.manage")) return { ok: false, status: 403, error: "Your console role does not allow this." };
  return { ok: true, all };
}

/** Active super admins if `change` were applied to one of them. */
function superAdminsAfter(all: PlatformUserRow[], id: string, change: Partial<PlatformUserRow>) {
  return all.map((u) => (u.id === id ? { ...u, ...change } : u)).filter((u) => u.role === "super_admin" && !u.disabledAt && u.passwordHash).length;
}

async function sendInvite(tx: Tx, by: AdminActor, who: { id: string; email: string; fullName: string; username: string; role: string }, consoleUrl: string, now?: Date) {
  // Only the newest link works: earlier unused ones are voided.
  const { token, row } = await platformTokens.issue(tx, who.id, "invite", {}, now);
  const expiresAt = row.expiresAt;
  await queueEmail(
    tx,
    platformInvitationEmail({ to: who.email, fullName: who.fullName, inviter: by.name, role: roleName(who.role), username: who.username, link: `${consoleUrl}/accept-invite?token=${token}` }),
  );
  return expiresAt;
}

/** Invites a person to the console: an account without a password and an emailed link (7 days) to choose one. */
export async function inviteAdmin(tx: Tx, by: AdminActor, input: z.input<typeof inviteAdminInput>, consoleUrl: string, meta: RequestMeta, now = new Date()): Promise<AdminResult<{ id: string; expiresAt: Date }>> {
  const parsed = inviteAdminInput.safeParse(input);
  if (!parsed.success) return { ok: false, status: 400, fieldErrors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]> };
  const v = parsed.data;
  const locked = await lockAdmins(tx, by);
  if (!locked.ok) return locked;
  const fieldErrors: Record<string, string[]> = {};
  if (locked.all.some((u) => u.username.toLowerCase() === v.username.toLowerCase())) fieldErrors.username = ["Another console admin already has this username."];
  if (locked.all.some((u) => u.email.toLowerCase() === v.email)) fieldErrors.email = ["Another console admin already uses this email address."];
  if (Object.keys(fieldErrors).length) return { ok: false, status: 409, fieldErrors };
  let id: string;
  try {
    const [row] = await tx.insert(platformUsers).values({ username: v.username, email: v.email, fullName: v.fullName, role: v.role, passwordHash: null, invitedBy: by.id }).returning({ id: platformUsers.id });
    id = row!.id;
  } catch (err) {
    // The rows are locked, so only a direct insert elsewhere could get here; still a clear answer.
    if (!isUniqueViolation(err)) throw err;
    const field = isUniqueViolation(err, "platform_users_email_key") ? "email" : "username";
    return { ok: false, status: 409, fieldErrors: { [field]: [field === "email" ? "Another console admin already uses this email address." : "Another console admin already has this username."] } };
  }
  const expiresAt = await sendInvite(tx, by, { id, ...v }, consoleUrl, now);
  await recordEvent(tx, {
    action: "platform_admin.invited",
    actorKind: "platform_user",
    actorId: by.id,
    details: { adminId: id, username: v.username, name: v.fullName, email: v.email, role: v.role },
    ...m(meta),
  });
  return { ok: true, value: { id, expiresAt } };
}

/** A new link for someone who has not accepted yet (the old one stops working). */
export async function resendAdminInvite(tx: Tx, by: AdminActor, adminId: string, consoleUrl: string, meta: RequestMeta, now = new Date()): Promise<AdminResult<{ expiresAt: Date }>> {
  const locked = await lockAdmins(tx, by);
  if (!locked.ok) return locked;
  const who = locked.all.find((u) => u.id === adminId);
  if (!who) return NOT_FOUND;
  if (who.passwordHash) return { ok: false, status: 400, error: `${displayName(who)} has already accepted the invitation.` };
  if (who.disabledAt) return { ok: false, status: 400, error: `${displayName(who)} is disabled. Enable the account first.` };
  const expiresAt = await sendInvite(tx, by, who, consoleUrl, now);
  await recordEvent(tx, { action: "platform_admin.invite_resent", actorKind: "platform_user", actorId: by.id, details: { adminId, username: who.username, name: who.fullName, email: who.email }, ...m(meta) });
  return { ok: true, value: { expiresAt } };
}

/** Gives another admin a different console role; it applies from their next request. */
export async function changeAdminRole(tx: Tx, by: AdminActor, adminId: string, role: string, meta: RequestMeta): Promise<AdminResult<{ changed: boolean }>> {
  const parsedRole = z.enum(PLATFORM_ROLES).safeParse(role);
  if (!parsedRole.success) return { ok: false, status: 400, fieldErrors: { role: ["Choose a role."] } };
  const locked = await lockAdmins(tx, by);
  if (!locked.ok) return locked;
  const who = locked.all.find((u) => u.id === adminId);
  if (!who) return NOT_FOUND;
  if (who.id === by.id) return { ok: false, status: 403, error: "You cannot change your own role. Ask another super admin." };
  if (who.role === parsedRole.data) return { ok: true, value: { changed: false } };
  if (superAdminsAfter(locked.all, who.id, { role: parsedRole.data }) === 0) return { ok: false, status: 409, error: LAST_SUPER_ADMIN };
  await tx.update(platformUsers).set({ role: parsedRole.data }).where(eq(platformUsers.id, who.id));
  await recordEvent(tx, {
    action: "platform_admin.role_changed",
    actorKind: "platform_user",
    actorId: by.id,
    details: { adminId, username: who.username, name: who.fullName, from: who.role, to: parsedRole.data },
    ...m(meta),
  });
  return { ok: true, value: { changed: true } };
}

/**
 * Turns off another admin's two-step sign-in, for one who lost both the phone and the recovery
 * codes: key and codes are dropped, their sessions end, and they sign in with the password and
 * turn it on again. Your own is changed on My account.
 */
export async function resetAdminTwoFactor(tx: Tx, by: AdminActor, adminId: string, meta: RequestMeta): Promise<AdminResult<{ changed: boolean; sessionsEnded: number }>> {
  const locked = await lockAdmins(tx, by);
  if (!locked.ok) return locked;
  const who = locked.all.find((u) => u.id === adminId);
  if (!who) return NOT_FOUND;
  if (who.id === by.id) return { ok: false, status: 403, error: "Change your own two-step sign-in on My account." };
  if (!who.twoFactorMethod) return { ok: true, value: { changed: false, sessionsEnded: 0 } };
  await tx.update(platformUsers).set({ twoFactorMethod: null, totpKeyEnc: null, totpLastStep: null }).where(eq(platformUsers.id, who.id));
  await tx.delete(platformRecoveryCodes).where(eq(platformRecoveryCodes.userId, who.id));
  const sessionsEnded = await endPlatformSessions(tx, who.id);
  await recordEvent(tx, { action: "platform_admin.two_factor_reset", actorKind: "platform_user", actorId: by.id, details: { adminId, username: who.username, name: who.fullName, sessionsEnded }, ...m(meta) });
  return { ok: true, value: { changed: true, sessionsEnded } };
}

/**
 * Disables (every session of theirs ends at once, an unused invitation stops working) or enables
 * an admin. Nothing is deleted: their audit trail stays readable under their name.
 */
export async function setAdminActive(tx: Tx, by: AdminActor, adminId: string, active: boolean, meta: RequestMeta, now = new Date()): Promise<AdminResult<{ changed: boolean; sessionsEnded: number }>> {
  const locked = await lockAdmins(tx, by);
  if (!locked.ok) return locked;
  const who = locked.all.find((u) => u.id === adminId);
  if (!who) return NOT_FOUND;
  if (who.id === by.id) return { ok: false, status: 403, error: active ? "You cannot change your own account here." : "You cannot disable your own account. Ask another super admin." };
  if (Boolean(who.disabledAt) === !active) return { ok: true, value: { changed: false, sessionsEnded: 0 } };
  if (!active && superAdminsAfter(locked.all, who.id, { disabledAt: now }) === 0) return { ok: false, status: 409, error: LAST_SUPER_ADMIN };
  await tx.update(platformUsers).set({ disabledAt: active ? null : now }).where(eq(platformUsers.id, who.id));
  let sessionsEnded = 0;
  if (!active) {
    sessionsEnded = await endPlatformSessions(tx, who.id);
    await tx.update(platformUserTokens).set({ usedAt: now }).where(and(eq(platformUserTokens.userId, who.id), isNull(platformUserTokens.usedAt)));
  } else {
    // A lock-out from failed sign-ins before the account was disabled does not outlive it.
    await clearLimit(tx, `login:platform:${who.id}`);
  }
  await recordEvent(tx, {
    action: active ? "platform_admin.enabled" : "platform_admin.disabled",
    actorKind: "platform_user",
    actorId: by.id,
    details: { adminId, username: who.username, name: who.fullName, role: who.role, ...(active ? {} : { sessionsEnded }) },
    ...m(meta),
  });
  return { ok: true, value: { changed: true, sessionsEnded } };
}

async function liveInvite(tx: Tx, token: string, now: Date, lock = false) {
  if (!token || token.length > 100) return null;
  const q = tx
    .select({ token: platformUserTokens, user: platformUsers })
    .from(platformUserTokens)
    .innerJoin(platformUsers, eq(platformUsers.id, platformUserTokens.userId))
    .where(and(eq(platformUserTokens.tokenHash, sessionIdFromToken(token)), eq(platformUserTokens.purpose, "invite"), isNull(platformUserTokens.usedAt), gt(platformUserTokens.expiresAt, now)));
  const [row] = lock ? await q.for("no key update") : await q;
  if (!row || row.user.passwordHash || row.user.disabledAt) return null;
  return row;
}

/** The invitation's details for the accept page on the console's host, or null when the link is dead. */
export async function describeAdminInvite(db: Db, token: string, now = new Date()) {
  return withPlatform(db, { actorKind: "anonymous" }, async (tx) => {
    const row = await liveInvite(tx, token, now);
    return row ? { fullName: row.user.fullName, username: row.user.username, email: row.user.email, role: row.user.role, roleName: roleName(row.user.role), expiresAt: row.token.expiresAt } : null;
  });
}

export const DEAD_INVITE = "This invitation has expired or was already used. Ask a super admin to send a new one.";

/**
 * Accepting: the invited person chooses a password (the usual policy). The link is used up; they
 * then sign in on the console's login page like everyone else (auth.login audited there).
 */
export async function acceptAdminInvite(
  db: Db,
  token: string,
  input: z.input<typeof acceptAdminInviteInput>,
  meta: RequestMeta,
  now = new Date(),
): Promise<{ ok: true; username: string } | { ok: false; error?: string; fieldErrors?: Record<string, string[]> }> {
  return withPlatform(db, { actorKind: "anonymous", requestId: meta.requestId, ip: meta.ip, userAgent: meta.userAgent }, async (tx) => {
    const row = await liveInvite(tx, token, now, true);
    if (!row) return { ok: false, error: DEAD_INVITE };
    const who = row.user;
    const parsed = acceptAdminInviteInput.safeParse(input);
    const fieldErrors: Record<string, string[]> = parsed.success ? {} : (z.flattenError(parsed.error).fieldErrors as Record<string, string[]>);
    const verdict = checkPassword(input.password, { username: who.username, email: who.email });
    if (!verdict.ok) fieldErrors.password = [...(fieldErrors.password ?? []), ...verdict.problems];
    if (!parsed.success || Object.keys(fieldErrors).length) return { ok: false, fieldErrors };
    const used = await tx.update(platformUserTokens).set({ usedAt: now }).where(and(eq(platformUserTokens.id, row.token.id), isNull(platformUserTokens.usedAt))).returning({ id: platformUserTokens.id });
    if (used.length !== 1) return { ok: false, error: DEAD_INVITE };
    await tx.update(platformUsers).set({ passwordHash: await hashPassword(input.password), passwordChangedAt: now }).where(and(eq(platformUsers.id, who.id), isNull(platformUsers.passwordHash)));
    await recordEvent(tx, { action: "platform_admin.invite_accepted", actorKind: "platform_user", actorId: who.id, details: { adminId: who.id, username: who.username, name: who.fullName, role: who.role }, ...m(meta) });
    return { ok: true, username: who.username };
  });
}
