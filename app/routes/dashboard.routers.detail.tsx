import { Form, Link, redirect, useActionData, useLoaderData, useNavigation, useSearchParams } from "react-router";
import type { Route } from "./+types/dashboard.routers.detail";
import { Alert, Button, Card, EmptyState, PageHeader, cx } from "../components/ui";
import { DataTable, Td } from "../components/table";
import { RouterStatusBadge, Stat } from "../components/router-status";
import { RouterFields } from "../components/router-form";
import { AvailabilityStrip, RouterResourceChart, RouterSessionsChart } from "../components/router-charts";
import { requireIspUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { formatAgo, formatDateTime, formatDuration } from "../lib/format";
import { useAutoRefresh } from "../lib/use-auto-refresh";
import { ispCan } from "../../policies/permissions";

export function meta({ data }: Route.MetaArgs) {
  return [{ title: `${data?.router.name ?? "Router"} · mnetifi` }];
}

const RANGES = [
  { hours: 6, label: "6 hours" },
  { hours: 24, label: "24 hours" },
  { hours: 168, label: "7 days" },
];

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const { caller, viewer, tenant } = await requireIspUser(context, request, { permission: "routers.view" });
  const hours = Number(new URL(request.url).searchParams.get("hours")) || 24;
  try {
    const [detail, zones] = await Promise.all([caller.routers.detail({ id: params.id, hours: RANGES.some((r) => r.hours === hours) ? hours : 24 }), caller.zones.list()]);
    return { ...detail, hours, zones: zones.map((z) => ({ id: z.id, name: z.name })), canManage: ispCan(viewer.user.role, "routers.manage"), timezone: tenant.timezone, now: Date.now() };
  } catch {
    throw new Response("Not found", { status: 404 });
  }
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const { caller } = await requireIspUser(context, request, { permission: "routers.manage" });
  const values = formValues(await readForm(request));
  const id = params.id;
  try {
    switch (values.intent) {
      case "test": {
        const r = await caller.routers.test({ id });
        return { ok: r.ok, message: r.ok ? `Connected: ${r.identity}, RouterOS ${r.version} on ${r.board}.` : r.reason };
      }
      case "retry": {
        const r = await caller.routers.retryOperations({ id });
        return { ok: true, message: r.retried ? `${r.retried} change(s) queued again.` : "Nothing to retry." };
      }
      case "drift": {
        await caller.routers.repairDrift({ id });
        return { ok: true, message: "Checking the router against mnetifi now; anything missing or left over is fixed and listed below." };
      }
      case "remove": {
        await caller.routers.remove({ id });
        return redirect("/dashboard/routers");
      }
      default: {
        const { intent: _i, ...input } = values;
        const r = await caller.routers.update({ ...input, id });
        if (!r.check) return { ok: true, saved: true, message: "Saved." };
        return r.check.ok
          ? { ok: true, saved: true, message: `Saved and verified: ${r.check.identity}, RouterOS ${r.check.version} on ${r.check.board}.` }
          : { ok: false, saved: true, message: `Saved, but the new details do not work yet: ${r.check.reason}` };
      }
    }
  } catch (err) {
    const f = formFailure(err, { ...values, password: "" }).data;
    return { ok: false, message: f.formError ?? "Please correct the highlighted fields.", fieldErrors: f.fieldErrors, values: f.values };
  }
}

const OPERATION_LABEL: Record<string, string> = {
  ensure_hotspot_profile: "Set hotspot profile",
  remove_hotspot_profile: "Remove hotspot profile",
  ensure_hotspot_user: "Set hotspot user",
  disable_hotspot_user: "Disable hotspot user",
  enable_hotspot_user: "Enable hotspot user",
  remove_hotspot_user: "Remove hotspot user",
  login_device: "Log device in",
  kick_hotspot_user: "End hotspot sessions",
  ensure_ppp_profile: "Set PPP profile",
  remove_ppp_profile: "Remove PPP profile",
  ensure_ppp_secret: "Set PPPoE account",
  disable_ppp_secret: "Disable PPPoE account",
  enable_ppp_secret: "Enable PPPoE account",
  remove_ppp_secret: "Remove PPPoE account",
  kick_ppp: "End PPPoE sessions",
};
const OPERATION_STYLE: Record<string, string> = {
  pending: "bg-amber-100 text-amber-800",
  done: "bg-emerald-100 text-emerald-800",
  failed: "bg-red-100 text-red-800",
  skipped: "bg-slate-100 text-slate-700",
};

