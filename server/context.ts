import type { Logger } from "pino";
import type { Db } from "../db/client";
import { withTenant, withPlatform } from "../db/client";
import type { Env } from "./env";
import type { Site } from "./services/hosts";
import { validateUserSession, validatePlatformSession, type SessionUser } from "./services/sessions";
import type { SecretBox } from "./services/secrets";
import type { Integrations } from "./integrations";
import { loadBillingRow, type BillingRow } from "./services/billing/state";
import { validateImpersonationSession, type ImpersonationInfo } from "./services/impersonation";

/** What the web server hands every loader, action and tRPC call (React Router load context). */
export type AppContext = {
  db: Db;
  env: Env;
  log: Logger;
  requestId: string;
  site: Site;
  ip: string | null;
  userAgent: string | null;
  secrets: SecretBox;
  integrations: Integrations;
  /** Per-request nonce of the Content-Security-Policy (inline scripts must carry it). */
  cspNonce: string;
  /** The clock billing decisions use (a trial or paid month ending); tests set it. Default: now. */
  now?: () => Date;
};

/** The time as this request's clock says (AppContext.now, else the real time). */
export function nowOf(app: Pick<AppContext, "now">): Date {
  return app.now?.() ?? new Date();
}

/** Runs the product on plain http on *.localhost; everywhere else https. */
export function isLocalDomain(appDomain: string) {
  return /^([a-z0-9-]+\.)?localhost(:\d+)?$/.test(appDomain);
}

/** Absolute URL on the public site (sub = null), the console ("admin") or an ISP (its slug). */
export function siteUrl(env: Env, sub: string | null, path = "") {
  return `${isLocalDomain(env.APP_DOMAIN) ? "http" : "https"}://${sub ? `${sub}.` : ""}${env.APP_DOMAIN}${path}`;
}

/** Who made the request, for the audit trail. */
export function requestMeta(app: AppContext) {
  return { ip: app.ip, userAgent: app.userAgent, requestId: app.requestId };
}

declare module "react-router" {
  interface AppLoadContext {
    app: AppContext;
  }
}

export const SESSION_COOKIE = "mn_session";

export function readCookie(request: Request, name: string): string | null {
  const header = request.headers.get("cookie");
  if (!header) return null;
  for (const part of header.split(";")) {
    const i = part.indexOf("=");
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return null; // a malformed cookie is no cookie, not a 500
      }
    }
  }
  return null;
}

export function sessionCookie(token: string, env: Env, maxAgeSeconds: number, name = SESSION_COOKIE, path = "/") {
  // Secure everywhere but on *.localhost, where plain http is how the product is run locally.
  const secure = !isLocalDomain(env.APP_DOMAIN) ? "; Secure" : "";
  // No Domain attribute: the cookie stays on the exact host (one ISP never sees another's).
  return `${name}=${encodeURIComponent(token)}; Path=${path}; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`;
}

export function clearSessionCookie(env: Env) {
  return sessionCookie("", env, 0);
}

export type Viewer =
  | { kind: "user"; tenantId: string; user: SessionUser; token: string; idleExpiresAt: Date; billing: BillingRow | null; impersonation?: ImpersonationInfo }
  | { kind: "platform_user"; user: SessionUser; token: string; idleExpiresAt: Date };

/** The signed-in user for this request's host, or null. */
export async function resolveViewer(app: AppContext, request: Request, keepAlive = false): Promise<Viewer | null> {
  const token = readCookie(request, SESSION_COOKIE);
  if (!token || token.length > 100) return null;
  const { site, db } = app;
  if (site.kind === "tenant") {
    const found = await withTenant(db, site.tenant.id, { actorKind: "system", requestId: app.requestId }, async (tx) => {
      const session = await validateUserSession(tx, site.tenant.id, token, new Date(), keepAlive);
      // The billing columns ride along: whether the dashboard is open is decided from them.
      const billing = async () => loadBillingRow(tx, site.tenant.id);
      if (session) return { user: session.user, idleExpiresAt: session.session.idleExpiresAt, impersonation: undefined, billing: await billing() };
      // A platform admin viewing this ISP (server/services/impersonation.ts): ends at its own time.
      const imp = await validateImpersonationSession(tx, site.tenant.id, token);
      return imp ? { user: imp.user, idleExpiresAt: imp.impersonation.expiresAt, impersonation: imp.impersonation, billing: await billing() } : null;
    });
    return found ? { kind: "user", tenantId: site.tenant.id, user: found.user, token, idleExpiresAt: found.idleExpiresAt, impersonation: found.impersonation, billing: found.billing } : null;
  }
  if (site.kind === "admin") {
    const found = await withPlatform(db, { actorKind: "system", requestId: app.requestId }, (tx) => validatePlatformSession(tx, token, new Date(), keepAlive));
    return found ? { kind: "platform_user", user: found.user, token, idleExpiresAt: found.session.idleExpiresAt } : null;
  }
  return null;
}
