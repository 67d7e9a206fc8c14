import crypto from "node:crypto";
import { z } from "zod";
import { eq } from "drizzle-orm";
import { mpesaSettings } from "../../db/schema";
import type { Tx } from "../../db/client";
import type { SecretBox } from "./secrets";
import type { DarajaCredentials } from "../integrations/mpesa";

const digits = (label: string, min: number, max: number) =>
  z.string().trim().regex(new RegExp(`^\\d{${min},${max}}$`), `${label} is ${min}–${max} digits.`);

/** The settings form. Secrets may be left empty when editing: the saved ones are kept. */
export const mpesaSettingsInput = z
  .object({
    environment: z.enum(["sandbox", "production"], "Choose sandbox or production."),
    accountType: z.enum(["paybill", "till"], "Choose Paybill or Till."),
    shortcode: digits("The shortcode", 5, 7),
    tillNumber: z.string().trim().optional(),
    consumerKey: z.string().trim().max(200).optional(),
    consumerSecret: z.string().trim().max(200).optional(),
    passkey: z.string().trim().max(200).optional(),
    initiatorName: z.string().trim().max(60).optional(),
    securityCredential: z.string().trim().max(2000).optional(),
  })
  .superRefine((v, ctx) => {
    if (v.accountType === "till" && !/^\d{5,7}$/.test(v.tillNumber ?? "")) {
      ctx.addIssue({ code: "custom", path: ["tillNumber"], message: "Enter the till number (5–7 digits); the shortcode above is the store number." });
    }
  });
export type MpesaSettingsInput = z.input<typeof mpesaSettingsInput>;

/** What the dashboard may see: secrets only as "saved" flags with their last 4 characters. */
export type MpesaSettingsView = {
  configured: boolean;
  environment: "sandbox" | "production";
  accountType: "paybill" | "till";
  shortcode: string;
  tillNumber: string | null;
  consumerKey: string | null;
  consumerSecretSaved: boolean;
  passkeySaved: boolean;
  initiatorName: string | null;
  securityCredentialSaved: boolean;
  lastTestAt: Date | null;
  lastTestResult: string | null;
  c2bRegisteredAt: Date | null;
};

/** A saved secret as the browser may see it: its last 4 characters. */
export const maskSecret = (v: string) => `••••${v.slice(-4)}`;

/** Seals a newly typed secret; an empty field keeps the saved (already sealed) one. */
export const sealOrKeep = (box: SecretBox, value: string | undefined, old: string | null | undefined) => (value ? box.encrypt(value) : (old ?? null));

/** Daraja's three credentials must be typed on the first save; later an empty field keeps the saved one. */
export function missingDarajaSecrets(v: { consumerKey?: string; consumerSecret?: string; passkey?: string }, hasSaved: boolean, where = "your Daraja app"): Record<string, string[]> {
  const missing: Record<string, string[]> = {};
  for (const [field, label] of [["consumerKey", "consumer key"], ["consumerSecret", "consumer secret"], ["passkey", "passkey"]] as const) {
    if (!hasSaved && !v[field]) missing[field] = [`Enter the ${label} from ${where}.`];
  }
  return missing;
}

/** The form's field errors from a failed parse. */
export const fieldErrorsOf = (error: z.ZodError) => z.flattenError(error).fieldErrors as Record<string, string[]>;

export async function getMpesaSettingsRow(tx: Tx, tenantId: string) {
  const [row] = await tx.select().from(mpesaSettings).where(eq(mpesaSettings.tenantId, tenantId));
  return row ?? null;
}

