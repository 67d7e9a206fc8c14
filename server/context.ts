import type { Logger } from "pino";
import type { Db } from "../db/client";
import { withTenant, withPlatform } from "../db/client";
import type { Env } from "./env";
import type { Site } from "./services/hosts";
import { validateUserSession, validatePlatformSession, type SessionUser } from "./services/sessions";

/** What the web server hands every loader, action and tRPC call (React Router load context). */
export type AppContext = {
  db: Db;
  env: Env;
  log: Logger;
  requestId: string;
  site: Site;
  ip: string | null;
};

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
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}

export function sessionCookie(token: string, env: Env, maxAgeSeconds: number) {
  // Secure everywhere but on *.localhost, where plain http is how the product is run locally.
  const local = /^([a-z0-9-]+\.)?localhost(:\d+)?$/.test(env.APP_DOMAIN);
  const secure = env.NODE_ENV === "production" && !local ? "; Secure" : "";
  // No Domain attribute: the cookie stays on the exact host (one ISP never sees another's).
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}${secure}`;
}

export function clearSessionCookie(env: Env) {
  return sessionCookie("", env, 0);
}

export type Viewer = { kind: "user"; tenantId: string; user: SessionUser; token: string } | { kind: "platform_user"; user: SessionUser; token: string };

/** The signed-in user for this request's host, or null. */
export async function resolveViewer(app: AppContext, request: Request): Promise<Viewer | null> {
  const token = readCookie(request, SESSION_COOKIE);
  if (!token || token.length > 100) return null;
  const { site, db } = app;
  if (site.kind === "tenant") {
    const found = await withTenant(db, site.tenant.id, { actorKind: "system", requestId: app.requestId }, (tx) =>
      validateUserSession(tx, site.tenant.id, token),
    );
    return found ? { kind: "user", tenantId: site.tenant.id, user: found.user, token } : null;
  }
  if (site.kind === "admin") {
    const found = await withPlatform(db, { actorKind: "system", requestId: app.requestId }, (tx) => validatePlatformSession(tx, token));
    return found ? { kind: "platform_user", user: found.user, token } : null;
  }
  return null;
}
