import { Form, data, redirect, useActionData, useLoaderData, useNavigation } from "react-router";
import type { Route } from "./+types/accept-invite";
import { Alert, Button, Field, NewPasswordFields } from "../components/ui";
import { AuthPage } from "../components/auth-page";
import { readForm, formValues } from "../lib/forms.server";
import { acceptInvite, describeInvite } from "../../server/services/staff";
import { acceptAdminInvite, describeAdminInvite } from "../../server/services/platform-admins";
import { requestMeta, sessionCookie } from "../../server/context";
import { ABSOLUTE_LIFETIME_MS } from "../../server/services/sessions";

export function meta() {
  return [{ title: "Accept your invitation · mnetifi" }];
}

// ISP staff invitations on {isp}.APP_DOMAIN; console admins' invitations on admin.APP_DOMAIN
// (server/services/platform-admins.ts), each reading its own tokens in its own context.
export async function loader({ request, context }: Route.LoaderArgs) {
  const { app } = context;
  const token = new URL(request.url).searchParams.get("token") ?? "";
  if (app.site.kind === "admin") {
    const invite = token ? await describeAdminInvite(app.db, token) : null;
    return { kind: "admin" as const, token, business: "mnetifi console", invite: invite ? { ...invite, role: invite.roleName } : null };
  }
  if (app.site.kind !== "tenant") throw data(null, { status: 404 });
  return { kind: "tenant" as const, token, business: app.site.tenant.businessName, invite: token ? await describeInvite(app.db, app.site.tenant, token) : null };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { app } = context;
  const v = formValues(await readForm(request));
  if (app.site.kind === "admin") {
    const r = await acceptAdminInvite(app.db, v.token ?? "", { password: v.password ?? "", confirmPassword: v.confirmPassword ?? "" }, requestMeta(app));
    if (!r.ok) return data({ error: r.error ?? null, fieldErrors: (r.fieldErrors ?? {}) as Record<string, string[]>, username: "" }, { status: 400 });
    return redirect("/login?notice=invited");
  }
  if (app.site.kind !== "tenant") throw data(null, { status: 404 });
  const r = await acceptInvite(app.db, app.site.tenant, v.token ?? "", { username: v.username ?? "", password: v.password ?? "", confirmPassword: v.confirmPassword ?? "" }, requestMeta(app));
  if (!r.ok) return data({ error: "error" in r ? r.error : null, fieldErrors: ("fieldErrors" in r ? r.fieldErrors : {}) as Record<string, string[]>, username: v.username ?? "" }, { status: 400 });
  return redirect("/dashboard", { headers: { "set-cookie": sessionCookie(r.token, app.env, Math.floor(ABSOLUTE_LIFETIME_MS / 1000)) } });
}

export default function AcceptInvite() {
  const { kind, token, business, invite } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  if (!invite) {
    return (
      <AuthPage kicker="Invitation" title={business}>
        <div className="mt-6">
          <Alert>
            This invitation has expired or was already used. {kind === "admin" ? "Ask a super admin to send you a new one." : "Ask the person who invited you to send a new one."}
          </Alert>
        </div>
      </AuthPage>
    );
  }
  if (kind === "admin") {
    return (
      <AuthPage kicker={`Join as ${invite.role}`} title={business}>
        <p className="mt-2 text-sm text-slate-600">
          Welcome, {invite.fullName}. Choose the password you&apos;ll sign in with ({invite.email}).
        </p>
        <Form method="post" className="mt-6 grid gap-4" noValidate>
          {result?.error ? <Alert>{result.error}</Alert> : null}
          <input type="hidden" name="token" value={token} />
          <div>
            <label htmlFor="f-username" className="block text-sm font-medium text-slate-700">
              Username
            </label>
            <input
              id="f-username"
              name="username"
              value={invite.username}
              readOnly
              autoComplete="username"
              aria-describedby="f-username-hint"
              className="mt-1 block w-full cursor-default rounded-lg border border-slate-200 bg-slate-100 px-3 py-2 font-mono text-base text-slate-700 outline-none sm:text-sm"
            />
            <p id="f-username-hint" className="mt-1 text-sm text-slate-500">
              Chosen by the admin who invited you: you sign in with it.
            </p>
          </div>
          <NewPasswordFields errors={result?.fieldErrors} />
          <Button type="submit" disabled={busy} className="w-full py-2.5">
            {busy ? "Saving…" : "Set my password"}
          </Button>
        </Form>
      </AuthPage>
    );
  }
  return (
    <AuthPage kicker={`Join as ${invite.role}`} title={business}>
      <p className="mt-2 text-sm text-slate-600">
        Welcome, {invite.fullName}. Choose how you&apos;ll sign in ({invite.email}).
      </p>
      <Form method="post" className="mt-6 grid gap-4" noValidate>
        {result?.error ? <Alert>{result.error}</Alert> : null}
        <input type="hidden" name="token" value={token} />
        <Field label="Username" name="username" defaultValue={result?.username ?? invite.username} error={result?.fieldErrors.username?.[0]} autoComplete="username" autoCapitalize="none" />
        <NewPasswordFields errors={result?.fieldErrors} />
        <Button type="submit" disabled={busy} className="w-full py-2.5">
          {busy ? "Joining…" : "Accept and sign in"}
        </Button>
      </Form>
    </AuthPage>
  );
}
