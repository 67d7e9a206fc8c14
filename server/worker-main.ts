// `npm run worker`: the job worker on its own (production runs it beside the web processes).
import { parseEnv } from "./env";
import { createLogger } from "./logger";
import { createDb, createQueuePool } from "../db/client";
import { createIntegrations } from "./integrations";
import { createSecretBox, encryptionKeyFrom } from "./services/secrets";
import { registerVoucherPurpose } from "./services/hotspot/portal";
import { startWorker, jobDepsFromEnv } from "./worker";

const env = (() => {
  try {
    return parseEnv({ ...process.env, WORKER_IN_PROCESS: "false" });
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
})();
if (!env.DATABASE_URL || !env.WORKER_DATABASE_URL) {
  console.error("A separate worker needs DATABASE_URL (as mnetifi_app, for tenant work) and WORKER_DATABASE_URL (as mnetifi_worker, for the queue).");
  process.exit(1);
}
const log = createLogger(env.LOG_LEVEL, false);
const db = createDb(env.DATABASE_URL);
const queue = createQueuePool(env.WORKER_DATABASE_URL);
const integrations = await createIntegrations({ ...env, SIMULATORS: false }, log);
const secrets = createSecretBox(encryptionKeyFrom(env.ENCRYPTION_KEY, "development"));
// Payments for vouchers issue them (the purpose handler needs the key for router passwords).
registerVoucherPurpose(secrets);
const worker = await startWorker(queue, db, integrations, jobDepsFromEnv(env, secrets), log, { concurrency: env.WORKER_CONCURRENCY });
log.info("worker started");
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    await worker.stop();
    await queue.end();
    await integrations.close();
    await db.$client.end();
    process.exit(0);
  });
}
await worker.promise;
