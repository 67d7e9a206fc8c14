import { Form, data, useActionData, useLoaderData, useNavigation } from "react-router";
import { useState, type ReactNode } from "react";
import type { Route } from "./+types/console.settings";
import { Alert, Button, Card, Field, PageHeader, SelectField, cx } from "../components/ui";
import { requirePlatformUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { platformCan } from "../../policies/permissions";

export function meta() {
  return [{ title: "Settings · mnetifi console" }];
}

async function requireSettingsAdmin(context: Route.LoaderArgs["context"], request: Request) {
  const session = await requirePlatformUser(context, request);
  // A page the role may not open is a clear 403, not a failed procedure deep in the loader.
  if (!platformCan(session.viewer.user.role, "settings.manage")) throw data({ reason: "forbidden" }, { status: 403 });
  return session;
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller } = await requireSettingsAdmin(context, request);
  return caller.platformSettings.get();
}

type Result = { intent: string; ok: boolean; message?: string; fieldErrors?: Record<string, string[] | undefined>; values?: Record<string, string>; savedAt?: number };

const SECRET_FIELDS = ["consumerKey", "consumerSecret", "passkey", "apiKey"];
const SOURCE_WORDS = { console: "saved in the console", environment: "from the server environment", none: "not configured" } as const;

export async function action({ request, context }: Route.ActionArgs): Promise<Result> {
  const { caller } = await requireSettingsAdmin(context, request);
  const values = formValues(await readForm(request));
  const intent = values.intent ?? "";
  // Typed values come back with the errors, but never a typed secret.
  const keep = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, SECRET_FIELDS.includes(k) ? "" : v]));
  const savedAt = Date.now();
  try {
    switch (intent) {
      case "general":
        await caller.platformBilling.saveSettings({ trialHours: values.trialHours, reminderDays: values.reminderDays ?? "", paymentInstructions: values.paymentInstructions ?? "" });
        return { intent, ok: true, message: "Saved.", savedAt };
      case "mpesa":
        await caller.platformSettings.saveMpesa(values);
        return { intent, ok: true, message: "Saved: ISPs now pay into this account. Test it to be sure Daraja accepts it.", savedAt };
      case "sms":
        await caller.platformSettings.saveSms(values);
        return { intent, ok: true, message: "Saved: one-time codes and reminders now go out through this account.", savedAt };
      case "email":
        await caller.platformSettings.saveEmail(values);
        return { intent, ok: true, message: "Saved: the platform's email now comes from this address.", savedAt };
      case "clear-mpesa":
      case "clear-sms":
      case "clear-email":
        await caller.platformSettings.clearSender({ sender: intent.slice(6) as "mpesa" | "sms" | "email" });
        return { intent: intent.slice(6), ok: true, message: "Removed: the server environment's sender is used again.", savedAt };
      case "test-mpesa": {
        const r = await caller.platformSettings.testMpesa();
        return { intent, ok: r.ok, message: r.ok ? `Daraja issued a token for shortcode ${r.shortcode} (${SOURCE_WORDS[r.source]}).` : r.reason };
      }
      case "test-sms": {
        const r = await caller.platformSettings.testSms({ phone: values.phone ?? "" });
        return { intent, ok: r.ok, message: r.ok ? `Sent (${SOURCE_WORDS[r.source]}). Check the phone.` : r.reason, values };
      }
    }
    return { intent, ok: false, message: "Unknown action." };
  } catch (err) {
    const f = formFailure(err, keep).data;
    return { intent, ok: false, message: f.formError ?? undefined, fieldErrors: f.fieldErrors, values: keep };
  }
}

function SourceBadge({ source, testId }: { source: "console" | "environment" | "none"; testId: string }) {
  const style = { console: "bg-emerald-100 text-emerald-800", environment: "bg-sky-100 text-sky-800", none: "bg-amber-100 text-amber-800" }[source];
  return (
    <span className={cx("inline-flex whitespace-nowrap rounded-full px-2.5 py-0.5 text-xs font-medium", style)} data-testid={testId} data-source={source}>
      {source === "none" ? "Not configured" : `In use: ${SOURCE_WORDS[source]}`}
    </span>
  );
}

