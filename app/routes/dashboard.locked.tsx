import { Form, redirect, useActionData, useLoaderData, useNavigation } from "react-router";
import type { Route } from "./+types/dashboard.locked";
import { Alert, Button, Card } from "../components/ui";
import { requireIspUser } from "../lib/session.server";

export function meta() {
  return [{ title: "Dashboard closed · mnetifi" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { viewer, locked } = await requireIspUser(context, request, { allowLocked: true });
  if (!locked) throw redirect("/dashboard");
  return { reason: locked, needsEmail: !viewer.user.emailVerified, email: viewer.user.email };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { caller } = await requireIspUser(context, request, { allowLocked: true });
  return caller.account.resendVerification();
}

export default function Locked() {
  const { reason, needsEmail, email } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const busy = useNavigation().state !== "idle";
  return (
    <Card className="mx-auto max-w-lg p-6">
      <h1 className="text-xl font-bold tracking-tight">{needsEmail ? "Confirm your email to open the dashboard" : "Dashboard closed"}</h1>
      <p className="mt-2 text-slate-600">{reason}</p>
      {needsEmail ? (
        <Form method="post" className="mt-6 grid gap-3">
          {result ? <Alert tone={result.ok ? "success" : "error"}>{result.message}</Alert> : null}
          <p className="text-sm text-slate-600">
            We sent the link to <strong>{email}</strong>. Nothing arrived?
          </p>
          <Button type="submit" variant="secondary" disabled={busy}>
            {busy ? "Sending…" : "Send the link again"}
          </Button>
        </Form>
      ) : null}
    </Card>
  );
}
