import { Form, useLoaderData, useSearchParams } from "react-router";
import type { Route } from "./+types/dashboard.activity";
import { Button, Card, EmptyState, PageHeader } from "../components/ui";
import { DataTable, Td } from "../components/table";
import { requireIspUser } from "../lib/session.server";
import { formatDateTime } from "../lib/format";
import { ACTION_FILTERS, describeActor, describeEvent } from "../lib/activity";
import { activityFilterFrom } from "../lib/activity.server";

export function meta() {
  return [{ title: "Activity · mnetifi" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, tenant } = await requireIspUser(context, request, { permission: "audit.view" });
  const filter = activityFilterFrom(new URL(request.url));
  const [events, staff] = await Promise.all([caller.activity.recent({ ...filter, limit: 200 }), caller.staff.list()]);
  return { events, staff: staff.map((s) => ({ id: s.id, name: s.fullName || s.username })), timezone: tenant.timezone };
}

const select = "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-base sm:text-sm";

export default function Activity() {
  const { events, staff, timezone } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  return (
    <div className="grid gap-6">
      <PageHeader
        title="Activity"
        description="Everything done in your account: sign-ins, security changes, and every change to your data."
        actions={
          <div className="flex gap-2">
            {(["csv", "xlsx"] as const).map((f) => (
              <a
                key={f}
                href={`/dashboard/activity/export?${new URLSearchParams([...params.entries(), ["format", f]]).toString()}`}
                className="rounded-lg bg-white px-4 py-2 text-sm font-semibold text-slate-800 shadow-sm ring-1 ring-slate-300 hover:bg-slate-50"
              >
                {f === "csv" ? "Export CSV" : "Export Excel"}
              </a>
            ))}
          </div>
        }
      />
      <Form method="get" className="grid gap-3 sm:grid-cols-5 sm:items-end">
        <label className="text-sm font-medium text-slate-700">
          Who
          <select name="user" defaultValue={params.get("user") ?? ""} className={select}>
            <option value="">Anyone</option>
            {staff.map((s) => (
              <option key={s.id} value={s.id}>{s.name}</option>
            ))}
          </select>
        </label>
        <label className="text-sm font-medium text-slate-700">
          What
          <select name="action" defaultValue={params.get("action") ?? ""} className={select}>
            {ACTION_FILTERS.map(([v, l]) => (
              <option key={v} value={v}>{l}</option>
            ))}
          </select>
        </label>
        <label className="text-sm font-medium text-slate-700">
          From
          <input type="date" name="from" defaultValue={params.get("from") ?? ""} className={select} />
        </label>
        <label className="text-sm font-medium text-slate-700">
          To
          <input type="date" name="to" defaultValue={params.get("to") ?? ""} className={select} />
        </label>
        <Button type="submit" variant="secondary">Filter</Button>
      </Form>
      <Card className="overflow-x-auto">
        {events.length === 0 ? (
          <EmptyState title="Nothing matches">Try a wider date range or another filter.</EmptyState>
        ) : (
          <DataTable columns={["When", "What", "Who", "From"]}>
            {events.map((e) => (
              <tr key={e.id}>
                <Td className="whitespace-nowrap text-slate-600">{formatDateTime(e.occurredAt, timezone)}</Td>
                <Td className="font-medium">{describeEvent(e)}</Td>
                <Td className="text-slate-600">{describeActor(e)}</Td>
                <Td className="text-xs text-slate-500">
                  <span className="font-mono">{e.ip ?? ""}</span>
                  {e.userAgent ? <span className="block max-w-56 truncate" title={e.userAgent}>{e.userAgent}</span> : null}
                </Td>
              </tr>
            ))}
          </DataTable>
        )}
      </Card>
    </div>
  );
}
