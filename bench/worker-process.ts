// The worker of a benchmark in a process of its own, as in production (server/worker-main.ts):
// started by bench/harness.ts with the throwaway database's URLs in the environment.
import { run, Logger } from "graphile-worker";
import { createDb, createQueuePool } from "../db/client";
import { createSecretBox } from "../server/services/secrets";
import { buildTaskList } from "../jobs";
import { createDarajaClient } from "../server/integrations/mpesa";
import { REAL_ENDPOINTS } from "../server/integrations/messaging";
import { registerVoucherPurpose } from "../server/services/hotspot/portal";

const env = (k: string) => process.env[k] ?? (() => { throw new Error(`${k} is not set`); })();
const concurrency = Number(env("BENCH_WORKER_CONCURRENCY"));
const db = createDb(env("BENCH_APP_URL"), { max: concurrency + 4 });
const queue = createQueuePool(env("BENCH_WORKER_URL"), { max: concurrency + 4 });
const secrets = createSecretBox(Buffer.from(env("BENCH_SECRET_KEY"), "base64"));
const darajaBase = process.env.BENCH_DARAJA_URL;
registerVoucherPurpose(secrets);
const integrations = {
  mailer: { send: async () => ({ messageId: "" }), close() {} },
  platformSms: { send: async () => ({ providerMessageId: null, status: "sent" as const, cost: null, parts: 1 }) },
  daraja: createDarajaClient({ baseUrlFor: () => darajaBase ?? "http://127.0.0.1:1" }),
  messagingEndpoints: REAL_ENDPOINTS,
  close: async () => {},
};
const runner = await run({
  pgPool: queue,
  taskList: buildTaskList(db, integrations, { secrets, publicBaseUrl: env("BENCH_PUBLIC_BASE_URL") }),
  concurrency,
  noHandleSignals: true,
  pollInterval: 1000,
  logger: new Logger(() => () => {}),
});
process.send?.("ready");
process.on("message", async (m) => {
  if (m !== "stop") return;
  await runner.stop();
  await queue.end();
  await db.$client.end();
  process.exit(0);
});
