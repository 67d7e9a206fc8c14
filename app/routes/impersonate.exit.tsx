import { useEffect } from "react";
import { data, redirect, useLoaderData } from "react-router";
import type { Route } from "./+types/impersonate.exit";
import { Button } from "../components/ui";
import { AuthPage } from "../components/auth-page";
import { optionalViewer } from "../lib/session.server";
import { endImpersonation } from "../../server/services/impersonation";
import { clearSessionCookie, requestMeta, siteUrl } from "../../server/context";

export function meta() {
  return [{ title: "Back to the console · mnetifi" }];
}

/**
 * The banner's Exit (and the countdown reaching zero, and Sign out while viewing): ends the
 * impersonation server-side, forgets the ISP-side cookie, then this page takes the browser back
 * to the ISP's page in the console. (A redirect straight to the console's host would be refused
 * by the CSP's form-action 'self', as it should be.) A real ISP user posting here is sent back to
 * the dashboard, still signed in.
 */
export async function action({ request, context }: Route.ActionArgs) {
  const { app } = context;
  if (app.site.kind !== "tenant") throw data(null, { status: 404 });
  const viewer = await optionalViewer(context, request);
  if (viewer?.kind === "user" && !viewer.impersonation) return redirect("/dashboard");
  if (viewer?.kind === "user" && viewer.impersonation) await endImpersonation(app.db, app.site.tenant.id, viewer.impersonation, viewer.user.id, "exit", requestMeta(app));
  return redirect("/impersonate/exit", { headers: { "set-cookie": clearSessionCookie(app.env) } });
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { app } = context;
  if (app.site.kind !== "tenant") throw data(null, { status: 404 });
  const viewer = await optionalViewer(context, request);
  // Still viewing (someone opened this address): a GET changes nothing, the button does.
  if (viewer?.kind === "user" && !viewer.impersonation) throw redirect("/dashboard");
  return { business: app.site.tenant.businessName, consoleUrl: siteUrl(app.env, "admin", `/tenants/${app.site.tenant.id}?impersonation=ended`), stillViewing: Boolean(viewer) };
}

export default function ImpersonationExit() {
  const { business, consoleUrl, stillViewing } = useLoaderData<typeof loader>();
  useEffect(() => {
    if (!stillViewing) window.location.replace(consoleUrl);
  }, [stillViewing, consoleUrl]);
  return (
    <AuthPage kicker="mnetifi console" title={business}>
      {stillViewing ? (
        <form method="post" className="mt-6">
          <Button type="submit" className="w-full">
            Exit and go back to the console
          </Button>
        </form>
      ) : (
        <div className="mt-4 grid gap-4">
          <p className="text-sm text-slate-600">You have left this ISP&apos;s dashboard. Taking you back to the console…</p>
          <a href={consoleUrl} className="text-sm font-semibold text-brand-700 hover:underline">
            Back to the console
          </a>
        </div>
      )}
    </AuthPage>
  );
}
