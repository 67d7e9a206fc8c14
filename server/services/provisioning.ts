// Provisioning: how the rest of mnetifi changes what is on a router (plans → profiles,
// vouchers → hotspot users, subscriptions → PPP secrets).
//
// Callers never talk to a router. In their own transaction they record the desired state
// (router_items) and an operation (router_operations, the outbox), and one job per router
// (`router_sync`, serialized on the router's queue) applies the operations in order. So a
// change exists if and only if the caller's transaction commits, an offline router simply
// keeps its operations pending, and drift repair can always rebuild a router from the
// desired state. Design §7; docs/decisions/0011-provisioning-outbox.md.
import { and, asc, desc, eq, inArray, sql } from "drizzle-orm";
import { routerItems, routerOperations, routers, type RouterItemKind, type RouterOperationKind } from "../../db/schema";
import type { Tx } from "../../db/client";
import type { SecretBox } from "./secrets";
import { enqueueJob } from "./jobs";
import { RouterError, type HotspotProfileSpec, type PppProfileSpec, type PppService, type RouterApi, type RouterTime } from "../integrations/routeros";

/** Every user and secret mnetifi creates carries a comment starting with this; others are never touched. */
export const TAG = "mnetifi";
export const tagFor = (ref: string | null | undefined) => (ref ? `${TAG}:${ref}` : TAG);
const isOurs = (comment: string) => comment === TAG || comment.startsWith(`${TAG}:`);

/** How many operations one sync reads from the outbox at a time. */
const SYNC_BATCH = 100;
/** Waits between attempts while a router cannot be reached: 5 s doubling to at most 5 minutes. */
export const retryDelaySeconds = (attempts: number) => Math.min(5 * 2 ** Math.max(0, attempts - 1), 300);

export type HotspotUserInput = {
  name: string;
  password: string;
  profile: string;
  /** Remaining uptime the router enforces by itself (design §7.5); omitted = unlimited. */
  limitUptime?: RouterTime;
  /** The plan's data cap in bytes; omitted = none. */
  limitBytesTotal?: number | null;
  ref?: string;
  expiresAt?: Date | null;
};

export type PppSecretInput = {
  name: string;
  password: string;
  profile: string;
  service?: PppService;
  remoteAddress?: string;
  ref?: string;
  expiresAt?: Date | null;
};

type Scope = { tx: Tx; tenantId: string; routerId: string; box: SecretBox };

/** Queues the router's sync job in the caller's transaction; one queue per router keeps order. */
export async function scheduleRouterSync(tx: Tx, routerId: string, runAt?: Date) {
  await enqueueJob(tx, "router_sync", { routerId }, { jobKey: `router_sync:${routerId}`, queueName: `router:${routerId}`, runAt });
}

/** Queues drift repair on the router's queue, so it runs between operations, never during one. */
export async function scheduleDriftRepair(tx: Tx, routerId: string) {
  await enqueueJob(tx, "router_drift_repair", { routerId }, { jobKey: `router_drift:${routerId}`, queueName: `router:${routerId}` });
}

async function queue(s: Scope, kind: RouterOperationKind, target: string, params: Record<string, unknown> = {}, extra: { ref?: string | null; notAfter?: Date | null; source?: "app" | "drift_repair" } = {}) {
  const [op] = await s.tx
    .insert(routerOperations)
    .values({ tenantId: s.tenantId, routerId: s.routerId, kind, target, params, ref: extra.ref ?? null, notAfter: extra.notAfter ?? null, source: extra.source ?? "app" })
    .returning({ id: routerOperations.id });
  // The router's sync job is woken at commit by a trigger (policies/40-network.sql).
  return op!.id;
}

async function upsertItem(s: Scope, kind: RouterItemKind, name: string, spec: Record<string, unknown>, opts: { ref?: string | null; expiresAt?: Date | null; disabled?: boolean } = {}) {
  await s.tx
    .insert(routerItems)
    .values({ tenantId: s.tenantId, routerId: s.routerId, kind, name, spec, ref: opts.ref ?? null, expiresAt: opts.expiresAt ?? null, disabled: opts.disabled ?? false })
    .onConflictDoUpdate({
      target: [routerItems.tenantId, routerItems.routerId, routerItems.kind, routerItems.name],
      set: { spec, ref: opts.ref ?? null, expiresAt: opts.expiresAt ?? null, ...(opts.disabled === undefined ? {} : { disabled: opts.disabled }) },
    });
}

