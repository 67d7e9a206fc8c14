import { useEffect, useRef, useState, type ReactNode } from "react";
import { Form, Link, useFetcher } from "react-router";
import { countSmsSegments } from "../../server/integrations/messaging/sms-segments";
import { Alert, Button, Field, SelectField, cx } from "./ui";
import { phoneForDisplay } from "../lib/money";
import { zoneCity } from "./broadcast-ui";

// The "New broadcast" form: channel, audience (with a live count), message (with an SMS counter),
// now or later. Its own state so the audience count and counters follow what is typed; the
// values the server sent back after a refused submit start it again.

/** The route that answers this form's small look-ups (?probe=size|customers). */
const PROBE = "/dashboard/messaging/broadcasts";
const MAX_BODY = 918;
const PLACEHOLDERS = ["name", "business", "contact", "tagline", "signoff"] as const;

export type BroadcastFormValues = Partial<Record<"name" | "channels" | "segmentKind" | "customerId" | "customerLabel" | "zoneId" | "days" | "body" | "when" | "scheduledAt", string>>;
type Errors = Record<string, string[] | undefined>;
type CustomerOption = { id: string; name: string; phone: string; optedOut: boolean };

export function BroadcastForm(props: {
  values: BroadcastFormValues;
  errors: Errors;
  formError?: string | null;
  smsAllowed: boolean;
  /** Broadcasting on WhatsApp is a tier feature too (Premium); default allowed. */
  whatsappAllowed?: boolean;
  providers: { sms: boolean; whatsapp: boolean } | null;
  zones: Array<{ id: string; name: string }>;
  customers: { all: number; optedOut: number };
  timezone: string;
  /** datetime-local values in the tenant's timezone: the default "later" time and the earliest allowed. */
  defaultLocal: string;
  minLocal: string;
  busy: boolean;
}) {
  const { values: v, errors: fe, smsAllowed, providers, zones, customers, timezone, busy } = props;
  const whatsappAllowed = props.whatsappAllowed ?? true;
  const [channels, setChannels] = useState(v.channels ?? (whatsappAllowed || !smsAllowed ? "whatsapp" : "sms"));
  const [kind, setKind] = useState(v.segmentKind ?? "all");
  const [customer, setCustomer] = useState<{ id: string; label: string } | null>(v.customerId ? { id: v.customerId, label: v.customerLabel ?? "" } : null);
  const [zoneId, setZoneId] = useState(v.zoneId ?? "");
  const [days, setDays] = useState(v.days ?? "30");
  const [body, setBody] = useState(v.body ?? "");
  const [when, setWhen] = useState(v.when ?? "now");
  const [name, setName] = useState(v.name ?? "");
  const textarea = useRef<HTMLTextAreaElement>(null);

  const size = useFetcher<{ probe: "size"; query: string; recipients: number | null }>();
  const segmentQuery = new URLSearchParams({ probe: "size", kind, ...(kind === "customer" ? { customerId: customer?.id ?? "" } : {}), ...(kind === "zone" ? { zoneId } : {}), ...(kind === "recent_buyers" ? { days } : {}) }).toString();
  const incomplete = (kind === "customer" && !customer) || (kind === "zone" && !zoneId) || (kind === "recent_buyers" && !(Number(days) >= 1 && Number(days) <= 365));
  useEffect(() => {
    if (incomplete) return;
    const t = setTimeout(() => size.load(`${PROBE}?${segmentQuery}`), 250);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [segmentQuery, incomplete]);
  // Everyone is every customer: known before the count comes back.
  const answered = size.data && size.data.query === segmentQuery ? size.data : null;
  const counted = answered ? answered.recipients : kind === "all" ? customers.all : null;

  const smsIn = channels === "sms" || channels === "both";
  const count = countSmsSegments(body);
  const segmentError = fe.segment?.[0];

  function insert(placeholder: string) {
    const el = textarea.current;
    const token = `{{${placeholder}}}`;
    const start = el?.selectionStart ?? body.length;
    const end = el?.selectionEnd ?? body.length;
    const next = body.slice(0, start) + token + body.slice(end);
    setBody(next);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + token.length, start + token.length);
    });
  }

  const missingProvider = providers && channels ? (channels === "both" ? (["sms", "whatsapp"] as const) : ([channels] as Array<"sms" | "whatsapp">)).filter((c) => c in providers && !providers[c]) : [];

  return (
    <Form
      method="post"
      className="grid gap-5"
      noValidate
      onSubmit={(e) => {
        // Sending to many people at once is worth one question (not for a half-filled form: the server explains what is missing).
        if (when === "now" && name.trim() && body.trim() && !incomplete) {
          const who = counted === null ? "this audience" : `${counted} customer${counted === 1 ? "" : "s"}`;
          if (!confirm(`Send “${name.trim()}” to ${who} now?`)) e.preventDefault();
        }
      }}
    >
      <input type="hidden" name="intent" value="create" />
      {props.formError ? <Alert>{props.formError}</Alert> : null}
      <Field id="bc-name" label="Name" name="name" value={name} onChange={(e) => setName(e.target.value)} placeholder="December offer" maxLength={80} error={fe.name?.[0]} hint="Only you see it, in this list and the report." />

      <Group legend="Channel" error={fe.channels?.[0]} errorId="bc-channels-error">
        <div className="grid gap-2">
          <Choice name="channels" value="whatsapp" checked={channels === "whatsapp"} onChange={setChannels} label="WhatsApp" disabled={!whatsappAllowed} tag={!whatsappAllowed ? "Premium plan" : undefined} />
          <Choice name="channels" value="sms" checked={channels === "sms"} onChange={setChannels} label="SMS" disabled={!smsAllowed} tag={!smsAllowed ? "Premium plan" : undefined} />
          <Choice name="channels" value="both" checked={channels === "both"} onChange={setChannels} label="SMS and WhatsApp" disabled={!smsAllowed || !whatsappAllowed} tag={!smsAllowed || !whatsappAllowed ? "Premium plan" : undefined} />
        </div>
        {!smsAllowed && !whatsappAllowed ? (
          <p className="mt-2 text-xs text-slate-500">Broadcasts come with the Premium plan: upgrade under Billing.</p>
        ) : !smsAllowed ? (
          <p className="mt-2 text-xs text-slate-500">SMS broadcasts come with the Premium plan. WhatsApp broadcasts are available on your plan now.</p>
        ) : null}
        {missingProvider.length && !fe.channels ? (
          <p className="mt-2 text-xs text-amber-700">
            No {missingProvider.map((c) => (c === "sms" ? "SMS" : "WhatsApp")).join(" or ")} provider is set up yet:{" "}
            {missingProvider.map((c, i) => (
              <span key={c}>
                {i ? " and " : ""}
                <Link className="font-medium underline" to={`/dashboard/messaging/${c}`}>
                  set up {c === "sms" ? "SMS" : "WhatsApp"}
                </Link>
              </span>
            ))}{" "}
            before sending.
          </p>
        ) : null}
      </Group>

      <Group legend="Audience" error={kind === "all" ? segmentError : undefined} errorId="bc-segment-error">
        <div className="grid grid-cols-2 gap-2">
          <Choice name="segmentKind" value="all" checked={kind === "all"} onChange={setKind} label="Everyone" />
          <Choice name="segmentKind" value="customer" checked={kind === "customer"} onChange={setKind} label="One customer" />
          <Choice name="segmentKind" value="zone" checked={kind === "zone"} onChange={setKind} label="A zone" />
          <Choice name="segmentKind" value="recent_buyers" checked={kind === "recent_buyers"} onChange={setKind} label="Recent buyers" />
        </div>
        {kind === "customer" ? <CustomerPicker selected={customer} onSelect={setCustomer} error={segmentError} /> : null}
        {kind === "zone" ? (
          <div className="mt-3">
            <SelectField id="bc-zone" label="Zone" name="zoneId" value={zoneId} onChange={(e) => setZoneId(e.target.value)} error={segmentError}>
              <option value="">Choose a zone…</option>
              {zones.map((z) => (
                <option key={z.id} value={z.id}>
                  {z.name}
                </option>
              ))}
            </SelectField>
          </div>
        ) : null}
        {kind === "recent_buyers" ? (
          <div className="mt-3">
            <Field
              id="bc-days"
              label="Paid in the last … days"
              name="days"
              type="number"
              inputMode="numeric"
              min={1}
              max={365}
              value={days}
              onChange={(e) => setDays(e.target.value)}
              error={segmentError}
              hint="Everyone who paid by M-Pesa in that time, customer record or not."
            />
          </div>
        ) : null}
        <p className="mt-3 rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-700" aria-live="polite" data-testid="audience-size">
          {incomplete ? (
            kind === "customer" ? "Choose the customer." : kind === "zone" ? "Choose the zone." : "Enter between 1 and 365 days."
          ) : counted === null ? (
            answered ? "Could not count this audience right now." : "Counting…"
          ) : (
            <>
              This reaches <strong className="tabular-nums">{counted}</strong> customer{counted === 1 ? "" : "s"} now
              {kind === "all" && customers.optedOut > 0 ? `, of whom ${customers.optedOut} replied STOP and will be skipped` : ""}.
              {when === "later" ? <span className="text-slate-500"> The list is worked out again when it sends.</span> : null}
            </>
          )}
        </p>
      </Group>

      <div>
        <label htmlFor="bc-body" className="block text-sm font-medium text-slate-700">
          Message
        </label>
        <textarea
          id="bc-body"
          ref={textarea}
          name="body"
          rows={5}
          value={body}
          onChange={(e) => setBody(e.target.value)}
          maxLength={MAX_BODY + 200}
          placeholder="Hi {{name}}, get 2 days for the price of 1 this weekend! {{business}}"
          aria-invalid={fe.body ? true : undefined}
          aria-describedby={cx("bc-body-count", fe.body && "bc-body-error")}
          className={cx(
            "mt-1 block w-full rounded-lg border bg-white px-3 py-2 text-base shadow-sm outline-none focus:ring-2 sm:text-sm",
            fe.body ? "border-red-400 focus:ring-red-200" : "border-slate-300 focus:border-brand-500 focus:ring-brand-100",
          )}
        />
        {fe.body ? (
          <p id="bc-body-error" className="mt-1 text-sm text-red-600">
            {fe.body[0]}
          </p>
        ) : null}
        <p id="bc-body-count" className={cx("mt-1 text-xs tabular-nums", count.characters > MAX_BODY || (smsIn && (count.segments > 1 || count.encoding === "UCS-2")) ? "text-amber-700" : "text-slate-500")} aria-live="polite">
          {count.characters} / {MAX_BODY} characters
          {smsIn && count.segments > 0 ? ` · ${count.segments} SMS per customer (${count.encoding === "UCS-2" ? `emoji or special letters: ${count.segments > 1 ? 67 : 70}` : count.segments > 1 ? 153 : 160} characters per SMS)` : ""}
          {smsIn && body.includes("{{") ? " · before placeholders are filled in" : ""}
        </p>
        <div className="mt-2 flex flex-wrap items-center gap-1.5 text-xs">
          <span className="text-slate-500">Insert:</span>
          {PLACEHOLDERS.map((p) => (
            <button key={p} type="button" onClick={() => insert(p)} className="rounded bg-slate-100 px-1.5 py-0.5 font-mono text-slate-700 hover:bg-slate-200">
              {`{{${p}}}`}
            </button>
          ))}
        </div>
        <p className="mt-2 text-xs text-slate-500">
          <span className="font-mono">{"{{name}}"}</span> becomes each customer’s first name; <span className="font-mono">{"{{business}}"}</span>, <span className="font-mono">{"{{contact}}"}</span>,{" "}
          <span className="font-mono">{"{{tagline}}"}</span> and <span className="font-mono">{"{{signoff}}"}</span> come from your branding (Notifications). Customers who replied STOP are skipped, and counted in the report.
        </p>
      </div>

      <Group legend="When" error={when === "now" ? fe.scheduledAt?.[0] : undefined} errorId="bc-when-error">
        <div className="grid grid-cols-2 gap-2">
          <Choice name="when" value="now" checked={when === "now"} onChange={setWhen} label="Send now" />
          <Choice name="when" value="later" checked={when === "later"} onChange={setWhen} label="Schedule" />
        </div>
        {when === "later" ? (
          <div className="mt-3">
            <Field
              id="bc-scheduled"
              label={`Send at (${zoneCity(timezone)} time)`}
              name="scheduledAt"
              type="datetime-local"
              min={props.minLocal}
              defaultValue={v.scheduledAt ?? props.defaultLocal}
              error={fe.scheduledAt?.[0]}
              className="sm:max-w-xs"
            />
          </div>
        ) : null}
      </Group>

      <Button type="submit" disabled={busy}>
        {busy ? (when === "later" ? "Scheduling…" : "Sending…") : when === "later" ? "Schedule" : "Send now"}
      </Button>
    </Form>
  );
}

