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
} from "drizzle-orm/pg-core";
import { timestamps, sessionLifetime } from "./columns";

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
    ...timestamps(),
  },
  (t) => [
    uniqueIndex("tenants_slug_key").on(t.slug),
    check("tenants_slug_format", sql`${t.slug} ~ '^[a-z0-9](?:[a-z0-9-]{1,28})[a-z0-9]$'`),
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
    role: text("role", { enum: ["owner", "admin", "staff", "technician"] }).notNull(),
    passwordHash: text("password_hash").notNull(),
    emailVerifiedAt: timestamp("email_verified_at", { withTimezone: true }),
    disabledAt: timestamp("disabled_at", { withTimezone: true }),
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
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex("zones_tenant_name_key").on(t.tenantId, sql`lower(${t.name})`),
  ],
);
