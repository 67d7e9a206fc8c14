// Vouchers giving (and taking away) internet on real simulated routers: first use, the device
// limit, several routers, the exact-time expiry, extension, the 90% warning and the sweeper.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { and, eq } from "drizzle-orm";
import { runOnce } from "graphile-worker";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { createTenantFixture, noIntegrations, testJobDeps, testSecrets, type TenantFixture } from "./helpers/fixtures";
import { withTenant, type Tx } from "../db/client";
import { hotspotPlans, routers, vouchers, messages, routerItems } from "../db/schema";
import { buildTaskList } from "../jobs";
import { startRouterSim, type RouterSim } from "../sim/routeros";
import { provisioning } from "../server/services/provisioning";
import { issueVoucher, extendVoucher } from "../server/services/hotspot/vouchers";
import { useVoucher, expireVoucher, warnVoucher, restoreAccess, sweepVoucherAccess } from "../server/services/hotspot/access";
import { planProfileName, warningAt } from "../server/services/hotspot/rules";

let t: TestDatabase;
let A: TenantFixture;
let sims: RouterSim[];
let routerIds: string[];
let planOne: string;
let planTwo: string;

const inA = <T>(fn: (tx: Tx) => Promise<T>) => withTenant(t.db, A.tenant.id, null, fn);
const runJobs = () => runOnce({ pgPool: t.queue, taskList: buildTaskList(t.db, noIntegrations, testJobDeps) });
type Row = Record<string, string>;
const users = (sim: RouterSim) => (sim.state()["/ip/hotspot/user"] as Row[]) ?? [];
const active = (sim: RouterSim) => (sim.state()["/ip/hotspot/active"] as Row[]) ?? [];

beforeAll(async () => {
  t = await createTestDatabase();
  A = await createTenantFixture(t.db, "isp-access-a");
  sims = [await startRouterSim({ port: 0, version: "7.16.2", identity: "Access-1" }), await startRouterSim({ port: 0, version: "7.18", identity: "Access-2" })];
  ({ routerIds, planOne, planTwo } = await inA(async (tx) => {
    const ids: string[] = [];
    for (const [i, sim] of sims.entries()) {
      const [r] = await tx
        .insert(routers)
        .values({ tenantId: A.tenant.id, name: `Tower ${i + 1}`, host: "127.0.0.1", apiPort: sim.port, username: "mnetifi-api", passwordEnc: testSecrets.encrypt("mnetifi-api-pass"), status: "online", verifiedAt: new Date() })
        .returning();
      ids.push(r!.id);
    }
    const [one] = await tx.insert(hotspotPlans).values({ tenantId: A.tenant.id, name: "1 hour", priceCents: 1000, durationValue: 1, durationUnit: "hours", downloadKbps: 2048, uploadKbps: 1024, devices: 1 }).returning();
    const [two] = await tx.insert(hotspotPlans).values({ tenantId: A.tenant.id, name: "1 day, 2 devices", priceCents: 5000, durationValue: 1, durationUnit: "days", downloadKbps: 5120, uploadKbps: 2048, devices: 2 }).returning();
    for (const id of ids) {
      for (const p of [one!, two!]) await provisioning(tx, A.tenant.id, id, testSecrets).ensureHotspotProfile({ name: planProfileName(p.id), rateLimit: p.id === one!.id ? "1M/2M" : "2M/5M", sharedUsers: p.devices, idleTimeout: "15m" }, `plan:${p.id}`);
    }
    return { routerIds: ids, planOne: one!.id, planTwo: two!.id };
  }));
  await runJobs();
});

afterAll(async () => {
  for (const s of sims ?? []) await s.stop();
});