async function dropItem(s: Scope, kind: RouterItemKind, name: string) {
  await s.tx.delete(routerItems).where(and(eq(routerItems.tenantId, s.tenantId), eq(routerItems.routerId, s.routerId), eq(routerItems.kind, kind), eq(routerItems.name, name)));
}

async function setItemDisabled(s: Scope, kind: RouterItemKind, name: string, disabled: boolean) {
  await s.tx
    .update(routerItems)
    .set({ disabled })
    .where(and(eq(routerItems.tenantId, s.tenantId), eq(routerItems.routerId, s.routerId), eq(routerItems.kind, kind), eq(routerItems.name, name)));
}

/** The provisioning operations for one router, inside the caller's transaction. */
export function provisioning(tx: Tx, tenantId: string, routerId: string, box: SecretBox) {
  const s: Scope = { tx, tenantId, routerId, box };
  return {
    async ensureHotspotProfile(spec: HotspotProfileSpec, ref?: string) {
      await upsertItem(s, "hotspot_profile", spec.name, spec, { ref });
      return queue(s, "ensure_hotspot_profile", spec.name, spec, { ref });
    },
    async removeHotspotProfile(name: string) {
      await dropItem(s, "hotspot_profile", name);
      return queue(s, "remove_hotspot_profile", name);
    },
    async ensureHotspotUser(input: HotspotUserInput) {
      const spec = { profile: input.profile, limitUptime: input.limitUptime ?? null, limitBytesTotal: input.limitBytesTotal ?? null, passwordEnc: box.encrypt(input.password), comment: tagFor(input.ref) };
      await upsertItem(s, "hotspot_user", input.name, spec, { ref: input.ref, expiresAt: input.expiresAt });
      return queue(s, "ensure_hotspot_user", input.name, spec, { ref: input.ref });
    },
    async setHotspotUserDisabled(name: string, disabled: boolean) {
      await setItemDisabled(s, "hotspot_user", name, disabled);
      return queue(s, disabled ? "disable_hotspot_user" : "enable_hotspot_user", name);
    },
    /** Removes the user and, by default, ends its live sessions (RouterOS keeps them otherwise). */
    async removeHotspotUser(name: string, opts: { kick?: boolean } = {}) {
      await dropItem(s, "hotspot_user", name);
      const id = await queue(s, "remove_hotspot_user", name);
      if (opts.kick !== false) await queue(s, "kick_hotspot_user", name);
      return id;
    },
    /** Logs a device in from the router side; useless once the customer has given up, so it has a deadline. */
    async loginDevice(input: { user: string; password: string; mac: string; ip: string }, opts: { notAfter?: Date; ref?: string } = {}) {
      const notAfter = opts.notAfter ?? new Date(Date.now() + 10 * 60_000);
      return queue(s, "login_device", input.user, { mac: input.mac, ip: input.ip, passwordEnc: box.encrypt(input.password) }, { notAfter, ref: opts.ref });
    },
    /** Ends the user's sessions on this router; with `mac`, only that device's. */
    kickHotspotUser(name: string, opts: { mac?: string } = {}) {
      return queue(s, "kick_hotspot_user", name, opts.mac ? { mac: opts.mac } : {});
    },
    async ensurePppProfile(spec: PppProfileSpec, ref?: string) {
      await upsertItem(s, "ppp_profile", spec.name, spec, { ref });
      return queue(s, "ensure_ppp_profile", spec.name, spec, { ref });
    },
    async removePppProfile(name: string) {
      await dropItem(s, "ppp_profile", name);
      return queue(s, "remove_ppp_profile", name);
    },
    async ensurePppSecret(input: PppSecretInput) {
      const spec = { profile: input.profile, service: input.service ?? "pppoe", remoteAddress: input.remoteAddress ?? null, passwordEnc: box.encrypt(input.password), comment: tagFor(input.ref) };
      await upsertItem(s, "ppp_secret", input.name, spec, { ref: input.ref, expiresAt: input.expiresAt });
      return queue(s, "ensure_ppp_secret", input.name, spec, { ref: input.ref });
    },
    async setPppSecretDisabled(name: string, disabled: boolean, opts: { kick?: boolean } = {}) {
      await setItemDisabled(s, "ppp_secret", name, disabled);
      const id = await queue(s, disabled ? "disable_ppp_secret" : "enable_ppp_secret", name);
      if (disabled && opts.kick !== false) await queue(s, "kick_ppp", name);
      return id;
    },
    async removePppSecret(name: string, opts: { kick?: boolean } = {}) {
      await dropItem(s, "ppp_secret", name);
      const id = await queue(s, "remove_ppp_secret", name);
      if (opts.kick !== false) await queue(s, "kick_ppp", name);
      return id;
    },
    kickPpp(name: string) {
      return queue(s, "kick_ppp", name);
    },
  };
}

