import { Form, data, redirect, useActionData, useLoaderData, useNavigation } from "react-router";
import type { Route } from "./+types/reset-password";
import { Alert, Button, NewPasswordFields } from "../components/ui";
import { AuthPage } from "../components/auth-page";
import { readForm } from "../lib/forms.server";
import { resetPassword } from "../../server/services/auth";
import { requestMeta } from "../../server/context";
import { accountSite } from "../lib/session.server";

export function meta() {
  return [{ title: "Choose a new password · mnetifi" }];
}

// ISP users on {isp}.APP_DOMAIN, console users on admin.APP_DOMAIN, each from their own tokens.
export function loader({ request, context }: Route.LoaderArgs) {
  return { token: new URL(request.url).searchParams.get("token") ?? "", business: accountSite(context).title };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { app } = context;
  const { site } = accountSite(context);
  const f = await readForm(request);
  const token = String(f.get("token") ?? "");
  const password = String(f.get("password") ?? "");
  if (password !== String(f.get("confirmPassword") ?? "")) return data({ error: null, fieldErrors: { confirmPassword: ["The two passwords are not the same."] } as Record<string, string[]> }, { status: 400 });
  const r = await resetPassword(app.db, site, token, password, requestMeta(app));
  if (!r.ok) return data({ error: r.error ?? null, fieldErrors: (r.fieldErrors ?? {}) as Record<string, string[]> }, { status: r.status });
  return redirect("/login?notice=reset");
}

export default function ResetPassword() {
  const { token, business } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <AuthPage kicker="Choose a new password" title={business}>
      <Form method="post" className="mt-6 grid gap-4" noValidate>
        {result?.error ? <Alert>{result.error}</Alert> : null}
        <input type="hidden" name="token" value={token} />
        <NewPasswordFields errors={result?.fieldErrors} labels={["New password", "Confirm new password"]} />
        <Button type="submit" disabled={busy} className="w-full py-2.5">
          {busy ? "Saving…" : "Save and sign out everywhere"}
        </Button>
      </Form>
    </AuthPage>
  );
}
