import { Form, data, redirect, useActionData, useLoaderData, useNavigation } from "react-router";
import { z } from "zod";
import type { Route } from "./+types/login";
import { Alert, Button, Field, Logo } from "../components/ui";
import { optionalViewer, safeNext } from "../lib/session.server";
import { login } from "../../server/services/auth";
import { sessionCookie } from "../../server/context";
import { ABSOLUTE_LIFETIME_MS } from "../../server/services/sessions";

export function meta({ data }: Route.MetaArgs) {
  return [{ title: `Sign in · ${data?.title ?? "mnetifi"}` }];
}

function home(kind: string) {
  return kind === "admin" ? "/" : "/dashboard";
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { site } = context.app;
  if (site.kind === "public") {
    return { title: "mnetifi", kind: "public" as const };
  }
  if (site.kind !== "tenant" && site.kind !== "admin") throw data(null, { status: 404 });
  if (await optionalViewer(context, request)) throw redirect(safeNext(new URL(request.url).searchParams.get("next"), home(site.kind)));
  return { title: site.kind === "tenant" ? site.tenant.businessName : "mnetifi console", kind: site.kind };
}

const LoginForm = z.object({
  identifier: z.string().trim().min(1, "Enter your username or email.").max(254, "That is too long to be a username or email."),
  password: z.string().min(1, "Enter your password.").max(1024, "That password is too long."),
});

export async function action({ request, context }: Route.ActionArgs) {
  const { app } = context;
  const form = Object.fromEntries(await request.formData());
  const parsed = LoginForm.safeParse(form);
  const identifier = typeof form.identifier === "string" ? form.identifier : "";
  if (!parsed.success) {
    return data({ fieldErrors: z.flattenError(parsed.error).fieldErrors, formError: null, identifier }, { status: 400 });
  }
  const result = await login(app.db, app.site, parsed.data.identifier, parsed.data.password, {
    ip: app.ip,
    userAgent: request.headers.get("user-agent"),
    requestId: app.requestId,
  });
  if (!result.ok) return data({ fieldErrors: {}, formError: result.error, identifier }, { status: 401 });
  const next = safeNext(new URL(request.url).searchParams.get("next"), home(app.site.kind));
  return redirect(next, { headers: { "set-cookie": sessionCookie(result.token, app.env, Math.floor(ABSOLUTE_LIFETIME_MS / 1000)) } });
}

export default function Login() {
  const { title, kind } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  if (kind === "public") {
    return (
      <main className="mx-auto flex min-h-dvh max-w-sm flex-col justify-center px-6">
        <Logo className="text-lg" />
        <h1 className="mt-6 text-2xl font-bold tracking-tight">Sign in at your ISP&apos;s address</h1>
        <p className="mt-2 text-slate-600">Each ISP has its own address, such as <span className="font-mono">yourisp.mnetifi.co.ke/login</span>.</p>
      </main>
    );
  }
  const errors = (result?.fieldErrors ?? {}) as Partial<Record<"identifier" | "password", string[]>>;
  return (
    <main className="mx-auto flex min-h-dvh max-w-sm flex-col justify-center px-6 py-10">
      <p className="text-sm font-semibold text-brand-700">{kind === "admin" ? "Platform console" : "Staff sign in"}</p>
      <h1 className="mt-1 text-2xl font-bold tracking-tight">{title}</h1>
      <Form method="post" className="mt-8 grid gap-5" noValidate>
        {result?.formError ? <Alert>{result.formError}</Alert> : null}
        <Field
          label={kind === "admin" ? "Username or email" : "Username or email"}
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
      </Form>
    </main>
  );
}
