import { Form, useActionData, useLoaderData, useNavigation } from "react-router";
import { useEffect, useRef } from "react";
import type { Route } from "./+types/dashboard.routers";
import { Alert, Button, Card, EmptyState, Field, PageHeader, cx } from "../components/ui";
import { requireIspUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { formatDateTime } from "../lib/format";
import { ispCan } from "../../policies/permissions";

export function meta() {
  return [{ title: "Routers · mnetifi" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, viewer, tenant } = await requireIspUser(context, request, { permission: "routers.view" });
  const [routers, zones] = await Promise.all([caller.routers.list(), caller.zones.list()]);
  return { routers, zones: zones.map((z) => ({ id: z.id, name: z.name })), canManage: ispCan(viewer.user.role, "routers.manage"), timezone: tenant.timezone };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { caller } = await requireIspUser(context, request, { permission: "routers.manage" });
  const values = formValues(await readForm(request));
  try {
    if (values.intent === "test") {
      const r = await caller.routers.test({ id: values.id ?? "" });
      return { ok: r.ok, message: r.ok ? `Connected: ${r.identity}, RouterOS ${r.version} on ${r.board}.` : r.reason };
    }
    if (values.intent === "remove") {
      await caller.routers.remove({ id: values.id ?? "" });
      return { ok: true, message: "Router removed." };
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

const STATUS: Record<string, [string, string]> = {
  online: ["Online", "bg-emerald-100 text-emerald-800"],
  offline: ["Offline", "bg-red-100 text-red-800"],
  unverified: ["Not verified", "bg-amber-100 text-amber-800"],
};
const select = "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-base sm:text-sm";

export default function Routers() {
  const { routers, zones, canManage, timezone } = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>();
  const nav = useNavigation();
  const adding = nav.state !== "idle" && nav.formData?.get("intent") === "add";
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (r && "added" in r && r.added) form.current?.reset();
  }, [r]);
  const fe = (r && "fieldErrors" in r ? r.fieldErrors : {}) as Record<string, string[] | undefined>;
  const v = (r && "values" in r ? r.values : {}) as Record<string, string>;
  return (
    <div className="grid gap-6">
      <PageHeader title="Routers" description="Your MikroTik routers. mnetifi talks to them over the RouterOS API to create hotspot users and PPPoE accounts." />
      {r?.message ? <Alert tone={r.ok ? "success" : "error"}>{r.message}</Alert> : null}
      <div className="grid gap-6 xl:grid-cols-[1fr_22rem]">
        <div className="grid content-start gap-4">
          {routers.length === 0 ? (
            <EmptyState title="No routers yet">Add your first router with the API user you created on it.</EmptyState>
          ) : (
            routers.map((x) => {
              const [label, style] = STATUS[x.status] ?? ["?", ""];
              return (
                <Card key={x.id} className="p-5">
                  <div className="flex flex-wrap items-start justify-between gap-3">
                    <div>
                      <p className="font-semibold">{x.name}</p>
                      <p className="text-sm text-slate-600">
                        {x.host}:{x.apiPort}{x.tls ? " (TLS)" : ""} · {x.username}
                        {x.location ? ` · ${x.location}` : ""}
                      </p>
                      {x.identity ? <p className="mt-1 text-sm text-slate-600">{x.identity} · RouterOS {x.version} · {x.board}</p> : null}
                      {x.lastError && x.status !== "online" ? <p className="mt-1 text-sm text-red-700">{x.lastError}</p> : null}
                      {x.lastCheckedAt ? <p className="mt-1 text-xs text-slate-500">Checked {formatDateTime(x.lastCheckedAt, timezone)}</p> : null}
                    </div>
                    <span className={cx("rounded px-2 py-0.5 text-xs font-medium", style)}>{label}</span>
                  </div>
                  {canManage ? (
                    <div className="mt-3 flex gap-2">
                      <Form method="post">
                        <input type="hidden" name="intent" value="test" />
                        <input type="hidden" name="id" value={x.id} />
                        <Button variant="secondary" className="px-3 py-1.5 text-xs">Test connection</Button>
                      </Form>
                      <Form method="post" onSubmit={(e) => { if (!confirm(`Remove router “${x.name}”?`)) e.preventDefault(); }}>
                        <input type="hidden" name="intent" value="remove" />
                        <input type="hidden" name="id" value={x.id} />
                        <Button variant="danger" className="px-3 py-1.5 text-xs">Remove</Button>
                      </Form>
                    </div>
                  ) : null}
                </Card>
              );
            })
          )}
        </div>
        {canManage ? (
          <Card className="p-5">
            <h2 className="font-semibold">Add a router</h2>
            <p className="mt-1 text-sm text-slate-600">We connect straight away to check the details; the password is encrypted and never shown again.</p>
            <Form method="post" ref={form} className="mt-4 grid gap-4" noValidate>
              <input type="hidden" name="intent" value="add" />
              <Field label="Name" name="name" placeholder="e.g. Kasarani tower" defaultValue={v.name} error={fe.name?.[0]} />
              <Field label="Address (IP or host)" name="host" placeholder="10.10.0.1" defaultValue={v.host} error={fe.host?.[0]} />
              <Field label="API port" name="apiPort" inputMode="numeric" defaultValue={v.apiPort ?? "8728"} error={fe.apiPort?.[0]} hint="8728, or 8729 with TLS (api-ssl)" />
              <label className="flex items-center gap-2 text-sm text-slate-700">
                <input type="checkbox" name="tls" defaultChecked={v.tls === "on"} /> Use TLS (api-ssl)
              </label>
              <Field label="API user" name="username" autoComplete="off" defaultValue={v.username} error={fe.username?.[0]} />
              <Field label="API password" name="password" type="password" autoComplete="new-password" error={fe.password?.[0]} />
              <label className="text-sm font-medium text-slate-700">
                Zone
                <select name="zoneId" defaultValue={v.zoneId ?? ""} className={select}>
                  <option value="">No zone</option>
                  {zones.map((z) => (
                    <option key={z.id} value={z.id}>{z.name}</option>
                  ))}
                </select>
              </label>
              <Field label="Location (optional)" name="location" defaultValue={v.location} />
              <Button type="submit" disabled={adding}>{adding ? "Connecting…" : "Add and test"}</Button>
            </Form>
          </Card>
        ) : null}
      </div>
    </div>
  );
}
