import { sql } from "drizzle-orm";
import {
  pgTable,
  uuid,
  text,
  timestamp,
  primaryKey,
  uniqueIndex,
  foreignKey,
  check,
  index,
  jsonb,
  integer,
} from "drizzle-orm/pg-core";
import { timestamps, sessionLifetime } from "./columns";
import { billingTiers } from "./platform";

/**
 * Global registry of ISPs. Not a tenant table (it *is* the tenant), but still
 * row-level secured: a tenant context sees only its own row (policies/20-tenants.sql).
 */
export const tenants = pgTable(
  "tenants",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    slug: text("slug").notNull(),
    businessName: text("business_name").notNull(),
    status: text("status", { enum: ["pending", "trial", "active", "suspended", "blocked"] })
      .notNull()
      .default("pending"),
    timezone: text("timezone").notNull().default("Africa/Nairobi"),
    /** When the owner verified the email address; the trial starts then. */
    verifiedAt: timestamp("verified_at", { withTimezone: true }),
    trialEndsAt: timestamp("trial_ends_at", { withTimezone: true }),
    /**
     * Per-ISP exceptions to its tier, set by the platform: { sms_broadcasts: true } grants a
     * feature the tier lacks, false withholds one (server/services/billing/tiers.ts).
     */
    features: jsonb("features").$type<Record<string, boolean>>().notNull().default({}),
    /** The tier the ISP has paid for (null: trial, or an account the platform does not bill). */
    tierId: text("tier_id").references(() => billingTiers.id),
    /** On a single-service tier (Starter): what the ISP chose to run. */
    service: text("service", { enum: ["hotspot", "pppoe"] }),
    /** End of the paid month; the dashboard closes when it passes unpaid. */
    paidUntil: timestamp("paid_until", { withTimezone: true }),
    /** When the one-time registration fee was paid (it is never charged twice). */
    registrationPaidAt: timestamp("registration_paid_at", { withTimezone: true }),
    /**
     * A suspension or block put on by a platform admin (status suspended/blocked): why, when, by
     * whom, and the status restoring it returns to. Only the dashboard closes; customers never.
     */
    holdReason: text("hold_reason"),
    heldAt: timestamp("held_at", { withTimezone: true }),
    heldBy: uuid("held_by"),
    statusBeforeHold: text("status_before_hold", { enum: ["pending", "trial", "active"] }),
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("tenants_slug_key").on(t.slug),
    check("tenants_slug_format", sql`${t.slug} ~ '^[a-z0-9](?:[a-z0-9-]{1,28})[a-z0-9]$'`),
    // A hold always says why, and what restoring it returns to.
    check("tenants_hold", sql`(${t.status} in ('suspended', 'blocked')) = (${t.heldAt} is not null and ${t.holdReason} is not null and ${t.statusBeforeHold} is not null)`),
  ],
);

/** ISP staff accounts (owner, admin, technician...). Tenant table. */
export const users = pgTable(
  "users",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    username: text("username").notNull(),
    email: text("email").notNull(),
    fullName: text("full_name").notNull().default(""),
    role: text("role", { enum: ["owner", "admin", "staff", "technician", "reseller"] }).notNull(),
    /** Null while an invited user has not set a password yet. */
    passwordHash: text("password_hash"),
    passwordChangedAt: timestamp("password_changed_at", { withTimezone: true }),
    emailVerifiedAt: timestamp("email_verified_at", { withTimezone: true }),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
    /** E.164 without +, e.g. 254712345678: for SMS one-time codes. */
    phone: text("phone"),
    twoFactorMethod: text("two_factor_method", { enum: ["totp", "sms"] }),
    /** TOTP key, AES-256-GCM encrypted (server/services/secrets.ts). */
    totpKeyEnc: text("totp_key_enc"),
    /** The 30-second step of the last authenticator code accepted: each code works once (no replay). */
    totpLastStep: integer("totp_last_step"),
    lastLoginAt: timestamp("last_login_at", { withTimezone: true }),
    invitedBy: uuid("invited_by"),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex("users_tenant_username_key").on(t.tenantId, sql`lower(${t.username})`),
    uniqueIndex("users_tenant_email_key").on(t.tenantId, sql`lower(${t.email})`),
  ],
);