export async function viewMpesaSettings(tx: Tx, tenantId: string, box: SecretBox): Promise<MpesaSettingsView> {
  const row = await getMpesaSettingsRow(tx, tenantId);
  if (!row) {
    return { configured: false, environment: "sandbox", accountType: "paybill", shortcode: "", tillNumber: null, consumerKey: null, consumerSecretSaved: false, passkeySaved: false, initiatorName: null, securityCredentialSaved: false, lastTestAt: null, lastTestResult: null, c2bRegisteredAt: null };
  }
  return {
    configured: true,
    environment: row.environment,
    accountType: row.accountType,
    shortcode: row.shortcode,
    tillNumber: row.tillNumber,
    consumerKey: maskSecret(box.decrypt(row.consumerKeyEnc)),
    consumerSecretSaved: true,
    passkeySaved: true,
    initiatorName: row.initiatorName,
    securityCredentialSaved: Boolean(row.securityCredentialEnc),
    lastTestAt: row.lastTestAt,
    lastTestResult: row.lastTestOk,
    c2bRegisteredAt: row.c2bRegisteredAt,
  };
}

export type SaveResult = { ok: true } | { ok: false; fieldErrors: Record<string, string[]> };

/** Saves the settings; empty secret fields keep the saved secrets. Audited by the row trigger. */
export async function saveMpesaSettings(tx: Tx, tenantId: string, box: SecretBox, input: MpesaSettingsInput): Promise<SaveResult> {
  const parsed = mpesaSettingsInput.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  const v = parsed.data;
  const existing = await getMpesaSettingsRow(tx, tenantId);
  const missing = missingDarajaSecrets(v, !!existing);
  if (Object.keys(missing).length) return { ok: false, fieldErrors: missing };
  const seal = (value: string | undefined, old: string | null | undefined) => sealOrKeep(box, value, old);
  const values = {
    environment: v.environment,
    accountType: v.accountType,
    shortcode: v.shortcode,
    tillNumber: v.accountType === "till" ? v.tillNumber! : null,
    consumerKeyEnc: seal(v.consumerKey, existing?.consumerKeyEnc)!,
    consumerSecretEnc: seal(v.consumerSecret, existing?.consumerSecretEnc)!,
    passkeyEnc: seal(v.passkey, existing?.passkeyEnc)!,
    initiatorName: v.initiatorName || null,
    securityCredentialEnc: seal(v.securityCredential, existing?.securityCredentialEnc),
    // Changed credentials must be tested again.
    lastTestAt: null,
    lastTestOk: null,
  };
  if (existing) await tx.update(mpesaSettings).set(values).where(eq(mpesaSettings.tenantId, tenantId));
  else await tx.insert(mpesaSettings).values({ tenantId, ...values, callbackToken: crypto.randomBytes(24).toString("base64url") });
  return { ok: true };
}

/** The decrypted credentials for the Daraja client, and the callback token; null if not set up. */
export async function loadDarajaAccount(tx: Tx, tenantId: string, box: SecretBox): Promise<{ credentials: DarajaCredentials; callbackToken: string } | null> {
  const row = await getMpesaSettingsRow(tx, tenantId);
  if (!row) return null;
  return {
    callbackToken: row.callbackToken,
    credentials: {
      environment: row.environment,
      accountType: row.accountType,
      shortcode: row.shortcode,
      tillNumber: row.tillNumber ?? undefined,
      consumerKey: box.decrypt(row.consumerKeyEnc),
      consumerSecret: box.decrypt(row.consumerSecretEnc),
      passkey: box.decrypt(row.passkeyEnc),
      initiatorName: row.initiatorName ?? undefined,
      securityCredential: row.securityCredentialEnc ? box.decrypt(row.securityCredentialEnc) : undefined,
    },
  };
}

/** The callback URLs Daraja is given for this ISP (no forbidden words such as "mpesa" in them). */
export function callbackUrls(publicBaseUrl: string, token: string) {
  const base = `${publicBaseUrl.replace(/\/$/, "")}/hooks/daraja/${token}`;
  return {
    stk: `${base}/stk`,
    c2bValidation: `${base}/c2b/validate`,
    c2bConfirmation: `${base}/c2b/confirm`,
    statusResult: `${base}/status/result`,
    statusTimeout: `${base}/status/timeout`,
  };
}
