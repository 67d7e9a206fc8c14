import { useActionData, useLoaderData } from "react-router";
import type { Route } from "./+types/console.account";
import { AccountSecurity } from "../components/account-security";
import { requirePlatformUser } from "../lib/session.server";
import { formValues, readForm } from "../lib/forms.server";
import { accountAction, type AccountResult } from "../lib/account-actions.server";
import { PLATFORM_ROLE_INFO, type PlatformRole } from "../../policies/permissions";

export function meta() {
  return [{ title: "My account · mnetifi console" }];
}

// Every console role: the signed-in admin's own password, two-step sign-in and sessions
// (tRPC consoleAccount.*, the same services as an ISP user's My account).
export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, viewer } = await requirePlatformUser(context, request);
  return { security: await caller.consoleAccount.security(), user: viewer.user };
}

export async function action({ request, context }: Route.ActionArgs): Promise<AccountResult> {
  const { caller } = await requirePlatformUser(context, request);
  const values = formValues(await readForm(request));
  if (values.intent === "everywhere") {
    const { ended } = await caller.consoleAccount.signOutEverywhereElse();
    return { intent: "everywhere", ok: true, message: ended ? `Signed out ${ended} other session${ended === 1 ? "" : "s"}. This one stays signed in.` : "No other sessions were open. This one stays signed in." };
  }
  return accountAction(caller.consoleAccount, values);
}

export default function ConsoleAccount() {
  const { security, user } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  return (
    <AccountSecurity
      title="My account"
      description={`${user.fullName || user.username} (@${user.username}) · ${user.email} · ${PLATFORM_ROLE_INFO[user.role as PlatformRole]?.name ?? user.role}`}
      security={security}
      result={result}
      everywhere={{
        title: "Sign out everywhere else",
        text: "Ends your other console sessions (another browser, a shared computer) and any ISP dashboard entered from the console. This one stays signed in.",
        button: "Sign out everywhere else",
      }}
    />
  );
}
