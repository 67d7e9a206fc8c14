import { formFailure } from "./forms.server";

/**
 * The My account forms (password, two-step verification, recovery codes), the same for ISP
 * users (`caller.account`) and console users (`caller.consoleAccount`): one action per intent,
 * answered in the shape `AccountSecurity` (app/components/account-security.tsx) shows. Signing
 * out everywhere differs (ISP users: every session; console users: every other one), so each
 * route handles that intent itself.
 */
export type AccountResult =
  | {
      intent: string;
      ok: true;
      message?: string;
      setup?: { setupToken: string; qrSvg?: string; manualKey?: string; phone?: string; method: "totp" | "sms" };
      recoveryCodes?: string[];
      /** Two-step sign-in as this action left it (shown before the page's data is reloaded). */
      twoFactor?: "totp" | "sms" | null;
    }
  | { intent: string; ok: false; fieldErrors: Record<string, string[] | undefined>; formError: string | null; values: Record<string, string> };

type Refused = { ok: false; fieldErrors?: Record<string, string[] | undefined>; error?: string };

export type AccountApi = {
  changePassword(input: { currentPassword: string; newPassword: string; confirmPassword: string }): Promise<{ ok: true } | Refused>;
  beginTotp(): Promise<{ setupToken: string; qrSvg: string; manualKey: string }>;
  beginSms?: (input: { phone: string }) => Promise<{ setupToken: string; phone: string }>;
  confirmTwoFactor(input: { setupToken: string; code: string }): Promise<{ ok: true; method: "totp" | "sms"; recoveryCodes: string[] } | { ok: false; error: string }>;
  disableTwoFactor(input: { password: string; code: string }): Promise<{ ok: true } | Refused>;
  newRecoveryCodes(input: { password: string }): Promise<{ ok: true; recoveryCodes: string[] } | Refused>;
};

const SECRET_FIELDS = { password: "", currentPassword: "", newPassword: "", confirmPassword: "", code: "" };

export async function accountAction(api: AccountApi, values: Record<string, string>): Promise<AccountResult> {
  const intent = values.intent ?? "";
  const refuse = (fieldErrors: Record<string, string[] | undefined> = {}, formError: string | null = null): AccountResult => ({ intent, ok: false, fieldErrors, formError, values: { ...values, ...SECRET_FIELDS } });
  try {
    switch (intent) {
      case "password": {
        const r = await api.changePassword({ currentPassword: values.currentPassword ?? "", newPassword: values.newPassword ?? "", confirmPassword: values.confirmPassword ?? "" });
        return r.ok ? { intent, ok: true, message: "Password changed. Your other devices were signed out." } : refuse(r.fieldErrors, r.error ?? null);
      }
      case "totp":
        return { intent, ok: true, setup: { ...(await api.beginTotp()), method: "totp" } };
      case "sms":
        if (!api.beginSms) break;
        return { intent, ok: true, setup: { ...(await api.beginSms({ phone: values.phone ?? "" })), method: "sms" } };
      case "confirm": {
        const r = await api.confirmTwoFactor({ setupToken: values.setupToken ?? "", code: values.code ?? "" });
        if (!r.ok) {
          // The setup in progress stays on the page (the QR image is not round-tripped: it is rendered as markup).
          const setup = { setupToken: values.setupToken ?? "", method: values.method === "sms" ? "sms" : "totp", manualKey: values.manualKey ?? "", phone: values.phone ?? "" };
          return { intent, ok: false, fieldErrors: { code: [r.error] }, formError: null, values: { ...values, ...setup } };
        }
        return { intent, ok: true, message: `Two-step verification is on (${r.method === "totp" ? "authenticator app" : "SMS"}).`, recoveryCodes: r.recoveryCodes, twoFactor: r.method };
      }
      case "disable": {
        const r = await api.disableTwoFactor({ password: values.password ?? "", code: values.code ?? "" });
        return r.ok ? { intent, ok: true, message: "Two-step verification is off.", twoFactor: null } : refuse(r.fieldErrors, r.error ?? null);
      }
      case "codes": {
        const r = await api.newRecoveryCodes({ password: values.password ?? "" });
        return r.ok ? { intent, ok: true, message: "New recovery codes made; the old ones no longer work.", recoveryCodes: r.recoveryCodes } : refuse(r.fieldErrors, r.error ?? null);
      }
    }
    return refuse({}, "Unknown action.");
  } catch (err) {
    const failure = formFailure(err, { ...values, ...SECRET_FIELDS });
    return { intent, ok: false, ...(failure.data as Omit<Extract<AccountResult, { ok: false }>, "intent" | "ok">) };
  }
}
