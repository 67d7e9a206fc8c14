import type { Task, JobHelpers } from "graphile-worker";
import { withTenant, withPlatform, type Db, type Tx } from "../db/client";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type TenantJob<P> = { tenantId: string; payload: P; tx: Tx; helpers: JobHelpers };

/**
 * Wraps a task that touches tenant data: it runs in one transaction with the RLS context of
 * the tenant recorded in the job (app_public.enqueue_job put it there). A throw rolls back
 * and graphile-worker retries with backoff. A payload without a tenant is a bug: it fails
 * loudly rather than running with no isolation.
 */
export function tenantTask<P extends Record<string, unknown>>(db: Db, fn: (job: TenantJob<P>) => Promise<void>): Task {
  return async (raw, helpers) => {
    const payload = (raw ?? {}) as P & { tenant_id?: unknown };
    const tenantId = payload.tenant_id;
    if (typeof tenantId !== "string" || !UUID.test(tenantId)) {
      throw new Error(`job ${helpers.job.task_identifier}#${helpers.job.id} has no tenant_id; refusing to run it without a tenant`);
    }
    await withTenant(db, tenantId, { actorKind: "system", requestId: `job:${helpers.job.id}` }, (tx) => fn({ tenantId, payload, tx, helpers }));
  };
}

/**
 * Wraps a platform-wide task (sweeps over global tables) in the platform context. A job that
 * a tenant enqueued carries its tenant_id and is refused: a tenant must never be able to start
 * work that runs with platform rights.
 */
export function platformTask<P extends Record<string, unknown>>(db: Db, fn: (job: { payload: P; tx: Tx; helpers: JobHelpers }) => Promise<void>): Task {
  return async (raw, helpers) => {
    if ((raw as { tenant_id?: unknown } | null)?.tenant_id != null) {
      throw new Error(`job ${helpers.job.task_identifier}#${helpers.job.id} was enqueued by a tenant; platform tasks only run for the platform`);
    }
    await withPlatform(db, { actorKind: "system", requestId: `job:${helpers.job.id}` }, (tx) => fn({ payload: (raw ?? {}) as P, tx, helpers }));
  };
}

/**
 * For tasks that call an outside system (Daraja, a router): the HTTP call must not hold a
 * database transaction open, so the task gets `inTenant(fn)` to open short tenant
 * transactions around it instead of one transaction around everything.
 */
export function tenantSteps<P extends Record<string, unknown>>(
  db: Db,
  fn: (job: { tenantId: string; payload: P; helpers: JobHelpers; inTenant: <T>(step: (tx: Tx) => Promise<T>) => Promise<T> }) => Promise<void>,
): Task {
  return async (raw, helpers) => {
    const payload = (raw ?? {}) as P & { tenant_id?: unknown };
    const tenantId = payload.tenant_id;
    if (typeof tenantId !== "string" || !UUID.test(tenantId)) {
      throw new Error(`job ${helpers.job.task_identifier}#${helpers.job.id} has no tenant_id; refusing to run it without a tenant`);
    }
    const inTenant = <T>(step: (tx: Tx) => Promise<T>) => withTenant(db, tenantId, { actorKind: "system", requestId: `job:${helpers.job.id}` }, step);
    await fn({ tenantId, payload, helpers, inTenant });
  };
}