function SenderCard({ title, description, badge, children, aside }: { title: string; description: ReactNode; badge: ReactNode; children: ReactNode; aside?: ReactNode }) {
  return (
    <Card className="p-5">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <h3 className="font-semibold">{title}</h3>
        {badge}
      </div>
      <div className="mt-1 text-sm text-slate-600">{description}</div>
      <div className={cx("mt-4 grid gap-6", aside ? "lg:grid-cols-[1fr_18rem]" : "")}>
        <div>{children}</div>
        {aside ? <div className="grid content-start gap-3 border-t border-slate-200 pt-4 lg:border-l lg:border-t-0 lg:pl-6 lg:pt-0">{aside}</div> : null}
      </div>
    </Card>
  );
}

export default function ConsoleSettings() {
  const { general, senders } = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>();
  const nav = useNavigation();
  const busy = (intent: string) => nav.state !== "idle" && nav.formData?.get("intent") === intent;
  const note = (intent: string) => (r?.intent === intent && r.message ? <Alert tone={r.ok ? "success" : "error"}>{r.message}</Alert> : null);
  const fe = (intent: string) => (r?.intent === intent && !r.ok ? (r.fieldErrors ?? {}) : {});
  const vals = (intent: string) => (r?.intent === intent && !r.ok ? (r.values ?? {}) : {});
  // After a save the form starts afresh from what was saved (typed secrets cleared, masked ones shown).
  const formKey = (intent: string) => `${intent}-${r?.intent === intent && r.ok ? r.savedAt : 0}`;

  const m = senders.mpesa;
  const mv = vals("mpesa");
  const me = fe("mpesa");
  const [accountType, setAccountType] = useState(mv.accountType ?? m.saved?.accountType ?? "paybill");
  const s = senders.sms;
  const sv = vals("sms");
  const se = fe("sms");
  const e = senders.email;
  const ev = vals("email");
  const ee = fe("email");

  const removeButton = (sender: "mpesa" | "sms" | "email") => (
    <Form method="post" data-testid={`clear-${sender}`} className="grid justify-items-start gap-1 border-t border-slate-200 pt-3">
      <input type="hidden" name="intent" value={`clear-${sender}`} />
      <Button type="submit" variant="danger" className="px-3 py-1.5" disabled={busy(`clear-${sender}`)}>
        {busy(`clear-${sender}`) ? "Removing…" : "Remove saved settings"}
      </Button>
      <p className="text-xs text-slate-500">The server environment's sender is used again.</p>
    </Form>
  );

  return (
    <div className="grid gap-6">
      <PageHeader title="Settings" description="The platform's own settings: the free trial, billing reminders, and the senders mnetifi uses to bill ISPs and reach them." />

      {general ? (
        <Card className="p-5">
          <h2 className="font-semibold">Trial and reminders</h2>
          <Form method="post" key={formKey("general")} className="mt-3 grid gap-3 sm:grid-cols-3" noValidate>
            <input type="hidden" name="intent" value="general" />
            <div className="sm:col-span-3">{note("general")}</div>
            <Field label="Free trial (hours)" name="trialHours" id="set-trial" inputMode="numeric" defaultValue={vals("general").trialHours ?? String(general.trialHours)} error={fe("general").trialHours?.[0]} hint="Starts when the ISP confirms its email" />
            <Field label="Remind before the due date (days)" name="reminderDays" id="set-reminders" defaultValue={vals("general").reminderDays ?? general.reminderDays.join(", ")} error={fe("general").reminderDays?.[0]} hint="Email and SMS, e.g. 3, 1" />
            <Field label="Bank / PayPal instructions (on invoices)" name="paymentInstructions" id="set-instructions" defaultValue={vals("general").paymentInstructions ?? general.paymentInstructions} error={fe("general").paymentInstructions?.[0]} />
            <div className="sm:col-span-3">
              <Button type="submit" variant="secondary" disabled={busy("general")}>
                {busy("general") ? "Saving…" : "Save trial and reminders"}
              </Button>
            </div>
          </Form>
        </Card>
      ) : null}

      <div>
        <h2 className="text-lg font-semibold">Platform senders</h2>
        <p className="mt-1 text-sm text-slate-600">
          What is saved here is used; with nothing saved, the server environment's is. Secrets are encrypted and never shown again: leave a secret empty to keep the saved one. Every change is in the audit log.
        </p>
      </div>

      <SenderCard
        title="M-Pesa account"
        badge={<SourceBadge source={m.inUse} testId="source-mpesa" />}
        description={
          <>
            ISPs pay their subscription into this Daraja paybill or till by STK push.{" "}
            {m.fallback ? `Without saved settings: ${m.fallback.shortcode} (${m.fallback.environment}) from the server environment.` : "The server environment has none (PLATFORM_MPESA_*): with nothing saved, ISPs can only pay by bank or PayPal."}
          </>
        }
        aside={
          <>
            <h4 className="text-sm font-semibold">Test</h4>
            <p className="text-sm text-slate-600">Asks Daraja for an access token with the account in use.</p>
            <Form method="post" className="grid gap-3">
              <input type="hidden" name="intent" value="test-mpesa" />
              {note("test-mpesa")}
              <Button type="submit" variant="secondary" disabled={m.inUse === "none" || busy("test-mpesa")}>
                {busy("test-mpesa") ? "Testing…" : "Test M-Pesa"}
              </Button>
            </Form>
            {m.saved ? removeButton("mpesa") : null}
          </>
        }
      >
        <Form method="post" key={formKey("mpesa")} className="grid gap-3 sm:grid-cols-2" noValidate>
          <input type="hidden" name="intent" value="mpesa" />
          <div className="empty:hidden sm:col-span-2">{note("mpesa")}</div>
          <SelectField label="Environment" name="environment" id="mpesa-environment" defaultValue={mv.environment ?? m.saved?.environment ?? "production"} error={me.environment?.[0]}>
            <option value="production">Production (real money)</option>
            <option value="sandbox">Sandbox (testing)</option>
          </SelectField>
          <SelectField label="Account type" name="accountType" id="mpesa-account-type" value={accountType} onChange={(ev) => setAccountType(ev.target.value)} error={me.accountType?.[0]}>
            <option value="paybill">Paybill</option>
            <option value="till">Till (Buy Goods)</option>
          </SelectField>
          <Field label={accountType === "till" ? "Store number (head office)" : "Paybill number"} name="shortcode" id="mpesa-shortcode" inputMode="numeric" autoComplete="off" defaultValue={mv.shortcode ?? m.saved?.shortcode ?? ""} error={me.shortcode?.[0]} />
          {accountType === "till" ? <Field label="Till number" name="tillNumber" id="mpesa-till" inputMode="numeric" autoComplete="off" defaultValue={mv.tillNumber ?? m.saved?.tillNumber ?? ""} error={me.tillNumber?.[0]} /> : <div className="hidden sm:block" />}
          <Field label="Consumer key" name="consumerKey" id="mpesa-consumer-key" autoComplete="off" placeholder={m.saved ? `${m.saved.consumerKey} (saved)` : ""} error={me.consumerKey?.[0]} />
          <Field label="Consumer secret" name="consumerSecret" id="mpesa-consumer-secret" type="password" autoComplete="new-password" placeholder={m.saved ? "•••••••• (saved)" : ""} error={me.consumerSecret?.[0]} />
          <Field className="sm:col-span-2" label="Passkey" name="passkey" id="mpesa-passkey" type="password" autoComplete="new-password" placeholder={m.saved ? "•••••••• (saved)" : ""} error={me.passkey?.[0]} />
          <div className="sm:col-span-2">
            <Button type="submit" disabled={busy("mpesa")}>
              {busy("mpesa") ? "Saving…" : "Save M-Pesa account"}
            </Button>
          </div>
        </Form>
      </SenderCard>

      <SenderCard
        title="SMS sender"
        badge={<SourceBadge source={s.inUse} testId="source-sms" />}
        description={
          <>
            Africa's Talking account for sign-in codes and billing reminders to ISP owners.{" "}
            {s.fallback ? `Without saved settings: ${s.fallback.username}${s.fallback.senderId ? `, sender ${s.fallback.senderId}` : ""} from the server environment.` : "The server environment has none (PLATFORM_SMS_*)."}
          </>
        }
        aside={
          <>
            <h4 className="text-sm font-semibold">Test</h4>
            <Form method="post" className="grid gap-3" noValidate>
              <input type="hidden" name="intent" value="test-sms" />
              {note("test-sms")}
              <Field label="Send a test SMS to" name="phone" id="sms-test-phone" type="tel" placeholder="0712 345 678" defaultValue={r?.intent === "test-sms" ? (r.values?.phone ?? "") : ""} error={fe("test-sms").phone?.[0]} />
              <Button type="submit" variant="secondary" disabled={s.inUse === "none" || busy("test-sms")}>
                {busy("test-sms") ? "Sending…" : "Send test SMS"}
              </Button>
            </Form>
            {s.saved ? removeButton("sms") : null}
          </>
        }
      >
        <Form method="post" key={formKey("sms")} className="grid gap-3 sm:grid-cols-2" noValidate>
          <input type="hidden" name="intent" value="sms" />
          <div className="empty:hidden sm:col-span-2">{note("sms")}</div>
          <Field label="Username" name="username" id="sms-username" autoComplete="off" defaultValue={sv.username ?? s.saved?.username ?? ""} error={se.username?.[0]} hint="Your Africa's Talking app's username (sandbox for testing)" />
          <Field label="API key" name="apiKey" id="sms-api-key" type="password" autoComplete="new-password" placeholder={s.saved ? `${s.saved.apiKey} (saved)` : ""} error={se.apiKey?.[0]} />
          <Field label="Sender ID (optional)" name="senderId" id="sms-sender-id" autoComplete="off" defaultValue={sv.senderId ?? s.saved?.senderId ?? ""} error={se.senderId?.[0]} hint="As approved by Africa's Talking, up to 11 characters" />
          <div className="sm:col-span-2">
            <Button type="submit" disabled={busy("sms")}>
              {busy("sms") ? "Saving…" : "Save SMS sender"}
            </Button>
          </div>
        </Form>
      </SenderCard>

      <SenderCard
        title="Email sender"
        badge={<SourceBadge source={e.inUse} testId="source-email" />}
        description={
          <>
            The From of every email mnetifi sends (sign-in, invoices, reminders). Without saved settings: <span className="break-all font-mono text-xs">{e.fallback}</span> (MAIL_FROM). The mail server itself stays in the server environment ({e.smtp === "simulator" ? "the local SMTP simulator" : e.smtp === "SMTP_URL" ? "SMTP_URL" : "SMTP_URL, not set"}): it is infrastructure, not a setting.
          </>
        }
        aside={e.saved ? removeButton("email") : undefined}
      >
        <Form method="post" key={formKey("email")} className="grid gap-3 sm:grid-cols-2" noValidate>
          <input type="hidden" name="intent" value="email" />
          <div className="empty:hidden sm:col-span-2">{note("email")}</div>
          <Field label="Name" name="fromName" id="email-from-name" autoComplete="off" defaultValue={ev.fromName ?? e.saved?.fromName ?? ""} error={ee.fromName?.[0]} placeholder="mnetifi" />
          <Field label="Address" name="fromAddress" id="email-from-address" type="email" autoComplete="off" defaultValue={ev.fromAddress ?? e.saved?.fromAddress ?? ""} error={ee.fromAddress?.[0]} placeholder="billing@mnetifi.co.ke" hint="The mail server must be allowed to send as this address" />
          <div className="sm:col-span-2">
            <Button type="submit" disabled={busy("email")}>
              {busy("email") ? "Saving…" : "Save email sender"}
            </Button>
          </div>
        </Form>
      </SenderCard>
    </div>
  );
}
