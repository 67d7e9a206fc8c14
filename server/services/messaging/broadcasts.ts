// Broadcasts: one message to a segment of customers (everyone, one customer, a zone, recent
// buyers…), now or at a set time, throttled to the provider's rate, honouring opt-outs, with
// progress while sending and a report after.
import { z } from "zod";
import { and, desc, eq, gte, inArray, sql } from "drizzle-orm";
import { broadcasts, customers, messages, payments } from "../../../db/schema";
import { checkTier, tierAllows } from "../billing/tiers";
import type { Tx } from "../../../db/client";
import type { SecretBox } from "../secrets";
import { enqueueJob } from "../jobs";
import { activeProvider, brandingVars } from "./settings";
import { queueMessage } from "./outbox";
import { render, unknownPlaceholders } from "./templates";
import type { Channel } from "../../integrations/messaging";

export const segmentSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("all") }),
  z.object({ kind: z.literal("customer"), customerId: z.uuid("Choose a customer.") }),
  z.object({ kind: z.literal("zone"), zoneId: z.uuid("Choose a zone.") }),
  z.object({ kind: z.literal("recent_buyers"), days: z.coerce.number().int().min(1, "At least 1 day.").max(365, "At most 365 days.") }),
]);
export type Segment = z.infer<typeof segmentSchema>;

export const broadcastInput = z.object({
  name: z.string().trim().min(2, "Give the broadcast a name, e.g. “December offer”.").max(80),
  channels: z.enum(["sms", "whatsapp", "both"], { error: "Choose SMS, WhatsApp or both." }),
  body: z.string().trim().min(1, "Write the message.").max(918, "Keep it under 918 characters (6 SMS)."),
  segment: segmentSchema,
  /** Omitted = now. */
  scheduledAt: z.coerce.date().optional(),
});
export type BroadcastInput = z.infer<typeof broadcastInput>;

/** Broadcasting is a tier feature: asked of the tier gate (server/services/billing/tiers.ts). */
export async function canBroadcast(tx: Tx, tenantId: string, channel: Channel) {
  return tierAllows(tx, tenantId, channel === "sms" ? "sms_broadcasts" : "whatsapp_broadcasts");
}

/** The SMS-broadcast check (kept for callers that only ask about SMS). */
export async function canBroadcastSms(tx: Tx, tenantId: string) {
  return canBroadcast(tx, tenantId, "sms");
}

const channelsOf = (c: BroadcastInput["channels"]): Channel[] => (c === "both" ? ["sms", "whatsapp"] : [c]);

type Recipient = { phone: string; customerId: string | null; name: string };

/** Who a segment reaches today, one entry per phone (opted-out customers included: they are skipped, and counted). */
export async function resolveSegment(tx: Tx, tenantId: string, segment: Segment): Promise<Recipient[]> {
  const base = tx.select({ phone: customers.phone, customerId: customers.id, name: customers.name }).from(customers);
  let rows: Recipient[];
  switch (segment.kind) {
    case "all":
      rows = await base.where(eq(customers.tenantId, tenantId));
      break;
    case "customer":
      rows = await base.where(and(eq(customers.tenantId, tenantId), eq(customers.id, segment.customerId)));
      break;
    case "zone":
      rows = await base.where(and(eq(customers.tenantId, tenantId), eq(customers.zoneId, segment.zoneId)));
      break;
    case "recent_buyers": {
      // Everyone who paid in the window, whether or not they have a customer record yet.
      const since = new Date(Date.now() - segment.days * 86_400_000);
      const paid = await tx
        .selectDistinct({ phone: sql<string>`coalesce(${payments.phone}, ${payments.msisdn})` })
        .from(payments)
        .where(and(eq(payments.tenantId, tenantId), eq(payments.status, "paid"), gte(payments.paidAt, since)));
      const phones = paid.map((p) => p.phone).filter((p): p is string => !!p && /^\d{9,15}$/.test(p));
      const known = phones.length ? await base.where(and(eq(customers.tenantId, tenantId), inArray(customers.phone, phones))) : [];
      rows = [...known, ...phones.filter((p) => !known.some((k) => k.phone === p)).map((phone) => ({ phone, customerId: null, name: "" }))];
      break;
    }
  }
  const seen = new Set<string>();
  return rows.filter((r) => !seen.has(r.phone) && seen.add(r.phone));
}

