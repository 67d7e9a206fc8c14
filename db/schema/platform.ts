import { sql } from "drizzle-orm";
import { pgTable, uuid, text, timestamp, uniqueIndex, index, smallint, integer, boolean, jsonb, check, type AnyPgColumn } from "drizzle-orm/pg-core";
import { timestamps, sessionLifetime } from "./columns";

/** Super admin and sub-admins of the platform console. Global table, platform context only. */
export const platformUsers = pgTable(
  "platform_users",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    username: text("username").notNull(),
    email: text("email").notNull(),
    fullName: text("full_name").notNull().default(""),
    role: text("role", { enum: ["super_admin", "support", "billing", "read_only"] }).notNull(),
    /** Null while invited: the person has not chosen a password yet and cannot sign in. */
    passwordHash: text("password_hash"),
    passwordChangedAt: timestamp("password_changed_at", { withTimezone: true }),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    invitedBy: uuid("invited_by").references((): AnyPgColumn => platformUsers.id, { onDelete: "set null" }),
    lastLoginAt: timestamp("last_login_at", { withTimezone: true }),
    /** Two-step sign-in (console: authenticator app only), stored as for ISP users (tenancy.ts `users`). */
    twoFactorMethod: text("two_factor_method", { enum: ["totp"] }),
    /** TOTP key, AES-256-GCM encrypted (server/services/secrets.ts). */
    totpKeyEnc: text("totp_key_enc"),
    /** The 30-second step of the last authenticator code accepted: each code works once (no replay). */
    totpLastStep: integer("totp_last_step"),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("platform_users_username_key").on(sql`lower(${t.username})`),
    uniqueIndex("platform_users_email_key").on(sql`lower(${t.email})`),
  ],
);

/**
 * Single-use tokens for platform users, as `user_tokens` for ISP users: invitations to choose a
 * password, password reset links, the pending second step of a sign-in and a 2FA setup. Platform
 * context only, like the users themselves; only the SHA-256 of the token is kept (services/tokens.ts).
 */
export const platformUserTokens = pgTable(
  "platform_user_tokens",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => platformUsers.id, { onDelete: "cascade" }),
    purpose: text("purpose", { enum: ["invite", "reset_password", "login_2fa", "setup_2fa"] }).notNull(),
    tokenHash: text("token_hash").notNull(),
    /** Purpose-specific state, e.g. the pending TOTP key (sealed). */
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("platform_user_tokens_hash_key").on(t.tokenHash), index("platform_user_tokens_user_idx").on(t.userId, t.purpose)],
);

/** Single-use 2FA recovery codes of platform users (hashes), as `recovery_codes` for ISP users. */
export const platformRecoveryCodes = pgTable(
  "platform_recovery_codes",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    userId: uuid("user_id")
      .notNull()
      .references(() => platformUsers.id, { onDelete: "cascade" }),
    codeHash: text("code_hash").notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("platform_recovery_codes_hash_key").on(t.userId, t.codeHash)],
);

export const platformSessions = pgTable(
  "platform_sessions",
  {
    id: text("id").primaryKey(), // hex(sha256(token))
    userId: uuid("user_id")
      .notNull()
      .references(() => platformUsers.id, { onDelete: "cascade" }),
    ...sessionLifetime(),
  },
  (t) => [index("platform_sessions_user_idx").on(t.userId)],
);

