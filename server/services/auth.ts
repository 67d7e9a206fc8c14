import { withTenant, withPlatform, type Db, type Tx, type Actor } from "../../db/client";
import { verifyPassword, burnPasswordCheck, hashPassword } from "./passwords";
import { invalidateUserSession, invalidatePlatformSession } from "./sessions";
import { endImpersonationsFromConsole } from "./impersonation";
import { recordEvent } from "./audit";
import { LIMITS, lockedUntil, recordFailure, clearLimit, take, waitInWords } from "./rate-limits";
import { newSmsCode, queueSmsCode, smsCodeMatches, totpStep, openTotpKey, looksLikeRecoveryCode } from "./two-factor";
import { realmOf, type AccountSite, type AccountUser, type Realm } from "./account-realm";
import { checkPassword } from "./password-policy";
import { queueEmail, passwordResetEmail } from "./emails";
import type { SecretBox } from "./secrets";
import type { Site } from "./hosts";

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

/** Creates the session once every factor has passed. */
async function completeSignIn(tx: Tx, realm: Realm, userId: string, meta: RequestMeta, details?: Record<string, unknown>): Promise<LoginOutcome> {
  const s = await realm.createSession(tx, userId, meta);
  await realm.update(tx, userId, { lastLoginAt: new Date() });
  await recordEvent(tx, { action: "auth.login", tenantId: realm.tenantId, actorKind: realm.memberKind, actorId: userId, details, ...audMeta(meta) });
  return { ok: true, step: "done", token: s.token, expiresAt: s.absoluteExpiresAt, userId };
}

/**
 * Signs a user in on the host they used: ISP users on {isp}.APP_DOMAIN, platform users on
 * admin.APP_DOMAIN (username or email, each in its own realm: account-realm.ts). A user with
 * 2FA gets a short-lived challenge instead of a session. Every attempt is audited, with IP and
 * user agent.
 */
export async function login(db: Db, site: Site, identifier: string, password: string, meta: RequestMeta): Promise<LoginOutcome> {
  if (site.kind !== "tenant" && site.kind !== "admin") return { ok: false, status: 400, error: "There is nothing to sign in to here." };
  const ident = identifier.trim().toLowerCase();
  const realm = realmOf(site);
  return realm.run(db, actor(meta), async (tx) => {
    const user = await realm.findByIdentifier(tx, ident);
    const audit: Audit = (action, actorId, details) =>
      // The typed identifier is kept only when it names a real account: otherwise it may be a
      // password typed into the wrong box.
      recordEvent(tx, { action, tenantId: realm.tenantId, actorKind: "anonymous", actorId, details: { ...(user ? { identifier: ident } : { unknownAccount: true }), ...realm.loginAuditDetails, ...details }, ...audMeta(meta) });
    const verdict = await checkPasswordGuarded(tx, { account: realm.loginKey(user?.id ?? ident), ip: `login:ip:${meta.ip ?? "unknown"}` }, user, password, audit);
    if (!verdict.ok) return verdict;
    const u = user!;
    if (u.twoFactorMethod) return startSecondFactor(tx, realm, u, meta);
    return completeSignIn(tx, realm, u.id, meta);
  });
}

async function startSecondFactor(tx: Tx, realm: Realm, user: AccountUser, meta: RequestMeta): Promise<LoginOutcome> {
  const method = user.twoFactorMethod!;
  const data: Record<string, unknown> = { method };
  if (method === "sms") {
    if (!user.phone) return { ok: false, status: 400, error: "Your account has no phone number for SMS codes. Ask your ISP's owner to reset your two-step verification." };
    const sms = newSmsCode();
    data.codeHash = sms.hash;
    await queueSmsCode(tx, user.phone, sms.code, realm.mailName);
  }
  const { token, row } = await realm.tokens.issue(tx, user.id, "login_2fa", data);
  await recordEvent(tx, { action: "auth.2fa_challenge", tenantId: realm.tenantId, actorKind: "anonymous", actorId: user.id, details: { method }, ...audMeta(meta) });
  return { ok: true, step: "2fa", challenge: token, method, expiresAt: row.expiresAt };
}

