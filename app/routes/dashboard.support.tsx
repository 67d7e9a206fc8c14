import { redirect, useActionData, useLoaderData } from "react-router";
import type { Route } from "./+types/dashboard.support";
import { Card, PageHeader } from "../components/ui";
import { SupportChat } from "../components/support-chat";
import { requireIspUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { useAutoRefresh } from "../lib/use-auto-refresh";

export function meta() {
  return [{ title: "Support · mnetifi" }];
}

// Support stays open while the dashboard is closed (suspended for payment, blocked): that is
// when an ISP most needs to reach mnetifi.
export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, tenant, viewer } = await requireIspUser(context, request, { allowLocked: true, permission: "support.chat" });
  if (!viewer.user.emailVerified) throw redirect("/dashboard/locked");
  const thread = await caller.support.thread();
  return { ...thread, timezone: tenant.timezone, impersonating: Boolean(viewer.impersonation) };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { caller } = await requireIspUser(context, request, { allowLocked: true, permission: "support.chat" });
  const values = formValues(await readForm(request));
  try {
    const r = await caller.support.send({ body: values.body ?? "" });
    return { ok: true as const, sentId: r.id };
  } catch (err) {
    const f = formFailure(err, values).data;
    return { ok: false as const, error: f.formError, fieldError: f.fieldErrors.body?.[0], value: values.body ?? "" };
  }
}

export default function Support() {
  const { messages, platformReadAt, timezone, impersonating } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  // New replies appear without reloading.
  useAutoRefresh(4);
  return (
    <div className="grid gap-6">
      <PageHeader title="Support" description="Write to the mnetifi team: questions, problems, anything about your account. We answer here, usually within the working day." />
      <Card className="p-4 sm:p-6">
        <SupportChat
          messages={messages}
          me="isp"
          otherReadAt={platformReadAt}
          timezone={timezone}
          emptyTitle="No messages yet"
          emptyText="Ask us anything: your reply appears here, and the Support tab shows when there is something new."
          placeholder="How can we help?"
          result={result}
          disabledReason={impersonating ? "You are viewing this ISP from the console: answer from the console's Support inbox instead." : null}
        />
      </Card>
    </div>
  );
}
