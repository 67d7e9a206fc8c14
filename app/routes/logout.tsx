import { redirect } from "react-router";
import type { Route } from "./+types/logout";
import { optionalViewer } from "../lib/session.server";
import { logout } from "../../server/services/auth";
import { clearSessionCookie, requestMeta } from "../../server/context";
import { endImpersonation } from "../../server/services/impersonation";

export async function action({ request, context }: Route.ActionArgs) {
  const { app } = context;
  const viewer = await optionalViewer(context, request);
  // Signing out while viewing an ISP from the console ends the impersonation and goes back there.
  if (viewer?.kind === "user" && viewer.impersonation && app.site.kind === "tenant") {
    await endImpersonation(app.db, app.site.tenant.id, viewer.impersonation, viewer.user.id, "signed_out", requestMeta(app));
    return redirect("/impersonate/exit", { headers: { "set-cookie": clearSessionCookie(app.env) } });
  }
  if (viewer) await logout(app.db, app.site, viewer.token, viewer.user.id, { ip: app.ip, requestId: app.requestId });
  // The idle countdown signs out with ?notice=expired so the sign-in page can say why.
  const expired = new URL(request.url).searchParams.get("notice") === "expired";
  return redirect(expired ? "/login?notice=expired" : "/login", { headers: { "set-cookie": clearSessionCookie(app.env) } });
}

export function loader() {
  return redirect("/");
}
