import { data, redirect, useLoaderData } from "react-router";
import type { Route } from "./+types/impersonate";
import { Alert } from "../components/ui";
import { AuthPage } from "../components/auth-page";
import { redeemImpersonation } from "../../server/services/impersonation";
import { requestMeta, sessionCookie, siteUrl } from "../../server/context";

export function meta() {
  return [{ title: "Entering the dashboard · mnetifi" }];
}

// The token never stays in the address bar or reaches another site: no-store, no referrer.
const PRIVATE = { "cache-control": "no-store", "referrer-policy": "no-referrer" };

/**
 * Where the console sends an admin who starts an impersonation: the one-time token is redeemed
 * here, on the ISP's own host, and becomes an ISP-side session cookie for this host only
 * (server/services/impersonation.ts). The console's own session cookie never comes here.
 */
export async function loader({ request, context }: Route.LoaderArgs) {
  const { app } = context;
  if (app.site.kind !== "tenant") throw data(null, { status: 404 });
  const token = new URL(request.url).searchParams.get("token") ?? "";
  const r = await redeemImpersonation(app.db, app.site.tenant, token, requestMeta(app));
  const consoleUrl = siteUrl(app.env, "admin", `/tenants/${app.site.tenant.id}`);
  if (!r.ok) return data({ error: r.error, consoleUrl, business: app.site.tenant.businessName }, { status: 400, headers: PRIVATE });
  const maxAge = Math.max(1, Math.floor((r.expiresAt.getTime() - Date.now()) / 1000));
  throw redirect("/dashboard", { headers: { ...PRIVATE, "set-cookie": sessionCookie(r.sessionToken, app.env, maxAge) } });
}

export default function Impersonate() {
  const { error, consoleUrl, business } = useLoaderData<typeof loader>();
  return (
    <AuthPage kicker="mnetifi console" title={business}>
      <div className="mt-6 grid gap-4">
        <Alert>{error}</Alert>
        <a href={consoleUrl} className="text-sm font-semibold text-brand-700 hover:underline">
          Back to the console
        </a>
      </div>
    </AuthPage>
  );
}