// ---------- applying operations (the router_sync job) ----------

type OperationRow = typeof routerOperations.$inferSelect;
type Params = Record<string, unknown>;
const str = (v: unknown) => (typeof v === "string" ? v : "");
const time = (v: unknown): RouterTime | undefined => (typeof v === "string" || typeof v === "number" ? v : undefined);

/** Runs one operation on a connected router; returns what happened in a few words. */
export async function runOperation(api: RouterApi, op: Pick<OperationRow, "kind" | "target" | "params">, box: SecretBox): Promise<string> {
  const p: Params = op.params ?? {};
  const password = () => box.decrypt(str(p.passwordEnc));
  switch (op.kind) {
    case "ensure_hotspot_profile":
      return api.ensureHotspotProfile({
        name: op.target,
        rateLimit: str(p.rateLimit),
        sharedUsers: Number(p.sharedUsers ?? 1),
        idleTimeout: time(p.idleTimeout) ?? "none",
        sessionTimeout: time(p.sessionTimeout),
      });
    case "remove_hotspot_profile":
      return api.removeHotspotProfile(op.target);
    case "ensure_hotspot_user":
      return api.ensureHotspotUser({ name: op.target, password: password(), profile: str(p.profile), limitUptime: time(p.limitUptime), limitBytesTotal: Number(p.limitBytesTotal ?? 0) || undefined, comment: str(p.comment) || TAG });
    case "disable_hotspot_user":
    case "enable_hotspot_user":
      return api.setHotspotUserDisabled(op.target, op.kind === "disable_hotspot_user");
    case "remove_hotspot_user":
      return api.removeHotspotUser(op.target);
    case "login_device":
      return api.loginDevice({ user: op.target, password: password(), mac: str(p.mac), ip: str(p.ip) });
    case "kick_hotspot_user":
      return `ended ${await api.kickHotspotUser(op.target, { mac: str(p.mac) || undefined })} session(s)`;
    case "ensure_ppp_profile":
      return api.ensurePppProfile({ name: op.target, rateLimit: str(p.rateLimit), localAddress: str(p.localAddress) || undefined, remoteAddress: str(p.remoteAddress) || undefined });
    case "remove_ppp_profile":
      return api.removePppProfile(op.target);
    case "ensure_ppp_secret":
      return api.ensurePppSecret({
        name: op.target,
        password: password(),
        profile: str(p.profile),
        service: (str(p.service) || "pppoe") as PppService,
        remoteAddress: str(p.remoteAddress) || undefined,
        comment: str(p.comment) || TAG,
      });
    case "disable_ppp_secret":
    case "enable_ppp_secret":
      return api.setPppSecretDisabled(op.target, op.kind === "disable_ppp_secret");
    case "remove_ppp_secret":
      return api.removePppSecret(op.target);
    case "kick_ppp":
      return `ended ${await api.kickPpp(op.target)} session(s)`;
  }
}

/** Profile changes: users and secrets refer to profiles, so these never overlap anything else. */
const BARRIER_KINDS = new Set<OperationRow["kind"]>(["ensure_hotspot_profile", "remove_hotspot_profile", "ensure_ppp_profile", "remove_ppp_profile"]);
/** Commands in flight at once on one router connection (the API tags each one). */
const PIPELINE = 8;

/**
 * Applies a batch in the router's order where order matters, and side by side where it does not:
 * operations on the same user or secret run one after another, different ones run together (up
 * to PIPELINE at once), and a profile change waits for everything before it and holds back
 * everything after it. On a failure that is not the router refusing one command (the connection
 * went), nothing new starts, what is in flight settles, and the error goes up.
 */
