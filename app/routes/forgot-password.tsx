import { Form, data, useActionData, useLoaderData, useNavigation } from "react-router";
import type { Route } from "./+types/forgot-password";
import { Alert, Button, Field } from "../components/ui";
import { AuthPage } from "../components/auth-page";
import { readForm } from "../lib/forms.server";
import { requestPasswordReset } from "../../server/services/auth";
import { requestMeta } from "../../server/context";
import { accountSite } from "../lib/session.server";

export function meta() {
  return [{ title: "Forgot password · mnetifi" }];
}

// ISP users on {isp}.APP_DOMAIN, console users on admin.APP_DOMAIN, each from their own accounts.
export function loader({ context }: Route.LoaderArgs) {
  return { business: accountSite(context).title };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { app } = context;
  const { site, baseUrl } = accountSite(context);
  const email = String((await readForm(request)).get("email") ?? "").trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email) || email.length > 254) return data({ ok: false, message: null, error: "Enter the email address of your account.", email }, { status: 400 });
  const r = await requestPasswordReset(app.db, site, email, requestMeta(app), baseUrl);
  return data({ ok: r.ok, message: r.ok ? r.message : null, error: r.ok ? null : r.message, email }, { status: r.ok ? 200 : 429 });
}

export default function ForgotPassword() {
  const { business } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <AuthPage kicker="Forgot your password?" title={business}>
      <p className="mt-2 text-sm text-slate-600">Enter your account&apos;s email address and we&apos;ll send you a link to choose a new password.</p>
      <Form method="post" className="mt-6 grid gap-4" noValidate>
        {result?.message ? <Alert tone="success">{result.message}</Alert> : null}
        <Field label="Email" name="email" type="email" autoComplete="email" defaultValue={result?.email} error={result?.error ?? undefined} />
        <Button type="submit" disabled={busy} className="w-full py-2.5">
          {busy ? "Sending…" : "Send the reset link"}
        </Button>
        <a href="/login" className="text-center text-sm font-medium text-slate-600 hover:underline">
          Back to sign in
        </a>
      </Form>
    </AuthPage>
  );
}
