import pg from "pg";
import { AsyncLocalStorage } from "node:async_hooks";
import { sql } from "drizzle-orm";
import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import * as schema from "./schema";

export type Db = NodePgDatabase<typeof schema> & { $client: pg.Pool };
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

export function createDb(appUrl: string, opts: { max?: number } = {}): Db {
  const pool = new pg.Pool({ connectionString: appUrl, max: opts.max ?? 10, application_name: "mnetifi" });
  // A broken idle connection must not crash the process; the pool drops it and reconnects.
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  return drizzle(pool, { schema }) as Db;
}

/** A plain pool for graphile-worker's queue, connected as mnetifi_worker. */
export function createQueuePool(workerUrl: string, opts: { max?: number } = {}): pg.Pool {
  const pool = new pg.Pool({ connectionString: workerUrl, max: opts.max ?? 5, application_name: "mnetifi-worker" });
  pool.on("error", () => {});
  pool.on("connect", (client) => client.on("error", () => {}));
  return pool;
}

/** Who is acting, recorded by the audit trigger through transaction-local settings. */
export type Actor = {
  userId?: string | null;
  actorKind?: "user" | "platform_user" | "system" | "anonymous";
  impersonatorId?: string | null;
  requestId?: string | null;
  ip?: string | null;
  userAgent?: string | null;
};

// The platform user acting as an ISP (impersonation) for everything a request does, including
// services that open their own withTenant() with an actor of their own (e.g. an STK push).
const impersonator = new AsyncLocalStorage<string>();

/** Runs fn with every withTenant() inside it audited as done by this impersonating admin. */
export function withImpersonator<T>(adminId: string | null | undefined, fn: () => Promise<T>): Promise<T> {
  return adminId ? impersonator.run(adminId, fn) : fn();
}

async function setContext(tx: Tx, values: Record<string, string | null | undefined>) {
  // set_config(..., true) is transaction-local: nothing leaks to the next user of the pooled
  // connection. (SET LOCAL cannot take bind parameters.)
  const entries = Object.entries(values);
  const parts = entries.map(([k, v]) => sql`set_config(${k}, ${v ?? ""}, true)`);
  await tx.execute(sql`select ${sql.join(parts, sql`, `)}`);
}

/**
 * Runs fn in one transaction whose row-level security context is the given tenant. Every
 * request and job touching tenant data goes through here. Throwing inside rolls back.
 */
export async function withTenant<T>(db: Db, tenantId: string, actor: Actor | string | null, fn: (tx: Tx) => Promise<T>): Promise<T> {
  if (!/^[0-9a-f-]{36}$/i.test(tenantId)) throw new Error("withTenant: tenantId must be a uuid");
  const a: Actor = typeof actor === "string" ? { userId: actor, actorKind: "user" } : (actor ?? { actorKind: "system" });
  return db.transaction(async (tx) => {
    await setContext(tx, {
      "app.tenant_id": tenantId,
      "app.user_id": a.userId,
      "app.actor_kind": a.actorKind ?? (a.userId ? "user" : "system"),
      "app.impersonator_id": a.impersonatorId ?? impersonator.getStore(),
      "app.request_id": a.requestId,
      "app.ip": a.ip,
      "app.user_agent": a.userAgent?.slice(0, 400),
    });
    return fn(tx);
  });
}

/**
 * Moves an open platform transaction into one tenant as well (platform + tenant context): for
 * the few platform operations that must create or repair one ISP's rows atomically, such as
 * registration. Audited like everything else.
 */
export async function enterTenant(tx: Tx, tenantId: string) {
  await setContext(tx, { "app.tenant_id": tenantId });
}

/** Runs fn in one transaction in the platform console's context (global tables, no tenant). */
export async function withPlatform<T>(db: Db, actor: Actor | null, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const a: Actor = actor ?? { actorKind: "system" };
  return db.transaction(async (tx) => {
    await setContext(tx, {
      "app.is_platform": "on",
      "app.user_id": a.userId,
      "app.actor_kind": a.actorKind ?? (a.userId ? "platform_user" : "system"),
      "app.request_id": a.requestId,
      "app.ip": a.ip,
      "app.user_agent": a.userAgent?.slice(0, 400),
    });
    return fn(tx);
  });
}

/** Runs fn in a transaction with no tenant and no platform context: sees no tenant rows at all. */
export async function withAnonymous<T>(db: Db, fn: (tx: Tx) => Promise<T>): Promise<T> {
  return db.transaction(fn);
}