function Group({ legend, error, errorId, children }: { legend: string; error?: string; errorId: string; children: ReactNode }) {
  return (
    <fieldset aria-describedby={error ? errorId : undefined}>
      <legend className="text-sm font-medium text-slate-700">{legend}</legend>
      <div className="mt-1">{children}</div>
      {error ? (
        <p id={errorId} className="mt-1 text-sm text-red-600">
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}

function Choice({ name, value, checked, onChange, label, disabled, tag }: { name: string; value: string; checked: boolean; onChange: (v: string) => void; label: string; disabled?: boolean; tag?: string }) {
  return (
    <label
      className={cx(
        "flex items-center gap-2 rounded-lg px-3 py-2 text-sm ring-1",
        disabled ? "cursor-not-allowed bg-slate-50 text-slate-400 ring-slate-200" : "cursor-pointer",
        !disabled && (checked ? "bg-brand-50 font-medium text-brand-900 ring-2 ring-brand-500" : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-50"),
      )}
    >
      <input type="radio" name={name} value={value} checked={checked} disabled={disabled} onChange={() => onChange(value)} className="accent-brand-600" />
      <span>{label}</span>
      {tag ? <span className="ml-auto rounded bg-amber-100 px-1.5 py-0.5 text-[11px] font-semibold text-amber-800">{tag}</span> : null}
    </label>
  );
}

/** Search by name or phone (the customers procedure), pick one from the results. */
function CustomerPicker({ selected, onSelect, error }: { selected: { id: string; label: string } | null; onSelect: (c: { id: string; label: string }) => void; error?: string }) {
  const list = useFetcher<{ probe: "customers"; customers: CustomerOption[] }>();
  const [q, setQ] = useState("");
  useEffect(() => {
    const t = setTimeout(() => list.load(`${PROBE}?${new URLSearchParams({ probe: "customers", q })}`), 250);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q]);
  const found = list.data?.customers ?? [];
  const labelOf = (c: CustomerOption) => [c.name, phoneForDisplay(c.phone)].filter(Boolean).join(" · ");
  const shown = selected && !found.some((c) => c.id === selected.id) ? [{ id: selected.id, label: selected.label, optedOut: false }, ...found.map((c) => ({ id: c.id, label: labelOf(c), optedOut: c.optedOut }))] : found.map((c) => ({ id: c.id, label: labelOf(c), optedOut: c.optedOut }));
  return (
    <div className="mt-3">
      <Field id="bc-customer-search" label="Find a customer" name="" type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Name or phone" autoComplete="off" error={error} />
      <input type="hidden" name="customerLabel" value={selected?.label ?? ""} />
      <div role="radiogroup" aria-label="Customer" className="mt-2 max-h-52 divide-y divide-slate-100 overflow-y-auto rounded-lg ring-1 ring-slate-200">
        {shown.length === 0 ? (
          <p className="px-3 py-3 text-sm text-slate-500">{list.state !== "idle" || !list.data ? "Loading…" : q ? "No customer matches." : "No customers yet."}</p>
        ) : (
          shown.map((c) => (
            <label key={c.id} className={cx("flex cursor-pointer items-center gap-2 px-3 py-2 text-sm", selected?.id === c.id ? "bg-brand-50" : "hover:bg-slate-50")}>
              <input type="radio" name="customerId" value={c.id} checked={selected?.id === c.id} onChange={() => onSelect({ id: c.id, label: c.label })} className="accent-brand-600" />
              <span className="min-w-0 truncate">{c.label || "—"}</span>
              {c.optedOut ? <span className="ml-auto shrink-0 rounded bg-slate-100 px-1.5 py-0.5 text-[11px] text-slate-600">replied STOP</span> : null}
            </label>
          ))
        )}
      </div>
    </div>
  );
}
