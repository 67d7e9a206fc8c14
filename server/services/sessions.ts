import { and, eq, ne } from "drizzle-orm";
import { sha256 } from "@oslojs/crypto/sha2";
import { encodeBase32LowerCaseNoPadding, encodeHexLowerCase } from "@oslojs/encoding";
import { userSessions, users, platformSessions, platformUsers } from "../../db/schema";
import type { Tx } from "../../db/client";

/**
 * Sessions the way the Lucia project recommends: a random token in an HttpOnly cookie, only
 * its SHA-256 in the database. Ended by 20 minutes without activity or 12 hours in total.
 */
export const IDLE_TIMEOUT_MS = 20 * 60 * 1000;
export const ABSOLUTE_LIFETIME_MS = 12 * 60 * 60 * 1000;
// Extending on every request would write a row per request; once a minute is precise enough.
const TOUCH_EVERY_MS = 60 * 1000;

export function generateSessionToken(): string {
  const bytes = new Uint8Array(20);
  crypto.getRandomValues(bytes);
  return encodeBase32LowerCaseNoPadding(bytes);
}

export function sessionIdFromToken(token: string): string {
  return encodeHexLowerCase(sha256(new TextEncoder().encode(token)));
}

type Meta = { ip?: string | null; userAgent?: string | null };
type Expiry = { idleExpiresAt: Date; absoluteExpiresAt: Date; lastSeenAt: Date };

function freshExpiry(now = new Date()): Expiry {
  return {
    lastSeenAt: now,
    idleExpiresAt: new Date(now.getTime() + IDLE_TIMEOUT_MS),
    absoluteExpiresAt: new Date(now.getTime() + ABSOLUTE_LIFETIME_MS),
  };
}

/** Decides what to do with a stored session now: drop it, extend it, or leave it. */
function judge(s: Expiry, now = new Date()): "expired" | "touch" | "ok" {
  if (now >= s.idleExpiresAt || now >= s.absoluteExpiresAt) return "expired";
  return now.getTime() - s.lastSeenAt.getTime() >= TOUCH_EVERY_MS ? "touch" : "ok";
}

function touched(s: Expiry, now = new Date()) {
  return { lastSeenAt: now, idleExpiresAt: new Date(Math.min(now.getTime() + IDLE_TIMEOUT_MS, s.absoluteExpiresAt.getTime())) };
}

// ---- ISP users (tenant context) ----

export async function createUserSession(tx: Tx, tenantId: string, userId: string, meta: Meta = {}, now = new Date()) {
  const token = generateSessionToken();
  const expiry = freshExpiry(now);
  await tx.insert(userSessions).values({ tenantId, id: sessionIdFromToken(token), userId, ...expiry, ip: meta.ip, userAgent: meta.userAgent });
  return { token, ...expiry };
}

export type SessionUser = {
  id: string;
  username: string;
  email: string;
  fullName: string;
  role: string;
  emailVerified: boolean;
  twoFactorMethod: "totp" | "sms" | null;
};

/**
 * The session and its user, or null when it does not exist or has expired (then it is
 * deleted). `now` is a parameter so tests can move the clock; `keepAlive` extends the idle
 * deadline even within the once-a-minute throttle ("stay signed in").
 */
export async function validateUserSession(tx: Tx, tenantId: string, token: string, now = new Date(), keepAlive = false) {
  const id = sessionIdFromToken(token);
  const [row] = await tx
    .select({ session: userSessions, user: users })
    .from(userSessions)
    .innerJoin(users, and(eq(users.tenantId, userSessions.tenantId), eq(users.id, userSessions.userId)))
    .where(and(eq(userSessions.tenantId, tenantId), eq(userSessions.id, id)));
  if (!row) return null;
  const verdict = judge(row.session, now);
  if (verdict === "expired" || row.user.disabledAt || !row.user.passwordHash) {
    await tx.delete(userSessions).where(and(eq(userSessions.tenantId, tenantId), eq(userSessions.id, id)));
    return null;
  }
  let session = row.session;
  if (verdict === "touch" || keepAlive) {
    const t = touched(session, now);
    await tx.update(userSessions).set(t).where(and(eq(userSessions.tenantId, tenantId), eq(userSessions.id, id)));
    session = { ...session, ...t };
  }
  const { id: userId, username, email, fullName, role, emailVerifiedAt, twoFactorMethod } = row.user;
  return { session, user: { id: userId, username, email, fullName, role, emailVerified: Boolean(emailVerifiedAt), twoFactorMethod } satisfies SessionUser };
}

export async function invalidateUserSession(tx: Tx, tenantId: string, token: string) {
  await tx.delete(userSessions).where(and(eq(userSessions.tenantId, tenantId), eq(userSessions.id, sessionIdFromToken(token))));
}

/** Ends every session of an ISP user (sign out everywhere, password change, deactivation), maybe but one. */
export async function endUserSessions(tx: Tx, tenantId: string, userId: string, except?: string) {
  const ended = await tx
    .delete(userSessions)
    .where(and(eq(userSessions.tenantId, tenantId), eq(userSessions.userId, userId), except ? ne(userSessions.id, sessionIdFromToken(except)) : undefined))
    .returning({ id: userSessions.id });
  return ended.length;
}

// ---- platform users (platform context) ----

export async function createPlatformSession(tx: Tx, userId: string, meta: Meta = {}) {
  const token = generateSessionToken();
  const expiry = freshExpiry();
  await tx.insert(platformSessions).values({ id: sessionIdFromToken(token), userId, ...expiry, ip: meta.ip, userAgent: meta.userAgent });
  return { token, ...expiry };
}

export async function validatePlatformSession(tx: Tx, token: string, now = new Date(), keepAlive = false) {
  const id = sessionIdFromToken(token);
  const [row] = await tx
    .select({ session: platformSessions, user: platformUsers })
    .from(platformSessions)
    .innerJoin(platformUsers, eq(platformUsers.id, platformSessions.userId))
    .where(eq(platformSessions.id, id));
  if (!row) return null;
  const verdict = judge(row.session, now);
  // A disabled admin, or one with no password (invited, not accepted yet), has no session.
  if (verdict === "expired" || row.user.disabledAt || !row.user.passwordHash) {
    await tx.delete(platformSessions).where(eq(platformSessions.id, id));
    return null;
  }
  let session = row.session;
  if (verdict === "touch" || keepAlive) {
    const t = touched(session, now);
    await tx.update(platformSessions).set(t).where(eq(platformSessions.id, id));
    session = { ...session, ...t };
  }
  const { id: userId, username, email, fullName, role, twoFactorMethod } = row.user;
  return { session, user: { id: userId, username, email, fullName, role, emailVerified: true, twoFactorMethod } satisfies SessionUser };
}

export async function invalidatePlatformSession(tx: Tx, token: string) {
  await tx.delete(platformSessions).where(eq(platformSessions.id, sessionIdFromToken(token)));
}

/** Ends every session of a console user (disabled, sign out everywhere else, password change or reset), maybe but one. */
export async function endPlatformSessions(tx: Tx, userId: string, except?: string) {
  const ended = await tx
    .delete(platformSessions)
    .where(and(eq(platformSessions.userId, userId), except ? ne(platformSessions.id, sessionIdFromToken(except)) : undefined))
    .returning({ id: platformSessions.id });
  return ended.length;
}
