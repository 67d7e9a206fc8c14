import { redirect } from "react-router";
import type { Route } from "./+types/logout";
import { optionalViewer } from "../lib/session.server";
import { logout } from "../../server/services/auth";
import { clearSessionCookie } from "../../server/context";

export async function action({ request, context }: Route.ActionArgs) {
  const { app } = context;
  const viewer = await optionalViewer(context, request);
  if (viewer) await logout(app.db, app.site, viewer.token, viewer.user.id, { ip: app.ip, requestId: app.requestId });
  // The idle countdown signs out with ?notice=expired so the sign-in page can say why.
  const expired = new URL(request.url).searchParams.get("notice") === "expired";
  return redirect(expired ? "/login?notice=expired" : "/login", { headers: { "set-cookie": clearSessionCookie(app.env) } });
}

export function loader() {
  return redirect("/");
}