export async function applyBatch<T extends Pick<OperationRow, "kind" | "target">>(batch: T[], apply: (op: T) => Promise<void>): Promise<void> {
  for (let i = 0; i < batch.length; ) {
    if (BARRIER_KINDS.has(batch[i]!.kind)) {
      await apply(batch[i++]!);
      continue;
    }
    const byTarget = new Map<string, T[]>();
    for (; i < batch.length && !BARRIER_KINDS.has(batch[i]!.kind); i++) {
      const op = batch[i]!;
      byTarget.set(op.target, [...(byTarget.get(op.target) ?? []), op]);
    }
    const lanes = [...byTarget.values()];
    let failure: { err: unknown } | null = null;
    const worker = async () => {
      for (let lane = lanes.shift(); lane && !failure; lane = lanes.shift()) {
        for (const op of lane) {
          if (failure) return;
          try {
            await apply(op);
          } catch (err) {
            failure ??= { err };
          }
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PIPELINE, lanes.length) }, worker));
    if (failure) throw (failure as { err: unknown }).err;
  }
}

export type InTenant = <T>(step: (tx: Tx) => Promise<T>) => Promise<T>;
export type Connect = <T>(router: typeof routers.$inferSelect, fn: (api: RouterApi) => Promise<T>) => Promise<T>;
export type SyncResult = { done: number; failed: number; skipped: number; waiting: number; error?: string };

export async function pendingOperations(tx: Tx, tenantId: string, routerId: string, limit = SYNC_BATCH) {
  return tx
    .select()
    .from(routerOperations)
    .where(and(eq(routerOperations.tenantId, tenantId), eq(routerOperations.routerId, routerId), eq(routerOperations.status, "pending")))
    .orderBy(asc(routerOperations.seq))
    .limit(limit);
}

type Finished = { id: string; status: "done" | "failed" | "skipped"; at: Date; result: string | null; lastError: string | null };

/** Records several operations' outcomes in one statement (one commit instead of one each). */
async function finishMany(tx: Tx, tenantId: string, rows: Finished[]) {
  const values = sql.join(
    rows.map((r) => sql`(${r.id}::uuid, ${r.status}::text, ${r.at.toISOString()}::timestamptz, ${r.result}::text, ${r.lastError}::text)`),
    sql`, `,
  );
  await tx.execute(sql`
    update router_operations o
       set status = v.status, finished_at = v.finished_at, result = v.result, last_error = v.last_error, attempts = o.attempts + 1
      from (values ${values}) as v(id, status, finished_at, result, last_error)
     where o.tenant_id = ${tenantId} and o.id = v.id`);
}

/**
 * Applies a router's pending operations in order over one connection, and keeps draining what
 * arrives meanwhile (a burst of purchases rides one connection instead of waiting for new jobs).
 * A refusal by the router (a trap: e.g. an unknown profile) fails that operation visibly and goes
 * on; losing the router stops, leaves the rest pending with the reason, and schedules the next try.
 */
export async function syncRouter(inTenant: InTenant, tenantId: string, routerId: string, connect: Connect, box: SecretBox, now = () => new Date(), opts: { drainMs?: number } = {}): Promise<SyncResult> {
  const loaded = await inTenant(async (tx) => {
    const [router] = await tx.select().from(routers).where(and(eq(routers.tenantId, tenantId), eq(routers.id, routerId)));
    return router ? { router, ops: await pendingOperations(tx, tenantId, routerId) } : null;
  });
  const result: SyncResult = { done: 0, failed: 0, skipped: 0, waiting: 0 };
  if (!loaded || loaded.ops.length === 0) return result;
  const started = Date.now();
  let more = false;
  // Outcomes are written in small groups while the next commands run (a few statements, not
  // one transaction per operation); each keeps the time it really finished.
  const writes: Promise<void>[] = [];
  const finished: Finished[] = [];
  const flush = () => {
    const rows = finished.splice(0);
    if (rows.length) writes.push(inTenant((tx) => finishMany(tx, tenantId, rows)));
  };
  const record = async (id: string, status: Finished["status"], fields: { result?: string; lastError?: string }) => {
    finished.push({ id, status, at: now(), result: fields.result ?? null, lastError: fields.lastError ?? null });
    if (finished.length >= PIPELINE) flush();
    if (writes.length >= 2) await Promise.all(writes.splice(0));
  };
  const applyOne = async (api: RouterApi, op: OperationRow) => {
    if (op.notAfter && op.notAfter < now()) {
      await record(op.id, "skipped", { lastError: "Too late: the router could not be reached in time." });
      result.skipped++;
      return;
    }
    try {
      await record(op.id, "done", { result: await runOperation(api, op, box) });
      result.done++;
    } catch (err) {
      if (!(err instanceof RouterError && err.kind === "trap")) throw err;
      await record(op.id, "failed", { lastError: err.message });
      result.failed++;
    }
  };
  try {
    await connect(loaded.router, async (api) => {
      for (let batch = loaded.ops; batch.length > 0; ) {
        await applyBatch(batch, (op) => applyOne(api, op));
        // Everything so far is recorded before looking for more, so nothing is taken twice.
        flush();
        await Promise.all(writes.splice(0));
        if (Date.now() - started > (opts.drainMs ?? 15_000)) {
          more = true;
          break;
        }
        batch = await inTenant((tx) => pendingOperations(tx, tenantId, routerId));
      }
    });
  } catch (err) {
    flush();
    await Promise.allSettled(writes.splice(0));
    if (!(err instanceof RouterError)) throw err;
    result.error = err.message;
    await inTenant(async (tx) => {
      const updated = await tx
        .update(routerOperations)
        .set({ attempts: sql`${routerOperations.attempts} + 1`, lastError: err.message })
        .where(and(eq(routerOperations.tenantId, tenantId), eq(routerOperations.routerId, routerId), eq(routerOperations.status, "pending")))
        .returning({ attempts: routerOperations.attempts });
      result.waiting = updated.length;
      const attempts = Math.max(1, ...updated.map((u) => u.attempts));
      await scheduleRouterSync(tx, routerId, new Date(now().getTime() + retryDelaySeconds(attempts) * 1000));
    });
    return result;
  }
  // Still busy after the drain window: carry on in a fresh job so other routers get a turn.
  if (more) await inTenant((tx) => scheduleRouterSync(tx, routerId));
  return result;
}

