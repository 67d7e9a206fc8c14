import { TRPCError } from "@trpc/server";
import type { Route } from "./+types/dashboard.routers.login-html";
import { requireIspUser } from "../lib/session.server";

/** The router's hotspot login.html, as a download for the router's hotspot folder. */
export async function loader({ request, context, params }: Route.LoaderArgs) {
  const { caller } = await requireIspUser(context, request, { permission: "routers.view" });
  try {
    const { html, filename } = await caller.routerSetup.loginHtml({ id: params.id });
    return new Response(html, {
      headers: {
        "Content-Type": "text/html; charset=utf-8",
        "Content-Disposition": `attachment; filename="${filename}"`,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (err) {
    if (err instanceof TRPCError && (err.code === "NOT_FOUND" || err.code === "BAD_REQUEST")) throw new Response("Not found", { status: 404 });
    throw err;
  }
}
