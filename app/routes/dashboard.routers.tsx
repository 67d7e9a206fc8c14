import { Form, Link, useActionData, useLoaderData, useNavigation } from "react-router";
import { useEffect, useRef } from "react";
import type { Route } from "./+types/dashboard.routers";
import { Alert, Button, Card, EmptyState, PageHeader } from "../components/ui";
import { RouterStatusBadge } from "../components/router-status";
import { RouterFields } from "../components/router-form";
import { requireIspUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { formatAgo, formatDuration } from "../lib/format";
import { useAutoRefresh } from "../lib/use-auto-refresh";
import { ispCan } from "../../policies/permissions";

export function meta() {
  return [{ title: "Routers · mnetifi" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, viewer, tenant } = await requireIspUser(context, request, { permission: "routers.view" });
  const [routers, zones] = await Promise.all([caller.routers.list(), caller.zones.list()]);
  return { routers, zones: zones.map((z) => ({ id: z.id, name: z.name })), canManage: ispCan(viewer.user.role, "routers.manage"), timezone: tenant.timezone, now: Date.now() };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { caller } = await requireIspUser(context, request, { permission: "routers.manage" });
  const values = formValues(await readForm(request));
  try {
    if (values.intent === "test") {
      const r = await caller.routers.test({ id: values.id ?? "" });
      return { ok: r.ok, message: r.ok ? `Connected: ${r.identity}, RouterOS ${r.version} on ${r.board}.` : r.reason };
    }
    const { intent: _i, ...input } = values;
    const r = await caller.routers.add(input);
    return r.check.ok
      ? { ok: true, added: true, message: `Added and verified: ${r.check.identity}, RouterOS ${r.check.version} on ${r.check.board}.` }
      : { ok: false, added: true, message: `Saved as not verified. ${r.check.reason}` };
  } catch (err) {
    const f = formFailure(err, { ...values, password: "" }).data;
    return { ok: false, message: f.formError, fieldErrors: f.fieldErrors, values: f.values };
  }
}

export default function Routers() {
  const { routers, zones, canManage, now } = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>();
  const nav = useNavigation();
  useAutoRefresh(15);
  const adding = nav.state !== "idle" && nav.formData?.get("intent") === "add";
  const testing = nav.state !== "idle" && nav.formData?.get("intent") === "test" ? String(nav.formData.get("id")) : null;
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (r && "added" in r && r.added) form.current?.reset();
  }, [r]);
  const fe = (r && "fieldErrors" in r ? r.fieldErrors : {}) as Record<string, string[] | undefined>;
  const v = (r && "values" in r ? r.values : {}) as Record<string, string>;
  const zoneName = new Map(zones.map((z) => [z.id, z.name]));
  const offline = routers.filter((x) => x.status === "offline");
  return (
    <div className="grid gap-6">
      <PageHeader title="Routers" description="Your MikroTik routers. mnetifi watches them every minute and talks to them over the RouterOS API to create hotspot users and PPPoE accounts." />
      {r?.message ? <Alert tone={r.ok ? "success" : "error"}>{r.message}</Alert> : null}
      {offline.length > 0 ? (
        <Alert>
          {offline.length === 1 ? `${offline[0]!.name} is offline.` : `${offline.length} routers are offline: ${offline.map((x) => x.name).join(", ")}.`} Changes for {offline.length === 1 ? "it" : "them"} wait and are applied when {offline.length === 1 ? "it answers" : "they answer"} again.
        </Alert>
      ) : null}
      <div className="grid gap-6 xl:grid-cols-[1fr_22rem]">
        <div className="grid content-start gap-4">
          {routers.length === 0 ? (
            <EmptyState title="No routers yet">Add your first router with the API user you created on it, then open it for the setup script and login page.</EmptyState>
          ) : (
            routers.map((x) => (
              <Card key={x.id} className="p-5" data-router={x.name}>
                <div className="flex flex-wrap items-start justify-between gap-3">
                  <div className="min-w-0">
                    <Link to={`/dashboard/routers/${x.id}`} className="font-semibold text-slate-900 hover:text-brand-700 hover:underline">
                      {x.name}
                    </Link>
                    <p className="text-sm text-slate-600">
                      {x.host}:{x.apiPort}
                      {x.tls ? " (TLS)" : ""}
                      {x.zoneId && zoneName.get(x.zoneId) ? ` · ${zoneName.get(x.zoneId)}` : ""}
                      {x.location ? ` · ${x.location}` : ""}
                    </p>
                    {x.identity ? (
                      <p className="mt-1 text-sm text-slate-600">
                        {x.identity} · RouterOS {x.version} · {x.board}
                      </p>
                    ) : null}
                    {x.lastError && x.status !== "online" ? <p className="mt-1 text-sm text-red-700">{x.lastError}</p> : null}
                  </div>
                  <RouterStatusBadge status={x.status} />
                </div>
                {x.latest && x.status === "online" ? (
                  <dl className="mt-3 grid grid-cols-2 gap-2 text-sm sm:grid-cols-4">
                    <div>
                      <dt className="text-xs text-slate-500">Uptime</dt>
                      <dd className="font-medium tabular-nums">{formatDuration(x.latest.uptimeSeconds)}</dd>
                    </div>
                    <div>
                      <dt className="text-xs text-slate-500">CPU</dt>
                      <dd className="font-medium tabular-nums">{x.latest.cpuLoad ?? "—"}%</dd>
                    </div>
                    <div>
                      <dt className="text-xs text-slate-500">Memory used</dt>
                      <dd className="font-medium tabular-nums">{x.latest.memoryUsedPct ?? "—"}%</dd>
                    </div>
                    <div>
                      <dt className="text-xs text-slate-500">Online now</dt>
                      <dd className="font-medium tabular-nums">
                        {x.latest.hotspotActive ?? 0} hotspot · {x.latest.pppActive ?? 0} PPPoE
                      </dd>
                    </div>
                  </dl>
                ) : null}
                <div className="mt-3 flex flex-wrap items-center justify-between gap-2">
                  <p className="text-xs text-slate-500">
                    Checked {formatAgo(x.lastCheckedAt, now)}
                    {x.operations.pending > 0 ? <span className="ml-2 rounded bg-amber-50 px-1.5 py-0.5 text-amber-800">{x.operations.pending} change(s) waiting</span> : null}
                    {x.operations.failed > 0 ? <span className="ml-2 rounded bg-red-50 px-1.5 py-0.5 text-red-800">{x.operations.failed} failed</span> : null}
                  </p>
                  <div className="flex gap-2">
                    <Link to={`/dashboard/routers/${x.id}`} className="rounded-lg px-3 py-1.5 text-xs font-semibold text-brand-700 ring-1 ring-slate-300 hover:bg-slate-50">
                      Open
                    </Link>
                    {canManage ? (
                      <Form method="post">
                        <input type="hidden" name="intent" value="test" />
                        <input type="hidden" name="id" value={x.id} />
                        <Button variant="secondary" className="px-3 py-1.5 text-xs" disabled={testing === x.id}>
                          {testing === x.id ? "Testing…" : "Test connection"}
                        </Button>
                      </Form>
                    ) : null}
                  </div>
                </div>
              </Card>
            ))
          )}
        </div>
        {canManage ? (
          <Card className="p-5">
            <h2 className="font-semibold">Add a router</h2>
            <p className="mt-1 text-sm text-slate-600">We connect straight away to check the details; the password is encrypted and never shown again.</p>
            <Form method="post" ref={form} className="mt-4 grid gap-4" noValidate>
              <input type="hidden" name="intent" value="add" />
              <RouterFields values={v} errors={fe} zones={zones} />
              <Button type="submit" disabled={adding}>{adding ? "Connecting…" : "Add and test"}</Button>
            </Form>
          </Card>
        ) : null}
      </div>
    </div>
  );
}
