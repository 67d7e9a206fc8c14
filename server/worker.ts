import { run, type Runner, type TaskList } from "graphile-worker";
import type { Logger } from "pino";
import { Logger as WorkerLogger } from "graphile-worker";
import type { Db } from "../db/client";
import { buildTaskList, CRONTAB } from "../jobs";

/** Starts graphile-worker on the app role's pool (the owner already migrated its schema). */
export async function startWorker(db: Db, log: Logger, opts: { concurrency: number; taskList?: TaskList; crontab?: string }): Promise<Runner> {
  const logger = new WorkerLogger((scope) => (level, message, meta) => {
    const child = log.child({ worker: scope.label ?? "worker", task: scope.taskIdentifier, jobId: scope.jobId });
    const fn = level === "error" ? child.error : level === "warning" ? child.warn : level === "debug" ? child.debug : child.info;
    fn.call(child, meta ?? {}, message);
  });
  return run({
    pgPool: db.$client,
    concurrency: opts.concurrency,
    taskList: opts.taskList ?? buildTaskList(db),
    crontab: opts.crontab ?? CRONTAB,
    noHandleSignals: true,
    pollInterval: 2000,
    logger,
  });
}