export default function RouterDetail() {
  const { router, history, operations, hours, zones, canManage, timezone, now } = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>();
  const nav = useNavigation();
  const [params] = useSearchParams();
  useAutoRefresh(10);
  const busy = (intent: string) => nav.state !== "idle" && nav.formData?.get("intent") === intent;
  const fe = (r && "fieldErrors" in r ? r.fieldErrors : {}) as Record<string, string[] | undefined>;
  const typed = (r && "values" in r ? r.values : null) as Record<string, string> | null;
  const values = typed ?? {
    name: router.name,
    host: router.host,
    apiPort: String(router.apiPort),
    tls: router.tls ? "on" : "",
    username: router.username,
    zoneId: router.zoneId ?? "",
    location: router.location,
    notes: router.notes,
  };
  const latest = [...history.samples].reverse().find((s) => s.reachable) ?? null;
  const pending = operations.filter((o) => o.status === "pending").length;
  const failed = operations.filter((o) => o.status === "failed" || o.status === "skipped").length;
  const since = router.statusSince ? `since ${formatDateTime(router.statusSince, timezone)}` : "";
  return (
    <div className="grid gap-6">
      <Link to="/dashboard/routers" className="text-sm font-medium text-brand-700 hover:underline">
        ← Routers
      </Link>
      <PageHeader
        title={router.name}
        description={[router.identity && `${router.identity} · RouterOS ${router.version} · ${router.board}`, `${router.host}:${router.apiPort}${router.tls ? " (TLS)" : ""}`].filter(Boolean).join(" · ")}
        actions={
          <div className="flex flex-wrap items-center gap-2">
            <RouterStatusBadge status={router.status} />
            <Link to={`/dashboard/routers/${router.id}/setup`} className="rounded-lg px-3 py-1.5 text-sm font-semibold text-brand-700 ring-1 ring-slate-300 hover:bg-slate-50">
              Setup script
            </Link>
            {canManage ? (
              <Form method="post">
                <input type="hidden" name="intent" value="test" />
                <Button variant="secondary" className="px-3 py-1.5" disabled={busy("test")}>
                  {busy("test") ? "Testing…" : "Test connection"}
                </Button>
              </Form>
            ) : null}
          </div>
        }
      />
      {r?.message ? <Alert tone={r.ok ? "success" : "error"}>{r.message}</Alert> : null}
      {router.status === "offline" ? (
        <Alert>
          Offline {since}. {router.lastError} Changes for this router wait and are applied as soon as it answers again.
        </Alert>
      ) : router.status === "unverified" ? (
        <Alert tone="info">Not verified: {router.lastError ?? "the connection has not been tested yet."} Open the setup script, run it on the router, then test the connection.</Alert>
      ) : null}

      <Card className="p-5">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 className="font-semibold">Now</h2>
          <p className="text-xs text-slate-500">
            {router.status === "online" ? `Online ${since}` : `Last seen ${formatAgo(router.lastSeenAt, now)}`} · checked {formatAgo(router.lastCheckedAt, now)}
          </p>
        </div>
        <div className="mt-3 grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
          <Stat label="Uptime" value={latest && router.status === "online" ? formatDuration(latest.uptimeSeconds) : "—"} />
          <Stat label="CPU" value={latest?.cpuLoad != null ? `${latest.cpuLoad}%` : "—"} />
          <Stat label="Memory used" value={latest?.memoryUsedPct != null ? `${latest.memoryUsedPct}%` : "—"} />
          <Stat label="Hotspot online" value={String(latest?.hotspotActive ?? "—")} />
          <Stat label="PPPoE online" value={String(latest?.pppActive ?? "—")} />
          <Stat label={`Available (${RANGES.find((x) => x.hours === hours)?.label})`} value={history.availabilityPct === null ? "—" : `${history.availabilityPct}%`} />
        </div>
      </Card>

      <Card className="p-5">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 className="font-semibold">History</h2>
          <nav className="flex gap-1 rounded-lg bg-slate-100 p-1 text-sm" aria-label="Time range">
            {RANGES.map((x) => {
              const next = new URLSearchParams(params);
              next.set("hours", String(x.hours));
              return (
                <Link key={x.hours} to={`?${next}`} replace preventScrollReset className={cx("rounded-md px-3 py-1", x.hours === hours ? "bg-white font-semibold shadow-sm" : "text-slate-600 hover:text-slate-900")}>
                  {x.label}
                </Link>
              );
            })}
          </nav>
        </div>
        {history.samples.length === 0 ? (
          <div className="mt-4">
            <EmptyState title="No measurements yet">mnetifi polls verified routers every minute; the charts fill in from the first poll.</EmptyState>
          </div>
        ) : (
          <div className="mt-4 grid gap-6">
            <div>
              <h3 className="mb-2 text-sm font-medium text-slate-700">Availability</h3>
              <AvailabilityStrip samples={history.samples} hours={hours} timezone={timezone} />
            </div>
            <div className="grid gap-6 lg:grid-cols-2">
              <div>
                <h3 className="mb-2 text-sm font-medium text-slate-700">Customers online</h3>
                <RouterSessionsChart samples={history.samples} timezone={timezone} hours={hours} />
              </div>
              <div>
                <h3 className="mb-2 text-sm font-medium text-slate-700">CPU and memory</h3>
                <RouterResourceChart samples={history.samples} timezone={timezone} hours={hours} />
              </div>
            </div>
          </div>
        )}
        {history.changes.length > 0 ? (
          <div className="mt-6">
            <h3 className="mb-2 text-sm font-medium text-slate-700">Went offline / came back</h3>
            <ul className="divide-y divide-slate-100 text-sm" data-testid="status-changes">
              {history.changes.map((c, i) => (
                <li key={i} className="flex flex-wrap items-baseline gap-x-3 py-2">
                  <RouterStatusBadge status={c.status} />
                  <span className="tabular-nums text-slate-700">{formatDateTime(c.at, timezone)}</span>
                  {c.reason ? <span className="text-slate-500">{c.reason}</span> : null}
                </li>
              ))}
            </ul>
          </div>
        ) : null}
      </Card>

      <Card className="overflow-hidden">
        <div className="flex flex-wrap items-center justify-between gap-3 p-5">
          <div>
            <h2 className="font-semibold">Changes sent to the router</h2>
            <p className="mt-1 text-sm text-slate-600">
              Hotspot users, PPPoE accounts and profiles, applied in order. {pending > 0 ? `${pending} waiting.` : ""} Drift repair checks the router every 15 minutes and puts back anything removed by hand.
            </p>
          </div>
          {canManage ? (
            <div className="flex gap-2">
              {failed > 0 ? (
                <Form method="post">
                  <input type="hidden" name="intent" value="retry" />
                  <Button className="px-3 py-1.5 text-xs" disabled={busy("retry")}>
                    Retry failed
                  </Button>
                </Form>
              ) : null}
              <Form method="post">
                <input type="hidden" name="intent" value="drift" />
                <Button variant="secondary" className="px-3 py-1.5 text-xs" disabled={busy("drift")}>
                  Check for drift now
                </Button>
              </Form>
            </div>
          ) : null}
        </div>
        {operations.length === 0 ? (
          <div className="px-5 pb-5">
            <EmptyState title="Nothing sent yet">Vouchers, plans and PPPoE subscriptions create users and profiles here.</EmptyState>
          </div>
        ) : (
          <div className="overflow-x-auto">
            <DataTable columns={["When", "Change", "Name", "Status", "Result"]}>
              {operations.map((o) => (
                <tr key={o.id}>
                  <Td className="whitespace-nowrap tabular-nums text-slate-600">{formatDateTime(o.createdAt, timezone)}</Td>
                  <Td>
                    {OPERATION_LABEL[o.kind] ?? o.kind}
                    {o.source === "drift_repair" ? <span className="ml-2 rounded bg-sky-50 px-1.5 py-0.5 text-xs text-sky-800">drift repair</span> : null}
                  </Td>
                  <Td className="font-mono text-xs">{o.target}</Td>
                  <Td>
                    <span className={cx("rounded px-2 py-0.5 text-xs font-medium", OPERATION_STYLE[o.status])}>{o.status === "pending" ? "waiting" : o.status}</span>
                    {o.attempts > 1 ? <span className="ml-1 text-xs text-slate-500">{o.attempts} tries</span> : null}
                  </Td>
                  <Td className="text-slate-600">{o.lastError ?? o.result ?? ""}</Td>
                </tr>
              ))}
            </DataTable>
          </div>
        )}
      </Card>

      {canManage ? (
        <div className="grid gap-6 lg:grid-cols-[1fr_18rem]">
          <Card className="p-5">
            <h2 className="font-semibold">Edit router</h2>
            <p className="mt-1 text-sm text-slate-600">New connection details are tested before they are used.</p>
            <Form method="post" className="mt-4 grid gap-4 sm:grid-cols-2" noValidate key={router.updatedAt.toString()}>
              <input type="hidden" name="intent" value="save" />
              <RouterFields values={values} errors={fe} zones={zones} editing />
              <div className="sm:col-span-2">
                <Button type="submit" disabled={busy("save")}>
                  {busy("save") ? "Saving…" : "Save"}
                </Button>
              </div>
            </Form>
          </Card>
          <Card className="h-fit p-5">
            <h2 className="font-semibold text-red-800">Remove router</h2>
            <p className="mt-1 text-sm text-slate-600">mnetifi stops watching it and forgets its history. Nothing is deleted on the router itself.</p>
            <Form
              method="post"
              className="mt-4"
              onSubmit={(e) => {
                if (!confirm(`Remove router “${router.name}”?`)) e.preventDefault();
              }}
            >
              <input type="hidden" name="intent" value="remove" />
              <Button variant="danger">Remove</Button>
            </Form>
          </Card>
        </div>
      ) : null}
    </div>
  );
}

