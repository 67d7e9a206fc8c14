import { sql } from "drizzle-orm";
import type { Tx } from "../../db/client";

export type EnqueueOptions = {
  runAt?: Date;
  jobKey?: string;
  maxAttempts?: number;
  priority?: number;
  /** Jobs in one queue run one at a time, in order (e.g. everything for one router). */
  queueName?: string;
  /** graphile-worker's job_key_mode; "preserve_run_at" keeps an already scheduled run time. */
  jobKeyMode?: "replace" | "preserve_run_at" | "unsafe_dedupe";
};

/**
 * Adds a job in the caller's transaction (tenant or platform context), through the
 * app_public.enqueue_job security-definer function: the job exists if and only if the change
 * that caused it commits, and its tenant is the transaction's, never one the caller names.
 */
export async function enqueueJob(tx: Tx, task: string, payload: Record<string, unknown> = {}, opts: EnqueueOptions = {}) {
  const res = await tx.execute<{ id: string }>(sql`
    select app_public.enqueue_job(
      task => ${task}, payload => ${JSON.stringify(payload)}::jsonb,
      run_at => ${opts.runAt?.toISOString() ?? null}::timestamptz, job_key => ${opts.jobKey ?? null},
      max_attempts => ${opts.maxAttempts ?? null}::int, priority => ${opts.priority ?? null}::int,
      queue_name => ${opts.queueName ?? null}, job_key_mode => ${opts.jobKeyMode ?? null}) as id`);
  return res.rows[0]!.id;
}
