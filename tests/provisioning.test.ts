// Provisioning, drift repair and monitoring against the RouterOS simulator over its real wire
// protocol, through the real routeros-client, on both RouterOS answer styles (7.16: empty
// print = !done; 7.18: !empty first), with the real job queue (graphile-worker runOnce).
import { describe, it, expect, beforeAll, afterAll, beforeEach, afterEach } from "vitest";
import { and, eq } from "drizzle-orm";
import { runOnce } from "graphile-worker";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { createTenantFixture, noIntegrations, testJobDeps, testSecrets, type TenantFixture } from "./helpers/fixtures";
import { withTenant, type Tx } from "../db/client";
import { routers, routerItems, routerOperations, routerSamples, routerStatusChanges, auditEvents } from "../db/schema";
import { buildTaskList } from "../jobs";
import { startRouterSim, type RouterSim } from "../sim/routeros";
import { withRouter, type RouterApi } from "../server/integrations/routeros";
import { credentialsOf } from "../server/services/routers";
import { applyBatch, provisioning, syncRouter, repairDrift, retryOperations, type Connect } from "../server/services/provisioning";
import { pollRouter } from "../server/services/router-monitoring";

let t: TestDatabase;
let A: TenantFixture;
let B: TenantFixture;

beforeAll(async () => {
  t = await createTestDatabase();
  A = await createTenantFixture(t.db, "isp-prov-a");
  B = await createTenantFixture(t.db, "isp-prov-b");
});

const inA = <T>(fn: (tx: Tx) => Promise<T>) => withTenant(t.db, A.tenant.id, null, fn);
const taskList = () => buildTaskList(t.db, noIntegrations, { ...testJobDeps, routerPollSeconds: 60, routerUrl: (slug, id) => `http://${slug}.mnetifi.test/dashboard/routers/${id}` });
const runJobs = () => runOnce({ pgPool: t.queue, taskList: taskList() });
const connect: Connect = (router, fn) => withRouter({ ...credentialsOf(router, testSecrets), timeoutSeconds: 3 }, fn);
const routerUrl = (slug: string, id: string) => `http://${slug}.mnetifi.test/dashboard/routers/${id}`;

async function addRouter(sim: RouterSim, name: string) {
  return inA(async (tx) => {
    const [row] = await tx
      .insert(routers)
      .values({ tenantId: A.tenant.id, name, host: "127.0.0.1", apiPort: sim.port, username: "mnetifi-api", passwordEnc: testSecrets.encrypt("mnetifi-api-pass"), status: "online", verifiedAt: new Date(), statusSince: new Date() })
      .returning();
    return row!;
  });
}

const ops = (routerId: string) => inA((tx) => tx.select().from(routerOperations).where(eq(routerOperations.routerId, routerId)).orderBy(routerOperations.seq));
const hotspotUsers = (sim: RouterSim) => (sim.state()["/ip/hotspot/user"] as Array<Record<string, string>>) ?? [];
const pppSecrets = (sim: RouterSim) => (sim.state()["/ppp/secret"] as Array<Record<string, string>>) ?? [];
/** Jobs still queued, with their task and payload (graphile-worker's private tables, read as the worker role). */
const queued = async (task: string) =>
  (
    await t.queue.query<{ key: string | null; run_at: Date; payload: Record<string, string> }>(
      `select j.key, j.run_at, j.payload from graphile_worker._private_jobs j join graphile_worker._private_tasks k on k.id = j.task_id where k.identifier = $1`,
      [task],
    )
  ).rows;
const plan = { name: "mnetifi-1h", rateLimit: "2M/5M", sharedUsers: 1, idleTimeout: "15m" };

