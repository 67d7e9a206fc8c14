// The message outbox: every SMS and WhatsApp message is a row, queued in the transaction of the
// change that wants it, sent by its own job (retries with backoff), moved on by delivery
// reports. A voucher or payment message that finally fails opens a ticket: nothing fails
// silently.
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { customers, messages, tickets, broadcasts, earlyDeliveryReports } from "../../../db/schema";
import type { Tx } from "../../../db/client";
import type { SecretBox } from "../secrets";
import { enqueueJob } from "../jobs";
import { recordEvent } from "../audit";
import { activeProvider, ensureMessagingSettings, webhookUrl } from "./settings";
import { countSmsSegments, type Channel, type DeliveryUpdate, type InboundMessage, type ProviderEndpoints, type WebhookRequest, type WebhookResult } from "../../integrations/messaging";
import { normalizeKenyanPhone } from "../phones";

export type OutboxDeps = { secrets: SecretBox; endpoints: ProviderEndpoints; publicBaseUrl: string };

/** Attempts per message before it is failed for good (graphile-worker backs off exponentially: ~2 s … ~2.5 min). */
export const MAX_SEND_ATTEMPTS = 6;

export type QueueInput = {
  channel: Channel;
  phone: string;
  body: string;
  event: string;
  customerId?: string | null;
  broadcastId?: string | null;
  template?: { name: string; language: string; parameters: string[] } | null;
  ref?: string | null;
  critical?: boolean;
  runAt?: Date;
  /** Marketing (broadcasts): not sent to a customer who opted out. */
  honourOptOut?: boolean;
};

/** Queues one message in the caller's transaction; returns its id, or a skipped row's id with why. */
export async function queueMessage(tx: Tx, tenantId: string, input: QueueInput) {
  const phone = normalizeKenyanPhone(input.phone) ?? input.phone.replace(/\D/g, "");
  let skip: string | null = null;
  if (!/^[1-9]\d{7,14}$/.test(phone)) skip = "Not a valid phone number.";
  if (!skip && input.honourOptOut) {
    const [c] = await tx.select({ optedOutAt: customers.optedOutAt }).from(customers).where(and(eq(customers.tenantId, tenantId), eq(customers.phone, phone)));
    if (c?.optedOutAt) skip = "The customer opted out (replied STOP).";
  }
  const [row] = await tx
    .insert(messages)
    .values({
      tenantId,
      channel: input.channel,
      phone: skip && !/^\d+$/.test(phone) ? input.phone.slice(0, 20) : phone,
      customerId: input.customerId ?? null,
      event: input.event,
      broadcastId: input.broadcastId ?? null,
      body: input.body,
      template: input.template ?? null,
      ref: input.ref ?? null,
      critical: input.critical ?? false,
      status: skip ? "skipped" : "queued",
      error: skip,
      segments: input.channel === "sms" ? countSmsSegments(input.body).segments : null,
    })
    .returning({ id: messages.id });
  if (!skip) await enqueueJob(tx, "send_message", { messageId: row!.id }, { runAt: input.runAt, maxAttempts: MAX_SEND_ATTEMPTS, jobKey: `send_message:${row!.id}` });
  return { id: row!.id, skipped: skip };
}

type InTenant = <T>(step: (tx: Tx) => Promise<T>) => Promise<T>;

/**
 * Sends one queued message (the send_message job). The provider call happens outside any
 * transaction. Accepted → sent; refused for good → failed; a transient failure throws so the job
 * retries, and on the last attempt the message is failed. Failures of critical messages open a ticket.
 */
