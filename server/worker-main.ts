// `npm run worker`: the job worker on its own (production runs it beside the web processes).
import { parseEnv } from "./env";
import { createLogger } from "./logger";
import { createDb } from "../db/client";
import { startWorker } from "./worker";

const env = (() => {
  try {
    return parseEnv({ ...process.env, WORKER_IN_PROCESS: "false" });
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
})();
if (!env.DATABASE_URL) {
  console.error("DATABASE_URL is not set: a separate worker needs the database the web processes use (as mnetifi_app).");
  process.exit(1);
}
const log = createLogger(env.LOG_LEVEL, false);
const db = createDb(env.DATABASE_URL);
const worker = await startWorker(db, log, { concurrency: env.WORKER_CONCURRENCY });
log.info("worker started");
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, async () => {
    await worker.stop();
    await db.$client.end();
    process.exit(0);
  });
}
await worker.promise;