describe("using a voucher", () => {
  it("first use starts the clock, the router gets the user with the time left and logs the device in; a second device beyond the limit is refused", async () => {
    const v = await inA((tx) => issueVoucher(tx, A.tenant.id, { planId: planOne, phone: "254712300001" }));
    expect(v.expiresAt).toBeNull();
    sims[0]!.deviceAppear({ mac: "AA:00:00:00:01:01", ip: "10.5.50.11" });
    const used = await inA((tx) => useVoucher(tx, A.tenant.id, testSecrets, { code: v.code, mac: "aa-00-00-00-01-01", ip: "10.5.50.11", routerId: routerIds[0]! }));
    expect(used).toMatchObject({ ok: true, firstUse: true });
    if (!used.ok) throw new Error();
    expect(used.secondsLeft).toBe(3600);
    await runJobs();
    expect(users(sims[0]!).find((u) => u.name === v.code)).toMatchObject({ profile: planProfileName(planOne), "limit-uptime": "1h", comment: `mnetifi:voucher:${v.id}` });
    expect(active(sims[0]!).map((a) => [a.user, a["mac-address"]])).toContainEqual([v.code, "AA:00:00:00:01:01"]);

    // The same device again is fine (no new clock); another device is refused, and so is the wrong case.
    expect(await inA((tx) => useVoucher(tx, A.tenant.id, testSecrets, { code: v.code, mac: "AA:00:00:00:01:01", ip: "10.5.50.11", routerId: routerIds[0]! }))).toMatchObject({ ok: true, firstUse: false });
    expect(await inA((tx) => useVoucher(tx, A.tenant.id, testSecrets, { code: v.code, mac: "AA:00:00:00:01:02", ip: "10.5.50.12", routerId: routerIds[1]! }))).toEqual({
      ok: false,
      reason: "device_limit",
      message: "This code is already in use on another device.",
    });
    const swapped = v.code.replace(/[a-z]/, (c) => c.toUpperCase()) === v.code ? v.code.replace(/[A-Z]/, (c) => c.toLowerCase()) : v.code.replace(/[a-z]/, (c) => c.toUpperCase());
    expect(await inA((tx) => useVoucher(tx, A.tenant.id, testSecrets, { code: swapped, mac: "AA:00:00:00:01:01", ip: "10.5.50.11", routerId: routerIds[0]! }))).toMatchObject({ ok: false, reason: "invalid" });
  });

  it("works on any router of the ISP up to its device limit; at expiry the user leaves every router and the sessions end", async () => {
    const v = await inA((tx) => issueVoucher(tx, A.tenant.id, { planId: planTwo }));
    sims[0]!.deviceAppear({ mac: "AA:00:00:00:02:01", ip: "10.5.50.21" });
    sims[1]!.deviceAppear({ mac: "AA:00:00:00:02:02", ip: "10.5.50.22" });
    expect(await inA((tx) => useVoucher(tx, A.tenant.id, testSecrets, { code: v.code, mac: "AA:00:00:00:02:01", ip: "10.5.50.21", routerId: routerIds[0]! }))).toMatchObject({ ok: true });
    expect(await inA((tx) => useVoucher(tx, A.tenant.id, testSecrets, { code: v.code, mac: "AA:00:00:00:02:02", ip: "10.5.50.22", routerId: routerIds[1]! }))).toMatchObject({ ok: true });
    await runJobs();
    for (const sim of sims) expect(active(sim).some((a) => a.user === v.code)).toBe(true);

    // The exact-time job, run as if at the end of the day.
    const [row] = await inA((tx) => tx.select().from(vouchers).where(eq(vouchers.id, v.id)));
    const after = new Date(row!.expiresAt!.getTime() + 1000);
    expect(await inA((tx) => expireVoucher(tx, A.tenant.id, testSecrets, v.id, after))).toBe("expired");
    await runJobs();
    for (const sim of sims) {
      expect(users(sim).some((u) => u.name === v.code)).toBe(false);
      expect(active(sim).some((a) => a.user === v.code)).toBe(false);
    }
    expect(await inA((tx) => useVoucher(tx, A.tenant.id, testSecrets, { code: v.code, mac: "AA:00:00:00:02:01", ip: "10.5.50.21", routerId: routerIds[0]!, now: after }))).toMatchObject({
      ok: false,
      reason: "expired",
      message: "This code has expired. Buy a new one to keep browsing.",
    });

    // An extension restores access on the routers it was used on, and moves the expiry job.
    await inA(async (tx) => {
      await tx.update(vouchers).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(vouchers.id, v.id));
      await extendVoucher(tx, A.tenant.id, v.id, 3600);
      expect(await restoreAccess(tx, A.tenant.id, testSecrets, v.id)).toBe(2);
    });
    await runJobs();
    for (const sim of sims) expect(users(sim).find((u) => u.name === v.code)).toMatchObject({ profile: planProfileName(planTwo) });
    // A job for the old time finds the voucher extended and waits for the new end.
    expect(await inA((tx) => expireVoucher(tx, A.tenant.id, testSecrets, v.id))).toBe("rescheduled");
  });

  it("a plan's data cap goes to the router as the user's byte limit, kept by the voucher when the plan changes", async () => {
    const capped = await inA(async (tx) => {
      const [p] = await tx.insert(hotspotPlans).values({ tenantId: A.tenant.id, name: "2 GB day", priceCents: 3000, durationValue: 1, durationUnit: "days", downloadKbps: 4096, uploadKbps: 2048, dataCapMb: 2048 }).returning();
      await provisioning(tx, A.tenant.id, routerIds[0]!, testSecrets).ensureHotspotProfile({ name: planProfileName(p!.id), rateLimit: "2M/4M", sharedUsers: 1, idleTimeout: "15m" }, `plan:${p!.id}`);
      return p!;
    });
    const v = await inA((tx) => issueVoucher(tx, A.tenant.id, { planId: capped.id, phone: "254712300009" }));
    expect(v.dataCapMb).toBe(2048);
    // Raising the plan's cap later does not change what was sold.
    await inA((tx) => tx.update(hotspotPlans).set({ dataCapMb: 4096 }).where(eq(hotspotPlans.id, capped.id)));
    sims[0]!.deviceAppear({ mac: "02:00:00:00:09:01", ip: "10.5.50.91" });
    const used = await inA((tx) => useVoucher(tx, A.tenant.id, testSecrets, { code: v.code, mac: "02:00:00:00:09:01", ip: "10.5.50.91", routerId: routerIds[0]! }));
    expect(used.ok).toBe(true);
    await runJobs();
    expect(users(sims[0]!).find((u) => u.name === v.code)).toMatchObject({ "limit-bytes-total": String(2048 * 1024 * 1024) });
    // A plan without a cap leaves the router's limit at 0 (none).
    const free = await inA((tx) => issueVoucher(tx, A.tenant.id, { planId: planOne }));
    sims[0]!.deviceAppear({ mac: "02:00:00:00:09:02", ip: "10.5.50.92" });
    await inA((tx) => useVoucher(tx, A.tenant.id, testSecrets, { code: free.code, mac: "02:00:00:00:09:02", ip: "10.5.50.92", routerId: routerIds[0]! }));
    await runJobs();
    expect(users(sims[0]!).find((u) => u.name === free.code)?.["limit-bytes-total"] ?? "0").toBe("0");
  });

  it("the 90% warning goes to the buyer at 90% of the time, once", async () => {
    const v = await inA((tx) => issueVoucher(tx, A.tenant.id, { planId: planOne, phone: "254712300003" }));
    sims[0]!.deviceAppear({ mac: "AA:00:00:00:03:01", ip: "10.5.50.31" });
    const used = await inA((tx) => useVoucher(tx, A.tenant.id, testSecrets, { code: v.code, mac: "AA:00:00:00:03:01", ip: "10.5.50.31", routerId: routerIds[0]! }));
    if (!used.ok) throw new Error();
    const due = warningAt({ expiresAt: used.expiresAt, durationSeconds: 3600 })!;
    expect(used.expiresAt.getTime() - due.getTime()).toBe(360_000);
    expect(await inA((tx) => warnVoucher(tx, A.tenant.id, v.id, new Date(due.getTime() - 1000)))).toBe("early");
    expect(await inA((tx) => warnVoucher(tx, A.tenant.id, v.id, due))).toBe("warned");
    expect(await inA((tx) => warnVoucher(tx, A.tenant.id, v.id, due))).toBe("skipped");
    const sent = await inA((tx) => tx.select().from(messages).where(and(eq(messages.ref, `voucher:${v.id}`), eq(messages.event, "voucher_90pct"))));
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body).toContain(v.code);
    expect(sent[0]!.body).toContain("about 6 min left");
  });

  it("a lapsed code is refused; the sweeper removes what the expiry jobs missed", async () => {
    const lapsed = await inA((tx) => issueVoucher(tx, A.tenant.id, { planId: planOne }));
    await inA((tx) => tx.update(vouchers).set({ lapsesAt: new Date(Date.now() - 1000) }).where(eq(vouchers.id, lapsed.id)));
    expect(await inA((tx) => useVoucher(tx, A.tenant.id, testSecrets, { code: lapsed.code, mac: "AA:00:00:00:04:01", ip: "10.5.50.41", routerId: routerIds[0]! }))).toMatchObject({ ok: false, reason: "lapsed" });

    const missed = await inA((tx) => issueVoucher(tx, A.tenant.id, { planId: planOne }));
    sims[1]!.deviceAppear({ mac: "AA:00:00:00:04:02", ip: "10.5.50.42" });
    await inA((tx) => useVoucher(tx, A.tenant.id, testSecrets, { code: missed.code, mac: "AA:00:00:00:04:02", ip: "10.5.50.42", routerId: routerIds[1]! }));
    await runJobs();
    expect(users(sims[1]!).some((u) => u.name === missed.code)).toBe(true);
    // Its time ran out while the worker was down: no job removed it.
    await inA((tx) => tx.update(vouchers).set({ expiresAt: new Date(Date.now() - 60_000) }).where(eq(vouchers.id, missed.id)));
    expect(await inA((tx) => sweepVoucherAccess(tx, A.tenant.id, testSecrets))).toBeGreaterThanOrEqual(1);
    await runJobs();
    expect(users(sims[1]!).some((u) => u.name === missed.code)).toBe(false);
    expect(active(sims[1]!).some((a) => a.user === missed.code)).toBe(false);
    expect(await inA((tx) => tx.select().from(routerItems).where(eq(routerItems.ref, `voucher:${missed.id}`)))).toEqual([]);
  });
});
