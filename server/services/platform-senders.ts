// The platform's own senders (issue 8, "Platform settings"): the M-Pesa account ISPs pay their
// subscription into, the SMS sender of one-time codes and billing reminders, and the From of the
// platform's email. The super admin sets them in the console; what is used right now is the
// console's saved value if there is one, else the server environment's (PLATFORM_MPESA_*,
// PLATFORM_SMS_*, MAIL_FROM; the simulators' with SIMULATORS=true). See
// docs/decisions/0020-platform-senders.md.
import { z } from "zod";
import { eq } from "drizzle-orm";
import { platformSettings } from "../../db/schema";
import { withPlatform, type Db, type Tx } from "../../db/client";
import type { SecretBox } from "./secrets";
import type { Env } from "../env";
import type { DarajaCredentials } from "../integrations/mpesa";
import type { SmsSender } from "../integrations/sms";
import type { ProviderEndpoints } from "../integrations/messaging/types";
import { createAfricasTalkingSender } from "../integrations/sms/africastalking";
import { africasTalkingBaseUrl } from "../integrations/messaging/sms-africastalking";
import { mpesaSettingsInput, maskSecret, sealOrKeep, missingDarajaSecrets, fieldErrorsOf, type MpesaSettingsInput } from "./mpesa-settings";
import { recordEvent, type AppEvent } from "./audit";

export type SenderKind = "mpesa" | "sms" | "email";
/** Where the sender in use comes from. */
export type SenderSource = "console" | "environment" | "none";

type Row = typeof platformSettings.$inferSelect;

/** The integrations' own senders, used when the console has none saved (the environment's, or a test's). */
export type SenderFallbacks = {
  platformMpesa?: DarajaCredentials | null;
  platformSms: SmsSender;
  messagingEndpoints: ProviderEndpoints;
};

// ---------------------------------------------------------------------------------------------
// Forms

/** Africa's Talking account of the platform. The API key may be left empty to keep the saved one. */
export const platformSmsInput = z.object({
  username: z
    .string()
    .trim()
    .min(1, { error: "Enter the Africa's Talking username (the app's username, or sandbox).", abort: true })
    .max(60, { error: "At most 60 characters.", abort: true })
    .regex(/^[A-Za-z0-9_.-]+$/, "Letters, digits, dots, dashes and underscores only."),
  apiKey: z.string().trim().max(200, "That API key is too long.").optional(),
  senderId: z
    .string()
    .trim()
    .max(11, { error: "A sender ID is at most 11 characters.", abort: true })
    .regex(/^[A-Za-z0-9 ]*$/, "Letters, digits and spaces only, as approved by Africa's Talking.")
    .optional(),
});
export type PlatformSmsInput = z.input<typeof platformSmsInput>;

