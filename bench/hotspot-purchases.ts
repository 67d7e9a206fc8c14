// Benchmark of design §7 end to end: N portal purchases, IN_FLIGHT at a time, through the Daraja
// simulator (customers answer after its default 300 ms) and a RouterOS simulator. Reports p50/p99
// from the STK callback being received to the device being logged in on the router (the login
// operation done), and from starting the purchase to logged in. As in production, the pieces run
// as separate processes: this one (the web side: portal purchases and Daraja's callbacks), the
// worker, the Daraja simulator and the RouterOS simulator, all on this machine with PostgreSQL.
//   npx tsx bench/hotspot-purchases.ts [purchases=200] [inFlight=50] [workerConcurrency=4]
import os from "node:os";
import { and, eq, sql } from "drizzle-orm";
import { withTenant } from "../db/client";
import { hotspotPlans, routers, routerOperations, mpesaCallbacks, hotspotPurchases, vouchers } from "../db/schema";
import { createDarajaClient } from "../server/integrations/mpesa";
import { provisioning } from "../server/services/provisioning";
import { planProfileName } from "../server/services/hotspot/rules";
import { registerVoucherPurpose, startPurchase, readDeviceContext } from "../server/services/hotspot/portal";
import { freePort, startBench, startSimProcess, quantile } from "./harness";

