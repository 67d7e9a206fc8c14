import type { ReactNode } from "react";
import { Form, Link, useActionData, useLoaderData, useNavigation } from "react-router";
import type { Route } from "./+types/dashboard.messaging.broadcast";
import { Alert, Button, Card, PageHeader } from "../components/ui";
import { Stat } from "../components/router-status";
import { BroadcastProgressBar, BroadcastStatusBadge, CHANNEL_WORDS, ChannelChips, segmentInWords, useRefreshWhile } from "../components/broadcast-ui";
import { requireIspUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { formatDateTime } from "../lib/format";
import { phoneForDisplay } from "../lib/money";
import { ispCan } from "../../policies/permissions";

export function meta({ data }: Route.MetaArgs) {
  return [{ title: `${data?.broadcast.name ?? "Broadcast"} · mnetifi` }];
}

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const { caller, viewer, tenant } = await requireIspUser(context, request, { permission: "messaging.view" });
  let found;
  try {
    found = await caller.messaging.broadcast({ id: params.id });
  } catch {
    throw new Response("Not found", { status: 404 });
  }
  const { broadcast, progress } = found;
  const segment = broadcast.segment;
  const names = { zones: {} as Record<string, string>, customers: {} as Record<string, string> };
  if (segment.kind === "zone") for (const z of await caller.zones.list().catch(() => [])) names.zones[z.id] = z.name;
  if (segment.kind === "customer") for (const c of await caller.messaging.customers({ search: "" })) names.customers[c.id] = [c.name, phoneForDisplay(c.phone)].filter(Boolean).join(" · ");
  return { broadcast, progress, audience: segmentInWords(segment, names), canSend: ispCan(viewer.user.role, "messaging.send"), timezone: tenant.timezone };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const { caller } = await requireIspUser(context, request, { permission: "messaging.send" });
  const values = formValues(await readForm(request));
  try {
    const r = await caller.messaging.cancelBroadcast({ id: params.id });
    return { ok: true as const, message: r.status === "cancelled" ? "Cancelled. Nothing more is sent; messages already sent stay sent." : `This broadcast is already ${r.status}.` };
  } catch (err) {
    const f = formFailure(err, values).data;
    return { ok: false as const, message: f.formError ?? "Could not cancel it." };
  }
}