for (const version of ["7.16.2", "7.18"]) {
  describe(`provisioning on RouterOS ${version}`, () => {
    // A fresh router per test: drift repair rightly treats every tagged user as its own.
    let sim: RouterSim;
    let router: typeof routers.$inferSelect;
    beforeEach(async () => {
      sim = await startRouterSim({ port: 0, version, identity: `Prov-${version}` });
      router = await addRouter(sim, `Tower ${version} ${Math.random().toString(36).slice(2, 7)}`);
    });
    afterEach(async () => {
      await sim?.stop();
    });

    it("every operation goes through the router's queue and reaches the router", async () => {
      await inA(async (tx) => {
        const p = provisioning(tx, A.tenant.id, router.id, testSecrets);
        await p.ensureHotspotProfile(plan, "plan:1h");
        await p.ensureHotspotUser({ name: "Ab3dE9", password: "Ab3dE9", profile: plan.name, limitUptime: "1h", ref: "voucher:1" });
        await p.ensureHotspotUser({ name: "Zz9Yy8", password: "Zz9Yy8", profile: plan.name, ref: "voucher:2" });
        await p.ensurePppProfile({ name: "mnetifi-home-10", rateLimit: "5M/10M" });
        await p.ensurePppSecret({ name: "wanjiku", password: "s3cret-Pw", profile: "mnetifi-home-10", ref: "subscription:7" });
      });
      await runJobs();
      expect((await ops(router.id)).map((o) => [o.kind, o.status])).toEqual([
        ["ensure_hotspot_profile", "done"],
        ["ensure_hotspot_user", "done"],
        ["ensure_hotspot_user", "done"],
        ["ensure_ppp_profile", "done"],
        ["ensure_ppp_secret", "done"],
      ]);
      const user = hotspotUsers(sim).find((u) => u.name === "Ab3dE9");
      expect(user).toMatchObject({ profile: plan.name, comment: "mnetifi:voucher:1", "limit-uptime": "1h" });
      expect(pppSecrets(sim).find((s) => s.name === "wanjiku")).toMatchObject({ profile: "mnetifi-home-10", service: "pppoe", comment: "mnetifi:subscription:7" });
      // Passwords are sealed in the outbox and desired state, never stored in clear.
      const stored = JSON.stringify(await inA((tx) => tx.select().from(routerItems).where(eq(routerItems.routerId, router.id))));
      expect(stored).not.toContain("s3cret-Pw");

      // Log a device in, kick it, disable, enable, remove: all in order.
      sim.deviceAppear({ mac: "AA:BB:CC:00:00:01", ip: "10.5.50.11" });
      await inA(async (tx) => {
        const p = provisioning(tx, A.tenant.id, router.id, testSecrets);
        await p.loginDevice({ user: "Ab3dE9", password: "Ab3dE9", mac: "AA:BB:CC:00:00:01", ip: "10.5.50.11" });
      });
      await runJobs();
      expect((sim.state()["/ip/hotspot/active"] as Array<Record<string, string>>).map((a) => a.user)).toContain("Ab3dE9");
      await inA(async (tx) => {
        const p = provisioning(tx, A.tenant.id, router.id, testSecrets);
        await p.setHotspotUserDisabled("Zz9Yy8", true);
        await p.removeHotspotUser("Ab3dE9"); // also kicks its session
        await p.setPppSecretDisabled("wanjiku", true);
      });
      await runJobs();
      expect(hotspotUsers(sim).map((u) => u.name)).toEqual(["Zz9Yy8"]);
      expect(hotspotUsers(sim)[0]!.disabled).toBe("true");
      expect((sim.state()["/ip/hotspot/active"] as Array<Record<string, string>>).map((a) => a.user)).not.toContain("Ab3dE9");
      expect(pppSecrets(sim).find((s) => s.name === "wanjiku")!.disabled).toBe("true");
      await inA(async (tx) => {
        const p = provisioning(tx, A.tenant.id, router.id, testSecrets);
        await p.removePppSecret("wanjiku");
        await p.removePppProfile("mnetifi-home-10");
        await p.removeHotspotUser("Zz9Yy8");
        await p.removeHotspotProfile(plan.name);
      });
      await runJobs();
      expect(hotspotUsers(sim)).toEqual([]);
      expect(pppSecrets(sim)).toEqual([]);
      const all = await ops(router.id);
      expect(all.filter((o) => o.status !== "done")).toEqual([]);
      expect(await inA((tx) => tx.select().from(routerItems).where(eq(routerItems.routerId, router.id)))).toEqual([]);
    });

    it("a refusal by the router fails that operation visibly, the rest still apply, and Retry reruns it", async () => {
      sim.failNext("/ip/hotspot/user/add", "failure: profile does not exist");
      await inA(async (tx) => {
        const p = provisioning(tx, A.tenant.id, router.id, testSecrets);
        await p.ensureHotspotUser({ name: "Fail01", password: "Fail01", profile: "default", ref: "voucher:f" });
        await p.ensureHotspotUser({ name: "Good01", password: "Good01", profile: "default", ref: "voucher:g" });
      });
      await runJobs();
      const [failed, good] = await ops(router.id);
      expect(failed).toMatchObject({ status: "failed", lastError: expect.stringContaining("profile does not exist") });
      expect(good!.status).toBe("done");
      expect(await inA((tx) => retryOperations(tx, A.tenant.id, router.id))).toBe(1);
      await runJobs();
      expect((await ops(router.id))[0]!.status).toBe("done");
      expect(hotspotUsers(sim).map((u) => u.name).sort()).toEqual(["Fail01", "Good01"]);
    });

    it("a router going offline mid-operation keeps the rest pending, and they complete when it comes back", async () => {
      await inA(async (tx) => {
        const p = provisioning(tx, A.tenant.id, router.id, testSecrets);
        for (const n of ["Off001", "Off002", "Off003", "Off004"]) await p.ensureHotspotUser({ name: n, password: n, profile: "default", ref: `voucher:${n}` });
      });
      // The router drops off the network once the first two users are in (operations on
      // different users run side by side, so the later ones wait for that moment).
      let calls = 0;
      const firstTwo: Promise<string>[] = [];
      let dropped: Promise<void> | null = null;
      const flaky: Connect = (row, fn) =>
        connect(row, (api) =>
          fn({
            ...api,
            ensureHotspotUser: async (spec) => {
              if (++calls <= 2) {
                const added = api.ensureHotspotUser(spec);
                firstTwo.push(added);
                return added;
              }
              dropped ??= Promise.allSettled(firstTwo).then(() => sim.goOffline());
              await dropped;
              return api.ensureHotspotUser(spec);
            },
          } satisfies RouterApi),
        );
      const inTenant = <T>(fn: (tx: Tx) => Promise<T>) => inA(fn);
      const first = await syncRouter(inTenant, A.tenant.id, router.id, flaky, testSecrets);
      expect(first).toMatchObject({ done: 2, waiting: 2 });
      expect(first.error).toMatch(/could not be reached|closed|refused/i);
      let rows = await ops(router.id);
      expect(rows.map((o) => o.status)).toEqual(["done", "done", "pending", "pending"]);
      expect(rows[2]).toMatchObject({ attempts: 1, lastError: expect.any(String) });

      // Still offline: another attempt changes nothing but the attempt count.
      const second = await syncRouter(inTenant, A.tenant.id, router.id, connect, testSecrets);
      expect(second).toMatchObject({ done: 0, waiting: 2 });

      // Monitoring sees it back, which schedules the sync at once; the job applies the rest.
      await sim.goOnline();
      await inA((tx) => tx.update(routers).set({ status: "offline" }).where(eq(routers.id, router.id)));
      expect(await pollRouter(inTenant, A.tenant.id, router.id, connect, { routerUrl })).toMatchObject({ status: "online", changed: true });
      await runJobs();
      rows = await ops(router.id);
      expect(rows.map((o) => o.status)).toEqual(["done", "done", "done", "done"]);
      expect(hotspotUsers(sim).filter((u) => (u.name ?? "").startsWith("Off")).map((u) => u.name)).toEqual(["Off001", "Off002", "Off003", "Off004"]);
    });

    it("a device login that could not happen in time is skipped, not applied late", async () => {
      await inA(async (tx) => {
        const p = provisioning(tx, A.tenant.id, router.id, testSecrets);
        await p.loginDevice({ user: "Late01", password: "Late01", mac: "AA:BB:CC:00:00:09", ip: "10.5.50.19" }, { notAfter: new Date(Date.now() - 1000) });
      });
      await runJobs();
      expect((await ops(router.id))[0]).toMatchObject({ status: "skipped", lastError: expect.stringContaining("Too late") });
    });

    it("drift repair restores a user removed by hand, removes stale and expired ones, and leaves others' items alone", async () => {
      await inA(async (tx) => {
        const p = provisioning(tx, A.tenant.id, router.id, testSecrets);
        await p.ensureHotspotProfile(plan, "plan:1h");
        await p.ensureHotspotUser({ name: "Keep01", password: "Keep01", profile: plan.name, ref: "voucher:k" });
        await p.ensureHotspotUser({ name: "Gone01", password: "Gone01", profile: plan.name, ref: "voucher:g" });
        await p.ensureHotspotUser({ name: "Expd01", password: "Expd01", profile: plan.name, ref: "voucher:e", expiresAt: new Date(Date.now() + 60_000) });
        await p.ensurePppSecret({ name: "kamau", password: "pw-kamau", profile: "default", ref: "subscription:9" });
      });
      await runJobs();
      // On the router, by hand: the ISP deletes our user and secret, adds its own user, and a
      // leftover tagged user from an old voucher is still there.
      expect(sim.removeItemByHand("/ip/hotspot/user", "Gone01")).toBe(true);
      expect(sim.removeItemByHand("/ppp/secret", "kamau")).toBe(true);
      await connect(router, async (api) => {
        await api.ensureHotspotUser({ name: "staff-laptop", password: "x", profile: "default", comment: "office laptop" });
        await api.ensureHotspotUser({ name: "Old999", password: "Old999", profile: "default", comment: "mnetifi:voucher:old" });
      });
      // The third voucher's time is up, but its removal never reached the router.
      await inA((tx) => tx.update(routerItems).set({ expiresAt: new Date(Date.now() - 1000) }).where(eq(routerItems.name, "Expd01")));

      const inTenant = <T>(fn: (tx: Tx) => Promise<T>) => inA(fn);
      const r = await repairDrift(inTenant, A.tenant.id, router.id, connect, testSecrets);
      expect(r.status).toBe("checked");
      expect(r.changes.map((c) => [c.kind, c.target, c.result]).sort()).toEqual(
        [
          ["ensure_hotspot_user", "Gone01", "created"],
          ["ensure_ppp_secret", "kamau", "created"],
          ["remove_hotspot_user", "Expd01", "removed"],
          ["remove_hotspot_user", "Old999", "removed"],
        ].sort(),
      );
      expect(hotspotUsers(sim).map((u) => u.name).sort()).toEqual(["Gone01", "Keep01", "staff-laptop"]);
      expect(pppSecrets(sim).map((s) => s.name)).toEqual(["kamau"]);
      // What it changed is on record, as drift-repair operations.
      const recorded = (await ops(router.id)).filter((o) => o.source === "drift_repair");
      expect(recorded).toHaveLength(4);
      expect(recorded.every((o) => o.status === "done" && o.result?.includes(":"))).toBe(true);

      // A second run finds nothing to do.
      expect((await repairDrift(inTenant, A.tenant.id, router.id, connect, testSecrets)).changes).toEqual([]);
    });

    it("drift repair waits while operations are pending, so it never fights them", async () => {
      await inA(async (tx) => {
        await provisioning(tx, A.tenant.id, router.id, testSecrets).ensureHotspotUser({ name: "Wait01", password: "Wait01", profile: "default" });
      });
      const inTenant = <T>(fn: (tx: Tx) => Promise<T>) => inA(fn);
      expect((await repairDrift(inTenant, A.tenant.id, router.id, connect, testSecrets)).status).toBe("pending_operations");
      await runJobs();
      expect(hotspotUsers(sim).map((u) => u.name)).toContain("Wait01");
    });
  });
}