const [N = 200, IN_FLIGHT = 50, CONCURRENCY = 4] = process.argv.slice(2).map(Number);
const [darajaPort, routerPort] = [await freePort(), await freePort()];
const darajaUrl = `http://127.0.0.1:${darajaPort}`;
const sim = await startSimProcess("sim/daraja/cli.ts", { DARAJA_SIM_PORT: String(darajaPort) });
const router = await startSimProcess("sim/routeros/cli.ts", { ROUTEROS_SIM_PORTS: String(routerPort), ROUTEROS_SIM_VERSION: "7.18" });
const routerControl = `http://127.0.0.1:${routerPort + 1000}/_sim`;
const daraja = createDarajaClient({ baseUrlFor: () => darajaUrl });
const bench = await startBench({ daraja, workerConcurrency: CONCURRENCY, workerProcess: { darajaUrl } });
const post = async (url: string, body: unknown) => {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  if (!res.ok) throw new Error(`${url}: ${res.status} ${await res.text()}`);
};
registerVoucherPurpose(bench.secrets);
try {
  const { routerId, planId } = await withTenant(bench.db, bench.tenantId, null, async (tx) => {
    const [r] = await tx
      .insert(routers)
      .values({ tenantId: bench.tenantId, name: "Bench", host: "127.0.0.1", apiPort: routerPort, username: "mnetifi-api", passwordEnc: bench.secrets.encrypt("mnetifi-api-pass"), status: "online", verifiedAt: new Date() })
      .returning();
    const [p] = await tx.insert(hotspotPlans).values({ tenantId: bench.tenantId, name: "1 Hour", priceCents: 1000, durationValue: 1, durationUnit: "hours", downloadKbps: 2048, uploadKbps: 1024 }).returning();
    await provisioning(tx, bench.tenantId, r!.id, bench.secrets).ensureHotspotProfile({ name: planProfileName(p!.id), rateLimit: "1M/2M", sharedUsers: 1, idleTimeout: "15m" });
    return { routerId: r!.id, planId: p!.id };
  });
  const deps = { db: bench.db, daraja, secrets: bench.secrets, publicBaseUrl: bench.publicBaseUrl };
  const t0 = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (next < N) {
        const i = next++;
        const phone = `2547${String(20_000_000 + i).slice(-8)}`;
        const mac = `02:00:${[i >> 24, (i >> 16) & 255, (i >> 8) & 255, i & 255].map((b) => b.toString(16).padStart(2, "0").toUpperCase()).join(":")}`;
        const ip = `10.${10 + (i >> 16)}.${(i >> 8) & 255}.${i & 255}`;
        await post(`${routerControl}/device/appear`, { mac, ip });
        const r = await startPurchase(deps, bench.tenantId, { planId, phone, device: readDeviceContext({ mac, ip, router: routerId, "link-login-only": "http://10.5.50.1/login" }) });
        if (!r.ok) throw new Error(JSON.stringify(r));
      }
    }),
  );
  for (;;) {
    const [r] = await withTenant(bench.db, bench.tenantId, null, (tx) =>
      tx.select({ n: sql<number>`count(*)::int` }).from(routerOperations).where(and(eq(routerOperations.kind, "login_device"), sql`${routerOperations.status} <> 'pending'`)),
    );
    if (r!.n >= N) break;
    if (Date.now() - t0 > 600_000) throw new Error(`only ${r!.n} of ${N} logged in after 10 minutes`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const done = Date.now();
  const rows = await withTenant(bench.db, bench.tenantId, null, (tx) =>
    tx
      .select({
        status: routerOperations.status,
        fromCallback: sql<number>`extract(epoch from (${routerOperations.finishedAt} - ${mpesaCallbacks.receivedAt})) * 1000`,
        fromStart: sql<number>`extract(epoch from (${routerOperations.finishedAt} - ${hotspotPurchases.createdAt})) * 1000`,
        // created_at is the callback transaction's start (now()): the split between the callback's
        // own work (receipt → its transaction) and the router queue (→ logged in).
        toQueued: sql<number>`extract(epoch from (${routerOperations.createdAt} - ${mpesaCallbacks.receivedAt})) * 1000`,
        queuedToDone: sql<number>`extract(epoch from (${routerOperations.finishedAt} - ${routerOperations.createdAt})) * 1000`,
      })
      .from(routerOperations)
      .innerJoin(vouchers, and(eq(vouchers.tenantId, routerOperations.tenantId), sql`${routerOperations.ref} = 'voucher:' || ${vouchers.id}::text`))
      .innerJoin(hotspotPurchases, and(eq(hotspotPurchases.tenantId, vouchers.tenantId), eq(hotspotPurchases.voucherId, vouchers.id)))
      .innerJoin(mpesaCallbacks, and(eq(mpesaCallbacks.tenantId, vouchers.tenantId), eq(mpesaCallbacks.paymentId, vouchers.paymentId), eq(mpesaCallbacks.kind, "stk")))
      .where(eq(routerOperations.kind, "login_device")),
  );
  const fromCallback = rows.map((r) => Number(r.fromCallback)).sort((a, b) => a - b);
  const fromStart = rows.map((r) => Number(r.fromStart)).sort((a, b) => a - b);
  const sorted = (k: "toQueued" | "queuedToDone") => rows.map((r) => Number(r[k])).sort((a, b) => a - b);
  const toQueued = sorted("toQueued");
  const queuedToDone = sorted("queuedToDone");
  const state = (await (await fetch(`${routerControl}/state`)).json()) as Record<string, unknown[]>;
  const active = (state["/ip/hotspot/active"] ?? []).length;
  console.log(
    JSON.stringify(
      {
        benchmark: "portal purchase → STK callback → voucher → device logged in on the router",
        purchases: N,
        inFlight: IN_FLIGHT,
        workerConcurrency: CONCURRENCY,
        loggedInOnRouter: active,
        notDone: rows.filter((r) => r.status !== "done").length,
        purchasesPerSecond: Math.round((N / (done - t0)) * 1000),
        callbackToLoggedInP50ms: Math.round(quantile(fromCallback, 0.5)),
        callbackToLoggedInP99ms: Math.round(quantile(fromCallback, 0.99)),
        callbackToQueuedP50ms: Math.round(quantile(toQueued, 0.5)),
        callbackToQueuedP99ms: Math.round(quantile(toQueued, 0.99)),
        queuedToLoggedInP50ms: Math.round(quantile(queuedToDone, 0.5)),
        queuedToLoggedInP99ms: Math.round(quantile(queuedToDone, 0.99)),
        purchaseToLoggedInP50ms: Math.round(quantile(fromStart, 0.5)),
        purchaseToLoggedInP99ms: Math.round(quantile(fromStart, 0.99)),
        cpus: os.cpus().length,
      },
      null,
      2,
    ),
  );
} finally {
  await bench.stop();
  await sim.stop();
  await router.stop();
}
