import { Form, Link, data, redirect, useActionData, useLoaderData, useNavigation } from "react-router";
import { z } from "zod";
import type { Route } from "./+types/login";
import { Alert, Button, Field, Logo } from "../components/ui";
import { optionalViewer, safeNext } from "../lib/session.server";
import { readForm } from "../lib/forms.server";
import { login } from "../../server/services/auth";
import { requestMeta, sessionCookie } from "../../server/context";
import { ABSOLUTE_LIFETIME_MS } from "../../server/services/sessions";
import { TOKEN_TTL_MS } from "../../server/services/tokens";

export const CHALLENGE_COOKIE = "mn_2fa";

export function meta({ data }: Route.MetaArgs) {
  return [{ title: `Sign in · ${data?.title ?? "mnetifi"}` }];
}

function home(kind: string) {
  return kind === "admin" ? "/" : "/dashboard";
}

const NOTICES: Record<string, string> = {
  expired: "You were signed out after 20 minutes without activity. Sign in again to continue.",
  verified: "Your email address is confirmed and your free trial has started. Sign in to open your dashboard.",
  reset: "Your password was changed and every device was signed out. Sign in with the new password.",
  signedout: "You are signed out everywhere.",
  invited: "Your password is set. Sign in with your username and the new password.",
};

export async function loader({ request, context }: Route.LoaderArgs) {
  const { site } = context.app;
  if (site.kind === "public") return { title: "mnetifi", kind: "public" as const, notice: null };
  if (site.kind !== "tenant" && site.kind !== "admin") throw data(null, { status: 404 });
  const url = new URL(request.url);
  if (await optionalViewer(context, request)) throw redirect(safeNext(url.searchParams.get("next"), home(site.kind)));
  const notice = NOTICES[url.searchParams.get("notice") ?? ""] ?? null;
  return { title: site.kind === "tenant" ? site.tenant.businessName : "mnetifi console", kind: site.kind, notice };
}

const LoginForm = z.object({
  identifier: z.string().trim().min(1, "Enter your username or email.").max(254, "That is too long to be a username or email."),
  password: z.string().min(1, "Enter your password.").max(1024, "That password is too long."),
});

export async function action({ request, context }: Route.ActionArgs) {
  const { app } = context;
  const form = Object.fromEntries(await readForm(request));
  const parsed = LoginForm.safeParse(form);
  const identifier = typeof form.identifier === "string" ? form.identifier : "";
  if (!parsed.success) {
    return data({ fieldErrors: z.flattenError(parsed.error).fieldErrors, formError: null, identifier }, { status: 400 });
  }
  const result = await login(app.db, app.site, parsed.data.identifier, parsed.data.password, requestMeta(app));
  if (!result.ok) return data({ fieldErrors: {}, formError: result.error, identifier }, { status: result.status });
  const next = safeNext(new URL(request.url).searchParams.get("next"), home(app.site.kind));
  if (result.step === "2fa") {
    // The second step is tied to this browser by a short-lived cookie holding the challenge.
    const cookie = sessionCookie(result.challenge, app.env, TOKEN_TTL_MS.login_2fa / 1000, CHALLENGE_COOKIE, "/login");
    return redirect(`/login/2fa?next=${encodeURIComponent(next)}`, { headers: { "set-cookie": cookie } });
  }
  return redirect(next, { headers: { "set-cookie": sessionCookie(result.token, app.env, Math.floor(ABSOLUTE_LIFETIME_MS / 1000)) } });
}

export default function Login() {
  const { title, kind, notice } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  if (kind === "public") {
    return (
      <main className="mx-auto flex min-h-dvh max-w-sm flex-col justify-center px-6">
        <Logo className="text-lg" />
        <h1 className="mt-6 text-2xl font-bold tracking-tight">Sign in at your ISP&apos;s address</h1>
        <p className="mt-2 text-slate-600">Each ISP has its own address, such as <span className="font-mono">yourisp.mnetifi.co.ke/login</span>.</p>
        <p className="mt-6 text-sm text-slate-600">
          New to mnetifi?{" "}
          <Link to="/register" className="font-semibold text-brand-700 hover:underline">
            Register your ISP
          </Link>
        </p>
      </main>
    );
  }
  const errors = (result?.fieldErrors ?? {}) as Partial<Record<"identifier" | "password", string[]>>;
  return (
    <main className="mx-auto flex min-h-dvh max-w-sm flex-col justify-center px-6 py-10">
      <p className="text-sm font-semibold text-brand-700">{kind === "admin" ? "Platform console" : "Staff sign in"}</p>
      <h1 className="mt-1 text-2xl font-bold tracking-tight">{title}</h1>
      <Form method="post" className="mt-8 grid gap-5" noValidate>
        {notice && !result ? <Alert tone="info">{notice}</Alert> : null}
        {result?.formError ? <Alert>{result.formError}</Alert> : null}
        <Field
          label="Username or email"
          name="identifier"
          autoComplete="username"
          autoCapitalize="none"
          defaultValue={result?.identifier ?? ""}
          error={errors.identifier?.[0]}
          required
        />
        <Field label="Password" name="password" type="password" autoComplete="current-password" error={errors.password?.[0]} required />
        <Button type="submit" disabled={busy} className="w-full py-2.5">
          {busy ? "Signing in…" : "Sign in"}
        </Button>
        <Link to="/forgot-password" className="text-center text-sm font-medium text-brand-700 hover:underline">
          Forgot your password?
        </Link>
      </Form>
    </main>
  );
}
