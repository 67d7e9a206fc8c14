import { useLoaderData } from "react-router";
import type { Route } from "./+types/dashboard.activity";
import { Card, EmptyState, PageHeader } from "../components/ui";
import { ExportLinks, FilterBar, FilterInput, FilterSelect } from "../components/filters";
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

export default function Activity() {
  const { events, staff, timezone } = useLoaderData<typeof loader>();
  return (
    <div className="grid gap-6">
      <PageHeader
        title="Activity"
        description="Everything done in your account: sign-ins, security changes, and every change to your data."
        actions={
          <div className="flex gap-2">
            <ExportLinks path="/dashboard/activity/export" />
          </div>
        }
      />
      <FilterBar>
        <FilterSelect label="Who" name="user" options={[["", "Anyone"], ...staff.map((x): [string, string] => [x.id, x.name])]} />
        <FilterSelect label="What" name="action" options={ACTION_FILTERS} />
        <FilterInput label="From" name="from" type="date" />
        <FilterInput label="To" name="to" type="date" />
      </FilterBar>
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