export type CreateResult = { ok: true; id: string } | { ok: false; fieldErrors: Record<string, string[]>; formError?: string };

/** Saves a broadcast and queues its start (now or at the set time), in the caller's transaction. */
export async function createBroadcast(tx: Tx, tenantId: string, userId: string | null, input: BroadcastInput, box: SecretBox): Promise<CreateResult> {
  const unknown = unknownPlaceholders(input.body);
  if (unknown.length) return { ok: false, fieldErrors: { body: [`Unknown placeholder: ${unknown.map((u) => `{{${u}}}`).join(", ")}. Use {{name}} or your branding ones.`] } };
  const when = input.scheduledAt ?? new Date();
  if (when.getTime() < Date.now() - 5 * 60_000) return { ok: false, fieldErrors: { scheduledAt: ["That time has passed. Choose a time from now on."] } };
  if (when.getTime() > Date.now() + 90 * 86_400_000) return { ok: false, fieldErrors: { scheduledAt: ["Schedule at most 90 days ahead."] } };
  for (const channel of channelsOf(input.channels)) {
    const gate = await checkTier(tx, tenantId, channel === "sms" ? "sms_broadcasts" : "whatsapp_broadcasts");
    if (!gate.ok) return { ok: false, fieldErrors: { channels: [`${channel === "sms" ? "SMS" : "WhatsApp"} broadcasts are part of the Premium plan. ${gate.reason}`] } };
    if (!(await activeProvider(tx, tenantId, channel, box))) return { ok: false, fieldErrors: { channels: [`Set up a ${channel === "sms" ? "SMS" : "WhatsApp"} provider first (Messaging → ${channel === "sms" ? "SMS" : "WhatsApp"}).`] } };
  }
  const [row] = await tx
    .insert(broadcasts)
    .values({ tenantId, name: input.name, channels: input.channels, body: input.body, segment: input.segment, scheduledAt: when, createdBy: userId })
    .returning({ id: broadcasts.id });
  await enqueueJob(tx, "broadcast_send", { broadcastId: row!.id }, { runAt: when, jobKey: `broadcast:${row!.id}`, maxAttempts: 5 });
  return { ok: true, id: row!.id };
}

/**
 * The broadcast_send job: resolves the segment now, queues one message per recipient and
 * channel, spaced to the provider's rate, skipping opted-out customers (counted).
 */
export async function startBroadcast(tx: Tx, tenantId: string, broadcastId: string, box: SecretBox) {
  const [b] = await tx.select().from(broadcasts).where(and(eq(broadcasts.tenantId, tenantId), eq(broadcasts.id, broadcastId))).for("update");
  if (!b || b.status !== "scheduled") return { status: b?.status ?? "gone", recipients: 0 };
  const segment = segmentSchema.parse(b.segment);
  const recipients = await resolveSegment(tx, tenantId, segment);
  const brand = await brandingVars(tx, tenantId);
  const started = Date.now();
  let skipped = 0;
  for (const channel of channelsOf(b.channels)) {
    const provider = await activeProvider(tx, tenantId, channel, box);
    const perSecond = Math.max(0.1, provider?.module.ratePerSecond ?? 5);
    let i = 0;
    for (const r of recipients) {
      const body = render(b.body, { ...brand, name: r.name.split(/\s+/)[0] ?? "" });
      const q = await queueMessage(tx, tenantId, {
        channel,
        phone: r.phone,
        body,
        event: "broadcast",
        customerId: r.customerId,
        broadcastId: b.id,
        honourOptOut: true,
        runAt: new Date(started + Math.floor((i * 1000) / perSecond)),
      });
      if (q.skipped) skipped++;
      else i++;
    }
  }
  const queued = recipients.length * channelsOf(b.channels).length - skipped;
  await tx
    .update(broadcasts)
    .set({ status: queued > 0 ? "sending" : "done", recipients: recipients.length, skipped, startedAt: new Date(started), ...(queued > 0 ? {} : { finishedAt: new Date() }) })
    .where(and(eq(broadcasts.tenantId, tenantId), eq(broadcasts.id, b.id)));
  return { status: queued > 0 ? "sending" : "done", recipients: recipients.length };
}

