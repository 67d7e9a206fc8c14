import { useLoaderData } from "react-router";
import type { Route } from "./+types/dashboard.activity";
import { Card, EmptyState, PageHeader } from "../components/ui";
import { requireIspUser } from "../lib/session.server";
import { formatDateTime } from "../lib/format";

export function meta() {
  return [{ title: "Activity · mnetifi" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, tenant } = await requireIspUser(context, request);
  return { events: await caller.activity.recent({ limit: 100 }), timezone: tenant.timezone };
}

function describe(e: { action: string; tableName: string | null; changes: unknown }) {
  if (!e.tableName) return e.action;
  const verb = { INSERT: "created", UPDATE: "changed", DELETE: "deleted" }[e.action] ?? e.action;
  const fields = e.action === "UPDATE" && e.changes && typeof e.changes === "object" ? ` (${Object.keys(e.changes).join(", ")})` : "";
  return `${e.tableName.replace(/_/g, " ")} ${verb}${fields}`;
}

export default function Activity() {
  const { events, timezone } = useLoaderData<typeof loader>();
  return (
    <div className="grid gap-6">
      <PageHeader title="Activity" description="Everything done in your account: sign-ins, and every change to your data." />
      <Card className="overflow-x-auto">
        {events.length === 0 ? (
          <EmptyState title="Nothing recorded yet" />
        ) : (
          <table className="min-w-full divide-y divide-slate-200 text-sm">
            <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
              <tr>
                <th className="px-4 py-3">When</th>
                <th className="px-4 py-3">What</th>
                <th className="px-4 py-3">Who</th>
                <th className="px-4 py-3">From</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {events.map((e) => (
                <tr key={e.id}>
                  <td className="whitespace-nowrap px-4 py-3 text-slate-600">{formatDateTime(e.occurredAt, timezone)}</td>
                  <td className="px-4 py-3 font-medium">{describe(e)}</td>
                  <td className="px-4 py-3 text-slate-600">{e.actorKind}</td>
                  <td className="px-4 py-3 font-mono text-xs text-slate-500">{e.ip ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}
