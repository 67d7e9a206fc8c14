import { and, eq, ne, or, sql } from "drizzle-orm";
import { users, platformUsers, userSessions } from "../../db/schema";
import { withTenant, withPlatform, type Db, type Tx, type Actor } from "../../db/client";
import { verifyPassword, burnPasswordCheck, hashPassword } from "./passwords";
import { createUserSession, createPlatformSession, invalidateUserSession, invalidatePlatformSession, sessionIdFromToken } from "./sessions";
import { endImpersonationsFromConsole } from "./impersonation";
import { recordEvent } from "./audit";
import { LIMITS, lockedUntil, recordFailure, clearLimit, take, waitInWords } from "./rate-limits";
import { issueToken, findToken, consumeToken } from "./tokens";
import { newSmsCode, queueSmsCode, smsCodeMatches, verifyTotp, openTotpKey, useRecoveryCode } from "./two-factor";
import { checkPassword } from "./password-policy";
import { queueEmail, passwordResetEmail } from "./emails";
import type { SecretBox } from "./secrets";
import type { Site, TenantInfo } from "./hosts";

export type RequestMeta = { ip?: string | null; userAgent?: string | null; requestId?: string | null };

export type LoginOutcome =
  | { ok: true; step: "done"; token: string; expiresAt: Date; userId: string }
  | { ok: true; step: "2fa"; challenge: string; method: "totp" | "sms"; expiresAt: Date }
  | { ok: false; status: 400 | 401 | 429; error: string };

export const BAD_CREDENTIALS = "That username or password is not right.";
const LOCK_MINUTES = LIMITS.loginAccount.lockSeconds / 60;

function actor(meta: RequestMeta, userId: string | null = null, kind: Actor["actorKind"] = userId ? "user" : "anonymous"): Actor {
  return { userId, actorKind: kind, requestId: meta.requestId, ip: meta.ip, userAgent: meta.userAgent };
}

function audMeta(meta: RequestMeta) {
  return { ip: meta.ip ?? null, userAgent: meta.userAgent ?? null, requestId: meta.requestId ?? null };
}

function latest(a: Date | null, b: Date | null) {
  return !a ? b : !b ? a : a > b ? a : b;
}

type Keys = { account: string; ip: string };
type Audit = (action: string, actorId: string | null, details?: Record<string, unknown>) => Promise<void>;

/**
 * The password step shared by ISP and platform sign-in: refuses while the account or the IP is
 * locked, counts failures per account and per IP (in Postgres, so every web process agrees),
 * locks after too many, and tells the user in good time how many attempts are left.
 */
async function checkPasswordGuarded(
  tx: Tx,
  keys: Keys,
  user: { id: string; passwordHash: string | null; disabledAt: Date | null } | undefined,
  password: string,
  audit: Audit,
): Promise<{ ok: true } | { ok: false; status: 401 | 429; error: string }> {
  const locked = latest(await lockedUntil(tx, keys.account), await lockedUntil(tx, keys.ip));
  if (locked) {
    await audit("auth.login_blocked", user?.id ?? null, { until: locked.toISOString() });
    return { ok: false, status: 429, error: `Too many failed sign-ins. Try again in ${waitInWords(locked)}.` };
  }
  const ok = user && !user.disabledAt && user.passwordHash ? await verifyPassword(user.passwordHash, password) : (await burnPasswordCheck(password), false);
  if (ok) {
    await clearLimit(tx, keys.account);
    return { ok: true };
  }
  const acct = await recordFailure(tx, keys.account, LIMITS.loginAccount);
  const ip = await recordFailure(tx, keys.ip, LIMITS.loginIp);
  await audit("auth.login_failed", user?.id ?? null);
  if (acct.justLocked || ip.justLocked) {
    await audit("auth.locked", user?.id ?? null, { scope: acct.justLocked ? "account" : "ip", minutes: LOCK_MINUTES });
    return { ok: false, status: 429, error: `Too many failed sign-ins. Sign-in is locked for ${LOCK_MINUTES} minutes.` };
  }
  const remaining = Math.min(acct.remaining, ip.remaining);
  const warning = remaining <= 3 ? ` ${remaining} attempt${remaining === 1 ? "" : "s"} left before sign-in is locked for ${LOCK_MINUTES} minutes.` : "";
  return { ok: false, status: 401, error: BAD_CREDENTIALS + warning };
}

async function findIspUser(tx: Tx, tenantId: string, identifier: string) {
  const ident = identifier.trim().toLowerCase();
  const [user] = await tx
    .select()
    .from(users)
    .where(and(eq(users.tenantId, tenantId), or(eq(sql`lower(${users.username})`, ident), eq(sql`lower(${users.email})`, ident))));
  return user;
}

