import { Form, Link, redirect, useActionData, useLoaderData, useNavigation, useSearchParams } from "react-router";
import { useState } from "react";
import type { Route } from "./+types/dashboard.messaging.channel";
import { Alert, Button, Card, EmptyState, Field, PageHeader, SelectField, cx } from "../components/ui";
import { DataTable, Td } from "../components/table";
import { SmsCounter } from "../components/sms-counter";
import { requireIspUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { formatDateTime } from "../lib/format";
import { useAutoRefresh } from "../lib/use-auto-refresh";
import { ispCan } from "../../policies/permissions";

export function meta({ params }: Route.MetaArgs) {
  return [{ title: `${params.channel === "whatsapp" ? "WhatsApp" : "SMS"} · Messaging · mnetifi` }];
}

const NAMES = { sms: "SMS", whatsapp: "WhatsApp" } as const;
const STATUSES = ["queued", "sent", "delivered", "read", "failed", "skipped", "received"] as const;

function channelOf(value: string | undefined): "sms" | "whatsapp" {
  if (value !== "sms" && value !== "whatsapp") throw new Response("Not found", { status: 404 });
  return value;
}

export async function loader({ request, context, params }: Route.LoaderArgs) {
  const channel = channelOf(params.channel);
  const { caller, viewer, tenant } = await requireIspUser(context, request, { permission: "messaging.view" });
  const url = new URL(request.url);
  const q = url.searchParams;
  const filter = {
    channel,
    status: STATUSES.find((s) => s === q.get("status")),
    phone: q.get("phone") || undefined,
    from: q.get("from") ? new Date(`${q.get("from")}T00:00:00+03:00`) : undefined,
    to: q.get("to") ? new Date(new Date(`${q.get("to")}T00:00:00+03:00`).getTime() + 86_400_000) : undefined,
    limit: 100,
  };
  const testId = q.get("test");
  const [panel, templates, history, test] = await Promise.all([
    caller.messaging.panel({ channel }),
    caller.messaging.templates({ channel }),
    caller.messaging.history(filter),
    testId && /^[0-9a-f-]{36}$/.test(testId) ? caller.messaging.message({ id: testId }).catch(() => null) : Promise.resolve(null),
  ]);
  return {
    channel,
    panel,
    templates,
    history,
    test,
    timezone: tenant.timezone,
    can: { manage: ispCan(viewer.user.role, "messaging.manage"), send: ispCan(viewer.user.role, "messaging.send") },
  };
}

export async function action({ request, context, params }: Route.ActionArgs) {
  const channel = channelOf(params.channel);
  const values = formValues(await readForm(request));
  const intent = values.intent;
  const { caller } = await requireIspUser(context, request, { permission: intent === "test" ? "messaging.send" : "messaging.manage" });
  try {
    switch (intent) {
      case "provider": {
        const { intent: _i, kind = "", ...rest } = values;
        await caller.messaging.saveProvider({ channel, kind, values: rest });
        return { ok: true, form: "provider", message: "Saved. Send yourself a test message to check it works." };
      }
      case "remove-provider":
        await caller.messaging.removeProvider({ channel });
        return { ok: true, form: "provider", message: `${NAMES[channel]} provider removed. Messages on this channel wait for a new one.` };
      case "test": {
        const r = await caller.messaging.testSend({ channel, phone: values.phone ?? "", text: values.text ?? "" });
        return redirect(`?test=${r.messageId}#test`);
      }
      case "template":
        await caller.messaging.saveTemplate({ channel, event: values.event as never, body: values.body ?? "", waTemplateName: values.waTemplateName, waLanguage: values.waLanguage });
        return { ok: true, form: `template-${values.event}`, message: "Template saved." };
      case "reset-template":
        await caller.messaging.resetTemplate({ channel, event: values.event as never });
        return { ok: true, form: `template-${values.event}`, message: "Back to the pre-written wording." };
    }
    return { ok: false, form: "", message: "Unknown action." };
  } catch (err) {
    const f = formFailure(err, values).data;
    return { ok: false, form: intent === "template" ? `template-${values.event}` : intent, message: f.formError, fieldErrors: f.fieldErrors, values: f.values };
  }
}

const STATUS_STYLE: Record<string, string> = {
  queued: "bg-slate-100 text-slate-700",
  sent: "bg-sky-100 text-sky-800",
  delivered: "bg-emerald-100 text-emerald-800",
  read: "bg-emerald-100 text-emerald-800",
  failed: "bg-red-100 text-red-800",
  skipped: "bg-amber-100 text-amber-800",
  received: "bg-violet-100 text-violet-800",
};

export function MessageStatus({ status }: { status: string }) {
  return (
    <span className={cx("rounded px-2 py-0.5 text-xs font-medium", STATUS_STYLE[status])} data-message-status={status}>
      {status}
    </span>
  );
}

type ActionData = { ok: boolean; form?: string; message?: string | null; fieldErrors?: Record<string, string[] | undefined>; values?: Record<string, string> };

export default function ChannelPanel() {
  const { channel, panel, templates, history, test, timezone, can } = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>() as ActionData | undefined;
  const nav = useNavigation();
  const [params] = useSearchParams();
  const testPending = test && (test.status === "queued" || test.status === "sent");
  useAutoRefresh(testPending ? 2 : 20);
  const name = NAMES[channel];
  const busy = (intent: string) => nav.state !== "idle" && nav.formData?.get("intent") === intent;
  const errorsFor = (form: string) => (r && !r.ok && r.form === form ? (r.fieldErrors ?? {}) : {});
  const typedFor = (form: string) => (r && !r.ok && r.form === form ? (r.values ?? {}) : null);
  const notice = (form: string) => (r?.form === form && r.message ? <Alert tone={r.ok ? "success" : "error"}>{r.message}</Alert> : null);

  return (
    <div className="grid gap-6">
      <PageHeader
        title={name}
        description={
          channel === "sms"
            ? "Your own SMS provider and sender ID: voucher codes, reminders and broadcasts go out under your name."
            : "WhatsApp through a gateway with your API key, or the official WhatsApp Business Cloud API once Meta has approved you."
        }
      />
      <div className="grid gap-6 lg:grid-cols-[1fr_22rem]">
        <ProviderCard key={panel.provider?.updatedAt?.toString() ?? "none"} channel={channel} panel={panel} canManage={can.manage} errors={errorsFor("provider")} typed={typedFor("provider")} notice={notice("provider")} saving={busy("provider")} />
        <Card className="h-fit p-5" id="test">
          <h2 className="font-semibold">Send a test</h2>
          <p className="mt-1 text-sm text-slate-600">Goes through the real queue and your provider; the status updates as the delivery report arrives.</p>
          {notice("test")}
          {can.send ? (
            <Form method="post" className="mt-4 grid gap-3" noValidate>
              <input type="hidden" name="intent" value="test" />
              <Field id="test-phone" label="Phone number" name="phone" inputMode="tel" placeholder="0712 345 678" defaultValue={typedFor("test")?.phone} error={errorsFor("test").phone?.[0]} />
              <label htmlFor="test-text" className="block text-sm font-medium text-slate-700">
                Message
              </label>
              <textarea id="test-text" name="text" rows={3} defaultValue={typedFor("test")?.text ?? `Test from ${name} on mnetifi.`} className="block w-full rounded-lg border border-slate-300 px-3 py-2 text-base sm:text-sm" />
              {errorsFor("test").text ? <p className="text-sm text-red-600">{errorsFor("test").text?.[0]}</p> : null}
              <Button disabled={busy("test") || !panel.provider}>{busy("test") ? "Sending…" : "Send test"}</Button>
              {!panel.provider ? <p className="text-xs text-slate-500">Save a provider first.</p> : null}
            </Form>
          ) : (
            <p className="mt-3 text-sm text-slate-500">Your role cannot send messages.</p>
          )}
          {test && params.get("test") ? (
            <div className="mt-4 rounded-lg bg-slate-50 p-3 text-sm" data-testid="test-result">
              <div className="flex items-center justify-between gap-2">
                <span>To {test.phone}</span>
                <MessageStatus status={test.status} />
              </div>
              {test.error ? <p className="mt-1 text-red-700">{test.error}</p> : null}
              {testPending ? <p className="mt-1 text-xs text-slate-500">Waiting for the delivery report…</p> : null}
            </div>
          ) : null}
        </Card>
      </div>

      <Card className="p-5">
        <h2 className="font-semibold">Templates</h2>
        <p className="mt-1 text-sm text-slate-600">
          The wording of each automatic message on {name}. Placeholders like <code>{"{{code}}"}</code> are filled in; your name, contact, tagline and sign-off come from{" "}
          <Link to="/dashboard/messaging/notifications" className="font-medium text-brand-700 hover:underline">
            Notifications
          </Link>
          , where you also choose which events are sent.
        </p>
        <details className="mt-3 text-sm">
          <summary className="cursor-pointer font-medium text-slate-700">Placeholders you can use</summary>
          <ul className="mt-2 grid gap-1 sm:grid-cols-2">
            {templates.placeholders.map((p) => (
              <li key={p.key}>
                <code className="rounded bg-slate-100 px-1">{`{{${p.key}}}`}</code> {p.label} <span className="text-slate-400">e.g. {p.sample}</span>
              </li>
            ))}
          </ul>
        </details>
        <div className="mt-4 divide-y divide-slate-100">
          {templates.templates.map((t) => (
            <TemplateEditor
              key={`${t.event}-${t.body}`}
              channel={channel}
              template={t}
              cloudApi={panel.provider?.kind === "cloud_api"}
              canManage={can.manage}
              errors={errorsFor(`template-${t.event}`)}
              typed={typedFor(`template-${t.event}`)}
              notice={notice(`template-${t.event}`)}
            />
          ))}
        </div>
      </Card>

      <Card className="overflow-hidden">
        <div className="flex flex-wrap items-end justify-between gap-3 p-5">
          <div>
            <h2 className="font-semibold">History</h2>
            <p className="mt-1 text-sm text-slate-600">
              {history.totals.total} message{history.totals.total === 1 ? "" : "s"} · {history.totals.delivered} delivered · {history.totals.failed} failed · {history.totals.queued} waiting
            </p>
          </div>
          <div className="flex gap-2 text-sm">
            <a className="rounded-lg px-3 py-1.5 font-semibold text-brand-700 ring-1 ring-slate-300 hover:bg-slate-50" href={`/dashboard/messaging/${channel}/export?${exportQuery(params, "csv")}`}>
              CSV
            </a>
            <a className="rounded-lg px-3 py-1.5 font-semibold text-brand-700 ring-1 ring-slate-300 hover:bg-slate-50" href={`/dashboard/messaging/${channel}/export?${exportQuery(params, "xlsx")}`}>
              Excel
            </a>
          </div>
        </div>
        <Form method="get" className="grid gap-3 px-5 pb-4 sm:grid-cols-5" preventScrollReset>
          <SelectField label="Status" name="status" id="filter-status" defaultValue={params.get("status") ?? ""}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </SelectField>
          <Field id="filter-phone" label="Phone" name="phone" inputMode="tel" defaultValue={params.get("phone") ?? ""} placeholder="0712…" />
          <Field id="filter-from" label="From" name="from" type="date" defaultValue={params.get("from") ?? ""} />
          <Field id="filter-to" label="To" name="to" type="date" defaultValue={params.get("to") ?? ""} />
          <div className="flex items-end">
            <Button variant="secondary" className="w-full">
              Filter
            </Button>
          </div>
        </Form>
        {history.rows.length === 0 ? (
          <div className="px-5 pb-5">
            <EmptyState title="No messages yet">Test messages, automatic notifications and broadcasts on {name} appear here with their delivery status.</EmptyState>
          </div>
        ) : (
          <div className="overflow-x-auto">
            <DataTable columns={["When", "To / from", "What", "Message", "Status", "Cost"]}>
              {history.rows.map((m) => (
                <tr key={m.id}>
                  <Td className="whitespace-nowrap tabular-nums text-slate-600">{formatDateTime(m.createdAt, timezone)}</Td>
                  <Td className="whitespace-nowrap tabular-nums">
                    {m.direction === "in" ? "← " : ""}
                    {m.phone}
                  </Td>
                  <Td className="whitespace-nowrap text-slate-600">{m.event.replace(/_/g, " ")}</Td>
                  <Td className="min-w-64 text-slate-700">
                    <span className="line-clamp-2">{m.body}</span>
                    {m.error ? <span className="mt-1 block text-xs text-red-700">{m.error}</span> : null}
                  </Td>
                  <Td>
                    <MessageStatus status={m.status} />
                  </Td>
                  <Td className="whitespace-nowrap text-slate-600">
                    {m.cost ?? ""}
                    {m.segments && m.segments > 1 ? ` · ${m.segments} SMS` : ""}
                  </Td>
                </tr>
              ))}
            </DataTable>
          </div>
        )}
      </Card>
    </div>
  );
}

function exportQuery(params: URLSearchParams, format: string) {
  const q = new URLSearchParams(params);
  q.delete("test");
  q.set("format", format);
  return q.toString();
}

type Panel = Awaited<ReturnType<typeof loader>>["panel"];

function ProviderCard({ channel, panel, canManage, errors, typed, notice, saving }: { channel: "sms" | "whatsapp"; panel: Panel; canManage: boolean; errors: Record<string, string[] | undefined>; typed: Record<string, string> | null; notice: React.ReactNode; saving: boolean }) {
  const [kind, setKind] = useState(typed?.kind ?? panel.provider?.kind ?? panel.choices[0]?.kind ?? "");
  const choice = panel.choices.find((c) => c.kind === kind);
  const saved = panel.provider?.kind === kind ? panel.provider : null;
  return (
    <Card className="p-5">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div>
          <h2 className="font-semibold">Provider</h2>
          <p className="mt-1 text-sm text-slate-600">
            {panel.provider ? (
              <>
                Sending through <strong>{panel.choices.find((c) => c.kind === panel.provider!.kind)?.label ?? panel.provider.kind}</strong>.
              </>
            ) : (
              `No ${NAMES[channel]} provider yet: automatic ${NAMES[channel]} messages wait until you add one.`
            )}
          </p>
        </div>
        {panel.provider ? <span className="rounded-full bg-emerald-100 px-2.5 py-0.5 text-xs font-medium text-emerald-800">Set up</span> : <span className="rounded-full bg-amber-100 px-2.5 py-0.5 text-xs font-medium text-amber-800">Not set up</span>}
      </div>
      {notice ? <div className="mt-3">{notice}</div> : null}
      {canManage ? (
        <Form method="post" className="mt-4 grid gap-4" noValidate>
          <input type="hidden" name="intent" value="provider" />
          <fieldset>
            <legend className="text-sm font-medium text-slate-700">Provider</legend>
            <div className="mt-2 grid gap-2 sm:grid-cols-2">
              {panel.choices.map((c) => (
                <label key={c.kind} className={cx("flex cursor-pointer gap-3 rounded-lg p-3 ring-1", kind === c.kind ? "bg-brand-50 ring-brand-500" : "ring-slate-200 hover:bg-slate-50")}>
                  <input type="radio" name="kind" value={c.kind} checked={kind === c.kind} onChange={() => setKind(c.kind)} className="mt-1" />
                  <span>
                    <span className="block text-sm font-semibold">{c.label}</span>
                    <span className="block text-xs text-slate-600">{c.description}</span>
                  </span>
                </label>
              ))}
            </div>
            {errors.kind ? <p className="mt-1 text-sm text-red-600">{errors.kind[0]}</p> : null}
          </fieldset>
          {choice ? (
            <div className="grid gap-4 sm:grid-cols-2" key={choice.kind}>
              {choice.fields.map((f) =>
                f.options ? (
                  <SelectField key={f.name} id={`p-${f.name}`} label={f.label} name={f.name} defaultValue={typed?.[f.name] ?? saved?.config[f.name] ?? f.defaultValue ?? ""} error={errors[f.name]?.[0]} hint={f.hint}>
                    {f.options.map((o) => (
                      <option key={o.value} value={o.value}>
                        {o.label}
                      </option>
                    ))}
                  </SelectField>
                ) : (
                  <Field
                    key={f.name}
                    id={`p-${f.name}`}
                    label={`${f.label}${f.required ? "" : " (optional)"}`}
                    name={f.name}
                    type={f.secret ? "password" : "text"}
                    autoComplete="off"
                    placeholder={f.secret && saved?.maskedSecrets[f.name] ? `${saved.maskedSecrets[f.name]} (saved; leave empty to keep)` : f.placeholder}
                    defaultValue={f.secret ? "" : (typed?.[f.name] ?? saved?.config[f.name] ?? f.defaultValue ?? "")}
                    error={errors[f.name]?.[0]}
                    hint={f.hint}
                  />
                ),
              )}
            </div>
          ) : null}
          <div className="rounded-lg bg-slate-50 p-3 text-sm">
            <p className="font-medium text-slate-700">Delivery reports and replies</p>
            <p className="mt-1 text-slate-600">Give your provider this address for delivery reports (and incoming messages, so customers can reply STOP):</p>
            <code className="mt-1 block break-all rounded bg-white px-2 py-1 text-xs ring-1 ring-slate-200" data-testid="webhook-url">
              {panel.webhookUrl}
            </code>
          </div>
          <div className="flex flex-wrap gap-2">
            <Button disabled={saving}>{saving ? "Saving…" : "Save provider"}</Button>
          </div>
        </Form>
      ) : null}
      {canManage && panel.provider ? (
        <Form
          method="post"
          className="mt-3"
          onSubmit={(e) => {
            if (!confirm(`Remove the ${NAMES[channel]} provider? Messages wait until a new one is saved.`)) e.preventDefault();
          }}
        >
          <input type="hidden" name="intent" value="remove-provider" />
          <Button variant="danger" className="px-3 py-1.5 text-xs">
            Remove provider
          </Button>
        </Form>
      ) : null}
    </Card>
  );
}

type TemplateRow = Awaited<ReturnType<typeof loader>>["templates"]["templates"][number];

function TemplateEditor({ channel, template: t, cloudApi, canManage, errors, typed, notice }: { channel: "sms" | "whatsapp"; template: TemplateRow; cloudApi: boolean; canManage: boolean; errors: Record<string, string[] | undefined>; typed: Record<string, string> | null; notice: React.ReactNode }) {
  const [body, setBody] = useState(typed?.body ?? t.body);
  return (
    <details className="group py-3" open={!!notice || !!typed}>
      <summary className="flex cursor-pointer flex-wrap items-baseline justify-between gap-2">
        <span>
          <span className="font-medium">{t.label}</span> <span className="text-sm text-slate-500">{t.description}</span>
        </span>
        <span className="text-xs text-slate-500">{t.edited ? "Your wording" : "Pre-written"}</span>
      </summary>
      <div className="mt-3 grid gap-4 lg:grid-cols-2">
        <Form method="post" className="grid gap-2" noValidate>
          <input type="hidden" name="intent" value="template" />
          <input type="hidden" name="event" value={t.event} />
          {notice}
          <label htmlFor={`tpl-${t.event}`} className="text-sm font-medium text-slate-700">
            Message
          </label>
          <textarea
            id={`tpl-${t.event}`}
            name="body"
            rows={4}
            value={body}
            onChange={(e) => setBody(e.target.value)}
            readOnly={!canManage}
            className={cx("block w-full rounded-lg border px-3 py-2 font-mono text-sm", errors.body ? "border-red-400" : "border-slate-300")}
          />
          {errors.body ? <p className="text-sm text-red-600">{errors.body[0]}</p> : null}
          {channel === "sms" ? <SmsCounter text={t.body === body ? t.preview : body} /> : null}
          {channel === "whatsapp" && cloudApi ? (
            <div className="grid gap-3 sm:grid-cols-2">
              <Field id={`tpl-${t.event}-wa`} label="Approved template name" name="waTemplateName" defaultValue={typed?.waTemplateName ?? t.waTemplateName ?? ""} error={errors.waTemplateName?.[0]} hint="Its {{1}}, {{2}}… are this message's placeholders in order." />
              <Field id={`tpl-${t.event}-lang`} label="Language" name="waLanguage" defaultValue={typed?.waLanguage ?? t.waLanguage ?? "en"} />
            </div>
          ) : null}
          {canManage ? (
            <div className="flex gap-2">
              <Button className="px-3 py-1.5 text-xs">Save</Button>
              {t.edited ? (
                <button name="intent" value="reset-template" className="rounded-lg px-3 py-1.5 text-xs font-semibold text-slate-700 ring-1 ring-slate-300 hover:bg-slate-50">
                  Reset to pre-written
                </button>
              ) : null}
            </div>
          ) : null}
        </Form>
        <div>
          <p className="text-sm font-medium text-slate-700">Preview with sample data</p>
          <div className={cx("mt-2 whitespace-pre-wrap rounded-2xl px-4 py-3 text-sm shadow-sm", channel === "whatsapp" ? "bg-[#dcf8c6]" : "bg-slate-100")} data-testid={`preview-${t.event}`}>
            {t.preview}
          </div>
          {body !== t.body ? <p className="mt-1 text-xs text-slate-500">Save to update the preview.</p> : null}
        </div>
      </div>
    </details>
  );
}
