import { Link, useActionData, useLoaderData } from "react-router";
import type { Route } from "./+types/console.support.thread";
import { Card, PageHeader } from "../components/ui";
import { StatusBadge } from "../components/console-ui";
import { SupportChat } from "../components/support-chat";
import { requirePlatformUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { useAutoRefresh } from "../lib/use-auto-refresh";

export function meta({ data }: Route.MetaArgs) {
  return [{ title: `Support: ${data?.tenant.businessName ?? "ISP"} · mnetifi console` }];
}

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const { caller } = await requirePlatformUser(context, request);
  if (!/^[0-9a-f-]{36}$/i.test(params.tenantId)) throw new Response("Not found", { status: 404 });
  return caller.console.supportThread({ tenantId: params.tenantId });
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const { caller } = await requirePlatformUser(context, request);
  const values = formValues(await readForm(request));
  try {
    const r = await caller.console.supportReply({ tenantId: params.tenantId, body: values.body ?? "" });
    return { ok: true as const, sentId: r.id };
  } catch (err) {
    const f = formFailure(err, values).data;
    return { ok: false as const, error: f.formError, fieldError: f.fieldErrors.body?.[0], value: values.body ?? "" };
  }
}

export default function SupportThread() {
  const { tenant, messages, ispReadAt } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  useAutoRefresh(4);
  return (
    <div className="grid gap-6">
      <div>
        <Link to="/support" className="text-sm font-medium text-slate-600 hover:text-slate-900">
          ← Support
        </Link>
        <div className="mt-2">
          <PageHeader
            title={tenant.businessName}
            description={`Support thread with ${tenant.slug}. The ISP sees your replies in its dashboard's Support tab.`}
            actions={
              <div className="flex items-center gap-3">
                <StatusBadge status={tenant.status} />
                <Link to={`/tenants/${tenant.id}`} className="rounded-lg bg-white px-4 py-2 text-sm font-semibold text-slate-800 shadow-sm ring-1 ring-slate-300 hover:bg-slate-50">
                  ISP details
                </Link>
              </div>
            }
          />
        </div>
      </div>
      <Card className="p-4 sm:p-6">
        <SupportChat
          messages={messages}
          me="platform"
          otherReadAt={ispReadAt}
          emptyTitle="No messages yet"
          emptyText="Write first: the ISP's Support tab shows that there is something new."
          placeholder={`Write to ${tenant.businessName}…`}
          result={result}
        />
      </Card>
    </div>
  );
}