/** Creates the session once every factor has passed. */
async function completeIspSignIn(tx: Tx, tenantId: string, userId: string, meta: RequestMeta, details?: Record<string, unknown>): Promise<LoginOutcome> {
  const s = await createUserSession(tx, tenantId, userId, meta);
  await tx.update(users).set({ lastLoginAt: new Date() }).where(and(eq(users.tenantId, tenantId), eq(users.id, userId)));
  await recordEvent(tx, { action: "auth.login", tenantId, actorKind: "user", actorId: userId, details, ...audMeta(meta) });
  return { ok: true, step: "done", token: s.token, expiresAt: s.absoluteExpiresAt, userId };
}

/**
 * Signs a user in on the host they used: ISP users on {isp}.APP_DOMAIN (username or email),
 * platform users on admin.APP_DOMAIN. A user with 2FA gets a short-lived challenge instead of
 * a session. Every attempt is audited, with IP and user agent.
 */
export async function login(db: Db, site: Site, identifier: string, password: string, meta: RequestMeta): Promise<LoginOutcome> {
  const ident = identifier.trim().toLowerCase();
  const ipKey = `login:ip:${meta.ip ?? "unknown"}`;
  if (site.kind === "tenant") {
    const tenant = site.tenant;
    return withTenant(db, tenant.id, actor(meta), async (tx) => {
      const user = await findIspUser(tx, tenant.id, ident);
      const audit: Audit = (action, actorId, details) =>
        // The typed identifier is kept only when it names a real account: otherwise it may be a
        // password typed into the wrong box.
        recordEvent(tx, { action, tenantId: tenant.id, actorKind: "anonymous", actorId, details: { ...(user ? { identifier: ident } : { unknownAccount: true }), ...details }, ...audMeta(meta) });
      const verdict = await checkPasswordGuarded(tx, { account: `login:acct:${tenant.id}:${user?.id ?? ident}`, ip: ipKey }, user, password, audit);
      if (!verdict.ok) return verdict;
      const u = user!;
      if (u.twoFactorMethod) return startSecondFactor(tx, tenant, u, meta);
      return completeIspSignIn(tx, tenant.id, u.id, meta);
    });
  }
  if (site.kind === "admin") {
    return withPlatform(db, actor(meta), async (tx) => {
      const [user] = await tx
        .select()
        .from(platformUsers)
        .where(or(eq(sql`lower(${platformUsers.username})`, ident), eq(sql`lower(${platformUsers.email})`, ident)));
      const audit: Audit = (action, actorId, details) =>
        recordEvent(tx, { action, actorKind: "anonymous", actorId, details: { ...(user ? { identifier: ident } : { unknownAccount: true }), console: true, ...details }, ...audMeta(meta) });
      const verdict = await checkPasswordGuarded(tx, { account: `login:platform:${user?.id ?? ident}`, ip: ipKey }, user, password, audit);
      if (!verdict.ok) return verdict;
      const s = await createPlatformSession(tx, user!.id, meta);
      await tx.update(platformUsers).set({ lastLoginAt: new Date() }).where(eq(platformUsers.id, user!.id));
      await recordEvent(tx, { action: "auth.login", actorKind: "platform_user", actorId: user!.id, ...audMeta(meta) });
      return { ok: true, step: "done", token: s.token, expiresAt: s.absoluteExpiresAt, userId: user!.id };
    });
  }
  return { ok: false, status: 400, error: "There is nothing to sign in to here." };
}

async function startSecondFactor(tx: Tx, tenant: TenantInfo, user: typeof users.$inferSelect, meta: RequestMeta): Promise<LoginOutcome> {
  const method = user.twoFactorMethod!;
  const data: Record<string, unknown> = { method };
  if (method === "sms") {
    if (!user.phone) return { ok: false, status: 400, error: "Your account has no phone number for SMS codes. Ask your ISP's owner to reset your two-step verification." };
    const sms = newSmsCode();
    data.codeHash = sms.hash;
    await queueSmsCode(tx, user.phone, sms.code, tenant.businessName);
  }
  const { token, row } = await issueToken(tx, tenant.id, user.id, "login_2fa", data);
  await recordEvent(tx, { action: "auth.2fa_challenge", tenantId: tenant.id, actorKind: "anonymous", actorId: user.id, details: { method }, ...audMeta(meta) });
  return { ok: true, step: "2fa", challenge: token, method, expiresAt: row.expiresAt };
}

