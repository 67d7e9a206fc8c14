import { sql } from "drizzle-orm";
import { pgTable, uuid, text, timestamp, primaryKey, uniqueIndex, index, foreignKey, check } from "drizzle-orm/pg-core";
import { tenants, users } from "./tenancy";

/**
 * A super admin (or sub-admin with tenants.impersonate) viewing one ISP's dashboard as that ISP,
 * for troubleshooting (issue 8). Tenant table: the row lives with the ISP it is about, so the ISP
 * can always see who entered its dashboard and why, and the ISP host reaches it in its own
 * tenant context (the console writes it through enterTenant, like registration).
 *
 * The admin's console session never crosses hosts (cookies are host-only): the console makes a
 * single-use token that lives 60 seconds, redeemable only on this ISP's host (its hash is only
 * found under this tenant's RLS context); redeeming it creates the ISP-side session (its hash in
 * session_hash), which ends at expires_at whatever happens (server-side, on every request, and
 * by the impersonations_sweep job). Every row change and event made meanwhile carries
 * impersonator_id = admin_id in the audit trail (server/services/impersonation.ts).
 */
export const impersonations = pgTable(
  "impersonations",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    /** The platform user really acting (platform_users.id; no foreign key: tenant tables reference only tenant rows). */
    adminId: uuid("admin_id").notNull(),
    /** Who that was, as the ISP's side can show it (platform_users is not readable from an ISP's context). */
    adminName: text("admin_name").notNull(),
    /** The ISP user the dashboard is shown as (the owner). */
    actingUserId: uuid("acting_user_id").notNull(),
    reason: text("reason").notNull(),
    /** sha256 of the hand-over token; single use (redeemed_at), valid until token_expires_at. */
    tokenHash: text("token_hash").notNull(),
    tokenExpiresAt: timestamp("token_expires_at", { withTimezone: true }).notNull(),
    redeemedAt: timestamp("redeemed_at", { withTimezone: true }),
    /** sha256 of the ISP-side session token once redeemed; cleared when it ends. */
    sessionHash: text("session_hash"),
    startedAt: timestamp("started_at", { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    endedAt: timestamp("ended_at", { withTimezone: true }),
    /** exit/signed_out: from the ISP side; console/console_signed_out: ended from the console. */
    endReason: text("end_reason", { enum: ["exit", "expired", "signed_out", "replaced", "console", "console_signed_out"] }),
    ip: text("ip"),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex("impersonations_token_key").on(t.tenantId, t.tokenHash),
    uniqueIndex("impersonations_session_key").on(t.tenantId, t.sessionHash),
    index("impersonations_started_idx").on(t.tenantId, t.startedAt),
    // The sweeper's path: open ones by end time.
    index("impersonations_open_idx").on(t.expiresAt).where(sql`ended_at is null`),
    foreignKey({ columns: [t.tenantId, t.actingUserId], foreignColumns: [users.tenantId, users.id] }).onDelete("cascade"),
    check("impersonations_reason_length", sql`char_length(${t.reason}) between 5 and 500`),
    check("impersonations_window", sql`${t.expiresAt} > ${t.startedAt} and ${t.expiresAt} <= ${t.startedAt} + interval '2 hours'`),
  ],
);

/**
 * The support chat between an ISP and the platform: one thread per ISP, its messages here.
 * Written by the ISP in its own context and by the platform through enterTenant (one thread at
 * a time); the console's inbox reads only aggregates (app_public.platform_support_inbox).
 */
export const supportMessages = pgTable(
  "support_messages",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    /** Which side wrote it. */
    author: text("author", { enum: ["isp", "platform"] }).notNull(),
    /** users.id (isp) or platform_users.id (platform); no foreign key, the name is kept below. */
    authorId: uuid("author_id"),
    authorName: text("author_name").notNull(),
    /** Plain text (control characters removed), 1–2000 characters. */
    body: text("body").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("support_messages_thread_idx").on(t.tenantId, t.createdAt),
    check("support_messages_body_length", sql`char_length(${t.body}) between 1 and 2000`),
  ],
);

/**
 * One row per ISP that has written or been written to: when each side last read the thread (the
 * unread counts are the other side's messages after that) and the latest message, for the inbox.
 */
export const supportThreads = pgTable(
  "support_threads",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    lastMessageAt: timestamp("last_message_at", { withTimezone: true }).notNull().defaultNow(),
    ispReadAt: timestamp("isp_read_at", { withTimezone: true }),
    platformReadAt: timestamp("platform_read_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId] })],
);
