import { eq, or, sql, and } from "drizzle-orm";
import { users, platformUsers } from "../../db/schema";
import { withTenant, withPlatform, type Db } from "../../db/client";
import { verifyPassword, burnPasswordCheck } from "./passwords";
import { createUserSession, createPlatformSession, invalidateUserSession, invalidatePlatformSession } from "./sessions";
import { recordEvent } from "./audit";
import type { Site } from "./hosts";

export type RequestMeta = { ip?: string | null; userAgent?: string | null; requestId?: string | null };
export type LoginResult = { ok: true; token: string; expiresAt: Date } | { ok: false; error: string };

const BAD_CREDENTIALS = "That username or password is not right.";

/**
 * Signs a user in on the host they used: ISP users on {isp}.APP_DOMAIN (username or email),
 * platform users on admin.APP_DOMAIN. Every attempt, good or bad, is audited.
 */
export async function login(db: Db, site: Site, identifier: string, password: string, meta: RequestMeta): Promise<LoginResult> {
  const ident = identifier.trim().toLowerCase();
  if (site.kind === "tenant") {
    const tenantId = site.tenant.id;
    return withTenant(db, tenantId, { actorKind: "anonymous", requestId: meta.requestId }, async (tx) => {
      const [user] = await tx
        .select()
        .from(users)
        .where(and(eq(users.tenantId, tenantId), or(eq(sql`lower(${users.username})`, ident), eq(sql`lower(${users.email})`, ident))));
      const ok = user && !user.disabledAt ? await verifyPassword(user.passwordHash, password) : (await burnPasswordCheck(password), false);
      if (!ok || !user) {
        await recordEvent(tx, { action: "auth.login_failed", tenantId, actorKind: "anonymous", actorId: user?.id, details: { identifier: ident }, ...audMeta(meta) });
        return { ok: false, error: BAD_CREDENTIALS };
      }
      const s = await createUserSession(tx, tenantId, user.id, meta);
      await recordEvent(tx, { action: "auth.login", tenantId, actorKind: "user", actorId: user.id, ...audMeta(meta) });
      return { ok: true, token: s.token, expiresAt: s.absoluteExpiresAt };
    });
  }
  if (site.kind === "admin") {
    return withPlatform(db, { actorKind: "anonymous", requestId: meta.requestId }, async (tx) => {
      const [user] = await tx
        .select()
        .from(platformUsers)
        .where(or(eq(sql`lower(${platformUsers.username})`, ident), eq(sql`lower(${platformUsers.email})`, ident)));
      const ok = user && !user.disabledAt ? await verifyPassword(user.passwordHash, password) : (await burnPasswordCheck(password), false);
      if (!ok || !user) {
        await recordEvent(tx, { action: "auth.login_failed", actorKind: "anonymous", actorId: user?.id, details: { identifier: ident, console: true }, ...audMeta(meta) });
        return { ok: false, error: BAD_CREDENTIALS };
      }
      const s = await createPlatformSession(tx, user.id, meta);
      await recordEvent(tx, { action: "auth.login", actorKind: "platform_user", actorId: user.id, ...audMeta(meta) });
      return { ok: true, token: s.token, expiresAt: s.absoluteExpiresAt };
    });
  }
  return { ok: false, error: "There is nothing to sign in to here." };
}

export async function logout(db: Db, site: Site, token: string, userId: string, meta: RequestMeta) {
  if (site.kind === "tenant") {
    const tenantId = site.tenant.id;
    await withTenant(db, tenantId, { userId, requestId: meta.requestId }, async (tx) => {
      await invalidateUserSession(tx, tenantId, token);
      await recordEvent(tx, { action: "auth.logout", tenantId, actorKind: "user", actorId: userId, ...audMeta(meta) });
    });
  } else if (site.kind === "admin") {
    await withPlatform(db, { userId, requestId: meta.requestId }, async (tx) => {
      await invalidatePlatformSession(tx, token);
      await recordEvent(tx, { action: "auth.logout", actorKind: "platform_user", actorId: userId, ...audMeta(meta) });
    });
  }
}

function audMeta(meta: RequestMeta) {
  return { ip: meta.ip ?? null, requestId: meta.requestId ?? null };
}