/** Puts failed or skipped operations back in the queue (the "Retry" button). */
export async function retryOperations(tx: Tx, tenantId: string, routerId: string, ids?: string[]) {
  const rows = await tx
    .update(routerOperations)
    .set({ status: "pending", finishedAt: null, notAfter: null })
    .where(
      and(
        eq(routerOperations.tenantId, tenantId),
        eq(routerOperations.routerId, routerId),
        inArray(routerOperations.status, ["failed", "skipped"]),
        ids ? inArray(routerOperations.id, ids) : undefined,
      ),
    )
    .returning({ id: routerOperations.id });
  if (rows.length > 0) await scheduleRouterSync(tx, routerId);
  return rows.length;
}

export async function listOperations(tx: Tx, tenantId: string, routerId: string, limit = 50) {
  return tx
    .select({
      id: routerOperations.id,
      kind: routerOperations.kind,
      target: routerOperations.target,
      status: routerOperations.status,
      source: routerOperations.source,
      attempts: routerOperations.attempts,
      lastError: routerOperations.lastError,
      result: routerOperations.result,
      createdAt: routerOperations.createdAt,
      finishedAt: routerOperations.finishedAt,
    })
    .from(routerOperations)
    .where(and(eq(routerOperations.tenantId, tenantId), eq(routerOperations.routerId, routerId)))
    .orderBy(desc(routerOperations.seq))
    .limit(limit);
}

/** Pending and failed operations per router, for the routers list. */
export async function operationCounts(tx: Tx, tenantId: string) {
  const rows = await tx
    .select({ routerId: routerOperations.routerId, status: routerOperations.status, n: sql<number>`count(*)::int` })
    .from(routerOperations)
    .where(and(eq(routerOperations.tenantId, tenantId), inArray(routerOperations.status, ["pending", "failed"])))
    .groupBy(routerOperations.routerId, routerOperations.status);
  const out = new Map<string, { pending: number; failed: number }>();
  for (const r of rows) {
    const c = out.get(r.routerId) ?? { pending: 0, failed: 0 };
    c[r.status as "pending" | "failed"] = r.n;
    out.set(r.routerId, c);
  }
  return out;
}

// ---------- drift repair ----------

export type DriftChange = { kind: RouterOperationKind; target: string; why: string; result: string };

/**
 * Compares the router's tagged hotspot users and PPP secrets (and the profiles they use) with
 * the desired state and fixes the router: missing items are added, changed ones converged,
 * expired or deleted ones removed. Items without mnetifi's tag are never touched. Runs on the
 * router's queue, so it never races the operations; while operations are pending it waits.
 */
