import { sql } from "drizzle-orm";
import { pgTable, uuid, text, timestamp, integer, boolean, jsonb, primaryKey, uniqueIndex, index, foreignKey, check } from "drizzle-orm/pg-core";
import { tenants, zones } from "./tenancy";
import { timestamps } from "./columns";

/**
 * An ISP's customers: hotspot buyers and subscribers, one row per phone number. Created or
 * updated from purchases (and by hand); messaging and broadcasts address them.
 */
export const customers = pgTable(
  "customers",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    /** E.164 without "+", e.g. 254712345678. */
    phone: text("phone").notNull(),
    name: text("name").notNull().default(""),
    email: text("email"),
    zoneId: uuid("zone_id"),
    /** Set when the customer replied STOP (or staff opted them out): no broadcasts. */
    optedOutAt: timestamp("opted_out_at", { withTimezone: true }),
    optOutSource: text("opt_out_source"),
    notes: text("notes").notNull().default(""),
    /** The device and router of the customer's latest hotspot purchase (no foreign key: a removed router keeps the history). */
    lastMac: text("last_mac"),
    lastRouterId: uuid("last_router_id"),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex("customers_phone_key").on(t.tenantId, t.phone),
    index("customers_zone_idx").on(t.tenantId, t.zoneId),
    foreignKey({ columns: [t.tenantId, t.zoneId], foreignColumns: [zones.tenantId, zones.id] }),
    check("customers_phone_format", sql`${t.phone} ~ '^[1-9][0-9]{7,14}$'`),
  ],
);

/** Branding used in every message, and the token in the ISP's provider webhook URLs. */
export const messagingSettings = pgTable(
  "messaging_settings",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    contactPhone: text("contact_phone").notNull().default(""),
    tagline: text("tagline").notNull().default(""),
    signOff: text("sign_off").notNull().default(""),
    /** Unguessable: names the ISP in /hooks/messaging/{token}/{channel} (providers send no tenant). */
    webhookToken: text("webhook_token").notNull(),
    ...timestamps(),
  },
  // Not unique across tenants (the catalog forbids global unique keys): tokens are 32 random bytes.
  (t) => [primaryKey({ columns: [t.tenantId] }), index("messaging_settings_webhook_token_idx").on(t.webhookToken)],
);

export const CHANNELS = ["sms", "whatsapp"] as const;

/** The ISP's provider for one channel: kind, plain settings, sealed secrets. */
export const messagingProviders = pgTable(
  "messaging_providers",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    kind: text("kind").notNull(),
    config: jsonb("config").$type<Record<string, string>>().notNull().default({}),
    /** JSON of the secret fields, sealed (AES-256-GCM). */
    secretsEnc: text("secrets_enc").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    lastTestAt: timestamp("last_test_at", { withTimezone: true }),
    lastTestResult: text("last_test_result"),
    ...timestamps(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.channel] })],
);

export const NOTIFICATION_EVENTS = ["welcome", "payment_received", "voucher_issued", "voucher_90pct", "expiry_reminder", "suspension", "reactivation", "otp"] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];
export const DELIVERY_CHOICES = ["off", "sms", "whatsapp", "both"] as const;

/** Per event: which channel(s) carry it, and its options (e.g. reminder days). Defaults live in code. */
export const notificationSettings = pgTable(
  "notification_settings",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    event: text("event", { enum: NOTIFICATION_EVENTS }).notNull(),
    delivery: text("delivery", { enum: DELIVERY_CHOICES }).notNull(),
    options: jsonb("options").$type<Record<string, unknown>>().notNull().default({}),
    ...timestamps(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.event] })],
);

/** An ISP's own wording for an event on a channel (the pre-written one applies until edited). */
export const messageTemplates = pgTable(
  "message_templates",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    event: text("event", { enum: NOTIFICATION_EVENTS }).notNull(),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    body: text("body").notNull(),
    /** WhatsApp Cloud API: the approved template this maps to; its parameters are the body's placeholders in order. */
    waTemplateName: text("wa_template_name"),
    waLanguage: text("wa_language"),
    ...timestamps(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.event, t.channel] })],
);

