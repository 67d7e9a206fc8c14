import { Form, useNavigation } from "react-router";
import { Alert, Button, Card, Field, PageHeader } from "./ui";
import { formatDateTime } from "../lib/format";
import type { AccountResult } from "../lib/account-actions.server";

export type SecurityStatus = {
  method: "totp" | "sms" | null;
  phone: string | null;
  recoveryCodesLeft: number;
  passwordChangedAt: Date | string | null;
  /** What this kind of account may use (console users: the authenticator app only). */
  methods: ReadonlyArray<"totp" | "sms">;
  /** Turning it off asks for a current code too (console users). */
  codeToDisable: boolean;
};

type Setup = NonNullable<Extract<AccountResult, { ok: true }>["setup"]>;

/**
 * My account, for ISP users (dashboard) and console users (console) alike: two-step
 * verification, password, signing out everywhere. The forms post intents handled by
 * `accountAction` (app/lib/account-actions.server.ts).
 */
export function AccountSecurity({
  title,
  description,
  security,
  result,
  timezone,
  everywhere,
}: {
  title: string;
  description: string;
  security: SecurityStatus;
  result: AccountResult | undefined;
  timezone?: string;
  everywhere: { title: string; text: string; button: string };
}) {
  const nav = useNavigation();
  const busy = (intent: string) => nav.state !== "idle" && nav.formData?.get("intent") === intent;
  const r = result;
  const failed = r && !r.ok ? r : null;
  const err = (intent: string, field: string) => (failed?.intent === intent ? failed.fieldErrors[field]?.join(" ") : undefined);
  // A setup in progress: the first step's answer, or the same values kept after a wrong code.
  const setup = r?.ok && r.setup ? r.setup : failed?.intent === "confirm" ? (failed.values as unknown as Setup) : null;
  const offerSms = security.methods.includes("sms");
  // What the last action did shows at once, even while the page's own data is still reloading.
  const method = r?.ok && r.twoFactor !== undefined ? r.twoFactor : security.method;
  const codesLeft = r?.ok && r.recoveryCodes ? r.recoveryCodes.length : security.recoveryCodesLeft;

  return (
    <div className="grid gap-6">
      <PageHeader title={title} description={description} />
      {r?.ok && r.message ? <Alert tone="success">{r.message}</Alert> : null}
      {failed?.formError ? <Alert>{failed.formError}</Alert> : null}

      <div className="grid items-start gap-6 lg:grid-cols-2">
        <Card className="p-5">
          <h2 className="font-semibold">Two-step verification</h2>
          <p className="mt-1 text-sm text-slate-600">
            {method
              ? `On, with ${method === "totp" ? "an authenticator app" : `SMS to ${security.phone ?? "your phone"}`}. ${codesLeft} recovery codes left.`
              : "Off. Turn it on so a stolen password alone cannot open your account."}
          </p>

          {r?.ok && r.recoveryCodes ? (
            <div className="mt-4 rounded-lg bg-amber-50 p-4 ring-1 ring-amber-200">
              <p className="text-sm font-semibold text-amber-900">Save these recovery codes now. Each works once if you lose your phone; they are not shown again.</p>
              <ul className="mt-3 grid grid-cols-2 gap-1 font-mono text-sm" aria-label="Recovery codes">
                {r.recoveryCodes.map((c) => (
                  <li key={c}>{c}</li>
                ))}
              </ul>
            </div>
          ) : null}

          {setup ? (
            <Form method="post" className="mt-4 grid gap-4" noValidate>
              {setup.method === "totp" ? (
                <>
                  <p className="text-sm text-slate-700">Scan this with Google Authenticator, Microsoft Authenticator or any authenticator app, then enter the 6-digit code it shows.</p>
                  {setup.qrSvg ? <div className="h-48 w-48 rounded-lg bg-white p-2 ring-1 ring-slate-200 [&>svg]:h-full [&>svg]:w-full" dangerouslySetInnerHTML={{ __html: setup.qrSvg }} /> : null}
                  <p className="text-sm text-slate-600">
                    Can&apos;t scan? Type this key:
                    <code data-testid="totp-key" className="mt-1 block w-fit rounded bg-slate-100 px-1.5 py-0.5 font-mono text-sm">{setup.manualKey}</code>
                  </p>
                </>
              ) : (
                <p className="text-sm text-slate-700">We sent a 6-digit code by SMS to {setup.phone}. Enter it to finish.</p>
              )}
              {/* Kept across a wrong code; the QR image is not round-tripped (it is rendered as markup). */}
              {(["setupToken", "method", "manualKey", "phone"] as const).map((k) => (setup[k] ? <input key={k} type="hidden" name={k} value={setup[k]} /> : null))}
              <input type="hidden" name="intent" value="confirm" />
              <Field label="Code" name="code" inputMode="numeric" autoComplete="one-time-code" error={err("confirm", "code")} />
              <Button type="submit" disabled={busy("confirm")}>{busy("confirm") ? "Checking…" : "Turn on"}</Button>
            </Form>
          ) : method ? (
            <div className="mt-4 grid gap-4">
              <Form method="post" className="grid gap-3" noValidate>
                <input type="hidden" name="intent" value="codes" />
                <Field id="codes-password" label="Password (to make new recovery codes)" name="password" type="password" autoComplete="current-password" error={err("codes", "password")} />
                <Button variant="secondary" disabled={busy("codes")}>New recovery codes</Button>
              </Form>
              <Form method="post" className="grid gap-3 border-t border-slate-100 pt-4" noValidate>
                <input type="hidden" name="intent" value="disable" />
                <Field id="disable-password" label="Password (to turn it off)" name="password" type="password" autoComplete="current-password" error={err("disable", "password")} />
                {security.codeToDisable ? (
                  <Field id="disable-code" label="Code from your app (to turn it off)" name="code" inputMode="numeric" autoComplete="one-time-code" hint="Or one of your recovery codes." error={err("disable", "code")} />
                ) : null}
                <Button variant="danger" disabled={busy("disable")}>Turn off two-step verification</Button>
              </Form>
            </div>
          ) : (
            <div className="mt-4 grid gap-4">
              <Form method="post">
                <input type="hidden" name="intent" value="totp" />
                <Button type="submit" disabled={busy("totp")}>Use an authenticator app</Button>
              </Form>
              {offerSms ? (
                <Form method="post" className="grid gap-3 border-t border-slate-100 pt-4" noValidate>
                  <input type="hidden" name="intent" value="sms" />
                  <Field label="Or get codes by SMS on" name="phone" type="tel" inputMode="tel" placeholder="0712 345 678" defaultValue={failed?.intent === "sms" ? failed.values.phone : ""} error={err("sms", "phone")} />
                  <Button type="submit" variant="secondary" disabled={busy("sms")}>Send me a code</Button>
                </Form>
              ) : null}
            </div>
          )}
        </Card>

        <div className="grid content-start gap-6">
          <Card className="p-5">
            <h2 className="font-semibold">Change password</h2>
            <p className="mt-1 text-sm text-slate-600">{security.passwordChangedAt ? `Last changed ${formatDateTime(security.passwordChangedAt, timezone)}.` : ""} Changing it signs out your other devices.</p>
            <Form method="post" className="mt-4 grid gap-4" noValidate>
              <input type="hidden" name="intent" value="password" />
              <Field label="Current password" name="currentPassword" type="password" autoComplete="current-password" error={err("password", "currentPassword")} />
              <Field label="New password" name="newPassword" type="password" autoComplete="new-password" error={err("password", "newPassword")} hint="At least 12 characters, not a common password." />
              <Field label="Confirm new password" name="confirmPassword" type="password" autoComplete="new-password" error={err("password", "confirmPassword")} />
              <Button type="submit" disabled={busy("password")}>{busy("password") ? "Saving…" : "Change password"}</Button>
            </Form>
          </Card>
          <Card className="p-5">
            <h2 className="font-semibold">{everywhere.title}</h2>
            <p className="mt-1 text-sm text-slate-600">{everywhere.text}</p>
            <Form method="post" className="mt-4">
              <input type="hidden" name="intent" value="everywhere" />
              <Button variant="secondary" disabled={busy("everywhere")}>{everywhere.button}</Button>
            </Form>
          </Card>
        </div>
      </div>
    </div>
  );
}
