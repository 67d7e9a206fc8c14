import { run, type Runner, type TaskList } from "graphile-worker";
import type { Logger } from "pino";
import { Logger as WorkerLogger } from "graphile-worker";
import type pg from "pg";
import { withPlatform, type Db } from "../db/client";
import { enqueueJob } from "./services/jobs";
import type { Integrations } from "./integrations";
import { buildTaskList, CRONTAB, type JobDeps } from "../jobs";
import type { Env } from "./env";
import type { SecretBox } from "./services/secrets";
import { siteUrl } from "./context";

/** What the tasks need from the environment (the same for `npm start` and a separate worker). */
export function jobDepsFromEnv(env: Env, secrets: SecretBox): JobDeps {
  return {
    secrets,
    publicBaseUrl: env.PUBLIC_BASE_URL,
    routerPollSeconds: env.ROUTER_POLL_SECONDS,
    routerUrl: (slug, id) => siteUrl(env, slug, `/dashboard/routers/${id}`),
    billingLinks: { billingUrl: (slug) => siteUrl(env, slug, "/dashboard/billing") },
  };
}

/**
 * Starts graphile-worker: the queue on the worker role's pool (the owner already migrated its
 * schema), the tasks' tenant work on the app role's db through withTenant().
 */
export async function startWorker(queue: pg.Pool, db: Db, integrations: Integrations, deps: JobDeps, log: Logger, opts: { concurrency: number; taskList?: TaskList; crontab?: string }): Promise<Runner> {
  const logger = new WorkerLogger((scope) => (level, message, meta) => {
    const child = log.child({ worker: scope.label ?? "worker", task: scope.taskIdentifier, jobId: scope.jobId });
    const fn = level === "error" ? child.error : level === "warning" ? child.warn : level === "debug" ? child.debug : child.info;
    fn.call(child, meta ?? {}, message);
  });
  const runner = await run({
    pgPool: queue,
    concurrency: opts.concurrency,
    taskList: opts.taskList ?? buildTaskList(db, integrations, deps),
    crontab: opts.crontab ?? CRONTAB,
    noHandleSignals: true,
    // New jobs arrive by LISTEN/NOTIFY; polling only catches a job added while its queue was busy.
    pollInterval: 1000,
    logger,
  });
  // Monitoring starts at once rather than at the next cron minute: every verified router gets
  // its poll scheduled (polls then reschedule themselves).
  if (!opts.taskList) await withPlatform(db, { actorKind: "system", requestId: "worker-start" }, (tx) => enqueueJob(tx, "routers_sweep", {}, { jobKey: "routers_sweep_start" }));
  return runner;
}