/** The From of the platform's email: a display name and an address. */
export const platformEmailInput = z.object({
  fromName: z
    .string()
    .trim()
    .min(1, { error: "Enter the name people see as the sender, e.g. mnetifi.", abort: true })
    .max(60, { error: "At most 60 characters.", abort: true })
    .refine((v) => !/[<>"\\\r\n@]/.test(v), "The name cannot contain quotes, angle brackets, @ or line breaks."),
  fromAddress: z.string().trim().toLowerCase().pipe(z.email("Enter an email address, e.g. billing@mnetifi.co.ke.").max(254, "At most 254 characters.")),
});
export type PlatformEmailInput = z.input<typeof platformEmailInput>;

export type SaveResult = { ok: true; changed: string[] } | { ok: false; fieldErrors: Record<string, string[]> };

// ---------------------------------------------------------------------------------------------
// Reading the row

async function readRow(tx: Tx): Promise<Row> {
  const [row] = await tx.select().from(platformSettings).where(eq(platformSettings.id, 1));
  if (!row) throw new Error("platform_settings row missing");
  return row;
}

/** The console's saved Daraja account, decrypted; null when none is saved. */
export function savedMpesa(row: Row, box: SecretBox): DarajaCredentials | null {
  if (!row.mpesaShortcode || !row.mpesaConsumerKeyEnc || !row.mpesaConsumerSecretEnc || !row.mpesaPasskeyEnc || !row.mpesaEnvironment || !row.mpesaAccountType) return null;
  return {
    environment: row.mpesaEnvironment,
    accountType: row.mpesaAccountType,
    shortcode: row.mpesaShortcode,
    tillNumber: row.mpesaTillNumber ?? undefined,
    consumerKey: box.decrypt(row.mpesaConsumerKeyEnc),
    consumerSecret: box.decrypt(row.mpesaConsumerSecretEnc),
    passkey: box.decrypt(row.mpesaPasskeyEnc),
  };
}

/** An Africa's Talking sender on the console's saved account (same API root as the ISPs' AT provider); null when none. */
export function savedSms(row: Row, box: SecretBox, endpoints: ProviderEndpoints): SmsSender | null {
  if (!row.smsUsername || !row.smsApiKeyEnc) return null;
  return createAfricasTalkingSender({
    baseUrl: africasTalkingBaseUrl(row.smsUsername, endpoints.africastalking),
    apiKey: box.decrypt(row.smsApiKeyEnc),
    username: row.smsUsername,
    from: row.smsSenderId ?? undefined,
  });
}

/** `"Name" <address>`, the console's saved From; null when none. */
export function savedMailFrom(row: Row): string | null {
  if (!row.mailFromAddress) return null;
  return row.mailFromName ? `"${row.mailFromName}" <${row.mailFromAddress}>` : row.mailFromAddress;
}

/** The M-Pesa account to use right now: the console's saved one, else the integrations' (environment). */
export function mpesaInUse(row: Row, box: SecretBox, fallbacks: Pick<SenderFallbacks, "platformMpesa">): { mpesa: DarajaCredentials | null; source: SenderSource } {
  const saved = savedMpesa(row, box);
  if (saved) return { mpesa: saved, source: "console" };
  return fallbacks.platformMpesa ? { mpesa: fallbacks.platformMpesa, source: "environment" } : { mpesa: null, source: "none" };
}

/** The SMS sender to use right now. The environment's may be one that refuses (not configured). */
export function smsInUse(row: Row, box: SecretBox, fallbacks: Pick<SenderFallbacks, "platformSms" | "messagingEndpoints">): { sms: SmsSender; source: SenderSource } {
  const saved = savedSms(row, box, fallbacks.messagingEndpoints);
  return saved ? { sms: saved, source: "console" } : { sms: fallbacks.platformSms, source: "environment" };
}

/** The From to use right now; undefined: the mailer's own (MAIL_FROM). */
export function mailFromInUse(row: Row): { mailFrom: string | undefined; source: SenderSource } {
  const saved = savedMailFrom(row);
  return saved ? { mailFrom: saved, source: "console" } : { mailFrom: undefined, source: "environment" };
}

/**
 * Reads the settings row in its own platform transaction (jobs, and ISP requests paying their
 * subscription) and resolves one sender with `pick`. Each sender decrypts only its own secrets.
 */
export async function platformSenderNow<T>(db: Db, pick: (row: Row) => T, requestId?: string): Promise<T> {
  return pick(await withPlatform(db, { actorKind: "system", requestId }, readRow));
}

/** The same, inside a platform transaction the caller already holds (console procedures). */
export async function platformSenderIn<T>(tx: Tx, pick: (row: Row) => T): Promise<T> {
  return pick(await readRow(tx));
}

// ---------------------------------------------------------------------------------------------
// The console's view: secrets masked, and where each sender in use comes from

export type PlatformSendersView = {
  mpesa: {
    inUse: SenderSource;
    saved: null | { environment: "sandbox" | "production"; accountType: "paybill" | "till"; shortcode: string; tillNumber: string | null; consumerKey: string; consumerSecretSaved: true; passkeySaved: true };
    /** The environment's account, shown so the admin knows what an empty form falls back to. */
    fallback: null | { environment: "sandbox" | "production"; shortcode: string };
  };
  sms: {
    inUse: SenderSource;
    saved: null | { username: string; apiKey: string; senderId: string | null };
    fallback: null | { username: string; senderId: string | null };
  };
  email: {
    inUse: SenderSource;
    saved: null | { fromName: string; fromAddress: string };
    fallback: string;
    /** The SMTP server stays in the environment: whether SMTP_URL is set (or the simulator runs). */
    smtp: "simulator" | "SMTP_URL" | "default";
  };
};

/** A sealed secret masked; one that no longer opens (ENCRYPTION_KEY changed) says so instead of breaking the page. */
function maskSealed(box: SecretBox, sealed: string) {
  try {
    return maskSecret(box.decrypt(sealed));
  } catch {
    return "unreadable: enter it again";
  }
}

/** The environment's SMS account, as far as the environment says (the simulator's sandbox account with SIMULATORS on). */
function envSms(env: Env): { username: string; senderId: string | null } | null {
  if (env.SIMULATORS) return { username: "sandbox", senderId: "MNETIFI" };
  if (env.PLATFORM_SMS_API_KEY && env.PLATFORM_SMS_USERNAME) return { username: env.PLATFORM_SMS_USERNAME, senderId: env.PLATFORM_SMS_SENDER_ID ?? null };
  return null;
}

export async function viewPlatformSenders(tx: Tx, box: SecretBox, env: Env, fallbacks: Pick<SenderFallbacks, "platformMpesa">): Promise<PlatformSendersView> {
  const row = await readRow(tx);
  const smsFallback = envSms(env);
  const mpesaSaved = !!(row.mpesaShortcode && row.mpesaConsumerKeyEnc);
  const smsSaved = !!(row.smsUsername && row.smsApiKeyEnc);
  const mailSaved = !!row.mailFromAddress;
  const envMpesa = fallbacks.platformMpesa ?? null;
  return {
    mpesa: {
      inUse: mpesaSaved ? "console" : envMpesa ? "environment" : "none",
      saved: mpesaSaved
        ? {
            environment: row.mpesaEnvironment!,
            accountType: row.mpesaAccountType!,
            shortcode: row.mpesaShortcode!,
            tillNumber: row.mpesaTillNumber,
            consumerKey: maskSealed(box, row.mpesaConsumerKeyEnc!),
            consumerSecretSaved: true,
            passkeySaved: true,
          }
        : null,
      fallback: envMpesa ? { environment: envMpesa.environment, shortcode: envMpesa.shortcode } : null,
    },
    sms: {
      inUse: smsSaved ? "console" : smsFallback ? "environment" : "none",
      saved: smsSaved ? { username: row.smsUsername!, apiKey: maskSealed(box, row.smsApiKeyEnc!), senderId: row.smsSenderId } : null,
      fallback: smsFallback,
    },
    email: {
      inUse: mailSaved ? "console" : "environment",
      saved: mailSaved ? { fromName: row.mailFromName ?? "", fromAddress: row.mailFromAddress! } : null,
      fallback: env.MAIL_FROM,
      smtp: env.SIMULATORS ? "simulator" : env.SMTP_URL ? "SMTP_URL" : "default",
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Saving (validated, audited with the names of the fields that changed, never their values)

export type SenderActor = Omit<AppEvent, "action" | "details" | "tenantId">;

async function audit(tx: Tx, actor: SenderActor, sender: SenderKind, details: Record<string, unknown>) {
  await recordEvent(tx, { ...actor, action: "platform.senders_changed", details: { sender, ...details } });
}

/** A typed secret counts as changed unless it equals the saved one. */
function secretChanged(box: SecretBox, typed: string | undefined, sealed: string | null) {
  if (!typed) return false;
  if (!sealed) return true;
  try {
    return box.decrypt(sealed) !== typed;
  } catch {
    return true;
  }
}

export async function savePlatformMpesa(tx: Tx, box: SecretBox, actor: SenderActor, input: MpesaSettingsInput): Promise<SaveResult> {
  const parsed = mpesaSettingsInput.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  const v = parsed.data;
  const row = await readRow(tx);
  const hasSaved = !!row.mpesaConsumerKeyEnc;
  const missing = missingDarajaSecrets(v, hasSaved, "the platform's Daraja app");
  if (Object.keys(missing).length) return { ok: false, fieldErrors: missing };
  const values = {
    mpesaEnvironment: v.environment,
    mpesaAccountType: v.accountType,
    mpesaShortcode: v.shortcode,
    mpesaTillNumber: v.accountType === "till" ? v.tillNumber! : null,
    mpesaConsumerKeyEnc: sealOrKeep(box, v.consumerKey, row.mpesaConsumerKeyEnc),
    mpesaConsumerSecretEnc: sealOrKeep(box, v.consumerSecret, row.mpesaConsumerSecretEnc),
    mpesaPasskeyEnc: sealOrKeep(box, v.passkey, row.mpesaPasskeyEnc),
  };
  const changed = [
    ...(row.mpesaEnvironment !== values.mpesaEnvironment ? ["environment"] : []),
    ...(row.mpesaAccountType !== values.mpesaAccountType ? ["accountType"] : []),
    ...(row.mpesaShortcode !== values.mpesaShortcode ? ["shortcode"] : []),
    ...((row.mpesaTillNumber ?? null) !== values.mpesaTillNumber ? ["tillNumber"] : []),
    ...(secretChanged(box, v.consumerKey, row.mpesaConsumerKeyEnc) ? ["consumerKey"] : []),
    ...(secretChanged(box, v.consumerSecret, row.mpesaConsumerSecretEnc) ? ["consumerSecret"] : []),
    ...(secretChanged(box, v.passkey, row.mpesaPasskeyEnc) ? ["passkey"] : []),
  ];
  await tx.update(platformSettings).set({ ...values, updatedAt: new Date() }).where(eq(platformSettings.id, 1));
  await audit(tx, actor, "mpesa", { changed });
  return { ok: true, changed };
}

export async function savePlatformSms(tx: Tx, box: SecretBox, actor: SenderActor, input: PlatformSmsInput): Promise<SaveResult> {
  const parsed = platformSmsInput.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  const v = parsed.data;
  const row = await readRow(tx);
  if (!row.smsApiKeyEnc && !v.apiKey) return { ok: false, fieldErrors: { apiKey: ["Enter the API key from the Africa's Talking dashboard (Settings → API Key)."] } };
  const values = { smsUsername: v.username, smsApiKeyEnc: sealOrKeep(box, v.apiKey, row.smsApiKeyEnc), smsSenderId: v.senderId || null };
  const changed = [
    ...(row.smsUsername !== values.smsUsername ? ["username"] : []),
    ...(secretChanged(box, v.apiKey, row.smsApiKeyEnc) ? ["apiKey"] : []),
    ...((row.smsSenderId ?? null) !== values.smsSenderId ? ["senderId"] : []),
  ];
  await tx.update(platformSettings).set({ ...values, updatedAt: new Date() }).where(eq(platformSettings.id, 1));
  await audit(tx, actor, "sms", { changed });
  return { ok: true, changed };
}

export async function savePlatformEmail(tx: Tx, actor: SenderActor, input: PlatformEmailInput): Promise<SaveResult> {
  const parsed = platformEmailInput.safeParse(input);
  if (!parsed.success) return { ok: false, fieldErrors: fieldErrorsOf(parsed.error) };
  const v = parsed.data;
  const row = await readRow(tx);
  const changed = [...(row.mailFromName !== v.fromName ? ["fromName"] : []), ...(row.mailFromAddress !== v.fromAddress ? ["fromAddress"] : [])];
  await tx.update(platformSettings).set({ mailFromName: v.fromName, mailFromAddress: v.fromAddress, updatedAt: new Date() }).where(eq(platformSettings.id, 1));
  await audit(tx, actor, "email", { changed });
  return { ok: true, changed };
}

/** Forgets the console's sender: the environment's is used again. */
export async function clearPlatformSender(tx: Tx, actor: SenderActor, sender: SenderKind): Promise<void> {
  const cleared =
    sender === "mpesa"
      ? { mpesaEnvironment: null, mpesaAccountType: null, mpesaShortcode: null, mpesaTillNumber: null, mpesaConsumerKeyEnc: null, mpesaConsumerSecretEnc: null, mpesaPasskeyEnc: null }
      : sender === "sms"
        ? { smsUsername: null, smsApiKeyEnc: null, smsSenderId: null }
        : { mailFromName: null, mailFromAddress: null };
  await tx.update(platformSettings).set({ ...cleared, updatedAt: new Date() }).where(eq(platformSettings.id, 1));
  await audit(tx, actor, sender, { cleared: true });
}
