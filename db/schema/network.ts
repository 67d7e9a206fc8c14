import { sql } from "drizzle-orm";
import { pgTable, uuid, text, timestamp, integer, bigint, bigserial, boolean, jsonb, primaryKey, uniqueIndex, index, foreignKey, check } from "drizzle-orm/pg-core";
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
    /** When status last changed between online and offline (monitoring). */
    statusSince: timestamp("status_since", { withTimezone: true }),
    /** Failed polls in a row; the router is marked offline at 2, so one lost poll is not an outage. */
    failedPolls: integer("failed_polls").notNull().default(0),
    lastSeenAt: timestamp("last_seen_at", { withTimezone: true }),
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

/** One monitoring poll of a router: what it reported, or that it could not be reached. */
export const routerSamples = pgTable(
  "router_samples",
  {
    tenantId: uuid("tenant_id").notNull(),
    routerId: uuid("router_id").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    reachable: boolean("reachable").notNull(),
    latencyMs: integer("latency_ms"),
    uptimeSeconds: bigint("uptime_seconds", { mode: "number" }),
    cpuLoad: integer("cpu_load"),
    freeMemory: bigint("free_memory", { mode: "number" }),
    totalMemory: bigint("total_memory", { mode: "number" }),
    hotspotActive: integer("hotspot_active"),
    pppActive: integer("ppp_active"),
    error: text("error"),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.routerId, t.at] }),
    foreignKey({ columns: [t.tenantId, t.routerId], foreignColumns: [routers.tenantId, routers.id] }).onDelete("cascade"),
  ],
);

/** A router going offline or coming back: the history behind the status and the alerts. */
export const routerStatusChanges = pgTable(
  "router_status_changes",
  {
    tenantId: uuid("tenant_id").notNull(),
    id: uuid("id").notNull().defaultRandom(),
    routerId: uuid("router_id").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    status: text("status", { enum: ["online", "offline"] }).notNull(),
    reason: text("reason"),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("router_status_changes_router_idx").on(t.tenantId, t.routerId, t.at),
    foreignKey({ columns: [t.tenantId, t.routerId], foreignColumns: [routers.tenantId, routers.id] }).onDelete("cascade"),
  ],
);

export const ROUTER_ITEM_KINDS = ["hotspot_profile", "hotspot_user", "ppp_profile", "ppp_secret"] as const;
export type RouterItemKind = (typeof ROUTER_ITEM_KINDS)[number];

/**
 * What mnetifi wants on each router (desired state): profiles, hotspot users and PPP secrets
 * with their full spec. Provisioning writes here and queues an operation; drift repair compares
 * the router's tagged items with these rows and fixes the router.
 */
export const routerItems = pgTable(
  "router_items",
  {
    tenantId: uuid("tenant_id").notNull(),
    id: uuid("id").notNull().defaultRandom(),
    routerId: uuid("router_id").notNull(),
    kind: text("kind", { enum: ROUTER_ITEM_KINDS }).notNull(),
    name: text("name").notNull(),
    spec: jsonb("spec").$type<Record<string, unknown>>().notNull(),
    disabled: boolean("disabled").notNull().default(false),
    /** The record it belongs to, e.g. "voucher:<id>" (also the router-side comment tag). */
    ref: text("ref"),
    /** After this the item must be gone from the router (drift repair removes it if it is not). */
    expiresAt: timestamp("expires_at", { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex("router_items_name_key").on(t.tenantId, t.routerId, t.kind, t.name),
    foreignKey({ columns: [t.tenantId, t.routerId], foreignColumns: [routers.tenantId, routers.id] }).onDelete("cascade"),
  ],
);

export const ROUTER_OPERATION_KINDS = [
  "ensure_hotspot_profile",
  "remove_hotspot_profile",
  "ensure_hotspot_user",
  "disable_hotspot_user",
  "enable_hotspot_user",
  "remove_hotspot_user",
  "login_device",
  "kick_hotspot_user",
  "ensure_ppp_profile",
  "remove_ppp_profile",
  "ensure_ppp_secret",
  "disable_ppp_secret",
  "enable_ppp_secret",
  "remove_ppp_secret",
  "kick_ppp",
] as const;
export type RouterOperationKind = (typeof ROUTER_OPERATION_KINDS)[number];

/**
 * The provisioning outbox: one row per change to make on a router, run in seq order by that
 * router's serialized job. Pending rows are what is waiting (e.g. while the router is offline).
 */
export const routerOperations = pgTable(
  "router_operations",
  {
    tenantId: uuid("tenant_id").notNull(),
    id: uuid("id").notNull().defaultRandom(),
    /** Global order; within one router it is the order operations are applied in. */
    seq: bigserial("seq", { mode: "number" }).notNull(),
    routerId: uuid("router_id").notNull(),
    kind: text("kind", { enum: ROUTER_OPERATION_KINDS }).notNull(),
    target: text("target").notNull(),
    params: jsonb("params").$type<Record<string, unknown>>().notNull().default({}),
    status: text("status", { enum: ["pending", "done", "failed", "skipped"] }).notNull().default("pending"),
    /** Who asked: the app (a plan, voucher, subscription…) or drift repair. */
    source: text("source", { enum: ["app", "drift_repair"] }).notNull().default("app"),
    ref: text("ref"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    result: text("result"),
    /** An operation that is useless late (logging a device in) is skipped after this. */
    notAfter: timestamp("not_after", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("router_operations_pending_idx").on(t.tenantId, t.routerId, t.seq).where(sql`status = 'pending'`),
    index("router_operations_router_idx").on(t.tenantId, t.routerId, t.createdAt),
    foreignKey({ columns: [t.tenantId, t.routerId], foreignColumns: [routers.tenantId, routers.id] }).onDelete("cascade"),
  ],
);