export default function BroadcastReport() {
  const { broadcast: b, progress: p, audience, canSend, timezone } = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>();
  const nav = useNavigation();
  const live = b.status === "scheduled" || b.status === "sending";
  useRefreshWhile(live, b.status === "sending" ? 5 : 20);
  const cancelling = nav.state !== "idle" && nav.formData?.get("intent") === "cancel";
  // Skipped messages are opted-out customers (counted when it started) plus any a cancel stopped.
  const stoppedByCancel = Math.max(0, p.skipped - b.skipped);
  const channels = [...new Set(p.byChannel.map((x) => x.channel))];
  const perChannel = channels.map((channel) => {
    const rows = p.byChannel.filter((x) => x.channel === channel);
    const by = (...s: string[]) => rows.filter((x) => s.includes(x.status)).reduce((n, x) => n + x.n, 0);
    return { channel, progress: { total: by("queued", "sent", "delivered", "read", "failed", "skipped"), queued: by("queued"), sent: by("sent"), delivered: by("delivered", "read"), failed: by("failed"), skipped: by("skipped") } };
  });

  return (
    <div className="grid gap-6">
      <Link to="/dashboard/messaging/broadcasts" className="text-sm font-medium text-brand-700 hover:underline">
        ← Broadcasts
      </Link>
      <PageHeader
        title={b.name}
        description={`${CHANNEL_WORDS[b.channels] ?? b.channels} · ${audience}`}
        actions={
          <div className="flex flex-wrap items-center gap-2">
            <BroadcastStatusBadge status={b.status} />
            {canSend && live ? (
              <Form
                method="post"
                onSubmit={(e) => {
                  if (!confirm(b.status === "scheduled" ? `Cancel “${b.name}”? It will not be sent.` : `Stop “${b.name}”? Messages not yet sent are skipped.`)) e.preventDefault();
                }}
              >
                <input type="hidden" name="intent" value="cancel" />
                <Button variant="danger" className="px-3 py-1.5" disabled={cancelling}>
                  {cancelling ? "Cancelling…" : b.status === "scheduled" ? "Cancel broadcast" : "Stop sending"}
                </Button>
              </Form>
            ) : null}
          </div>
        }
      />
      {r ? <Alert tone={r.ok ? "success" : "error"}>{r.message}</Alert> : null}
      {b.status === "scheduled" ? (
        <Alert tone="info">Scheduled for {formatDateTime(b.scheduledAt, timezone)}. The audience is worked out at that moment, so new customers are included.</Alert>
      ) : null}

      <Card className="p-5">
        <div className="flex flex-wrap items-center justify-between gap-3">
          <h2 className="font-semibold">Report</h2>
          <p className="text-xs text-slate-500">{live ? "Updates by itself until it is done." : b.status === "done" ? "Delivery reports can still arrive for a while." : ""}</p>
        </div>
        {!b.startedAt && p.total === 0 ? (
          <p className="mt-3 text-sm text-slate-600">
            {b.status === "cancelled" ? "Cancelled before it started: nothing was sent." : "Nothing is sent before the scheduled time. The numbers fill in as soon as it starts."}
          </p>
        ) : (
          <>
            <div className="mt-3 grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6" data-testid="broadcast-numbers">
              <Stat label="Recipients" value={String(b.recipients)} hint={b.channels === "both" ? "each on both channels" : undefined} />
              <Stat label="Skipped (opted out)" value={String(b.skipped)} hint="replied STOP" />
              <Stat label="Waiting" value={String(p.queued)} />
              <Stat label="Sent" value={String(p.sent)} hint="accepted, awaiting delivery report" />
              <Stat label="Delivered" value={String(p.delivered)} />
              <Stat label="Failed" value={String(p.failed)} />
            </div>
            <div className="mt-5 grid gap-4">
              {perChannel.length > 1 ? (
                perChannel.map((c) => (
                  <div key={c.channel}>
                    <h3 className="mb-1.5 text-sm font-medium text-slate-700">{CHANNEL_WORDS[c.channel]}</h3>
                    <BroadcastProgressBar progress={c.progress} label={`${CHANNEL_WORDS[c.channel]} progress`} />
                  </div>
                ))
              ) : (
                <BroadcastProgressBar progress={p} label="Progress" />
              )}
              {stoppedByCancel > 0 ? <p className="text-sm text-slate-600">{stoppedByCancel} message(s) were not sent because the broadcast was cancelled.</p> : null}
            </div>
          </>
        )}
      </Card>

      <div className="grid items-start gap-6 lg:grid-cols-[1fr_20rem]">
        <Card className="p-5">
          <h2 className="font-semibold">Message</h2>
          <p className="mt-3 whitespace-pre-wrap break-words rounded-lg bg-slate-50 p-4 text-sm text-slate-800">{b.body}</p>
          <p className="mt-2 text-xs text-slate-500">Placeholders such as {"{{name}}"} are filled in for each customer.</p>
        </Card>
        <Card className="h-fit p-5">
          <h2 className="font-semibold">Details</h2>
          <dl className="mt-3 grid gap-2 text-sm">
            <Row label="Channel">
              <ChannelChips channels={b.channels} />
            </Row>
            <Row label="Audience">{audience}</Row>
            <Row label="Scheduled for">{formatDateTime(b.scheduledAt, timezone)}</Row>
            <Row label="Started">{b.startedAt ? formatDateTime(b.startedAt, timezone) : "—"}</Row>
            <Row label={b.status === "cancelled" ? "Cancelled" : "Finished"}>{b.finishedAt ? formatDateTime(b.finishedAt, timezone) : "—"}</Row>
            <Row label="Created">{formatDateTime(b.createdAt, timezone)}</Row>
          </dl>
        </Card>
      </div>
    </div>
  );
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex items-baseline justify-between gap-3">
      <dt className="text-slate-500">{label}</dt>
      <dd className="text-right font-medium text-slate-800 tabular-nums">{children}</dd>
    </div>
  );
}
