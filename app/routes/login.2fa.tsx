import { Form, data, redirect, useActionData, useLoaderData, useNavigation } from "react-router";
import type { Route } from "./+types/login.2fa";
import { Alert, Button, Field } from "../components/ui";
import { AuthPage } from "../components/auth-page";
import { accountSite, safeNext } from "../lib/session.server";
import { readForm } from "../lib/forms.server";
import { verifySecondFactor } from "../../server/services/auth";
import { readCookie, requestMeta, sessionCookie } from "../../server/context";
import { ABSOLUTE_LIFETIME_MS } from "../../server/services/sessions";
import { CHALLENGE_COOKIE } from "./login";

export function meta() {
  return [{ title: "Two-step verification · mnetifi" }];
}

// ISP users on {isp}.APP_DOMAIN, console users on admin.APP_DOMAIN (authenticator app only).
export async function loader({ request, context }: Route.LoaderArgs) {
  const { title, kind } = accountSite(context);
  if (!readCookie(request, CHALLENGE_COOKIE)) throw redirect("/login");
  return { title, kind };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { app } = context;
  const { site, home } = accountSite(context);
  const challenge = readCookie(request, CHALLENGE_COOKIE);
  if (!challenge) return redirect("/login");
  const code = String((await readForm(request)).get("code") ?? "").trim();
  if (!code) return data({ error: "Enter the code." }, { status: 400 });
  const result = await verifySecondFactor(app.db, app.secrets, site, challenge, code, requestMeta(app));
  if (!result.ok) return data({ error: result.error }, { status: result.status });
  if (result.step !== "done") return redirect("/login");
  const next = safeNext(new URL(request.url).searchParams.get("next"), home);
  const headers = new Headers();
  headers.append("set-cookie", sessionCookie(result.token, app.env, Math.floor(ABSOLUTE_LIFETIME_MS / 1000)));
  headers.append("set-cookie", sessionCookie("", app.env, 0, CHALLENGE_COOKIE, "/login"));
  return redirect(next, { headers });
}

export default function TwoFactor() {
  const { title, kind } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <AuthPage kicker="Two-step verification" title={title}>
      <p className="mt-2 text-sm text-slate-600">
        Enter the 6-digit code from your authenticator app{kind === "tenant" ? " or the SMS we sent" : ""}. Lost your phone? Use one of your recovery codes.
      </p>
      <Form method="post" className="mt-6 grid gap-5" noValidate>
        {result?.error ? <Alert>{result.error}</Alert> : null}
        <Field label="Code" name="code" inputMode="numeric" autoComplete="one-time-code" autoFocus placeholder="123456" />
        <Button type="submit" disabled={busy} className="w-full py-2.5">
          {busy ? "Checking…" : "Verify and sign in"}
        </Button>
        <a href="/login" className="text-center text-sm font-medium text-slate-600 hover:underline">
          Start again
        </a>
      </Form>
    </AuthPage>
  );
}
