// Benchmark: Daraja STK callbacks applied per second, and the latency from "callback received"
// to "payment applied", on the embedded PostgreSQL with the real web hook and worker.
//   npx tsx bench/mpesa-callbacks.ts [callbacks=2000] [inFlight=50] [workerConcurrency=8]
import os from "node:os";
import http from "node:http";
import { sql } from "drizzle-orm";
import { withTenant } from "../db/client";
import { payments, mpesaCallbacks } from "../db/schema";
import { createDarajaClient } from "../server/integrations/mpesa";
import { startBench, quantile } from "./harness";

const [N = 2000, IN_FLIGHT = 50, CONCURRENCY = 8] = process.argv.slice(2).map(Number);
const bench = await startBench({ daraja: createDarajaClient({}), workerConcurrency: CONCURRENCY });
try {
  const { db, tenantId, token, port } = bench;
  await withTenant(db, tenantId, null, (tx) =>
    tx.insert(payments).values(Array.from({ length: N }, (_, i) => ({ tenantId, method: "stk" as const, status: "pending" as const, purpose: "test", amountCents: 5000, phone: "254712000000", checkoutRequestId: `ws_CO_BENCH${i}` }))),
  );
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
    const [r] = await withTenant(db, tenantId, null, (tx) => tx.select({ n: sql<number>`count(*)::int` }).from(payments).where(sql`${payments.status} = 'paid'`));
    if (r!.n === N) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const appliedAll = Date.now();
  const lat = await withTenant(db, tenantId, null, (tx) => tx.select({ ms: sql<number>`extract(epoch from (${mpesaCallbacks.processedAt} - ${mpesaCallbacks.receivedAt})) * 1000` }).from(mpesaCallbacks));
  const ms = lat.map((l) => Number(l.ms)).sort((a, b) => a - b);
  ackMs.sort((a, b) => a - b);
  console.log(
    JSON.stringify(
      {
        benchmark: "callbacks posted to the web hook",
        callbacks: N,
        inFlight: IN_FLIGHT,
        workerConcurrency: CONCURRENCY,
        receivedPerSecond: Math.round((N / (receivedAll - t0)) * 1000),
        appliedPerSecond: Math.round((N / (appliedAll - t0)) * 1000),
        ackP50ms: Math.round(quantile(ackMs, 0.5) * 10) / 10,
        ackP99ms: Math.round(quantile(ackMs, 0.99) * 10) / 10,
        receivedToAppliedP50ms: Math.round(quantile(ms, 0.5)),
        receivedToAppliedP99ms: Math.round(quantile(ms, 0.99)),
        cpus: os.cpus().length,
      },
      null,
      2,
    ),
  );
  agent.destroy();
} finally {
  await bench.stop();
}