/** Sessions of ISP users: only the SHA-256 of the token is stored. Tenant table. */
export const userSessions = pgTable(
  "user_sessions",
  {
    tenantId: uuid("tenant_id").notNull(),
    id: text("id").notNull(), // hex(sha256(token))
    userId: uuid("user_id").notNull(),
    ...sessionLifetime(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.userId], foreignColumns: [users.tenantId, users.id] }).onDelete("cascade"),
    index("user_sessions_user_idx").on(t.tenantId, t.userId),
  ],
);

/**
 * Zones: the areas an ISP divides its network into (routers, technicians and
 * customers belong to one). Tenant table.
 */
export const zones = pgTable(
  "zones",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    /** The area this zone lies in (region → area → zone); null until the ISP places it. */
    areaId: uuid("area_id"),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex("zones_tenant_name_key").on(t.tenantId, sql`lower(${t.name})`),
    index("zones_area_idx").on(t.tenantId, t.areaId),
    // No cascade: an area with zones in it cannot be deleted until they are moved or removed.
    foreignKey({ columns: [t.tenantId, t.areaId], foreignColumns: [areas.tenantId, areas.id] }),
  ],
);

/** The top of an ISP's geography, e.g. "Nairobi" or "Central". Tenant table. */
export const regions = pgTable(
  "regions",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    name: text("name").notNull(),
    ...timestamps(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), uniqueIndex("regions_tenant_name_key").on(t.tenantId, sql`lower(${t.name})`)],
);

/** An area inside a region, e.g. "Kasarani" in Nairobi; zones sit inside areas. Tenant table. */
export const areas = pgTable(
  "areas",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    regionId: uuid("region_id").notNull(),
    name: text("name").notNull(),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex("areas_tenant_region_name_key").on(t.tenantId, t.regionId, sql`lower(${t.name})`),
    foreignKey({ columns: [t.tenantId, t.regionId], foreignColumns: [regions.tenantId, regions.id] }),
  ],
);

/**
 * Single-use, expiring tokens mailed or handed to a user: email verification, password reset,
 * invitation, the pending second step of a 2FA sign-in, and 2FA setup. Only a hash is stored.
 */
export const userTokens = pgTable(
  "user_tokens",
  {
    tenantId: uuid("tenant_id").notNull(),
    id: uuid("id").notNull().defaultRandom(),
    userId: uuid("user_id").notNull(),
    purpose: text("purpose", { enum: ["verify_email", "reset_password", "invite", "login_2fa", "setup_2fa"] }).notNull(),
    tokenHash: text("token_hash").notNull(),
    /** Purpose-specific state, e.g. the hash of an SMS code, the pending TOTP key, attempts. */
    data: jsonb("data").$type<Record<string, unknown>>().notNull().default({}),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex("user_tokens_hash_key").on(t.tenantId, t.tokenHash),
    index("user_tokens_user_idx").on(t.tenantId, t.userId, t.purpose),
    foreignKey({ columns: [t.tenantId, t.userId], foreignColumns: [users.tenantId, users.id] }).onDelete("cascade"),
  ],
);

/** Single-use 2FA recovery codes (hashes). */
export const recoveryCodes = pgTable(
  "recovery_codes",
  {
    tenantId: uuid("tenant_id").notNull(),
    id: uuid("id").notNull().defaultRandom(),
    userId: uuid("user_id").notNull(),
    codeHash: text("code_hash").notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex("recovery_codes_hash_key").on(t.tenantId, t.userId, t.codeHash),
    foreignKey({ columns: [t.tenantId, t.userId], foreignColumns: [users.tenantId, users.id] }).onDelete("cascade"),
  ],
);