describe("monitoring", () => {
  let sim: RouterSim;
  beforeAll(async () => {
    sim = await startRouterSim({ port: 0, version: "7.18", identity: "Mon-CCR" });
  });
  afterAll(async () => {
    await sim?.stop();
  });
  const inTenant = <T>(fn: (tx: Tx) => Promise<T>) => inA(fn);

  it("records samples, goes offline after two failed polls with an alert, and comes back", async () => {
    const router = await addRouter(sim, "Monitored");
    sim.deviceAppear({ mac: "AA:BB:CC:00:01:01", ip: "10.5.50.21" });
    await connect(router, (api) => api.ensureHotspotUser({ name: "Mon001", password: "Mon001", profile: "default", comment: "mnetifi" }));
    expect(sim.deviceLogin({ user: "Mon001", mac: "AA:BB:CC:00:01:01", ip: "10.5.50.21", password: "Mon001" })).toBeNull();

    expect(await pollRouter(inTenant, A.tenant.id, router.id, connect, { routerUrl })).toEqual({ status: "online", changed: false });
    const [sample] = await inA((tx) => tx.select().from(routerSamples).where(eq(routerSamples.routerId, router.id)));
    expect(sample).toMatchObject({ reachable: true, hotspotActive: 1, pppActive: 0 });
    expect(sample!.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(sample!.totalMemory).toBeGreaterThan(0);

    await sim.goOffline();
    try {
      expect(await pollRouter(inTenant, A.tenant.id, router.id, connect, { routerUrl })).toMatchObject({ status: "online", changed: false });
      expect(await pollRouter(inTenant, A.tenant.id, router.id, connect, { routerUrl })).toMatchObject({ status: "offline", changed: true });
    } finally {
      await sim.goOnline();
    }
    const [row] = await inA((tx) => tx.select().from(routers).where(eq(routers.id, router.id)));
    expect(row).toMatchObject({ status: "offline", failedPolls: 2, lastError: expect.any(String) });
    // The owner is told by email (queued in the same transaction as the change).
    const mail = (await queued("send_email")).filter((j) => j.payload.subject === "Offline: Monitored");
    expect(mail.map((j) => j.payload.to)).toEqual(["owner@isp-prov-a.test"]);

    expect(await pollRouter(inTenant, A.tenant.id, router.id, connect, { routerUrl })).toEqual({ status: "online", changed: true });
    const changes = await inA((tx) => tx.select().from(routerStatusChanges).where(eq(routerStatusChanges.routerId, router.id)).orderBy(routerStatusChanges.at));
    expect(changes.map((c) => c.status)).toEqual(["offline", "online"]);
    const events = await inA((tx) => tx.select({ action: auditEvents.action }).from(auditEvents).where(and(eq(auditEvents.tenantId, A.tenant.id))));
    expect(events.map((e) => e.action)).toEqual(expect.arrayContaining(["router.offline", "router.online"]));
  });

  it("history for the charts is averaged into at most 300 slots, with availability from every poll", async () => {
    const router = await addRouter(sim, "Week of polls");
    const now = Date.now();
    // A week of one-minute polls; the router was unreachable for the first day.
    const rows = Array.from({ length: 7 * 24 * 60 }, (_, i) => {
      const at = new Date(now - (7 * 24 * 60 - i) * 60_000);
      const up = i >= 24 * 60;
      return { tenantId: A.tenant.id, routerId: router.id, at, reachable: up, cpuLoad: up ? 10 + (i % 20) : null, freeMemory: up ? 600 : null, totalMemory: up ? 1000 : null, hotspotActive: up ? i % 7 : null, pppActive: up ? 1 : null };
    });
    await inA(async (tx) => {
      for (let i = 0; i < rows.length; i += 1000) await tx.insert(routerSamples).values(rows.slice(i, i + 1000));
    });
    const { routerHistory } = await import("../server/services/router-monitoring");
    const week = await inA((tx) => routerHistory(tx, A.tenant.id, router.id, new Date(now - 7 * 86_400_000), new Date(now)));
    expect(week.samples.length).toBeLessThanOrEqual(301);
    expect(week.samples.length).toBeGreaterThan(250);
    expect(week.availabilityPct).toBeCloseTo(85.7, 0);
    expect(week.samples.reduce((n, s) => n + s.up + s.down, 0)).toBe(rows.length);
    const last = week.samples.at(-1)!;
    expect(last).toMatchObject({ reachable: true, memoryUsedPct: 40, pppActive: 1, hotspotActive: 6 });
    const day = await inA((tx) => routerHistory(tx, A.tenant.id, router.id, new Date(now - 86_400_000), new Date(now)));
    expect(day.availabilityPct).toBe(100);
  });

  it("the sweep schedules a poll for every verified router of every ISP, and the poll reschedules itself", async () => {
    const router = await addRouter(sim, "Swept");
    const { withPlatform } = await import("../db/client");
    const { enqueueJob } = await import("../server/services/jobs");
    await withPlatform(t.db, null, (tx) => enqueueJob(tx, "routers_sweep", { drift: true }));
    await runJobs(); // the sweep: enqueues polls and drift repairs per tenant
    await runJobs(); // the polls and repairs
    const samples = await inA((tx) => tx.select().from(routerSamples).where(eq(routerSamples.routerId, router.id)));
    expect(samples.length).toBeGreaterThanOrEqual(1);
    const next = (await queued("router_poll")).filter((j) => j.key === `${A.tenant.id}:router_poll:${router.id}`);
    expect(next).toHaveLength(1);
    expect(next[0]!.run_at.getTime()).toBeGreaterThan(Date.now() + 30_000);
    // B has no verified routers: nothing was queued in its name.
    expect((await queued("router_poll")).filter((j) => j.payload.tenant_id === B.tenant.id)).toEqual([]);
  });
});

describe("applying a batch", () => {
  type Op = { kind: "ensure_hotspot_profile" | "ensure_hotspot_user" | "login_device" | "kick_hotspot_user"; target: string };
  const tick = () => new Promise((r) => setTimeout(r, 5));

  it("keeps each user's operations in order, runs different users side by side, and lets a profile change overlap nothing", async () => {
    const log: string[] = [];
    let inFlight = 0;
    let most = 0;
    const batch: Op[] = [
      { kind: "ensure_hotspot_profile", target: "p1" },
      ...["u1", "u2", "u3"].flatMap((u) => [
        { kind: "ensure_hotspot_user" as const, target: u },
        { kind: "login_device" as const, target: u },
      ]),
      { kind: "ensure_hotspot_profile", target: "p2" },
      { kind: "kick_hotspot_user", target: "u1" },
    ];
    await applyBatch(batch, async (op) => {
      log.push(`start ${op.kind} ${op.target}`);
      most = Math.max(most, ++inFlight);
      await tick();
      inFlight--;
      log.push(`end ${op.kind} ${op.target}`);
    });
    expect(most).toBe(3); // the three users together
    const at = (e: string) => log.indexOf(e);
    for (const u of ["u1", "u2", "u3"]) {
      expect(at(`end ensure_hotspot_profile p1`)).toBeLessThan(at(`start ensure_hotspot_user ${u}`));
      expect(at(`end ensure_hotspot_user ${u}`)).toBeLessThan(at(`start login_device ${u}`));
      expect(at(`end login_device ${u}`)).toBeLessThan(at(`start ensure_hotspot_profile p2`));
    }
    expect(at(`end ensure_hotspot_profile p2`)).toBeLessThan(at(`start kick_hotspot_user u1`));
  });

  it("a lost connection stops new operations, lets those in flight settle, then fails the batch", async () => {
    const started: string[] = [];
    const settled: string[] = [];
    const batch: Op[] = Array.from({ length: 20 }, (_, i) => ({ kind: "ensure_hotspot_user" as const, target: `u${i}` }));
    await expect(
      applyBatch(batch, async (op) => {
        started.push(op.target);
        await tick();
        settled.push(op.target);
        if (op.target === "u2") throw new Error("connection closed");
      }),
    ).rejects.toThrow("connection closed");
    expect(started.length).toBeLessThan(20);
    expect(settled.sort()).toEqual(started.sort());
  });
});