/** The rate-limit key of a user's wrong second-step codes (sign-in, and turning 2FA off). */
export const twoFactorLimitKey = (realm: Realm, userId: string) => `2fa:${realm.limitScope}:${userId}`;

/**
 * Whether `code` is the user's current second factor: a recovery code (used up), else a code
 * from the authenticator app, else the SMS code whose hash the sign-in challenge holds.
 */
export async function secondFactorMatches(tx: Tx, realm: Realm, secrets: SecretBox, user: AccountUser, code: string, smsCodeHash?: unknown) {
  const trimmed = code.trim();
  if (looksLikeRecoveryCode(trimmed)) return { ok: await realm.recovery.use(tx, user.id, trimmed), kind: "recovery_code" as const };
  if (user.twoFactorMethod === "totp" && user.totpKeyEnc) {
    // A code counts once: its step must be newer than the last one this account used.
    const step = totpStep(openTotpKey(secrets, user.totpKeyEnc), trimmed);
    return { ok: step !== null && (await realm.useTotpStep(tx, user.id, step)), kind: "totp" as const };
  }
  if (user.twoFactorMethod === "sms") return { ok: smsCodeMatches(smsCodeHash, trimmed), kind: "sms" as const };
  return { ok: false, kind: null };
}

const EXPIRED_SIGN_IN = { ok: false as const, status: 401 as const, error: "This sign-in has expired. Please sign in again." };