export async function sendQueuedMessage(deps: OutboxDeps, inTenant: InTenant, tenantId: string, messageId: string, attempt: { number: number; max: number }) {
  const loaded = await inTenant(async (tx) => {
    const [m] = await tx.select().from(messages).where(and(eq(messages.tenantId, tenantId), eq(messages.id, messageId)));
    if (!m || m.status !== "queued") return null;
    const provider = await activeProvider(tx, tenantId, m.channel, deps.secrets);
    const settings = await ensureMessagingSettings(tx, tenantId);
    return { m, provider, token: settings.webhookToken };
  });
  if (!loaded) return "gone" as const;
  const { m, provider, token } = loaded;
  if (!provider) {
    await inTenant((tx) => failMessage(tx, tenantId, m.id, `No ${m.channel === "sms" ? "SMS" : "WhatsApp"} provider is set up (Messaging → ${m.channel === "sms" ? "SMS" : "WhatsApp"}).`));
    return "failed" as const;
  }
  let outcome;
  try {
    const client = provider.module.create(provider.settings, deps.endpoints);
    outcome = await client.send({ to: m.phone, text: m.body, template: m.template ?? undefined, callbackUrl: webhookUrl(deps.publicBaseUrl, token, m.channel) });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    const last = attempt.number >= attempt.max;
    await inTenant(async (tx) => {
      await tx
        .update(messages)
        .set({ attempts: attempt.number, error: last ? reason : `Attempt ${attempt.number} of ${attempt.max} failed: ${reason}`, provider: provider.module.kind })
        .where(and(eq(messages.tenantId, tenantId), eq(messages.id, m.id)));
      if (last) await failMessage(tx, tenantId, m.id, `Gave up after ${attempt.max} attempts: ${reason}`);
    });
    if (last) return "failed" as const;
    throw err;
  }
  await inTenant(async (tx) => {
    if (outcome.status === "accepted") {
      if (outcome.providerMessageId) await lockProviderId(tx, provider.module.kind, outcome.providerMessageId);
      await tx
        .update(messages)
        .set({
          status: "sent",
          provider: provider.module.kind,
          providerMessageId: outcome.providerMessageId,
          segments: outcome.segments ?? m.segments,
          cost: outcome.cost ?? null,
          attempts: attempt.number,
          error: null,
          sentAt: new Date(),
        })
        .where(and(eq(messages.tenantId, tenantId), eq(messages.id, m.id)));
      if (outcome.providerMessageId) await applyEarlyReports(tx, tenantId, provider.module.kind, outcome.providerMessageId);
      // A retried message that now went out settles its ticket.
      await tx
        .update(tickets)
        .set({ status: "resolved", resolvedAt: new Date(), resolution: "Sent on retry." })
        .where(and(eq(tickets.tenantId, tenantId), eq(tickets.messageId, m.id), eq(tickets.status, "open")));
    } else {
      await tx.update(messages).set({ provider: provider.module.kind, attempts: attempt.number }).where(and(eq(messages.tenantId, tenantId), eq(messages.id, m.id)));
      await failMessage(tx, tenantId, m.id, outcome.error);
    }
    if (m.broadcastId) await settleBroadcast(tx, tenantId, m.broadcastId);
  });
  return outcome.status === "accepted" ? ("sent" as const) : ("failed" as const);
}

/** Applies (then forgets) delivery reports that arrived before the message's provider id was recorded. */
export async function applyEarlyReports(tx: Tx, tenantId: string, provider: string, providerMessageId: string) {
  const early = await tx
    .delete(earlyDeliveryReports)
    .where(and(eq(earlyDeliveryReports.tenantId, tenantId), eq(earlyDeliveryReports.provider, provider), eq(earlyDeliveryReports.providerMessageId, providerMessageId)))
    .returning();
  const order = { sent: 1, delivered: 2, read: 3, failed: 4 } as const;
  for (const r of early.sort((a, b) => order[a.status] - order[b.status])) {
    await applyDelivery(tx, tenantId, provider, { providerMessageId, status: r.status, error: r.error ?? undefined, cost: r.cost }, false);
  }
}

/** Marks a message failed; a critical one (voucher code, payment confirmation) opens a ticket. */
async function failMessage(tx: Tx, tenantId: string, messageId: string, reason: string) {
  const [m] = await tx
    .update(messages)
    .set({ status: "failed", error: reason.slice(0, 500), failedAt: new Date() })
    .where(and(eq(messages.tenantId, tenantId), eq(messages.id, messageId)))
    .returning();
  if (!m) return;
  if (m.critical) {
    await tx
      .insert(tickets)
      .values({
        tenantId,
        kind: "message_failed",
        subject: `${m.channel === "sms" ? "SMS" : "WhatsApp"} to ${m.phone} could not be delivered`,
        detail: `${reason}\n\nMessage: ${m.body}`,
        ref: m.ref,
        messageId: m.id,
      })
      .onConflictDoNothing();
  }
  if (m.broadcastId) await settleBroadcast(tx, tenantId, m.broadcastId);
}

/** A broadcast is done when none of its messages is still queued. */
async function settleBroadcast(tx: Tx, tenantId: string, broadcastId: string) {
  const [q] = await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(messages)
    .where(and(eq(messages.tenantId, tenantId), eq(messages.broadcastId, broadcastId), eq(messages.status, "queued")));
  if ((q?.n ?? 0) === 0) {
    await tx
      .update(broadcasts)
      .set({ status: "done", finishedAt: new Date() })
      .where(and(eq(broadcasts.tenantId, tenantId), eq(broadcasts.id, broadcastId), eq(broadcasts.status, "sending")));
  }
}

/** Sends a failed message again (the ticket's Retry button): queued afresh with a new job. */
export async function retryMessage(tx: Tx, tenantId: string, messageId: string) {
  const [m] = await tx
    .update(messages)
    .set({ status: "queued", attempts: 0, error: null, failedAt: null })
    .where(and(eq(messages.tenantId, tenantId), eq(messages.id, messageId), inArray(messages.status, ["failed"])))
    .returning({ id: messages.id });
  if (!m) return false;
  await enqueueJob(tx, "send_message", { messageId }, { maxAttempts: MAX_SEND_ATTEMPTS, jobKey: `send_message:${messageId}` });
  return true;
}

