import { sql } from "drizzle-orm";
import { pgTable, uuid, text, timestamp, integer, boolean, primaryKey, uniqueIndex, index, foreignKey, check } from "drizzle-orm/pg-core";
import { tenants, zones } from "./tenancy";
import { timestamps } from "./columns";

/** An ISP's MikroTik router, reached over the RouterOS API. The password is sealed (AES-256-GCM). */
export const routers = pgTable(
  "routers",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    name: text("name").notNull(),
    host: text("host").notNull(),
    apiPort: integer("api_port").notNull().default(8728),
    tls: boolean("tls").notNull().default(false),
    username: text("username").notNull(),
    passwordEnc: text("password_enc").notNull(),
    zoneId: uuid("zone_id"),
    location: text("location").notNull().default(""),
    notes: text("notes").notNull().default(""),
    /** unverified until a connection test passes; then online/offline from monitoring. */
    status: text("status", { enum: ["unverified", "online", "offline"] }).notNull().default("unverified"),
    identity: text("identity"),
    version: text("version"),
    board: text("board"),
    lastError: text("last_error"),
    lastCheckedAt: timestamp("last_checked_at", { withTimezone: true }),
    verifiedAt: timestamp("verified_at", { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex("routers_tenant_name_key").on(t.tenantId, sql`lower(${t.name})`),
    index("routers_zone_idx").on(t.tenantId, t.zoneId),
    foreignKey({ columns: [t.tenantId, t.zoneId], foreignColumns: [zones.tenantId, zones.id] }),
    check("routers_port", sql`${t.apiPort} between 1 and 65535`),
  ],
);
