// Benchmark: from "a voucher was issued" (hotspot user + device login queued in one transaction)
// to the device being logged in on the simulated router, through the real job queue, the
// per-router serialized sync and the RouterOS API over TCP. Reports p50/p99 of queued → applied.
//   npx tsx bench/router-provisioning.ts [purchases=200] [inFlight=50] [routers=2] [workerConcurrency=4]
import os from "node:os";
import { and, eq, sql } from "drizzle-orm";
import { withTenant } from "../db/client";
import { routers, routerOperations } from "../db/schema";
import { createDarajaClient } from "../server/integrations/mpesa";
import { provisioning } from "../server/services/provisioning";
import { startRouterSim } from "../sim/routeros";
import { startBench, quantile } from "./harness";

const [N = 200, IN_FLIGHT = 50, ROUTERS = 2, CONCURRENCY = 4] = process.argv.slice(2).map(Number);
const sims = await Promise.all(Array.from({ length: ROUTERS }, (_, i) => startRouterSim({ port: 0, identity: `Bench-${i}`, version: i % 2 ? "7.18" : "7.16.2" })));
const bench = await startBench({ daraja: createDarajaClient({}), workerConcurrency: CONCURRENCY });
try {
  const routerIds = await withTenant(bench.db, bench.tenantId, null, async (tx) => {
    const ids: string[] = [];
    for (const [i, sim] of sims.entries()) {
      const [r] = await tx
        .insert(routers)
        .values({ tenantId: bench.tenantId, name: `Bench ${i}`, host: "127.0.0.1", apiPort: sim.port, username: "mnetifi-api", passwordEnc: bench.secrets.encrypt("mnetifi-api-pass"), status: "online", verifiedAt: new Date() })
        .returning({ id: routers.id });
      ids.push(r!.id);
      await provisioning(tx, bench.tenantId, r!.id, bench.secrets).ensureHotspotProfile({ name: "bench-1h", rateLimit: "2M/5M", sharedUsers: 1, idleTimeout: "15m" });
    }
    return ids;
  });
  const t0 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < N) {
        const i = next++;
        const code = `B${String(i).padStart(5, "0")}`;
        const mac = `02:00:00:${[i >> 16, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, "0")).join(":")}`.toUpperCase();
        const ip = `10.${5 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
        const routerIndex = i % ROUTERS;
        sims[routerIndex]!.deviceAppear({ mac, ip });
        // What the payment callback will do: one transaction issues the user and the login.
        await withTenant(bench.db, bench.tenantId, null, async (tx) => {
          const p = provisioning(tx, bench.tenantId, routerIds[routerIndex]!, bench.secrets);
          await p.ensureHotspotUser({ name: code, password: code, profile: "bench-1h", limitUptime: "1h", ref: `voucher:${i}` });
          await p.loginDevice({ user: code, password: code, mac, ip });
        });
      }
    }),
  );
  for (;;) {
    const [r] = await withTenant(bench.db, bench.tenantId, null, (tx) =>
      tx.select({ n: sql<number>`count(*)::int` }).from(routerOperations).where(and(eq(routerOperations.kind, "login_device"), sql`${routerOperations.status} <> 'pending'`)),
    );
    if (r!.n === N) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  const done = Date.now();
  const rows = await withTenant(bench.db, bench.tenantId, null, (tx) =>
    tx
      .select({ status: routerOperations.status, ms: sql<number>`extract(epoch from (${routerOperations.finishedAt} - ${routerOperations.createdAt})) * 1000` })
      .from(routerOperations)
      .where(eq(routerOperations.kind, "login_device")),
  );
  const ms = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
  const loggedIn = sims.reduce((n, s) => n + ((s.state()["/ip/hotspot/active"] as unknown[]) ?? []).length, 0);
  console.log(
    JSON.stringify(
      {
        benchmark: "voucher issued → device logged in on the simulated router (queue, per-router sync, RouterOS API)",
        purchases: N,
        inFlight: IN_FLIGHT,
        routers: ROUTERS,
        workerConcurrency: CONCURRENCY,
        failedOrSkipped: rows.filter((r) => r.status !== "done").length,
        devicesLoggedInOnRouters: loggedIn,
        loginsPerSecond: Math.round((N / (done - t0)) * 1000),
        queuedToLoggedInP50ms: Math.round(quantile(ms, 0.5)),
        queuedToLoggedInP99ms: Math.round(quantile(ms, 0.99)),
        cpus: os.cpus().length,
      },
      null,
      2,
    ),
  );
} finally {
  await bench.stop();
  await Promise.all(sims.map((s) => s.stop()));
}
