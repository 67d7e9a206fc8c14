// `npm start`: the whole product in one process — database (embedded unless DATABASE_URL),
// migrations, demo seed, web server and worker. Ctrl-C stops everything cleanly.
import path from "node:path";
import type { Server } from "node:http";
import { fileURLToPath } from "node:url";
import type { Runner } from "graphile-worker";
import { parseEnv, type Env } from "./env";
import { createLogger } from "./logger";
import { prepareDatabase } from "./database";
import { createDb, createQueuePool } from "../db/client";
import { createIntegrations } from "./integrations";
import { createSecretBox, encryptionKeyFrom } from "./services/secrets";
import { registerVoucherPurpose } from "./services/hotspot/portal";
import { seedDemo, seedDemoMessaging, seedDemoHotspot, DEMO } from "../db/seed";
import { createHttpApp } from "./http";
import { startWorker, jobDepsFromEnv } from "./worker";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

let env: Env;
try {
  env = parseEnv();
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
const log = createLogger(env.LOG_LEVEL, env.NODE_ENV !== "production" && process.stdout.isTTY);

const database = await prepareDatabase(env, log).catch((err) => {
  log.fatal({ err }, "database could not be prepared");
  process.exit(1);
});
const db = createDb(database.appUrl);
const secrets = createSecretBox(encryptionKeyFrom(env.ENCRYPTION_KEY, database.localSecret ?? "development"));
// Payments for vouchers issue them (the purpose handler needs the key for router passwords).
registerVoucherPurpose(secrets);
const integrations = await createIntegrations(env, log);
const simRouters = (integrations.sims?.routers ?? []).map((r, i) => ({ port: r.port, name: ["Kasarani hAP", "Roysambu CCR"][i] ?? `Router ${i + 1}` }));
if (database.embedded || process.env.SEED_DEMO === "true") {
  await seedDemo(db, secrets, simRouters);
  await seedDemoHotspot(db, secrets);
  if (integrations.sims) await seedDemoMessaging(db, secrets, integrations, env.PUBLIC_BASE_URL);
}

const app = await createHttpApp({ db, env, log, root, secrets, integrations });
const server: Server = await new Promise((resolve) => {
  const s = app.listen(env.PORT, () => resolve(s));
});
let worker: Runner | undefined;
const queue = env.WORKER_IN_PROCESS === "true" ? workerPool() : undefined;
if (queue) worker = await startWorker(queue, db, integrations, jobDepsFromEnv(env, secrets), log, { concurrency: env.WORKER_CONCURRENCY });

function workerPool() {
  if (!database.workerUrl) {
    log.fatal("WORKER_DATABASE_URL is not set: the in-process worker needs the mnetifi_worker role (or set WORKER_IN_PROCESS=false).");
    process.exit(1);
  }
  return createQueuePool(database.workerUrl);
}

const scheme = env.NODE_ENV === "production" ? "https" : "http";
console.log(`
  mnetifi is running${database.embedded ? " on the embedded PostgreSQL (data in " + env.DATA_DIR + ")" : ""}

  Public site        ${scheme}://${env.APP_DOMAIN}/
  Demo ISP           ${scheme}://${DEMO.isp.slug}.${env.APP_DOMAIN}/login    ${DEMO.owner.username} / ${DEMO.owner.password}
  Platform console   ${scheme}://admin.${env.APP_DOMAIN}/login    ${DEMO.superAdmin.username} / ${DEMO.superAdmin.password}
  Health             ${scheme}://${env.APP_DOMAIN}/healthz${integrations.sims ? `
  Email inbox (sim)  ${scheme}://${env.APP_DOMAIN}/dev/inbox
  SMS sent (sim)     ${integrations.sims.sms.baseUrl}/_sim/messages
  Daraja (sim)       ${integrations.sims.daraja.baseUrl}/_sim/requests
  Routers (sim)      RouterOS API on 127.0.0.1:${integrations.sims.routers.map((r) => r.port).join(" and :")}` : ""}
`);

let stopping = false;
async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, "shutting down");
  const force = setTimeout(() => process.exit(1), 15000).unref();
  await new Promise<void>((r) => server.close(() => r()));
  server.closeAllConnections?.();
  await worker?.stop().catch(() => {});
  await queue?.end().catch(() => {});
  await integrations.close().catch(() => {});
  await (app.locals.closeVite as (() => Promise<void>) | undefined)?.().catch(() => {});
  await db.$client.end().catch(() => {});
  await database.stop().catch(() => {});
  clearTimeout(force);
  process.exit(0);
}
process.on("SIGINT", () => void shutdown("SIGINT"));
process.on("SIGTERM", () => void shutdown("SIGTERM"));
