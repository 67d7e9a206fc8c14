// Automatic notifications: an event (voucher issued, payment received, reminder…) becomes a
// message on the channel(s) the ISP chose, in its own wording with its branding.
import { and, eq } from "drizzle-orm";
import { messageTemplates, notificationSettings, type NotificationEvent } from "../../../db/schema";
import type { Tx } from "../../../db/client";
import { EVENTS, DEFAULT_REMINDER_DAYS, placeholdersIn, render, unknownPlaceholders, type Delivery, type TemplateVars } from "./templates";
import { brandingVars } from "./settings";
import { queueMessage } from "./outbox";
import type { Channel } from "../../integrations/messaging";

const channelsOf = (d: Delivery): Channel[] => (d === "both" ? ["sms", "whatsapp"] : d === "off" ? [] : [d]);

export async function deliveryFor(tx: Tx, tenantId: string, event: NotificationEvent) {
  const [row] = await tx.select().from(notificationSettings).where(and(eq(notificationSettings.tenantId, tenantId), eq(notificationSettings.event, event)));
  return { delivery: (row?.delivery ?? EVENTS[event].defaultDelivery) as Delivery, options: row?.options ?? {} };
}

/** Every event with its delivery choice and options, for the notifications page. */
export async function listNotificationSettings(tx: Tx, tenantId: string) {
  const rows = await tx.select().from(notificationSettings).where(eq(notificationSettings.tenantId, tenantId));
  return (Object.keys(EVENTS) as NotificationEvent[]).map((event) => {
    const row = rows.find((r) => r.event === event);
    const options = row?.options ?? {};
    return {
      event,
      label: EVENTS[event].label,
      description: EVENTS[event].description,
      delivery: (row?.delivery ?? EVENTS[event].defaultDelivery) as Delivery,
      reminderDays: event === "expiry_reminder" ? ((options.days as number[] | undefined) ?? DEFAULT_REMINDER_DAYS) : null,
    };
  });
}

export async function saveNotificationSetting(tx: Tx, tenantId: string, event: NotificationEvent, delivery: Delivery, options: Record<string, unknown> = {}) {
  await tx
    .insert(notificationSettings)
    .values({ tenantId, event, delivery, options })
    .onConflictDoUpdate({ target: [notificationSettings.tenantId, notificationSettings.event], set: { delivery, options } });
}

/** The wording for an event on a channel: the ISP's edit, or the pre-written one. */
export async function templateFor(tx: Tx, tenantId: string, event: NotificationEvent, channel: Channel) {
  const [row] = await tx
    .select()
    .from(messageTemplates)
    .where(and(eq(messageTemplates.tenantId, tenantId), eq(messageTemplates.event, event), eq(messageTemplates.channel, channel)));
  return {
    body: row?.body ?? EVENTS[event][channel],
    edited: !!row,
    waTemplateName: row?.waTemplateName ?? null,
    waLanguage: row?.waLanguage ?? null,
  };
}

export type TemplateInput = { body: string; waTemplateName?: string; waLanguage?: string };

/** Saves the ISP's wording; unknown placeholders are a field error (a typo would reach customers). */
export async function saveTemplate(tx: Tx, tenantId: string, event: NotificationEvent, channel: Channel, input: TemplateInput): Promise<{ ok: true } | { ok: false; fieldErrors: Record<string, string[]> }> {
  const body = input.body.trim();
  if (!body) return { ok: false, fieldErrors: { body: ["Write the message, or reset it to the pre-written one."] } };
  if (body.length > 1000) return { ok: false, fieldErrors: { body: ["Keep it under 1,000 characters."] } };
  const unknown = unknownPlaceholders(body);
  if (unknown.length) return { ok: false, fieldErrors: { body: [`Unknown placeholder${unknown.length > 1 ? "s" : ""}: ${unknown.map((u) => `{{${u}}}`).join(", ")}. Use the ones listed.`] } };
  const waTemplateName = input.waTemplateName?.trim() || null;
  if (waTemplateName && !/^[a-z0-9_]{1,512}$/.test(waTemplateName)) return { ok: false, fieldErrors: { waTemplateName: ["Template names are lower-case letters, digits and underscores, as approved by Meta."] } };
  const waLanguage = input.waLanguage?.trim() || null;
  await tx
    .insert(messageTemplates)
    .values({ tenantId, event, channel, body, waTemplateName, waLanguage })
    .onConflictDoUpdate({ target: [messageTemplates.tenantId, messageTemplates.event, messageTemplates.channel], set: { body, waTemplateName, waLanguage } });
  return { ok: true };
}

export async function resetTemplate(tx: Tx, tenantId: string, event: NotificationEvent, channel: Channel) {
  await tx.delete(messageTemplates).where(and(eq(messageTemplates.tenantId, tenantId), eq(messageTemplates.event, event), eq(messageTemplates.channel, channel)));
}

export type NotifyInput = {
  phone: string;
  customerId?: string | null;
  vars: TemplateVars;
  ref?: string | null;
  /** Voucher codes and payment confirmations: a final failure opens a ticket. */
  critical?: boolean;
};

/**
 * Sends the event's message on the channel(s) the ISP chose, in the caller's transaction.
 * Returns the queued message ids (none when the event is off).
 */
export async function notify(tx: Tx, tenantId: string, event: NotificationEvent, input: NotifyInput) {
  const { delivery } = await deliveryFor(tx, tenantId, event);
  const brand = await brandingVars(tx, tenantId);
  const vars: TemplateVars = { ...brand, ...input.vars };
  const ids: string[] = [];
  for (const channel of channelsOf(delivery)) {
    const t = await templateFor(tx, tenantId, event, channel);
    const body = render(t.body, vars);
    // The Cloud API sends the approved template; its parameters are the body's placeholders in order.
    const template = channel === "whatsapp" && t.waTemplateName ? { name: t.waTemplateName, language: t.waLanguage ?? "en", parameters: placeholdersIn(t.body).map((p) => vars[p as keyof TemplateVars] ?? "-") } : null;
    const q = await queueMessage(tx, tenantId, { channel, phone: input.phone, body, event, customerId: input.customerId, template, ref: input.ref, critical: input.critical, honourOptOut: !EVENTS[event].transactional });
    ids.push(q.id);
  }
  return ids;
}