/** The second step: a code from the authenticator app or SMS, or a recovery code. */
export async function verifySecondFactor(db: Db, secrets: SecretBox, tenant: TenantInfo, challenge: string, code: string, meta: RequestMeta): Promise<LoginOutcome> {
  return withTenant(db, tenant.id, actor(meta), async (tx) => {
    const row = await findToken(tx, tenant.id, "login_2fa", challenge);
    if (!row) return { ok: false, status: 401, error: "This sign-in has expired. Please sign in again." };
    const key = `2fa:${tenant.id}:${row.userId}`;
    const ipKey = `2fa:ip:${meta.ip ?? "unknown"}`;
    const locked = latest(await lockedUntil(tx, key), await lockedUntil(tx, ipKey));
    if (locked) return { ok: false, status: 429, error: `Too many wrong codes. Try again in ${waitInWords(locked)}.` };
    const [user] = await tx.select().from(users).where(and(eq(users.tenantId, tenant.id), eq(users.id, row.userId)));
    if (!user || user.disabledAt) return { ok: false, status: 401, error: "This sign-in has expired. Please sign in again." };
    const trimmed = code.trim();
    const isRecovery = /^[0-9a-f]{5}-?[0-9a-f]{5}$/i.test(trimmed);
    let ok = false;
    if (isRecovery) ok = await useRecoveryCode(tx, tenant.id, user.id, trimmed);
    else if (row.data.method === "totp" && user.totpKeyEnc) ok = verifyTotp(openTotpKey(secrets, user.totpKeyEnc), trimmed);
    else if (row.data.method === "sms") ok = smsCodeMatches(row.data.codeHash, trimmed);
    if (!ok) {
      const f = await recordFailure(tx, key, LIMITS.twoFactor);
      await recordFailure(tx, ipKey, LIMITS.twoFactorIp);
      await recordEvent(tx, { action: "auth.2fa_failed", tenantId: tenant.id, actorKind: "anonymous", actorId: user.id, ...audMeta(meta) });
      if (f.justLocked) {
        await consumeToken(tx, tenant.id, row.id);
        await recordEvent(tx, { action: "auth.locked", tenantId: tenant.id, actorKind: "anonymous", actorId: user.id, details: { scope: "2fa" }, ...audMeta(meta) });
        return { ok: false, status: 429, error: `Too many wrong codes. Sign-in is locked for ${LIMITS.twoFactor.lockSeconds / 60} minutes.` };
      }
      return { ok: false, status: 401, error: `That code is not right. ${f.remaining} attempt${f.remaining === 1 ? "" : "s"} left.` };
    }
    if (!(await consumeToken(tx, tenant.id, row.id))) return { ok: false, status: 401, error: "This sign-in has expired. Please sign in again." };
    await clearLimit(tx, key);
    return completeIspSignIn(tx, tenant.id, user.id, meta, { secondFactor: isRecovery ? "recovery_code" : row.data.method });
  });
}

export async function logout(db: Db, site: Site, token: string, userId: string, meta: RequestMeta) {
  if (site.kind === "tenant") {
    const tenantId = site.tenant.id;
    await withTenant(db, tenantId, actor(meta, userId), async (tx) => {
      await invalidateUserSession(tx, tenantId, token);
      await recordEvent(tx, { action: "auth.logout", tenantId, actorKind: "user", actorId: userId, ...audMeta(meta) });
    });
  } else if (site.kind === "admin") {
    await withPlatform(db, actor(meta, userId, "platform_user"), async (tx) => {
      await invalidatePlatformSession(tx, token);
      await recordEvent(tx, { action: "auth.logout", actorKind: "platform_user", actorId: userId, ...audMeta(meta) });
      // Leaving the console leaves every ISP dashboard entered from it.
      await endImpersonationsFromConsole(tx, { adminId: userId }, "console_signed_out");
    });
  }
}

/** Ends every session of a user (sign out everywhere, password change, deactivation), maybe but one. */
export async function endAllSessions(tx: Tx, tenantId: string, userId: string, except?: string) {
  const ended = await tx
    .delete(userSessions)
    .where(and(eq(userSessions.tenantId, tenantId), eq(userSessions.userId, userId), except ? ne(userSessions.id, sessionIdFromToken(except)) : undefined))
    .returning({ id: userSessions.id });
  return ended.length;
}

export type FieldResult = { ok: true } | { ok: false; status: 400 | 401 | 429; error?: string; fieldErrors?: Record<string, string[]> };

