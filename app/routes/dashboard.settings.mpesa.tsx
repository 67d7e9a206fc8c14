import { Form, Link, useActionData, useLoaderData, useNavigation } from "react-router";
import { useState } from "react";
import type { Route } from "./+types/dashboard.settings.mpesa";
import { Alert, Button, Card, Field, PageHeader } from "../components/ui";
import { requireIspUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { formatDateTime } from "../lib/format";

export function meta() {
  return [{ title: "M-Pesa settings · mnetifi" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, tenant } = await requireIspUser(context, request, { permission: "settings.manage" });
  return { settings: await caller.payments.settings(), timezone: tenant.timezone };
}

type Result = { intent: string; ok: boolean; message?: string; fieldErrors?: Record<string, string[] | undefined>; values?: Record<string, string>; paymentId?: string };

export async function action({ request, context }: Route.ActionArgs): Promise<Result> {
  const { caller } = await requireIspUser(context, request, { permission: "settings.manage" });
  const values = formValues(await readForm(request));
  const intent = values.intent ?? "";
  const keep = { ...values, consumerKey: "", consumerSecret: "", passkey: "", securityCredential: "" };
  try {
    if (intent === "save") {
      const { intent: _i, ...input } = values;
      const r = await caller.payments.saveSettings(input);
      return r.ok ? { intent, ok: true, message: "Saved. Test the credentials to be sure they work." } : { intent, ok: false, fieldErrors: r.fieldErrors, values: keep };
    }
    if (intent === "test") {
      const r = await caller.payments.testCredentials();
      return { intent, ok: r.ok, message: r.ok ? "Daraja accepted these credentials." : r.reason };
    }
    if (intent === "c2b") {
      const r = await caller.payments.registerC2b();
      return { intent, ok: r.ok, message: r.ok ? "Paybill/till payments will now be sent to mnetifi." : r.reason };
    }
    if (intent === "pay") {
      const r = await caller.payments.testPayment({ phone: values.phone ?? "", amount: Number(values.amount || 1) });
      return r.ok ? { intent, ok: true, message: "Check the phone: enter the M-Pesa PIN to finish.", paymentId: r.paymentId } : { intent, ok: false, message: r.error, values };
    }
    return { intent, ok: false, message: "Unknown action." };
  } catch (err) {
    const f = formFailure(err, values).data;
    return { intent, ok: false, message: f.formError ?? undefined, fieldErrors: f.fieldErrors, values: keep };
  }
}

const select = "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-base sm:text-sm";

export default function MpesaSettings() {
  const { settings: s, timezone } = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>();
  const nav = useNavigation();
  const busy = (intent: string) => nav.state !== "idle" && nav.formData?.get("intent") === intent;
  const v = r?.intent === "save" && !r.ok ? (r.values ?? {}) : {};
  const fe = r?.intent === "save" ? (r.fieldErrors ?? {}) : {};
  const [type, setType] = useState(v.accountType ?? s.accountType);
  const note = (intent: string) => (r?.intent === intent && r.message ? <Alert tone={r.ok ? "success" : "error"}>{r.message}</Alert> : null);
  return (
    <div className="grid gap-6">
      <PageHeader title="M-Pesa" description="Your own Daraja account: customers pay straight into your paybill or till." />
      <div className="grid gap-6 lg:grid-cols-[1fr_22rem]">
        <Card className="p-5">
          <h2 className="font-semibold">Daraja credentials</h2>
          <p className="mt-1 text-sm text-slate-600">From your app on the Safaricom developer portal. Secrets are encrypted and never shown again; leave a secret empty to keep the saved one.</p>
          <Form method="post" className="mt-4 grid gap-4 sm:grid-cols-2" noValidate>
            <input type="hidden" name="intent" value="save" />
            <div className="sm:col-span-2">{note("save")}</div>
            <label className="text-sm font-medium text-slate-700">
              Environment
              <select name="environment" defaultValue={v.environment ?? s.environment} className={select}>
                <option value="sandbox">Sandbox (testing)</option>
                <option value="production">Production (real money)</option>
              </select>
            </label>
            <label className="text-sm font-medium text-slate-700">
              Account type
              <select name="accountType" value={type} onChange={(e) => setType(e.target.value as "paybill" | "till")} className={select}>
                <option value="paybill">Paybill</option>
                <option value="till">Till (Buy Goods)</option>
              </select>
            </label>
            <Field label={type === "till" ? "Store number (head office)" : "Paybill number"} name="shortcode" inputMode="numeric" defaultValue={v.shortcode ?? s.shortcode} error={fe.shortcode?.[0]} />
            {type === "till" ? <Field label="Till number" name="tillNumber" inputMode="numeric" defaultValue={v.tillNumber ?? s.tillNumber ?? ""} error={fe.tillNumber?.[0]} /> : <div />}
            <Field label="Consumer key" name="consumerKey" autoComplete="off" placeholder={s.consumerKey ?? ""} error={fe.consumerKey?.[0]} hint={s.configured ? `Saved: ${s.consumerKey}` : undefined} />
            <Field label="Consumer secret" name="consumerSecret" type="password" autoComplete="off" placeholder={s.consumerSecretSaved ? "•••••••• (saved)" : ""} error={fe.consumerSecret?.[0]} />
            <Field label="Passkey" name="passkey" type="password" autoComplete="off" placeholder={s.passkeySaved ? "•••••••• (saved)" : ""} error={fe.passkey?.[0]} />
            <div />
            <Field label="API initiator name (to check reported codes)" name="initiatorName" defaultValue={v.initiatorName ?? s.initiatorName ?? ""} error={fe.initiatorName?.[0]} />
            <Field label="Security credential" name="securityCredential" type="password" autoComplete="off" placeholder={s.securityCredentialSaved ? "•••••••• (saved)" : ""} error={fe.securityCredential?.[0]} />
            <div className="sm:col-span-2">
              <Button type="submit" disabled={busy("save")}>{busy("save") ? "Saving…" : "Save"}</Button>
            </div>
          </Form>
        </Card>

        <div className="grid content-start gap-6">
          <Card className="p-5">
            <h2 className="font-semibold">Check the connection</h2>
            <p className="mt-1 text-sm text-slate-600">
              {s.lastTestAt ? `Last test ${formatDateTime(s.lastTestAt, timezone)}: ${s.lastTestResult === "ok" ? "working" : s.lastTestResult}` : "Not tested yet."}
            </p>
            <Form method="post" className="mt-3 grid gap-3">
              {note("test")}
              <input type="hidden" name="intent" value="test" />
              <Button type="submit" variant="secondary" disabled={!s.configured || busy("test")}>{busy("test") ? "Testing…" : "Test credentials"}</Button>
            </Form>
          </Card>
          <Card className="p-5">
            <h2 className="font-semibold">Paybill / till payments</h2>
            <p className="mt-1 text-sm text-slate-600">
              {s.c2bRegisteredAt ? `Registered ${formatDateTime(s.c2bRegisteredAt, timezone)}.` : "Register once so payments customers make from the M-Pesa menu reach mnetifi."}
            </p>
            <Form method="post" className="mt-3 grid gap-3">
              {note("c2b")}
              <input type="hidden" name="intent" value="c2b" />
              <Button type="submit" variant="secondary" disabled={!s.configured || busy("c2b")}>{busy("c2b") ? "Registering…" : "Register with M-Pesa"}</Button>
            </Form>
          </Card>
          <Card className="p-5">
            <h2 className="font-semibold">Send a test payment</h2>
            <p className="mt-1 text-sm text-slate-600">An STK push to your own phone, to see the whole chain work.</p>
            <Form method="post" className="mt-3 grid gap-3" noValidate>
              {note("pay")}
              {r?.intent === "pay" && r.paymentId ? <Link to={`/dashboard/payments/${r.paymentId}`} className="text-sm font-medium text-brand-700 hover:underline">Follow the payment →</Link> : null}
              <input type="hidden" name="intent" value="pay" />
              <Field label="Phone" name="phone" type="tel" placeholder="0712 345 678" defaultValue={r?.intent === "pay" ? r.values?.phone : ""} />
              <Field label="Amount (KES)" name="amount" inputMode="numeric" defaultValue="1" />
              <Button type="submit" disabled={!s.configured || busy("pay")}>{busy("pay") ? "Sending…" : "Send STK push"}</Button>
            </Form>
          </Card>
          {s.callbackUrls ? (
            <Card className="p-5">
              <h2 className="font-semibold">Callback addresses</h2>
              <p className="mt-1 text-xs text-slate-500">Given to Daraja automatically; keep them private.</p>
              <dl className="mt-2 grid gap-1 text-xs">
                {Object.entries(s.callbackUrls).map(([k, u]) => (
                  <div key={k}>
                    <dt className="text-slate-500">{k}</dt>
                    <dd className="break-all font-mono">{u}</dd>
                  </div>
                ))}
              </dl>
            </Card>
          ) : null}
        </div>
      </div>
    </div>
  );
}
