// Benchmark: Daraja STK callbacks applied per second, and the latency from "callback received"
// to "payment applied", on the embedded PostgreSQL with the real web hook and worker.
//   npx tsx bench/mpesa-callbacks.ts [callbacks=2000] [inFlight=50] [workerConcurrency=8]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { run, Logger } from "graphile-worker";
import { sql } from "drizzle-orm";
import { pino } from "pino";
import { startEmbeddedPostgres } from "../db/embedded";
import { ensureRolesAndDatabase } from "../db/bootstrap";
import { migrateDatabase } from "../db/migrate";
import { createDb, createQueuePool, withPlatform, withTenant } from "../db/client";
import { payments, mpesaCallbacks } from "../db/schema";
import { createTenant } from "../server/services/tenants";
import { saveMpesaSettings, getMpesaSettingsRow } from "../server/services/mpesa-settings";
import { createSecretBox } from "../server/services/secrets";
import { createBaseApp } from "../server/http";
import { buildTaskList } from "../jobs";
import { createDarajaClient } from "../server/integrations/mpesa";

const [N = 2000, IN_FLIGHT = 50, CONCURRENCY = 8] = process.argv.slice(2).map(Number);
const log = pino({ level: "silent" });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mnetifi-bench-"));
fs.chmodSync(dir, 0o755);
const pg = await startEmbeddedPostgres({ dir: path.join(dir, "pg"), port: 54000 + Math.floor(Math.random() * 900), persistent: false });
try {
  const urls = await ensureRolesAndDatabase(pg.superuserUrl, "bench", { owner: "o", app: "a", worker: "w" });
  await migrateDatabase(urls.ownerUrl);
  const db = createDb(urls.appUrl, { max: 20 });
  const queue = createQueuePool(urls.workerUrl, { max: CONCURRENCY + 4 });
  const secrets = createSecretBox(Buffer.alloc(32, 1));
  const tenant = await withPlatform(db, null, (tx) => createTenant(tx, { slug: "bench-isp", businessName: "Bench ISP", status: "active" }));
  const token = await withTenant(db, tenant.id, null, async (tx) => {
    await saveMpesaSettings(tx, tenant.id, secrets, { environment: "sandbox", accountType: "paybill", shortcode: "174379", consumerKey: "k", consumerSecret: "s", passkey: "p" });
    await tx.insert(payments).values(
      Array.from({ length: N }, (_, i) => ({ tenantId: tenant.id, method: "stk" as const, status: "pending" as const, purpose: "test", amountCents: 5000, phone: "254712000000", checkoutRequestId: `ws_CO_BENCH${i}` })),
    );
    return (await getMpesaSettingsRow(tx, tenant.id))!.callbackToken;
  });

  const app = createBaseApp({ db, log });
  const server = await new Promise<http.Server>((r) => {
    const s = app.listen(0, "127.0.0.1", () => r(s));
  });
  const port = (server.address() as AddressInfo).port;
  const integrations = { mailer: { send: async () => ({ messageId: "" }), close() {} }, platformSms: { send: async () => ({ providerMessageId: null, status: "sent" as const, cost: null, parts: 1 }) }, daraja: createDarajaClient({}), close: async () => {} };
  const quiet = new Logger(() => () => {});
  const worker = await run({ pgPool: queue, taskList: buildTaskList(db, integrations, { secrets, publicBaseUrl: `http://127.0.0.1:${port}` }), concurrency: CONCURRENCY, noHandleSignals: true, pollInterval: 1000, logger: quiet });

  const agent = new http.Agent({ keepAlive: true, maxSockets: IN_FLIGHT });
  const body = (i: number) =>
    JSON.stringify({
      Body: {
        stkCallback: {
          MerchantRequestID: `m-${i}`,
          CheckoutRequestID: `ws_CO_BENCH${i}`,
          ResultCode: 0,
          ResultDesc: "The service request is processed successfully.",
          CallbackMetadata: { Item: [{ Name: "Amount", Value: 50 }, { Name: "MpesaReceiptNumber", Value: `B${String(i).padStart(9, "0")}` }, { Name: "Balance" }, { Name: "TransactionDate", Value: 20261124103102 }, { Name: "PhoneNumber", Value: 254712000000 }] },
        },
      },
    });
  const send = (i: number) =>
    new Promise<number>((resolve, reject) => {
      const data = body(i);
      const req = http.request({ host: "127.0.0.1", port, method: "POST", path: `/hooks/daraja/${token}/stk`, agent, headers: { "content-type": "application/json", "content-length": Buffer.byteLength(data) } }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("error", reject);
      req.end(data);
    });

  const t0 = Date.now();
  let next = 0;
  const ackMs: number[] = [];
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < N) {
        const i = next++;
        const s = performance.now();
        const status = await send(i);
        ackMs.push(performance.now() - s);
        if (status !== 200) throw new Error(`callback ${i} answered ${status}`);
      }
    }),
  );
  const receivedAll = Date.now();
  for (;;) {
    const [r] = await withTenant(db, tenant.id, null, (tx) => tx.select({ n: sql<number>`count(*)::int` }).from(payments).where(sql`${payments.status} = 'paid'`));
    if (r!.n === N) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const appliedAll = Date.now();
  const lat = await withTenant(db, tenant.id, null, (tx) =>
    tx.select({ ms: sql<number>`extract(epoch from (${mpesaCallbacks.processedAt} - ${mpesaCallbacks.receivedAt})) * 1000` }).from(mpesaCallbacks),
  );
  const ms = lat.map((l) => Number(l.ms)).sort((a, b) => a - b);
  const q = (arr: number[], p: number) => arr[Math.min(arr.length - 1, Math.floor(p * arr.length))]!;
  ackMs.sort((a, b) => a - b);
  const result = {
    callbacks: N,
    inFlight: IN_FLIGHT,
    workerConcurrency: CONCURRENCY,
    receivedPerSecond: Math.round((N / (receivedAll - t0)) * 1000),
    appliedPerSecond: Math.round((N / (appliedAll - t0)) * 1000),
    ackP50ms: Math.round(q(ackMs, 0.5) * 10) / 10,
    ackP99ms: Math.round(q(ackMs, 0.99) * 10) / 10,
    receivedToAppliedP50ms: Math.round(q(ms, 0.5)),
    receivedToAppliedP99ms: Math.round(q(ms, 0.99)),
    cpus: os.cpus().length,
  };
  console.log(JSON.stringify(result, null, 2));
  await worker.stop();
  agent.destroy();
  await new Promise<void>((r) => server.close(() => r()));
  await queue.end();
  await db.$client.end();
} finally {
  await pg.stop();
  fs.rmSync(dir, { recursive: true, force: true });
}
