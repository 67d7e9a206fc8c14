import { useLoaderData } from "react-router";
import type { Route } from "./+types/dashboard.activity";
import { Card, EmptyState, PageHeader } from "../components/ui";
import { requireIspUser } from "../lib/session.server";
import { formatDateTime } from "../lib/format";
import { DataTable, Td } from "../components/table";

export function meta() {
  return [{ title: "Activity · mnetifi" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, tenant } = await requireIspUser(context, request);
  return { events: await caller.activity.recent({ limit: 100 }), timezone: tenant.timezone };
}

const EVENTS: Record<string, string> = {
  "auth.login": "Signed in",
  "auth.login_failed": "Failed sign-in",
  "auth.logout": "Signed out",
};
const THINGS: Record<string, string> = { zones: "Zone", users: "Staff account", tenants: "ISP profile" };

/** A sentence for one audit row, e.g. "Zone “Kasarani” created" or "Staff account changed: email". */
function describe(e: { action: string; tableName: string | null; changes: unknown }) {
  if (!e.tableName) return EVENTS[e.action] ?? e.action;
  const thing = THINGS[e.tableName] ?? e.tableName.replace(/_/g, " ");
  const changes = (e.changes ?? {}) as Record<string, unknown>;
  const name = typeof changes.name === "string" ? ` “${changes.name}”` : typeof changes.username === "string" ? ` “${changes.username}”` : "";
  if (e.action === "UPDATE") return `${thing} changed: ${Object.keys(changes).join(", ").replace(/_/g, " ")}`;
  return `${thing}${name} ${e.action === "INSERT" ? "created" : "deleted"}`;
}

function who(e: { actorKind: string; actorName: string | null }) {
  if (e.actorName) return e.actorName;
  return { system: "mnetifi (automatic)", anonymous: "Not signed in", platform_user: "mnetifi support" }[e.actorKind] ?? e.actorKind;
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
          <DataTable columns={["When", "What", "Who", "From"]}>
            {events.map((e) => (
              <tr key={e.id}>
                <Td className="whitespace-nowrap text-slate-600">{formatDateTime(e.occurredAt, timezone)}</Td>
                <Td className="font-medium">{describe(e)}</Td>
                <Td className="text-slate-600">{who(e)}</Td>
                <Td className="font-mono text-xs text-slate-500">{e.ip ?? ""}</Td>
              </tr>
            ))}
          </DataTable>
        )}
      </Card>
    </div>
  );
}
