import { Form, data, redirect, useActionData, useLoaderData, useNavigation } from "react-router";
import type { Route } from "./+types/verify-email";
import { Alert, Button } from "../components/ui";
import { AuthPage } from "../components/auth-page";
import { readForm } from "../lib/forms.server";
import { optionalViewer } from "../lib/session.server";
import { verifyEmail } from "../../server/services/registration";
import { requestMeta } from "../../server/context";

export function meta() {
  return [{ title: "Confirm your email · mnetifi" }];
}

export function loader({ request, context }: Route.LoaderArgs) {
  const { site } = context.app;
  if (site.kind !== "tenant") throw data(null, { status: 404 });
  return { token: new URL(request.url).searchParams.get("token") ?? "", business: site.tenant.businessName };
}

// Confirming takes a button press (POST): mail scanners that open links must not use them up.
export async function action({ request, context }: Route.ActionArgs) {
  const { app } = context;
  if (app.site.kind !== "tenant") throw data(null, { status: 404 });
  const token = String((await readForm(request)).get("token") ?? "");
  const r = await verifyEmail(app.db, app.site.tenant, token, requestMeta(app));
  if (!r.ok) return data({ error: r.error }, { status: 400 });
  // Signed in already (the usual case: they asked for the link from the closed dashboard)?
  return redirect((await optionalViewer(context, request)) ? "/dashboard?welcome=1" : "/login?notice=verified");
}

export default function VerifyEmail() {
  const { token, business } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <AuthPage kicker="Confirm your email" title={business}>
      <p className="mt-2 text-sm text-slate-600">One click and your email address is confirmed; your free trial starts now.</p>
      <Form method="post" className="mt-6 grid gap-4">
        {result?.error ? <Alert>{result.error}</Alert> : null}
        {!token ? <Alert>This link is incomplete. Open the link from the email again.</Alert> : null}
        <input type="hidden" name="token" value={token} />
        <Button type="submit" disabled={busy || !token} className="w-full py-2.5">
          {busy ? "Confirming…" : "Confirm my email"}
        </Button>
      </Form>
    </AuthPage>
  );
}
