import { Form, Link, useLoaderData, useSearchParams } from "react-router";
import type { Route } from "./+types/console.audit";
import { Button, Card, EmptyState, PageHeader } from "../components/ui";
import { DataTable, Td } from "../components/table";
import { Who, describeConsoleEvent } from "../components/console-ui";
import { requirePlatformUser } from "../lib/session.server";
import { formatDateTime } from "../lib/format";
import { describeEvent } from "../lib/activity";

export function meta() {
  return [{ title: "Audit · mnetifi console" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller } = await requirePlatformUser(context, request);
  const admin = new URL(request.url).searchParams.get("admin") ?? "";
  const adminId = /^[0-9a-f-]{36}$/i.test(admin) ? admin : undefined;
  return caller.console.audit({ adminId, limit: 300 });
}

const ROLE_NAMES: Record<string, string> = { super_admin: "super admin", support: "support", billing: "billing", read_only: "read only" };

export default function ConsoleAudit() {
  const { events, admins } = useLoaderData<typeof loader>();
  const [params] = useSearchParams();
  return (
    <div className="grid gap-6">
      <PageHeader title="Audit" description="What each console user did: sign-ins, ISPs opened, visits to ISPs' dashboards and every change made during them, support replies, changes to console admins." />
      <Form method="get" className="flex flex-wrap items-end gap-2">
        <label className="text-sm font-medium text-slate-700">
          Console user
          <select name="admin" defaultValue={params.get("admin") ?? ""} className="mt-1 block rounded-lg border border-slate-300 bg-white px-3 py-2 text-base sm:text-sm">
            <option value="">Everyone</option>
            {admins.map((a) => (
              <option key={a.id} value={a.id}>
                {a.fullName || a.username} ({ROLE_NAMES[a.role] ?? a.role}){a.disabledAt ? " — deactivated" : ""}
              </option>
            ))}
          </select>
        </label>
        <Button type="submit" variant="secondary">
          Show
        </Button>
      </Form>
      <Card className="overflow-x-auto">
        {events.length === 0 ? (
          <EmptyState title="Nothing recorded yet" />
        ) : (
          <DataTable columns={["When", "Who", "What", "ISP", "From"]}>
            {events.map((e) => (
              <tr key={e.id} data-action={e.action}>
                <Td className="whitespace-nowrap text-slate-600">{formatDateTime(e.occurredAt)}</Td>
                <Td>
                  <Who e={e} />
                </Td>
                <Td className="font-medium">{describeConsoleEvent(e, describeEvent)}</Td>
                <Td>
                  {e.tenantId && e.tenantName ? (
                    <Link to={`/tenants/${e.tenantId}`} className="text-brand-700 hover:underline">
                      {e.tenantName}
                    </Link>
                  ) : (
                    <span className="text-slate-400">—</span>
                  )}
                </Td>
                <Td className="font-mono text-xs text-slate-500">{e.ip ?? ""}</Td>
              </tr>
            ))}
          </DataTable>
        )}
      </Card>
    </div>
  );
}