/** The second step: a code from the authenticator app or SMS, or a recovery code. */
export async function verifySecondFactor(db: Db, secrets: SecretBox, site: AccountSite, challenge: string, code: string, meta: RequestMeta): Promise<LoginOutcome> {
  const realm = realmOf(site);
  return realm.run(db, actor(meta), async (tx) => {
    const row = await realm.tokens.find(tx, "login_2fa", challenge);
    if (!row) return EXPIRED_SIGN_IN;
    const key = twoFactorLimitKey(realm, row.userId);
    const ipKey = `2fa:ip:${meta.ip ?? "unknown"}`;
    const locked = latest(await lockedUntil(tx, key), await lockedUntil(tx, ipKey));
    if (locked) return { ok: false, status: 429, error: `Too many wrong codes. Try again in ${waitInWords(locked)}.` };
    const user = await realm.findById(tx, row.userId);
    if (!user || user.disabledAt || !user.passwordHash || user.twoFactorMethod !== row.data.method) return EXPIRED_SIGN_IN;
    const match = await secondFactorMatches(tx, realm, secrets, user, code, row.data.codeHash);
    if (!match.ok) {
      const f = await recordFailure(tx, key, LIMITS.twoFactor);
      await recordFailure(tx, ipKey, LIMITS.twoFactorIp);
      await recordEvent(tx, { action: "auth.2fa_failed", tenantId: realm.tenantId, actorKind: "anonymous", actorId: user.id, ...audMeta(meta) });
      if (f.justLocked) {
        await realm.tokens.consume(tx, row.id);
        await recordEvent(tx, { action: "auth.locked", tenantId: realm.tenantId, actorKind: "anonymous", actorId: user.id, details: { scope: "2fa" }, ...audMeta(meta) });
        return { ok: false, status: 429, error: `Too many wrong codes. Sign-in is locked for ${LIMITS.twoFactor.lockSeconds / 60} minutes.` };
      }
      return { ok: false, status: 401, error: `That code is not right. ${f.remaining} attempt${f.remaining === 1 ? "" : "s"} left.` };
    }
    if (!(await realm.tokens.consume(tx, row.id))) return EXPIRED_SIGN_IN;
    await clearLimit(tx, key);
    return completeSignIn(tx, realm, user.id, meta, { secondFactor: match.kind });
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

export type FieldResult = { ok: true } | { ok: false; status: 400 | 401 | 429; error?: string; fieldErrors?: Record<string, string[]> };

/** Changes the signed-in user's password; every other session of theirs ends. */
export async function changePassword(tx: Tx, realm: Realm, userId: string, current: string, next: string, sessionToken: string, meta: RequestMeta): Promise<FieldResult> {
  const user = await realm.findById(tx, userId);
  if (!user?.passwordHash || !(await verifyPassword(user.passwordHash, current))) {
    await recordEvent(tx, { action: "auth.password_change_failed", tenantId: realm.tenantId, actorKind: realm.memberKind, actorId: userId, ...audMeta(meta) });
    return { ok: false, status: 400, fieldErrors: { currentPassword: ["That is not your current password."] } };
  }
  const verdict = checkPassword(next, realm.policyContext(user));
  if (!verdict.ok) return { ok: false, status: 400, fieldErrors: { newPassword: verdict.problems } };
  await realm.update(tx, userId, { passwordHash: await hashPassword(next), passwordChangedAt: new Date() });
  const ended = await realm.endSessions(tx, userId, sessionToken);
  await recordEvent(tx, { action: "auth.password_changed", tenantId: realm.tenantId, actorKind: realm.memberKind, actorId: userId, details: { otherSessionsEnded: ended }, ...audMeta(meta) });
  return { ok: true };
}

export const RESET_SENT = "If an account uses that email address, we have sent it a link to reset the password. It expires in 1 hour.";

/** Mails a reset link if the email belongs to an account; the answer never says which. */
export async function requestPasswordReset(db: Db, site: AccountSite, email: string, meta: RequestMeta, baseUrl: string): Promise<{ ok: boolean; message: string }> {
  const addr = email.trim().toLowerCase();
  const realm = realmOf(site);
  return realm.run(db, actor(meta), async (tx) => {
    const ip = await take(tx, `reset:ip:${meta.ip ?? "unknown"}`, LIMITS.passwordResetIp);
    const acct = await take(tx, `reset:acct:${realm.limitScope}:${addr}`, LIMITS.passwordResetAccount);
    if (!ip.allowed || !acct.allowed) {
      const wait = Math.max(ip.retryAfterSeconds, acct.retryAfterSeconds);
      await recordEvent(tx, { action: "auth.password_reset_throttled", tenantId: realm.tenantId, actorKind: "anonymous", details: { email: addr }, ...audMeta(meta) });
      return { ok: false, message: `Too many reset requests. Try again in ${waitInWords(wait)}.` };
    }
    const user = await realm.findByEmail(tx, addr);
    if (user && !user.disabledAt && user.passwordHash) {
      const { token } = await realm.tokens.issue(tx, user.id, "reset_password");
      await queueEmail(tx, passwordResetEmail({ to: user.email, businessName: realm.mailName, link: `${baseUrl}/reset-password?token=${token}` }));
    }
    await recordEvent(tx, { action: "auth.password_reset_requested", tenantId: realm.tenantId, actorKind: "anonymous", actorId: user?.id ?? null, details: { email: addr, known: Boolean(user) }, ...audMeta(meta) });
    return { ok: true, message: RESET_SENT };
  });
}

const DEAD_RESET_LINK = "This reset link has expired or was already used. Ask for a new one.";

/** Sets a new password from an emailed link; ends every session of the user. */
export async function resetPassword(db: Db, site: AccountSite, token: string, next: string, meta: RequestMeta): Promise<FieldResult> {
  const realm = realmOf(site);
  return realm.run(db, actor(meta), async (tx) => {
    const row = await realm.tokens.find(tx, "reset_password", token);
    if (!row) return { ok: false, status: 400, error: DEAD_RESET_LINK };
    const user = await realm.findById(tx, row.userId);
    if (!user || user.disabledAt || !user.passwordHash) return { ok: false, status: 400, error: DEAD_RESET_LINK };
    const verdict = checkPassword(next, realm.policyContext(user));
    if (!verdict.ok) return { ok: false, status: 400, fieldErrors: { password: verdict.problems } };
    if (!(await realm.tokens.consume(tx, row.id))) return { ok: false, status: 400, error: "This reset link was already used." };
    // Opening the emailed link also confirms the address.
    await realm.update(tx, user.id, { passwordHash: await hashPassword(next), passwordChangedAt: new Date(), ...(user.emailVerifiedAt ? {} : { emailVerifiedAt: new Date() }) });
    const ended = await realm.endSessions(tx, user.id);
    await clearLimit(tx, realm.loginKey(user.id));
    await recordEvent(tx, { action: "auth.password_reset", tenantId: realm.tenantId, actorKind: "anonymous", actorId: user.id, details: { sessionsEnded: ended }, ...audMeta(meta) });
    return { ok: true };
  });
}
