// Message history per channel, with filters; also the rows behind the CSV/Excel export.
import { and, desc, eq, gte, lt, sql, type SQL } from "drizzle-orm";
import { messages, tickets, MESSAGE_STATUSES } from "../../../db/schema";
import type { Tx } from "../../../db/client";
import { z } from "zod";

export const historyFilter = z.object({
  channel: z.enum(["sms", "whatsapp"]),
  status: z.enum(MESSAGE_STATUSES).optional(),
  /** Digits of the phone (any part). */
  phone: z.string().trim().max(20).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(100),
});
export type HistoryFilter = z.infer<typeof historyFilter>;

export async function messageHistory(tx: Tx, tenantId: string, f: HistoryFilter) {
  const where: SQL[] = [eq(messages.tenantId, tenantId), eq(messages.channel, f.channel)];
  if (f.status) where.push(eq(messages.status, f.status));
  const digits = f.phone?.replace(/\D/g, "");
  if (digits) where.push(sql`${messages.phone} like ${`%${digits.replace(/^0/, "")}%`}`);
  if (f.from) where.push(gte(messages.createdAt, f.from));
  if (f.to) where.push(lt(messages.createdAt, f.to));
  const rows = await tx
    .select({
      id: messages.id,
      direction: messages.direction,
      phone: messages.phone,
      event: messages.event,
      body: messages.body,
      status: messages.status,
      provider: messages.provider,
      providerMessageId: messages.providerMessageId,
      error: messages.error,
      cost: messages.cost,
      segments: messages.segments,
      attempts: messages.attempts,
      createdAt: messages.createdAt,
      sentAt: messages.sentAt,
      deliveredAt: messages.deliveredAt,
    })
    .from(messages)
    .where(and(...where))
    .orderBy(desc(messages.createdAt))
    .limit(f.limit);
  const [totals] = await tx
    .select({
      total: sql<number>`count(*)::int`,
      delivered: sql<number>`count(*) filter (where ${messages.status} in ('delivered', 'read'))::int`,
      failed: sql<number>`count(*) filter (where ${messages.status} = 'failed')::int`,
      queued: sql<number>`count(*) filter (where ${messages.status} = 'queued')::int`,
    })
    .from(messages)
    .where(and(...where));
  return { rows, totals: totals ?? { total: 0, delivered: 0, failed: 0, queued: 0 } };
}

export async function getMessage(tx: Tx, tenantId: string, id: string) {
  const [m] = await tx.select().from(messages).where(and(eq(messages.tenantId, tenantId), eq(messages.id, id)));
  return m ?? null;
}

export function listTickets(tx: Tx, tenantId: string, status: "open" | "resolved" | "all" = "open") {
  return tx
    .select()
    .from(tickets)
    .where(and(eq(tickets.tenantId, tenantId), status === "all" ? undefined : eq(tickets.status, status)))
    .orderBy(desc(tickets.createdAt))
    .limit(200);
}

export async function openTicketCount(tx: Tx, tenantId: string) {
  const [r] = await tx.select({ n: sql<number>`count(*)::int` }).from(tickets).where(and(eq(tickets.tenantId, tenantId), eq(tickets.status, "open")));
  return r?.n ?? 0;
}

export async function resolveTicket(tx: Tx, tenantId: string, id: string, userId: string, resolution: string) {
  const [t] = await tx
    .update(tickets)
    .set({ status: "resolved", resolvedAt: new Date(), resolvedBy: userId, resolution: resolution.slice(0, 500) || "Resolved by hand." })
    .where(and(eq(tickets.tenantId, tenantId), eq(tickets.id, id), eq(tickets.status, "open")))
    .returning();
  return t ?? null;
}

export async function getTicket(tx: Tx, tenantId: string, id: string) {
  const [t] = await tx.select().from(tickets).where(and(eq(tickets.tenantId, tenantId), eq(tickets.id, id)));
  return t ?? null;
}