/** Platform-wide settings edited by the super admin: one row (id = 1). */
export const platformSettings = pgTable(
  "platform_settings",
  {
    id: smallint("id").primaryKey().default(1),
    trialHours: integer("trial_hours").notNull().default(24),
    /** Days before a due date (trial end or paid month end) the ISP is reminded, e.g. {3,1}. */
    reminderDays: integer("reminder_days").array().notNull().default(sql`'{3,1}'::integer[]`),
    /** Printed on invoices: how to pay by bank transfer or PayPal. */
    paymentInstructions: text("payment_instructions").notNull().default(""),
    /**
     * Unguessable part of the URL Daraja posts the platform's own STK results to
     * (/hooks/billing/daraja/{secret}/{tenant}/stk). Generated once by the database.
     */
    billingCallbackSecret: text("billing_callback_secret").notNull().default(sql`encode(sha256(convert_to(gen_random_uuid()::text || clock_timestamp()::text, 'UTF8')), 'hex')`),
    /**
     * The platform's own senders, set in the console (server/services/platform-senders.ts); each
     * group is all null when unset, and then the server environment's is used. Secrets sealed
     * with the app's SecretBox (AES-256-GCM), like an ISP's mpesa_settings.
     */
    mpesaEnvironment: text("mpesa_environment", { enum: ["sandbox", "production"] }),
    mpesaAccountType: text("mpesa_account_type", { enum: ["paybill", "till"] }),
    mpesaShortcode: text("mpesa_shortcode"),
    mpesaTillNumber: text("mpesa_till_number"),
    mpesaConsumerKeyEnc: text("mpesa_consumer_key_enc"),
    mpesaConsumerSecretEnc: text("mpesa_consumer_secret_enc"),
    mpesaPasskeyEnc: text("mpesa_passkey_enc"),
    /** Africa's Talking account for one-time codes and billing reminders. */
    smsUsername: text("sms_username"),
    smsApiKeyEnc: text("sms_api_key_enc"),
    smsSenderId: text("sms_sender_id"),
    /** The From of the platform's email (the SMTP server itself stays SMTP_URL in the environment). */
    mailFromName: text("mail_from_name"),
    mailFromAddress: text("mail_from_address"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("platform_settings_single_row", sql`${t.id} = 1`),
    check("platform_settings_trial_hours", sql`${t.trialHours} between 1 and 2160`),
    check("platform_settings_reminder_days", sql`cardinality(${t.reminderDays}) <= 5 and 0 < all(${t.reminderDays}) and 60 >= all(${t.reminderDays})`),
    check("platform_settings_mpesa_complete", sql`num_nulls(${t.mpesaEnvironment}, ${t.mpesaAccountType}, ${t.mpesaShortcode}, ${t.mpesaConsumerKeyEnc}, ${t.mpesaConsumerSecretEnc}, ${t.mpesaPasskeyEnc}) in (0, 6)`),
    check("platform_settings_sms_complete", sql`num_nulls(${t.smsUsername}, ${t.smsApiKeyEnc}) in (0, 2)`),
    check("platform_settings_mail_from_complete", sql`num_nulls(${t.mailFromName}, ${t.mailFromAddress}) in (0, 2)`),
  ],
);

/** What a tier can unlock. Every feature check in the product names one of these (server/services/billing/tiers.ts). */
export const TIER_FEATURES = ["hotspot", "pppoe", "sms_broadcasts", "whatsapp_broadcasts"] as const;
export type TierFeature = (typeof TIER_FEATURES)[number];

/**
 * The platform's price list: tiers an ISP subscribes to (Starter, Premium...). Global table,
 * readable by every context (prices are public), written only by the platform (policies/95-billing.sql).
 * Money in cents, whole shillings (M-Pesa moves whole shillings).
 */
export const billingTiers = pgTable(
  "billing_tiers",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    /** Charged once, on an ISP's first paid subscription (see docs/decisions/0016-saas-billing.md). */
    registrationFeeCents: integer("registration_fee_cents").notNull().default(0),
    monthlyCents: integer("monthly_cents").notNull(),
    features: text("features").array().notNull().default(sql`'{}'::text[]`),
    /** Technician accounts allowed; null = unlimited. */
    maxTechnicians: integer("max_technicians"),
    /** The ISP runs either hotspot or PPPoE/static on this tier, chosen when it subscribes. */
    singleService: boolean("single_service").notNull().default(false),
    sortOrder: integer("sort_order").notNull().default(0),
    /** Offered to ISPs; an inactive tier keeps its current subscribers until they change. */
    active: boolean("active").notNull().default(true),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("billing_tiers_id_format", sql`${t.id} ~ '^[a-z][a-z0-9_-]{1,29}$'`),
    check("billing_tiers_money", sql`${t.registrationFeeCents} >= 0 and ${t.monthlyCents} > 0 and ${t.registrationFeeCents} % 100 = 0 and ${t.monthlyCents} % 100 = 0`),
    check("billing_tiers_max_technicians", sql`${t.maxTechnicians} is null or ${t.maxTechnicians} >= 0`),
  ],
);

/**
 * The raw inbox of what Daraja posts about payments to the platform's own M-Pesa account (ISPs
 * paying their subscription). Platform data: only the platform context reads or writes it, so
 * no ISP can plant a "payment" here. isp_id is the ISP named (and signed) in the callback URL.
 */
export const platformMpesaCallbacks = pgTable(
  "platform_mpesa_callbacks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    ispId: uuid("isp_id").notNull(),
    kind: text("kind", { enum: ["stk"] }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    remoteIp: text("remote_ip"),
    raw: text("raw").notNull(),
    body: jsonb("body"),
    /** CheckoutRequestID. */
    reference: text("reference"),
    processedAt: timestamp("processed_at", { withTimezone: true }),
    outcome: text("outcome"),
    detail: text("detail"),
    paymentId: uuid("payment_id"),
  },
  (t) => [index("platform_mpesa_callbacks_reference_idx").on(t.ispId, t.reference), index("platform_mpesa_callbacks_unprocessed_idx").on(t.receivedAt).where(sql`${t.processedAt} is null`)],
);
