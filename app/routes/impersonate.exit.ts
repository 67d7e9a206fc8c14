import { data, redirect } from "react-router";
import type { Route } from "./+types/impersonate.exit";
import { optionalViewer } from "../lib/session.server";
import { endImpersonation } from "../../server/services/impersonation";
import { clearSessionCookie, requestMeta, siteUrl } from "../../server/context";

/**
 * The banner's Exit (and the countdown reaching zero): ends the impersonation server-side,
 * forgets the ISP-side cookie and returns to the ISP's page in the console. A real ISP user
 * posting here is simply sent back to the dashboard, still signed in.
 */
export async function action({ request, context }: Route.ActionArgs) {
  const { app } = context;
  if (app.site.kind !== "tenant") throw data(null, { status: 404 });
  const viewer = await optionalViewer(context, request);
  if (viewer?.kind === "user" && !viewer.impersonation) return redirect("/dashboard");
  if (viewer?.kind === "user" && viewer.impersonation) await endImpersonation(app.db, app.site.tenant.id, viewer.impersonation, viewer.user.id, "exit", requestMeta(app));
  return redirect(siteUrl(app.env, "admin", `/tenants/${app.site.tenant.id}?impersonation=ended`), { headers: { "set-cookie": clearSessionCookie(app.env) } });
}

export function loader() {
  return redirect("/dashboard");
}
