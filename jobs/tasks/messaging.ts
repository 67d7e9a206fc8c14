import type { Task } from "graphile-worker";
import type { Db } from "../../db/client";
import { tenantSteps, tenantTask } from "../tenant-task";
import { sendQueuedMessage, type OutboxDeps } from "../../server/services/messaging/outbox";
import { startBroadcast } from "../../server/services/messaging/broadcasts";

/** Sends one message; a transient failure throws so graphile-worker retries it with backoff. */
export const sendMessage = (db: Db, deps: OutboxDeps): Task =>
  tenantSteps<{ messageId: string }>(db, async ({ tenantId, payload, inTenant, helpers }) => {
    await sendQueuedMessage(deps, inTenant, tenantId, payload.messageId, { number: helpers.job.attempts, max: helpers.job.max_attempts });
  });

/** Starts a broadcast at its time: resolves the segment and queues its messages, spaced to the provider's rate. */
export const broadcastSend = (db: Db, deps: OutboxDeps): Task =>
  tenantTask<{ broadcastId: string }>(db, async ({ tx, tenantId, payload, helpers }) => {
    const r = await startBroadcast(tx, tenantId, payload.broadcastId, deps.secrets);
    helpers.logger.info(`broadcast ${payload.broadcastId}: ${r.status}, ${r.recipients} recipient(s)`);
  });