/** Stops a broadcast: not started → cancelled; sending → what is still queued is skipped. */
export async function cancelBroadcast(tx: Tx, tenantId: string, broadcastId: string) {
  const [b] = await tx.select().from(broadcasts).where(and(eq(broadcasts.tenantId, tenantId), eq(broadcasts.id, broadcastId))).for("update");
  if (!b) return null;
  if (b.status === "done" || b.status === "cancelled") return b.status;
  await tx
    .update(messages)
    .set({ status: "skipped", error: "The broadcast was cancelled." })
    .where(and(eq(messages.tenantId, tenantId), eq(messages.broadcastId, broadcastId), eq(messages.status, "queued")));
  await tx.update(broadcasts).set({ status: "cancelled", finishedAt: new Date() }).where(and(eq(broadcasts.tenantId, tenantId), eq(broadcasts.id, broadcastId)));
  return "cancelled";
}

/** Counts of a broadcast's messages by status: progress while sending, the report after. */
export async function broadcastProgress(tx: Tx, tenantId: string, broadcastId: string) {
  const rows = await tx
    .select({ status: messages.status, channel: messages.channel, n: sql<number>`count(*)::int` })
    .from(messages)
    .where(and(eq(messages.tenantId, tenantId), eq(messages.broadcastId, broadcastId)))
    .groupBy(messages.status, messages.channel);
  const total = rows.reduce((n, r) => n + r.n, 0);
  const by = (s: string) => rows.filter((r) => r.status === s).reduce((n, r) => n + r.n, 0);
  return { total, queued: by("queued"), sent: by("sent"), delivered: by("delivered") + by("read"), failed: by("failed"), skipped: by("skipped"), byChannel: rows };
}

export function listBroadcasts(tx: Tx, tenantId: string) {
  return tx.select().from(broadcasts).where(eq(broadcasts.tenantId, tenantId)).orderBy(desc(broadcasts.createdAt)).limit(100);
}

/** Customers for the "one customer" picker and counts (not opted out first). */
export function listCustomers(tx: Tx, tenantId: string, search = "") {
  const q = search.trim();
  // "0712 000 101" and "+254712000101" both find 254712000101.
  const digits = q.replace(/\D/g, "").replace(/^0/, "");
  return tx
    .select({ id: customers.id, name: customers.name, phone: customers.phone, optedOutAt: customers.optedOutAt, zoneId: customers.zoneId })
    .from(customers)
    .where(and(eq(customers.tenantId, tenantId), q ? sql`(${digits ? sql`${customers.phone} like ${`%${digits}%`} or ` : sql``}${customers.name} ilike ${`%${q}%`})` : undefined))
    .orderBy(desc(customers.createdAt))
    .limit(200);
}

export async function customerCounts(tx: Tx, tenantId: string) {
  const [r] = await tx
    .select({ all: sql<number>`count(*)::int`, optedOut: sql<number>`count(*) filter (where ${customers.optedOutAt} is not null)::int` })
    .from(customers)
    .where(eq(customers.tenantId, tenantId));
  return r ?? { all: 0, optedOut: 0 };
}