const RANK: Record<string, number> = { queued: 0, sent: 1, delivered: 2, read: 3 };
const STOP_WORDS = new Set(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "ACHA"]);
const START_WORDS = new Set(["START", "UNSTOP", "SUBSCRIBE", "ANZA"]);

/**
 * Applies what a provider posted to the ISP's webhook: delivery reports move messages forward
 * (never backwards: a late "sent" after "delivered" changes nothing), a failure report fails
 * the message (ticket if critical); STOP/START replies opt customers out of broadcasts or back in.
 */
export async function applyWebhookEvents(tx: Tx, tenantId: string, channel: Channel, provider: string, result: Extract<WebhookResult, { kind: "events" }>) {
  let applied = 0;
  for (const u of result.updates) applied += (await applyDelivery(tx, tenantId, provider, u)) ? 1 : 0;
  for (const msg of result.inbound) await applyInbound(tx, tenantId, channel, msg);
  return { applied, inbound: result.inbound.length };
}

/**
 * Serializes "the send job records the provider's id" with "a report for that id arrives": both
 * take this lock, so a report either sees the recorded id or is kept and then found by the job.
 */
async function lockProviderId(tx: Tx, provider: string, providerMessageId: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`${provider}:${providerMessageId}`}, 0))`);
}

async function applyDelivery(tx: Tx, tenantId: string, provider: string, u: DeliveryUpdate, keepIfUnknown = true) {
  if (keepIfUnknown) await lockProviderId(tx, provider, u.providerMessageId);
  const [m] = await tx
    .select()
    .from(messages)
    .where(and(eq(messages.tenantId, tenantId), eq(messages.provider, provider), eq(messages.providerMessageId, u.providerMessageId)))
    .orderBy(desc(messages.createdAt))
    .limit(1)
    .for("update");
  if (!m) {
    // The report beat the send job's own record of the id: keep it until the id is known (a day at
    // most: reports for ids that never turn up are junk).
    if (!keepIfUnknown) return false;
    await tx.delete(earlyDeliveryReports).where(and(eq(earlyDeliveryReports.tenantId, tenantId), sql`${earlyDeliveryReports.receivedAt} < now() - interval '1 day'`));
    await tx.insert(earlyDeliveryReports).values({ tenantId, provider, providerMessageId: u.providerMessageId.slice(0, 200), status: u.status, error: u.error?.slice(0, 500) ?? null, cost: u.cost ?? null });
    return false;
  }
  if (u.status === "failed") {
    if (m.status === "failed" || m.status === "delivered" || m.status === "read") return false;
    await failMessage(tx, tenantId, m.id, u.error ? `Not delivered: ${u.error}` : "Not delivered (the provider reported a failure).");
    return true;
  }
  if (m.status === "failed" || (RANK[u.status] ?? 0) <= (RANK[m.status] ?? 0)) return false;
  await tx
    .update(messages)
    .set({ status: u.status, ...(u.status !== "sent" ? { deliveredAt: m.deliveredAt ?? u.at ?? new Date() } : {}), ...(u.cost ? { cost: u.cost } : {}) })
    .where(and(eq(messages.tenantId, tenantId), eq(messages.id, m.id)));
  return true;
}

async function applyInbound(tx: Tx, tenantId: string, channel: Channel, msg: InboundMessage) {
  const phone = normalizeKenyanPhone(msg.from) ?? msg.from.replace(/\D/g, "");
  if (!/^[1-9]\d{7,14}$/.test(phone)) return;
  await tx.insert(messages).values({ tenantId, channel, direction: "in", phone, event: "reply", body: msg.text.slice(0, 2000), status: "received" });
  const word = msg.text.trim().toUpperCase().replace(/[^A-Z]/g, "");
  const optOut = STOP_WORDS.has(word);
  const optIn = START_WORDS.has(word);
  if (!optOut && !optIn) return;
  const source = `${channel}_reply`;
  await tx
    .insert(customers)
    .values({ tenantId, phone, optedOutAt: optOut ? new Date() : null, optOutSource: optOut ? source : null })
    .onConflictDoUpdate({ target: [customers.tenantId, customers.phone], set: { optedOutAt: optOut ? new Date() : null, optOutSource: optOut ? source : null } });
  await recordEvent(tx, { tenantId, actorKind: "system", action: optOut ? "customer.opted_out" : "customer.opted_in", details: { phone, channel, reply: msg.text.slice(0, 40) } });
}

/** The webhook's answer for each kind of result (providers retry on 5xx; we never send one for bad input). */
export function webhookStatus(result: WebhookResult) {
  return result.kind === "challenge" ? 200 : result.kind === "refused" ? 403 : result.kind === "invalid" ? 400 : 200;
}

export type { WebhookRequest };