export const MESSAGE_STATUSES = ["queued", "sent", "delivered", "read", "failed", "skipped", "received"] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/**
 * The outbox and history of every message, both channels: one row per message to one phone,
 * sent by its own job with retries; delivery reports move it on. Inbound replies are rows too.
 */
export const messages = pgTable(
  "messages",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    channel: text("channel", { enum: CHANNELS }).notNull(),
    direction: text("direction", { enum: ["out", "in"] }).notNull().default("out"),
    /** Provider kind that carried it (set when sent). */
    provider: text("provider"),
    phone: text("phone").notNull(),
    customerId: uuid("customer_id"),
    /** A notification event, or "broadcast", "test", "manual". */
    event: text("event").notNull(),
    broadcastId: uuid("broadcast_id"),
    body: text("body").notNull(),
    template: jsonb("template").$type<{ name: string; language: string; parameters: string[] } | null>(),
    status: text("status", { enum: MESSAGE_STATUSES }).notNull().default("queued"),
    attempts: integer("attempts").notNull().default(0),
    providerMessageId: text("provider_message_id"),
    error: text("error"),
    cost: text("cost"),
    segments: integer("segments"),
    /** What it is about, e.g. "voucher:<id>", "payment:<id>". */
    ref: text("ref"),
    /** A voucher code or payment confirmation: a final failure raises a ticket. */
    critical: boolean("critical").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    deliveredAt: timestamp("delivered_at", { withTimezone: true }),
    failedAt: timestamp("failed_at", { withTimezone: true }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("messages_channel_created_idx").on(t.tenantId, t.channel, t.createdAt),
    index("messages_broadcast_idx").on(t.tenantId, t.broadcastId, t.status),
    index("messages_phone_idx").on(t.tenantId, t.phone),
    // Not unique: a gateway's ids can repeat (UltraMsg numbers messages per instance, and an ISP
    // may switch instances); a delivery report applies to the newest message with that id.
    index("messages_provider_id_idx").on(t.tenantId, t.provider, t.providerMessageId),
  ],
);

/** A message to many customers chosen by a segment, now or at a set time. */
export const broadcasts = pgTable(
  "broadcasts",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    name: text("name").notNull(),
    channels: text("channels", { enum: ["sms", "whatsapp", "both"] }).notNull(),
    body: text("body").notNull(),
    segment: jsonb("segment").$type<Record<string, unknown>>().notNull(),
    scheduledAt: timestamp("scheduled_at", { withTimezone: true }).notNull(),
    status: text("status", { enum: ["scheduled", "sending", "done", "cancelled"] }).notNull().default("scheduled"),
    recipients: integer("recipients").notNull().default(0),
    skipped: integer("skipped").notNull().default(0),
    createdBy: uuid("created_by"),
    startedAt: timestamp("started_at", { withTimezone: true }),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index("broadcasts_created_idx").on(t.tenantId, t.createdAt)],
);

/**
 * Something the ISP must look at because the system could not finish it on its own: a voucher
 * or payment message that finally failed, a payment that produced no voucher (issue 7).
 */
export const tickets = pgTable(
  "tickets",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    kind: text("kind").notNull(),
    status: text("status", { enum: ["open", "resolved"] }).notNull().default("open"),
    subject: text("subject").notNull(),
    detail: text("detail").notNull().default(""),
    ref: text("ref"),
    messageId: uuid("message_id"),
    paymentId: uuid("payment_id"),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    resolvedBy: uuid("resolved_by"),
    resolution: text("resolution"),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("tickets_status_idx").on(t.tenantId, t.status, t.createdAt),
    // One open ticket per failed message, however often it fails again.
    uniqueIndex("tickets_open_message_key").on(t.tenantId, t.messageId).where(sql`status = 'open' and message_id is not null`),
  ],
);

/**
 * A delivery report that arrived before the send job had recorded the provider's message id
 * (fast networks answer within milliseconds). Kept here and applied the moment the id is known.
 */
export const earlyDeliveryReports = pgTable(
  "early_delivery_reports",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    provider: text("provider").notNull(),
    providerMessageId: text("provider_message_id").notNull(),
    status: text("status", { enum: ["sent", "delivered", "read", "failed"] }).notNull(),
    error: text("error"),
    cost: text("cost"),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), index("early_delivery_reports_id_idx").on(t.tenantId, t.provider, t.providerMessageId)],
);