export async function repairDrift(inTenant: InTenant, tenantId: string, routerId: string, connect: Connect, box: SecretBox, now = () => new Date()) {
  const loaded = await inTenant(async (tx) => {
    const [router] = await tx.select().from(routers).where(and(eq(routers.tenantId, tenantId), eq(routers.id, routerId)));
    if (!router) return null;
    const pending = await pendingOperations(tx, tenantId, routerId, 1);
    const items = await tx.select().from(routerItems).where(and(eq(routerItems.tenantId, tenantId), eq(routerItems.routerId, routerId)));
    return { router, pending: pending.length > 0, items };
  });
  if (!loaded) return { status: "gone" as const, changes: [] };
  if (loaded.pending) {
    await inTenant((tx) => scheduleRouterSync(tx, routerId));
    return { status: "pending_operations" as const, changes: [] };
  }
  const at = now();
  const live = loaded.items.filter((i) => !i.expiresAt || i.expiresAt > at);
  const want = (kind: RouterItemKind) => new Map(live.filter((i) => i.kind === kind).map((i) => [i.name, i]));
  const changes: DriftChange[] = [];

  await connect(loaded.router, async (api) => {
    const apply = async (kind: RouterOperationKind, target: string, params: Params, why: string) => {
      const result = await runOperation(api, { kind, target, params }, box);
      if (result !== "unchanged") changes.push({ kind, target, why, result });
    };
    // Profiles first: users and secrets refer to them. ensure* is idempotent and cheap.
    for (const item of want("hotspot_profile").values()) await apply("ensure_hotspot_profile", item.name, item.spec, "profile differs from the plan");
    for (const item of want("ppp_profile").values()) await apply("ensure_ppp_profile", item.name, item.spec, "profile differs from the plan");

    const users = want("hotspot_user");
    const onRouter = await api.listHotspotUsers({ commentPrefix: TAG });
    for (const u of onRouter.filter((x) => isOurs(x.comment))) {
      const item = users.get(u.name);
      if (!item) {
        await apply("remove_hotspot_user", u.name, {}, "expired or deleted in mnetifi");
        await apply("kick_hotspot_user", u.name, {}, "expired or deleted in mnetifi");
        continue;
      }
      users.delete(u.name);
      const cap = Number(item.spec.limitBytesTotal ?? 0) || null;
      if (u.profile !== item.spec.profile || u.comment !== item.spec.comment || u.limitBytesTotal !== cap) await apply("ensure_hotspot_user", u.name, item.spec, "changed on the router");
      if (u.disabled !== item.disabled) await apply(item.disabled ? "disable_hotspot_user" : "enable_hotspot_user", u.name, {}, "enabled/disabled on the router");
    }
    for (const item of users.values()) {
      await apply("ensure_hotspot_user", item.name, item.spec, "missing on the router");
      if (item.disabled) await apply("disable_hotspot_user", item.name, {}, "missing on the router");
    }

    const secrets = want("ppp_secret");
    const secretsOnRouter = await api.listPppSecrets({ commentPrefix: TAG });
    for (const p of secretsOnRouter.filter((x) => isOurs(x.comment))) {
      const item = secrets.get(p.name);
      if (!item) {
        await apply("remove_ppp_secret", p.name, {}, "expired or deleted in mnetifi");
        await apply("kick_ppp", p.name, {}, "expired or deleted in mnetifi");
        continue;
      }
      secrets.delete(p.name);
      if (p.profile !== item.spec.profile || p.comment !== item.spec.comment || p.service !== item.spec.service) await apply("ensure_ppp_secret", p.name, item.spec, "changed on the router");
      if (p.disabled !== item.disabled) await apply(item.disabled ? "disable_ppp_secret" : "enable_ppp_secret", p.name, {}, "enabled/disabled on the router");
    }
    for (const item of secrets.values()) {
      await apply("ensure_ppp_secret", item.name, item.spec, "missing on the router");
      if (item.disabled) await apply("disable_ppp_secret", item.name, {}, "missing on the router");
    }
  });

  // What drift repair changed is recorded like any operation (source drift_repair), so the
  // router's page shows it; kicks that ended nothing are not worth a line.
  const recorded = changes.filter((c) => c.result !== "ended 0 session(s)" && c.result !== "missing");
  if (recorded.length > 0) {
    await inTenant(async (tx) => {
      await tx.insert(routerOperations).values(
        recorded.map((c) => ({
          tenantId,
          routerId,
          kind: c.kind,
          target: c.target,
          status: "done" as const,
          source: "drift_repair" as const,
          attempts: 1,
          result: `${c.result}: ${c.why}`,
          finishedAt: at,
        })),
      );
    });
  }
  return { status: "checked" as const, changes: recorded };
}
