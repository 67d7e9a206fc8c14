// Benchmark: the whole STK chain through the Daraja simulator — push (OAuth token cached),
// the simulator's callback, the hook, payment applied. Reports pushes per second and the time
// from starting a payment to it being paid.
//   npx tsx bench/mpesa-stk-via-sim.ts [payments=500] [inFlight=20] [workerConcurrency=4]
import os from "node:os";
import { sql } from "drizzle-orm";
import { withTenant } from "../db/client";
import { payments } from "../db/schema";
import { createDarajaClient } from "../server/integrations/mpesa";
import { startDarajaSim } from "../sim/daraja";
import { startStkPayment } from "../server/services/payments";
import { startBench, quantile } from "./harness";

const [N = 500, IN_FLIGHT = 20, CONCURRENCY = 4] = process.argv.slice(2).map(Number);
const sim = await startDarajaSim({ port: 0 });
const daraja = createDarajaClient({ baseUrlFor: () => sim.baseUrl });
const bench = await startBench({ daraja, workerConcurrency: CONCURRENCY });
try {
  const deps = { db: bench.db, daraja, secrets: bench.secrets, publicBaseUrl: bench.publicBaseUrl };
  const t0 = Date.now();
  let next = 0;
  const pushMs: number[] = [];
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < N) {
        const i = next++;
        const phone = `2547${String(10_000_000 + i).slice(-8)}`;
        // The simulated customer answers at once: this measures our side, not a person typing a PIN.
        sim.scriptStk(phone, { delayMs: 0 });
        const s = performance.now();
        const r = await startStkPayment(deps, bench.tenantId, { actorKind: "system" }, { phone, amountShillings: 10, purpose: "test", accountReference: "BENCH", description: "bench" });
        pushMs.push(performance.now() - s);
        if (!r.ok) throw new Error(r.error);
      }
    }),
  );
  const pushed = Date.now();
  for (;;) {
    const [r] = await withTenant(bench.db, bench.tenantId, null, (tx) => tx.select({ n: sql<number>`count(*)::int` }).from(payments).where(sql`${payments.status} = 'paid'`));
    if (r!.n === N) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const done = Date.now();
  const lat = await withTenant(bench.db, bench.tenantId, null, (tx) => tx.select({ ms: sql<number>`extract(epoch from (${payments.paidAt} - ${payments.createdAt})) * 1000` }).from(payments));
  const ms = lat.map((l) => Number(l.ms)).sort((a, b) => a - b);
  pushMs.sort((a, b) => a - b);
  const oauthCalls = sim.requests({ path: "/oauth/v1/generate" }).length;
  console.log(
    JSON.stringify(
      {
        benchmark: "STK push to paid, through the Daraja simulator",
        payments: N,
        inFlight: IN_FLIGHT,
        workerConcurrency: CONCURRENCY,
        pushesPerSecond: Math.round((N / (pushed - t0)) * 1000),
        paidPerSecond: Math.round((N / (done - t0)) * 1000),
        startPaymentP50ms: Math.round(quantile(pushMs, 0.5)),
        startPaymentP99ms: Math.round(quantile(pushMs, 0.99)),
        createdToPaidP50ms: Math.round(quantile(ms, 0.5)),
        createdToPaidP99ms: Math.round(quantile(ms, 0.99)),
        oauthCalls,
        cpus: os.cpus().length,
      },
      null,
      2,
    ),
  );
} finally {
  await bench.stop();
  await sim.stop();
}
