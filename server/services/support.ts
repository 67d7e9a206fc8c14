import { and, eq, sql } from "drizzle-orm";
import { supportMessages, supportThreads } from "../../db/schema";
import type { Tx } from "../../db/client";
import { recordEvent } from "./audit";
import { take, waitInWords } from "./rate-limits";

/**
 * The support chat between each ISP and the platform: one thread per ISP. Every function runs in
 * that ISP's tenant context: the ISP's own requests, or a console request that entered the
 * tenant for this one thread (enterTenant). The console's inbox reads only aggregates
 * (app_public.platform_support_inbox).
 */
export const MAX_MESSAGE = 2000;
/** Per ISP and side: enough for a real conversation, not for a flood. */
const SEND_LIMIT = { max: 30, windowSeconds: 10 * 60 };

type Side = "isp" | "platform";
type Meta = { ip?: string | null; userAgent?: string | null; requestId?: string | null };
export type SendResult = { ok: true; id: string } | { ok: false; status: 400 | 429; error?: string; fieldErrors?: Record<string, string[]> };

/**
 * Plain text only: control characters other than newlines and tabs removed, line endings made
 * \n, no more than two blank lines in a row, trimmed. React escapes it when shown; nothing is
 * ever rendered as HTML or markdown.
 */
export function cleanMessage(body: string) {
  return body
    .replace(/\r\n?/g, "\n")
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, "")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}

export async function sendSupportMessage(
  tx: Tx,
  tenantId: string,
  from: { side: Side; id: string; name: string },
  body: string,
  meta: Meta,
): Promise<SendResult> {
  const text = cleanMessage(body);
  if (!text) return { ok: false, status: 400, fieldErrors: { body: ["Write a message first."] } };
  if (text.length > MAX_MESSAGE) return { ok: false, status: 400, fieldErrors: { body: [`Keep it under ${MAX_MESSAGE.toLocaleString("en")} characters (this is ${text.length.toLocaleString("en")}).`] } };
  const limit = await take(tx, `support:${from.side}:${tenantId}`, SEND_LIMIT);
  if (!limit.allowed) return { ok: false, status: 429, error: `Too many messages in a short time. Try again in ${waitInWords(limit.retryAfterSeconds)}.` };
  const [msg] = await tx.insert(supportMessages).values({ tenantId, author: from.side, authorId: from.id, authorName: from.name.slice(0, 120), body: text }).returning({ id: supportMessages.id });
  // The writer has read everything up to their own message. Timestamps stay in SQL: a JavaScript
  // Date would cut microseconds and leave the latest message "unread" forever.
  const readCol = from.side === "isp" ? sql.raw("isp_read_at") : sql.raw("platform_read_at");
  await tx.execute(sql`
    insert into support_threads (tenant_id, last_message_at, ${readCol})
    select m.tenant_id, m.created_at, m.created_at from support_messages m where m.tenant_id = ${tenantId} and m.id = ${msg!.id}
    on conflict (tenant_id) do update set last_message_at = excluded.last_message_at, ${readCol} = excluded.last_message_at`);
  await recordEvent(tx, {
    action: from.side === "isp" ? "support.message_sent" : "support.reply_sent",
    tenantId,
    actorKind: from.side === "isp" ? "user" : "platform_user",
    actorId: from.id,
    details: { messageId: msg!.id, length: text.length },
    ...meta,
  });
  return { ok: true, id: msg!.id };
}

/** The whole thread, oldest first (the latest 500). */
export async function supportThread(tx: Tx, tenantId: string) {
  const rows = await tx
    .select({ id: supportMessages.id, author: supportMessages.author, authorName: supportMessages.authorName, body: supportMessages.body, createdAt: supportMessages.createdAt })
    .from(supportMessages)
    .where(eq(supportMessages.tenantId, tenantId))
    .orderBy(sql`${supportMessages.createdAt} desc`)
    .limit(500);
  const [thread] = await tx.select().from(supportThreads).where(eq(supportThreads.tenantId, tenantId));
  return { messages: rows.reverse(), ispReadAt: thread?.ispReadAt ?? null, platformReadAt: thread?.platformReadAt ?? null };
}

/** Marks the thread read up to the other side's latest message (not audited: a read is not an action). */
export async function markSupportRead(tx: Tx, tenantId: string, side: Side) {
  const readCol = side === "isp" ? sql.raw("isp_read_at") : sql.raw("platform_read_at");
  await tx.execute(sql`
    update support_threads th set ${readCol} = latest.at
      from (select max(m.created_at) as at from support_messages m where m.tenant_id = ${tenantId} and m.author = ${side === "isp" ? "platform" : "isp"}) latest
     where th.tenant_id = ${tenantId} and latest.at is not null and th.${readCol} is distinct from latest.at`);
}

/** Messages from the other side this side has not read yet. */
export async function supportUnread(tx: Tx, tenantId: string, side: Side) {
  const readCol = side === "isp" ? sql.raw("th.isp_read_at") : sql.raw("th.platform_read_at");
  const res = await tx.execute<{ n: number }>(sql`
    select count(*)::int as n from support_messages m join support_threads th on th.tenant_id = m.tenant_id
     where m.tenant_id = ${tenantId} and m.author = ${side === "isp" ? "platform" : "isp"} and (${readCol} is null or m.created_at > ${readCol})`);
  return res.rows[0]?.n ?? 0;
}

export type InboxRow = { tenantId: string; slug: string; businessName: string; lastMessageAt: Date; unread: number; lastAuthor: Side | null; lastPreview: string | null };

/** The console's inbox: every ISP thread, latest first, with unread counts (platform context). */
export async function supportInbox(tx: Tx): Promise<InboxRow[]> {
  const res = await tx.execute<{ tenant_id: string; slug: string; business_name: string; last_message_at: string; unread: number; last_author: Side | null; last_preview: string | null }>(
    sql`select * from app_public.platform_support_inbox()`,
  );
  return res.rows.map((r) => ({
    tenantId: r.tenant_id,
    slug: r.slug,
    businessName: r.business_name,
    lastMessageAt: new Date(r.last_message_at),
    unread: r.unread,
    lastAuthor: r.last_author,
    lastPreview: r.last_preview,
  }));
}
