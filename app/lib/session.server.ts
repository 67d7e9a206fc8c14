import { data, redirect } from "react-router";
import { ispCan, type IspPermission } from "../../policies/permissions";
import type { AppLoadContext } from "react-router";
import { resolveViewer, nowOf, siteUrl, type Viewer } from "../../server/context";
import type { AccountSite } from "../../server/services/account-realm";
import { getCaller } from "../../server/trpc/root";
import { dashboardBlock } from "../../server/trpc/init";

/**
 * The ISP user signed in on this ISP's host, or a redirect to its login page. While the
 * dashboard is closed (email not confirmed, ISP suspended) every dashboard page redirects to
 * /dashboard/locked, which passes { allowLocked: true }.
 */
export async function requireIspUser(context: AppLoadContext, request: Request, opts: { allowLocked?: boolean; permission?: IspPermission } = {}) {
  const { app } = context;
  if (app.site.kind !== "tenant") throw new Response("Not found", { status: 404 });
  const viewer = await resolveViewer(app, request);
  if (!viewer || viewer.kind !== "user") throw redirectToLogin(request);
  const locked = dashboardBlock(viewer.billing, viewer.user.emailVerified, nowOf(app));
  if (locked && !opts.allowLocked) throw redirect("/dashboard/locked");
  // A page the role may not open is a clear 403, not a failed procedure deep in the loader.
  if (opts.permission && !ispCan(viewer.user.role, opts.permission)) throw data({ reason: "forbidden" }, { status: 403 });
  return { viewer, tenant: app.site.tenant, locked, caller: await getCaller(app, request) };
}

/** The platform user signed in on admin.APP_DOMAIN, or a redirect to its login page. */
export async function requirePlatformUser(context: AppLoadContext, request: Request) {
  const { app } = context;
  if (app.site.kind !== "admin") throw new Response("Not found", { status: 404 });
  const viewer = await resolveViewer(app, request);
  if (!viewer || viewer.kind !== "platform_user") throw redirectToLogin(request);
  return { viewer, caller: await getCaller(app, request) };
}

/**
 * The host of a sign-in page that ISP users and console users both have (/login/2fa,
 * /forgot-password, /reset-password): its site, the title the page shows, its own base URL and
 * where a signed-in person lands. Any other host: 404.
 */
export function accountSite(context: AppLoadContext) {
  const { site, env } = context.app;
  if (site.kind !== "tenant" && site.kind !== "admin") throw data(null, { status: 404 });
  const s: AccountSite = site;
  return s.kind === "tenant"
    ? { site: s, kind: s.kind, title: s.tenant.businessName, baseUrl: siteUrl(env, s.tenant.slug), home: "/dashboard" }
    : { site: s, kind: s.kind, title: "mnetifi console", baseUrl: siteUrl(env, "admin"), home: "/" };
}

export async function optionalViewer(context: AppLoadContext, request: Request, keepAlive = false): Promise<Viewer | null> {
  return resolveViewer(context.app, request, keepAlive);
}

function redirectToLogin(request: Request) {
  const url = new URL(request.url);
  const next = url.pathname + url.search;
  return redirect(`/login?next=${encodeURIComponent(next)}`);
}

/**
 * Only paths on this same host are followed after login (no open redirects). Browsers strip
 * tabs and newlines from URLs, so "/\t/evil.com" would become "//evil.com": anything with a
 * control character or a backslash is refused, and the result must resolve to this origin.
 */
export function safeNext(value: string | null, fallback: string) {
  if (!value || !value.startsWith("/") || /[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  try {
    const base = "http://same.invalid";
    const u = new URL(value, base);
    return u.origin === base ? u.pathname + u.search + u.hash : fallback;
  } catch {
    return fallback;
  }
}
