// Free trials on the captive portal: one per device and per phone per ISP, the trial's length,
// the cheapest package's speed, the device logged in on the (simulated) router, expiry at the
// exact time, and nothing when the ISP has trials off.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { eq } from "drizzle-orm";
import { runOnce } from "graphile-worker";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { createTenantFixture, noIntegrations, testJobDeps, testSecrets, type TenantFixture } from "./helpers/fixtures";
import { withTenant, type Tx } from "../db/client";
import { hotspotPlans, hotspotSettings, hotspotTrials, routers, vouchers, customers } from "../db/schema";
import { buildTaskList } from "../jobs";
import { startRouterSim, type RouterSim } from "../sim/routeros";
import { provisioning } from "../server/services/provisioning";
import { planProfileName } from "../server/services/hotspot/rules";
import { expireVoucher } from "../server/services/hotspot/access";
import { readDeviceContext } from "../server/services/hotspot/portal";
import { startTrial, trialOffer, TRIAL_MESSAGES } from "../server/services/hotspot/trials";

let t: TestDatabase;
let A: TenantFixture;
let B: TenantFixture;
let sim: RouterSim;
let routerA: string;
let routerB: string;
let cheapA: string;

const inT = <T>(f: TenantFixture, fn: (tx: Tx) => Promise<T>) => withTenant(t.db, f.tenant.id, null, fn);
const runJobs = () => runOnce({ pgPool: t.queue, taskList: buildTaskList(t.db, noIntegrations, testJobDeps) });
type Row = Record<string, string>;
const device = (routerId: string, mac: string, ip: string) => readDeviceContext({ mac, ip, router: routerId, "link-login-only": "http://10.5.50.1/login" });

async function setUp(f: TenantFixture, name: string) {
  return inT(f, async (tx) => {
    const [r] = await tx
      .insert(routers)
      .values({ tenantId: f.tenant.id, name, host: "127.0.0.1", apiPort: sim.port, username: "mnetifi-api", passwordEnc: testSecrets.encrypt("mnetifi-api-pass"), status: "online", verifiedAt: new Date() })
      .returning();
    const [cheap] = await tx.insert(hotspotPlans).values({ tenantId: f.tenant.id, name: "30 minutes", priceCents: 500, durationValue: 30, durationUnit: "minutes", downloadKbps: 1024, uploadKbps: 512 }).returning();
    await tx.insert(hotspotPlans).values({ tenantId: f.tenant.id, name: "1 day", priceCents: 5000, durationValue: 1, durationUnit: "days", downloadKbps: 5120, uploadKbps: 2048 });
    await provisioning(tx, f.tenant.id, r!.id, testSecrets).ensureHotspotProfile({ name: planProfileName(cheap!.id), rateLimit: "512k/1M", sharedUsers: 1, idleTimeout: "15m" }, `plan:${cheap!.id}`);
    await tx.insert(hotspotSettings).values({ tenantId: f.tenant.id, freeTrialEnabled: true, freeTrialMinutes: 15 });
    return { routerId: r!.id, cheap: cheap!.id };
  });
}

beforeAll(async () => {
  t = await createTestDatabase();
  A = await createTenantFixture(t.db, "isp-trial-a");
  B = await createTenantFixture(t.db, "isp-trial-b");
  sim = await startRouterSim({ port: 0, version: "7.18", identity: "Trial-hAP" });
  ({ routerId: routerA, cheap: cheapA } = await setUp(A, "Trial tower"));
  ({ routerId: routerB } = await setUp(B, "Other ISP tower"));
  await runJobs();
});

afterAll(async () => {
  await sim?.stop();
});