/** Changes the signed-in user's password; every other session of theirs ends. */
export async function changePassword(tx: Tx, tenant: TenantInfo, userId: string, current: string, next: string, sessionToken: string, meta: RequestMeta): Promise<FieldResult> {
  const [user] = await tx.select().from(users).where(and(eq(users.tenantId, tenant.id), eq(users.id, userId)));
  if (!user?.passwordHash || !(await verifyPassword(user.passwordHash, current))) {
    await recordEvent(tx, { action: "auth.password_change_failed", tenantId: tenant.id, actorKind: "user", actorId: userId, ...audMeta(meta) });
    return { ok: false, status: 400, fieldErrors: { currentPassword: ["That is not your current password."] } };
  }
  const verdict = checkPassword(next, { username: user.username, email: user.email, businessName: tenant.businessName });
  if (!verdict.ok) return { ok: false, status: 400, fieldErrors: { newPassword: verdict.problems } };
  await tx.update(users).set({ passwordHash: await hashPassword(next), passwordChangedAt: new Date() }).where(and(eq(users.tenantId, tenant.id), eq(users.id, userId)));
  const ended = await endAllSessions(tx, tenant.id, userId, sessionToken);
  await recordEvent(tx, { action: "auth.password_changed", tenantId: tenant.id, actorKind: "user", actorId: userId, details: { otherSessionsEnded: ended }, ...audMeta(meta) });
  return { ok: true };
}

export const RESET_SENT = "If an account uses that email address, we have sent it a link to reset the password. It expires in 1 hour.";

/** Mails a reset link if the email belongs to an account; the answer never says which. */
export async function requestPasswordReset(db: Db, tenant: TenantInfo, email: string, meta: RequestMeta, baseUrl: string): Promise<{ ok: boolean; message: string }> {
  const addr = email.trim().toLowerCase();
  return withTenant(db, tenant.id, actor(meta), async (tx) => {
    const ip = await take(tx, `reset:ip:${meta.ip ?? "unknown"}`, LIMITS.passwordResetIp);
    const acct = await take(tx, `reset:acct:${tenant.id}:${addr}`, LIMITS.passwordResetAccount);
    if (!ip.allowed || !acct.allowed) {
      const wait = Math.max(ip.retryAfterSeconds, acct.retryAfterSeconds);
      await recordEvent(tx, { action: "auth.password_reset_throttled", tenantId: tenant.id, actorKind: "anonymous", details: { email: addr }, ...audMeta(meta) });
      return { ok: false, message: `Too many reset requests. Try again in ${waitInWords(wait)}.` };
    }
    const [user] = await tx.select().from(users).where(and(eq(users.tenantId, tenant.id), eq(sql`lower(${users.email})`, addr)));
    if (user && !user.disabledAt && user.passwordHash) {
      const { token } = await issueToken(tx, tenant.id, user.id, "reset_password");
      await queueEmail(tx, passwordResetEmail({ to: user.email, businessName: tenant.businessName, link: `${baseUrl}/reset-password?token=${token}` }));
    }
    await recordEvent(tx, { action: "auth.password_reset_requested", tenantId: tenant.id, actorKind: "anonymous", actorId: user?.id ?? null, details: { email: addr, known: Boolean(user) }, ...audMeta(meta) });
    return { ok: true, message: RESET_SENT };
  });
}

/** Sets a new password from an emailed link; ends every session of the user. */
export async function resetPassword(db: Db, tenant: TenantInfo, token: string, next: string, meta: RequestMeta): Promise<FieldResult> {
  return withTenant(db, tenant.id, actor(meta), async (tx) => {
    const row = await findToken(tx, tenant.id, "reset_password", token);
    if (!row) return { ok: false, status: 400, error: "This reset link has expired or was already used. Ask for a new one." };
    const [user] = await tx.select().from(users).where(and(eq(users.tenantId, tenant.id), eq(users.id, row.userId)));
    if (!user || user.disabledAt) return { ok: false, status: 400, error: "This reset link has expired or was already used. Ask for a new one." };
    const verdict = checkPassword(next, { username: user.username, email: user.email, businessName: tenant.businessName });
    if (!verdict.ok) return { ok: false, status: 400, fieldErrors: { password: verdict.problems } };
    if (!(await consumeToken(tx, tenant.id, row.id))) return { ok: false, status: 400, error: "This reset link was already used." };
    await tx
      .update(users)
      .set({ passwordHash: await hashPassword(next), passwordChangedAt: new Date(), emailVerifiedAt: user.emailVerifiedAt ?? new Date() })
      .where(and(eq(users.tenantId, tenant.id), eq(users.id, user.id)));
    const ended = await endAllSessions(tx, tenant.id, user.id);
    await clearLimit(tx, `login:acct:${tenant.id}:${user.id}`);
    await recordEvent(tx, { action: "auth.password_reset", tenantId: tenant.id, actorKind: "anonymous", actorId: user.id, details: { sessionsEnded: ended }, ...audMeta(meta) });
    return { ok: true };
  });
}
