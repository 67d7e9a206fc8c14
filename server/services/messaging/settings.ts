// An ISP's messaging setup: branding, the webhook token, and one provider per channel with its
// secrets sealed at rest and masked when shown.
import crypto from "node:crypto";
import { and, eq } from "drizzle-orm";
import { messagingProviders, messagingSettings, tenants, type CHANNELS } from "../../../db/schema";
import type { Tx } from "../../../db/client";
import type { SecretBox } from "../secrets";
import { isProviderKind, providerModules, type Channel, type ProviderModule, type ProviderSettings } from "../../integrations/messaging";

export type Branding = { contactPhone: string; tagline: string; signOff: string };

/** The ISP's messaging settings row, created with a fresh webhook token the first time. */
export async function ensureMessagingSettings(tx: Tx, tenantId: string) {
  const [row] = await tx.select().from(messagingSettings).where(eq(messagingSettings.tenantId, tenantId));
  if (row) return row;
  const [created] = await tx
    .insert(messagingSettings)
    .values({ tenantId, webhookToken: crypto.randomBytes(24).toString("base64url") })
    .onConflictDoNothing()
    .returning();
  if (created) return created;
  const [again] = await tx.select().from(messagingSettings).where(eq(messagingSettings.tenantId, tenantId));
  return again!;
}

export async function saveBranding(tx: Tx, tenantId: string, input: Branding) {
  await ensureMessagingSettings(tx, tenantId);
  await tx.update(messagingSettings).set(input).where(eq(messagingSettings.tenantId, tenantId));
}

/** Name, contact, tagline and sign-off as templates use them. */
export async function brandingVars(tx: Tx, tenantId: string) {
  const s = await ensureMessagingSettings(tx, tenantId);
  const [t] = await tx.select({ businessName: tenants.businessName }).from(tenants).where(eq(tenants.id, tenantId));
  return { business: t?.businessName ?? "", contact: s.contactPhone, tagline: s.tagline, signoff: s.signOff };
}

/** Where a provider posts delivery reports and replies for this ISP. */
export function webhookUrl(publicBaseUrl: string, token: string, channel: Channel) {
  return `${publicBaseUrl.replace(/\/$/, "")}/hooks/messaging/${token}/${channel}`;
}

const mask = (secret: string) => (secret.length <= 4 ? "••••" : `•••• ${secret.slice(-4)}`);

/** The provider as the settings page shows it: plain fields, secrets masked. */
export async function providerView(tx: Tx, tenantId: string, channel: Channel, box: SecretBox) {
  const [row] = await tx.select().from(messagingProviders).where(and(eq(messagingProviders.tenantId, tenantId), eq(messagingProviders.channel, channel)));
  if (!row) return null;
  const secrets = openSecrets(row.secretsEnc, box);
  return {
    kind: row.kind,
    config: row.config,
    maskedSecrets: Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, mask(v)])),
    enabled: row.enabled,
    lastTestAt: row.lastTestAt,
    lastTestResult: row.lastTestResult,
    updatedAt: row.updatedAt,
  };
}

function openSecrets(sealed: string, box: SecretBox): Record<string, string> {
  try {
    const parsed = JSON.parse(box.decrypt(sealed)) as unknown;
    return parsed && typeof parsed === "object" ? (parsed as Record<string, string>) : {};
  } catch {
    return {};
  }
}

export type ProviderInput = { kind: string; values: Record<string, string> };

/**
 * Validates and saves the provider for a channel. Secret fields left empty keep the saved value
 * (they are never shown again); switching provider kind starts from empty secrets.
 * Returns field errors instead of saving when something is missing or cannot work.
 */
export async function saveProvider(tx: Tx, tenantId: string, channel: Channel, input: ProviderInput, box: SecretBox): Promise<{ ok: true } | { ok: false; fieldErrors: Record<string, string[]> }> {
  if (!isProviderKind(input.kind) || providerModules[input.kind].channel !== channel) return { ok: false, fieldErrors: { kind: ["Choose a provider from the list."] } };
  const mod = providerModules[input.kind];
  const [existing] = await tx.select().from(messagingProviders).where(and(eq(messagingProviders.tenantId, tenantId), eq(messagingProviders.channel, channel)));
  const kept = existing && existing.kind === input.kind ? openSecrets(existing.secretsEnc, box) : {};
  const config: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  const fieldErrors: Record<string, string[]> = {};
  for (const f of mod.fields) {
    const typed = (input.values[f.name] ?? "").trim();
    const value = f.secret ? typed || kept[f.name] || "" : typed;
    if (f.required && !value) fieldErrors[f.name] = [`Enter the ${f.label.toLowerCase()}.`];
    if (f.options && value && !f.options.some((o) => o.value === value)) fieldErrors[f.name] = ["Choose one of the options."];
    if (value.length > 2000) fieldErrors[f.name] = ["That is too long."];
    if (!value) continue;
    if (f.secret) secrets[f.name] = value;
    else config[f.name] = value;
  }
  if (Object.keys(fieldErrors).length === 0) Object.assign(fieldErrors, mod.validate({ kind: mod.kind, config, secrets }) ?? {});
  if (Object.keys(fieldErrors).length > 0) return { ok: false, fieldErrors };
  await ensureMessagingSettings(tx, tenantId);
  const values = { kind: mod.kind, config, secretsEnc: box.encrypt(JSON.stringify(secrets)), enabled: true, lastTestAt: null, lastTestResult: null };
  await tx
    .insert(messagingProviders)
    .values({ tenantId, channel, ...values })
    .onConflictDoUpdate({ target: [messagingProviders.tenantId, messagingProviders.channel], set: values });
  return { ok: true };
}

export async function removeProvider(tx: Tx, tenantId: string, channel: Channel) {
  const gone = await tx.delete(messagingProviders).where(and(eq(messagingProviders.tenantId, tenantId), eq(messagingProviders.channel, channel))).returning();
  return gone.length > 0;
}

export type ActiveProvider = { module: ProviderModule; settings: ProviderSettings };

/** The provider that sends on a channel, decrypted for use; null when none is set up or it is off. */
export async function activeProvider(tx: Tx, tenantId: string, channel: (typeof CHANNELS)[number], box: SecretBox): Promise<ActiveProvider | null> {
  const [row] = await tx.select().from(messagingProviders).where(and(eq(messagingProviders.tenantId, tenantId), eq(messagingProviders.channel, channel)));
  if (!row || !row.enabled || !isProviderKind(row.kind)) return null;
  return { module: providerModules[row.kind], settings: { kind: row.kind, config: row.config, secrets: openSecrets(row.secretsEnc, box) } };
}

export async function recordProviderTest(tx: Tx, tenantId: string, channel: Channel, result: string) {
  await tx
    .update(messagingProviders)
    .set({ lastTestAt: new Date(), lastTestResult: result.slice(0, 300) })
    .where(and(eq(messagingProviders.tenantId, tenantId), eq(messagingProviders.channel, channel)));
}
