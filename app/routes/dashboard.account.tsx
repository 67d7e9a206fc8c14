import { redirect, useActionData, useLoaderData } from "react-router";
import type { Route } from "./+types/dashboard.account";
import { AccountSecurity } from "../components/account-security";
import { requireIspUser } from "../lib/session.server";
import { formValues, readForm } from "../lib/forms.server";
import { accountAction, type AccountResult } from "../lib/account-actions.server";
import { clearSessionCookie } from "../../server/context";

export function meta() {
  return [{ title: "My account · mnetifi" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, viewer, tenant } = await requireIspUser(context, request, { allowLocked: true });
  return { security: await caller.account.security(), user: viewer.user, timezone: tenant.timezone };
}

export async function action({ request, context }: Route.ActionArgs): Promise<AccountResult | Response> {
  const { caller } = await requireIspUser(context, request, { allowLocked: true });
  const values = formValues(await readForm(request));
  if (values.intent === "everywhere") {
    await caller.account.signOutEverywhere();
    return redirect("/login?notice=signedout", { headers: { "set-cookie": clearSessionCookie(context.app.env) } });
  }
  return accountAction(caller.account, values);
}

export default function Account() {
  const { security, user, timezone } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>() as AccountResult | undefined;
  return (
    <AccountSecurity
      title="My account"
      description={`${user.fullName || user.username} · ${user.email} · ${user.role}`}
      security={security}
      result={result}
      timezone={timezone}
      everywhere={{ title: "Sign out everywhere", text: "Ends every session of yours, on this device and all others: a lost phone, a shared computer.", button: "Sign out everywhere" }}
    />
  );
}