describe("free trials", () => {
  it("a device gets the trial's minutes at the cheapest package's speed, logged in on the router at once", async () => {
    expect(await inT(A, (tx) => trialOffer(tx, A.tenant.id))).toEqual({ minutes: 15 });
    sim.deviceAppear({ mac: "02:7A:00:00:00:01", ip: "10.5.50.31" });
    const started = new Date();
    const r = await inT(A, (tx) => startTrial(tx, A.tenant.id, testSecrets, { phone: "0712 500 001", device: device(routerA, "02:7a:00:00:00:01", "10.5.50.31") }));
    if (!r.ok) throw new Error(r.message);
    expect(r.minutes).toBe(15);
    expect(r.expiresAt.getTime() - started.getTime()).toBeGreaterThanOrEqual(15 * 60_000 - 1000);
    expect(r.expiresAt.getTime() - started.getTime()).toBeLessThanOrEqual(15 * 60_000 + 5000);
    const [v] = await inT(A, (tx) => tx.select().from(vouchers).where(eq(vouchers.code, r.code)));
    expect(v).toMatchObject({ planId: cheapA, durationSeconds: 900, devicesAllowed: 1, paymentId: null, phone: "254712500001", status: "active" });
    const [trial] = await inT(A, (tx) => tx.select().from(hotspotTrials).where(eq(hotspotTrials.voucherId, v!.id)));
    expect(trial).toMatchObject({ mac: "02:7A:00:00:00:01", phone: "254712500001", routerId: routerA });
    const [c] = await inT(A, (tx) => tx.select().from(customers).where(eq(customers.phone, "254712500001")));
    expect(c).toMatchObject({ lastMac: "02:7A:00:00:00:01", lastRouterId: routerA });

    await runJobs();
    const user = ((sim.state()["/ip/hotspot/user"] as Row[]) ?? []).find((u) => u.name === r.code);
    expect(user).toMatchObject({ profile: planProfileName(cheapA), "limit-uptime": "15m" });
    expect(((sim.state()["/ip/hotspot/active"] as Row[]) ?? []).find((a) => a.user === r.code)?.["mac-address"]).toBe("02:7A:00:00:00:01");

    // At the end of the trial the user leaves the router and the session ends.
    await inT(A, (tx) => expireVoucher(tx, A.tenant.id, testSecrets, v!.id, new Date(r.expiresAt.getTime() + 1000)));
    await runJobs();
    expect(((sim.state()["/ip/hotspot/user"] as Row[]) ?? []).some((u) => u.name === r.code)).toBe(false);
    expect(((sim.state()["/ip/hotspot/active"] as Row[]) ?? []).some((a) => a.user === r.code)).toBe(false);
  });

  it("one per device and one per phone number: a second try is refused in plain words", async () => {
    const sameDevice = await inT(A, (tx) => startTrial(tx, A.tenant.id, testSecrets, { phone: "0712500002", device: device(routerA, "02:7A:00:00:00:01", "10.5.50.31") }));
    expect(sameDevice).toEqual({ ok: false, reason: "used", message: TRIAL_MESSAGES.used });
    const samePhone = await inT(A, (tx) => startTrial(tx, A.tenant.id, testSecrets, { phone: "+254712500001", device: device(routerA, "02:7A:00:00:00:02", "10.5.50.32") }));
    expect(samePhone).toMatchObject({ ok: false, reason: "used" });
    // Two taps at once from a new device: one trial, the other refused by the unique key.
    const both = await Promise.all(
      ["0712500003", "0712500004"].map((phone) => inT(A, (tx) => startTrial(tx, A.tenant.id, testSecrets, { phone, device: device(routerA, "02:7A:00:00:00:03", "10.5.50.33") }))),
    );
    expect(both.filter((x) => x.ok)).toHaveLength(1);
    expect(both.filter((x) => !x.ok)).toEqual([{ ok: false, reason: "used", message: TRIAL_MESSAGES.used }]);
  });

  it("per ISP: the same device may try another ISP's Wi-Fi; neither ISP sees the other's trials", async () => {
    const r = await inT(B, (tx) => startTrial(tx, B.tenant.id, testSecrets, { phone: "0712500001", device: device(routerB, "02:7A:00:00:00:01", "10.5.50.31") }));
    expect(r.ok).toBe(true);
    expect(await inT(B, (tx) => tx.select().from(hotspotTrials))).toHaveLength(1);
    expect((await inT(A, (tx) => tx.select().from(hotspotTrials))).every((x) => x.tenantId === A.tenant.id)).toBe(true);
  });

  it("bad input and trials off: clear reasons, nothing given", async () => {
    const noDevice = await inT(A, (tx) => startTrial(tx, A.tenant.id, testSecrets, { phone: "0712500009", device: readDeviceContext({}) }));
    expect(noDevice).toMatchObject({ ok: false, reason: "no_device" });
    const badPhone = await inT(A, (tx) => startTrial(tx, A.tenant.id, testSecrets, { phone: "12345", device: device(routerA, "02:7A:00:00:00:09", "10.5.50.39") }));
    expect(badPhone).toMatchObject({ ok: false, reason: "phone" });
    await inT(A, (tx) => tx.update(hotspotSettings).set({ freeTrialEnabled: false }).where(eq(hotspotSettings.tenantId, A.tenant.id)));
    expect(await inT(A, (tx) => trialOffer(tx, A.tenant.id))).toBeNull();
    const off = await inT(A, (tx) => startTrial(tx, A.tenant.id, testSecrets, { phone: "0712500010", device: device(routerA, "02:7A:00:00:00:10", "10.5.50.40") }));
    expect(off).toMatchObject({ ok: false, reason: "off" });
    expect(await inT(A, (tx) => tx.select().from(hotspotTrials).where(eq(hotspotTrials.mac, "02:7A:00:00:00:10")))).toEqual([]);
  });
});
