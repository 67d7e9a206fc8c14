import { redirect } from "react-router";
import type { AppLoadContext } from "react-router";
import { resolveViewer, type Viewer } from "../../server/context";
import { getCaller } from "../../server/trpc/root";

/** The ISP user signed in on this ISP's host, or a redirect to its login page. */
export async function requireIspUser(context: AppLoadContext, request: Request) {
  const { app } = context;
  if (app.site.kind !== "tenant") throw new Response("Not found", { status: 404 });
  const viewer = await resolveViewer(app, request);
  if (!viewer || viewer.kind !== "user") throw redirectToLogin(request);
  return { viewer, tenant: app.site.tenant, caller: await getCaller(app, request) };
}

/** The platform user signed in on admin.APP_DOMAIN, or a redirect to its login page. */
export async function requirePlatformUser(context: AppLoadContext, request: Request) {
  const { app } = context;
  if (app.site.kind !== "admin") throw new Response("Not found", { status: 404 });
  const viewer = await resolveViewer(app, request);
  if (!viewer || viewer.kind !== "platform_user") throw redirectToLogin(request);
  return { viewer, caller: await getCaller(app, request) };
}

export async function optionalViewer(context: AppLoadContext, request: Request): Promise<Viewer | null> {
  return resolveViewer(context.app, request);
}

function redirectToLogin(request: Request) {
  const url = new URL(request.url);
  const next = url.pathname + url.search;
  return redirect(`/login?next=${encodeURIComponent(next)}`);
}

/** Only same-site paths are followed after login (no open redirects). */
export function safeNext(value: string | null, fallback: string) {
  return value && value.startsWith("/") && !value.startsWith("//") && !value.startsWith("/\\") ? value : fallback;
}
