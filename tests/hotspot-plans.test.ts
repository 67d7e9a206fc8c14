// Hotspot plans and settings through the tRPC caller: input checks in plain language, the
// delete guard, roles, tenant isolation, the audit trail, and the plans' profiles reaching two
// simulated routers through the provisioning outbox and the real job queue.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { and, eq, like } from "drizzle-orm";
import { runOnce } from "graphile-worker";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { addUser, appContext, createTenantFixture, noIntegrations, requestWithSession, testJobDeps, testSecrets, type TenantFixture } from "./helpers/fixtures";
import { withTenant, type Tx } from "../db/client";
import { auditEvents, hotspotPlans, hotspotSettings, routerItems, routerOperations, routers, vouchers } from "../db/schema";
import { getCaller } from "../server/trpc/root";
import { refusal } from "./helpers/trpc";
import type { Site } from "../server/services/hosts";
import { buildTaskList } from "../jobs";
import { startRouterSim, type RouterSim } from "../sim/routeros";
import { parsePriceCents, planProfileName, syncPlanProfiles, syncPlanProfilesForRouter } from "../server/services/hotspot/plans";

let t: TestDatabase;
let A: TenantFixture;
let B: TenantFixture;

const site = (f: TenantFixture): Site => ({ kind: "tenant", tenant: f.tenant });
const caller = (f: TenantFixture, token = f.token) => getCaller(appContext(t.db, site(f)), requestWithSession(`${f.tenant.slug}.mnetifi.test`, token));
const inTenant = <T>(f: TenantFixture, fn: (tx: Tx) => Promise<T>) => withTenant(t.db, f.tenant.id, null, fn);


/** A plan as the form sends it (strings). */
const form = (over: Record<string, unknown> = {}) => ({
  name: "1 hour",
  price: "10",
  durationValue: "1",
  durationUnit: "hours",
  downloadMbps: "2",
  uploadMbps: "1",
  devices: "1",
  ...over,
});

beforeAll(async () => {
  t = await createTestDatabase();
  A = await createTenantFixture(t.db, "isp-plans-a");
  B = await createTenantFixture(t.db, "isp-plans-b");
});

describe("plans through the API", () => {
  it("creates a plan from form strings: shillings → cents, Mbps → kbps, no burst, defaults", async () => {
    const a = await caller(A);
    const p = await a.hotspotPlans.createPlan(form({ name: "  1 hour ", price: "KES 10" }));
    expect(p).toMatchObject({
      tenantId: A.tenant.id,
      name: "1 hour",
      priceCents: 1000,
      durationValue: 1,
      durationUnit: "hours",
      downloadKbps: 2048,
      uploadKbps: 1024,
      burstDownloadKbps: null,
      burstTimeSeconds: null,
      dataCapMb: null,
      devices: 1,
      active: true,
      hidden: false,
      // No order given: after the others.
      displayOrder: 10,
    });
    const week = await a.hotspotPlans.createPlan({
      name: "1 week",
      price: 249.5,
      durationValue: 1,
      durationUnit: "weeks",
      downloadMbps: 5,
      uploadMbps: "0.5",
      burstDownloadMbps: "10",
      burstUploadMbps: "1",
      burstThresholdDownloadMbps: "4",
      burstThresholdUploadMbps: "0.375",
      burstTimeSeconds: "10",
      dataCapMb: "10,240",
      devices: "2",
      displayOrder: "20",
    });
    expect(week).toMatchObject({ priceCents: 24950, downloadKbps: 5120, uploadKbps: 512, burstDownloadKbps: 10240, burstUploadKbps: 1024, burstThresholdDownloadKbps: 4096, burstThresholdUploadKbps: 384, burstTimeSeconds: 10, dataCapMb: 10240, devices: 2, displayOrder: 20 });
    const unlimited = await a.hotspotPlans.createPlan(form({ name: "Night unlimited", price: "30", durationValue: "8", unlimited: "on", downloadMbps: "", uploadMbps: "", displayOrder: "" }));
    expect(unlimited).toMatchObject({ downloadKbps: null, uploadKbps: null, displayOrder: 30 });
    const list = await a.hotspotPlans.plans();
    expect(list.plans.map((x) => x.name)).toEqual(["1 hour", "1 week", "Night unlimited"]);
    expect(list.plans[0]).toMatchObject({ vouchers: 0, profileName: planProfileName(p.id) });
  });

  it("reads prices the way people type them", () => {
    expect(parsePriceCents("50")).toBe(5000);
    expect(parsePriceCents("49.5")).toBe(4950);
    expect(parsePriceCents("Ksh 1,000")).toBe(100000);
    expect(parsePriceCents("20/=")).toBe(2000);
    expect(parsePriceCents("")).toBeUndefined();
    expect(parsePriceCents("10.505")).toBeNaN();
    expect(parsePriceCents("fifty")).toBeNaN();
  });

  it("refuses bad input with plain-language field errors", async () => {
    const a = await caller(A);
    const r = await refusal(a.hotspotPlans.createPlan(form({ name: "x", price: "ten", durationValue: "0", durationUnit: "years", downloadMbps: "", uploadMbps: "-1", devices: "0", dataCapMb: "1.5" })));
    expect(r.code).toBe("BAD_REQUEST");
    expect(r.fieldErrors).toMatchObject({
      name: ["Give the plan a name of at least 2 characters, e.g. “1 hour”."],
      price: [expect.stringContaining("Enter the price in shillings")],
      durationValue: ["At least 1."],
      durationUnit: ["Choose minutes, hours, days, weeks or months."],
      uploadMbps: ["At least 0.1 Mbps (100 kbps)."],
      // Rules across fields show at the same time as the others.
      downloadMbps: ["Enter the download speed, e.g. 5, or tick “Unlimited speed”."],
      devices: ["At least 1 device."],
      dataCapMb: ["Whole MB, e.g. 1024 for 1 GB."],
    });
    expect((await refusal(a.hotspotPlans.createPlan(form({ downloadMbps: "" })))).fieldErrors).toEqual({ downloadMbps: ["Enter the download speed, e.g. 5, or tick “Unlimited speed”."] });
    expect((await refusal(a.hotspotPlans.createPlan(form({ name: "Burst half", burstDownloadMbps: "4" })))).fieldErrors).toEqual({
      burstUploadMbps: ["Fill in all burst fields, or leave them all empty."],
      burstThresholdDownloadMbps: ["Fill in all burst fields, or leave them all empty."],
      burstThresholdUploadMbps: ["Fill in all burst fields, or leave them all empty."],
      burstTimeSeconds: ["Fill in all burst fields, or leave them all empty."],
    });
    expect(
      (await refusal(a.hotspotPlans.createPlan(form({ name: "Burst slow", burstDownloadMbps: "1", burstUploadMbps: "2", burstThresholdDownloadMbps: "3", burstThresholdUploadMbps: "0.5", burstTimeSeconds: "8" })))).fieldErrors,
    ).toEqual({
      burstDownloadMbps: ["The burst speed must be higher than the normal download speed."],
      burstThresholdDownloadMbps: ["Keep the threshold at or below the normal download speed (often ¾ of it)."],
    });
    expect((await refusal(a.hotspotPlans.createPlan(form({ name: "x2", price: "0" })))).fieldErrors).toEqual({ price: ["The price must be at least KES 1 (M-Pesa does not take less)."] });
    expect((await refusal(a.hotspotPlans.createPlan(form({ devices: "101" })))).fieldErrors).toEqual({ devices: ["At most 100 devices."] });
    // A duplicate name, any letter case, is a field error (409), not a 500.
    expect(await refusal(a.hotspotPlans.createPlan(form({ name: "1 HOUR" })))).toMatchObject({ code: "CONFLICT", fieldErrors: { name: ["You already have a plan called “1 hour”. Plan names must be different."] } });
    expect((await a.hotspotPlans.plans()).plans).toHaveLength(3);
  });

  it("updates a plan, keeping names unique and burst only with a speed limit", async () => {
    const a = await caller(A);
    const [hour, week] = (await a.hotspotPlans.plans()).plans;
    const up = await a.hotspotPlans.updatePlan({ ...form({ name: "1 Hour", price: "15", downloadMbps: "3" }), id: hour!.id });
    expect(up).toMatchObject({ name: "1 Hour", priceCents: 1500, downloadKbps: 3072 });
    expect(await refusal(a.hotspotPlans.updatePlan({ ...form({ name: "1 week" }), id: hour!.id }))).toMatchObject({ code: "CONFLICT", fieldErrors: { name: [expect.stringContaining("“1 week”")] } });
    // Burst with an unlimited speed is refused, saying why.
    expect((await refusal(a.hotspotPlans.updatePlan({ ...form({ name: "1 week", unlimited: "on", burstDownloadMbps: "9" }), id: week!.id }))).fieldErrors).toEqual({
      burstDownloadMbps: ["Burst needs a speed limit: clear the burst fields or untick “Unlimited speed”."],
    });
    expect(await refusal(a.hotspotPlans.updatePlan({ ...form({ name: "Ghost" }), id: "00000000-0000-4000-8000-000000000000" }))).toMatchObject({ code: "NOT_FOUND", message: "That plan does not exist." });
    await a.hotspotPlans.updatePlan({ ...form({ name: "1 hour", price: "10" }), id: hour!.id });
  });

  it("reorders plans", async () => {
    const a = await caller(A);
    const ids = (await a.hotspotPlans.plans()).plans.map((p) => p.id);
    await a.hotspotPlans.reorderPlans({ ids: [ids[2]!, ids[0]!] });
    const after = (await a.hotspotPlans.plans()).plans;
    expect(after.map((p) => [p.id, p.displayOrder])).toEqual([
      [ids[2], 10],
      [ids[0], 20],
      [ids[1], 30],
    ]);
    await a.hotspotPlans.reorderPlans({ ids });
  });

  it("refuses to delete a plan vouchers were sold for, and says to stop selling it instead", async () => {
    const a = await caller(A);
    const plan = await a.hotspotPlans.createPlan(form({ name: "1 day", price: "50", durationUnit: "days" }));
    await inTenant(A, (tx) =>
      tx.insert(vouchers).values({ tenantId: A.tenant.id, code: "PlnA7k", planId: plan.id, durationSeconds: 86400, devicesAllowed: 1, lapsesAt: new Date(Date.now() + 86_400_000) }),
    );
    const r = await refusal(a.hotspotPlans.deletePlan({ id: plan.id }));
    expect(r).toEqual({
      code: "CONFLICT",
      message: "“1 day” cannot be deleted: 1 voucher was sold or printed for it, and it keeps its record. Stop selling it instead: it disappears from the portal and nobody can buy it.",
      fieldErrors: {},
    });
    expect((await a.hotspotPlans.plans()).plans.find((p) => p.id === plan.id)).toMatchObject({ vouchers: 1 });
    // The offered way out.
    expect(await a.hotspotPlans.setPlanAvailability({ id: plan.id, active: false })).toMatchObject({ active: false });
    // A plan nobody bought goes.
    const spare = await a.hotspotPlans.createPlan(form({ name: "Spare", price: "5", durationValue: "30", durationUnit: "minutes" }));
    expect(await a.hotspotPlans.deletePlan({ id: spare.id })).toEqual({ ok: true, name: "Spare" });
    expect(await refusal(a.hotspotPlans.deletePlan({ id: spare.id }))).toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("settings", () => {
  it("has the defaults before anything is saved", async () => {
    const b = await caller(B);
    expect(await b.hotspotPlans.settings()).toEqual({ expiryMode: "first_use", lapseDays: 30, idleTimeoutMinutes: 15, warnAt90: true, codeLength: 6, freeTrialEnabled: false, freeTrialMinutes: 10, saved: false });
  });

  it("saves the rules from the form, with plain-language errors", async () => {
    const a = await caller(A);
    const bad = await refusal(a.hotspotPlans.saveSettings({ expiryMode: "later", lapseDays: "0", idleTimeoutMinutes: "1441", codeLength: "9", freeTrialMinutes: "", warnAt90: "on" }));
    expect(bad).toMatchObject({
      code: "BAD_REQUEST",
      fieldErrors: {
        expiryMode: ["Choose when a voucher's time starts."],
        lapseDays: ["Enter 1 to 365 days."],
        idleTimeoutMinutes: ["Enter 1 to 1440 minutes (24 hours)."],
        codeLength: ["Enter 6, 7 or 8 characters."],
        freeTrialMinutes: ["Enter the free trial's length in minutes."],
      },
    });
    const r = await a.hotspotPlans.saveSettings({ expiryMode: "purchase", lapseDays: "7", idleTimeoutMinutes: "15", codeLength: "8", freeTrialEnabled: "on", freeTrialMinutes: "20" });
    expect(r.changed.sort()).toEqual(["codeLength", "expiryMode", "freeTrialEnabled", "freeTrialMinutes", "lapseDays", "warnAt90"]);
    expect(await a.hotspotPlans.settings()).toEqual({ expiryMode: "purchase", lapseDays: 7, idleTimeoutMinutes: 15, warnAt90: false, codeLength: 8, freeTrialEnabled: true, freeTrialMinutes: 20, saved: true });
    // The portal's branding in the same row is left alone.
    await inTenant(A, (tx) => tx.update(hotspotSettings).set({ portalTagline: "Fast Wi-Fi" }).where(eq(hotspotSettings.tenantId, A.tenant.id)));
    await a.hotspotPlans.saveSettings({ expiryMode: "first_use", lapseDays: "30", idleTimeoutMinutes: "15", codeLength: "6", warnAt90: "on", freeTrialMinutes: "10" });
    const [row] = await inTenant(A, (tx) => tx.select().from(hotspotSettings).where(eq(hotspotSettings.tenantId, A.tenant.id)));
    expect(row).toMatchObject({ portalTagline: "Fast Wi-Fi", expiryMode: "first_use", warnAt90: true });
  });
});

describe("roles and tenants", () => {
  it("staff can see plans and settings but not change them; technicians cannot see them", async () => {
    const staff = await caller(A, (await addUser(t.db, A, "staff", "plans-staff")).token);
    const tech = await caller(A, (await addUser(t.db, A, "technician", "plans-tech")).token);
    const plan = (await staff.hotspotPlans.plans()).plans[0]!;
    expect(await staff.hotspotPlans.settings()).toMatchObject({ saved: true });
    for (const call of [
      () => staff.hotspotPlans.createPlan(form({ name: "Staff plan" })),
      () => staff.hotspotPlans.updatePlan({ ...form(), id: plan.id }),
      () => staff.hotspotPlans.deletePlan({ id: plan.id }),
      () => staff.hotspotPlans.saveSettings({ expiryMode: "purchase", lapseDays: 1, idleTimeoutMinutes: 5, codeLength: 6, freeTrialMinutes: 5 }),
      () => tech.hotspotPlans.plans(),
      () => tech.hotspotPlans.settings(),
    ]) {
      expect(await refusal(call())).toMatchObject({ code: "FORBIDDEN" });
    }
  });

  it("B cannot read, change or delete A's plans or settings", async () => {
    const b = await caller(B);
    const aPlans = (await (await caller(A)).hotspotPlans.plans()).plans;
    expect((await b.hotspotPlans.plans()).plans).toEqual([]);
    for (const p of aPlans) {
      expect(await refusal(b.hotspotPlans.updatePlan({ ...form({ name: "Hijacked" }), id: p.id }))).toMatchObject({ code: "NOT_FOUND" });
      expect(await refusal(b.hotspotPlans.deletePlan({ id: p.id }))).toMatchObject({ code: "NOT_FOUND" });
      expect(await refusal(b.hotspotPlans.setPlanAvailability({ id: p.id, active: false }))).toMatchObject({ code: "NOT_FOUND" });
      expect(await refusal(b.hotspotPlans.reorderPlans({ ids: [p.id] }))).toMatchObject({ code: "NOT_FOUND" });
    }
    // B's own settings are B's: saving them does not touch A's.
    await b.hotspotPlans.saveSettings({ expiryMode: "purchase", lapseDays: 2, idleTimeoutMinutes: 60, codeLength: 7, freeTrialMinutes: 5 });
    expect(await (await caller(A)).hotspotPlans.settings()).toMatchObject({ expiryMode: "first_use", idleTimeoutMinutes: 15, codeLength: 6 });
    // B may reuse A's plan names (names are unique per ISP).
    const mine = await b.hotspotPlans.createPlan(form());
    expect(mine.tenantId).toBe(B.tenant.id);
    const after = (await (await caller(A)).hotspotPlans.plans()).plans;
    expect(after.map((p) => [p.name, p.updatedAt])).toEqual(aPlans.map((p) => [p.name, p.updatedAt]));
    // Raw SQL as the app role in B's context sees none of A's rows either.
    expect(await inTenant(B, (tx) => tx.select().from(hotspotPlans).where(eq(hotspotPlans.tenantId, A.tenant.id)))).toEqual([]);
    await b.hotspotPlans.deletePlan({ id: mine.id });
  });

  it("records every change in the audit trail, as events and row changes", async () => {
    const events = await inTenant(A, (tx) => tx.select().from(auditEvents).where(and(eq(auditEvents.tenantId, A.tenant.id), like(auditEvents.action, "hotspot.%"))));
    const actions = new Set(events.map((e) => e.action));
    for (const a of ["hotspot.plan_created", "hotspot.plan_updated", "hotspot.plan_deleted", "hotspot.plans_reordered", "hotspot.settings_saved"]) expect(actions).toContain(a);
    const updated = events.find((e) => e.action === "hotspot.plan_updated" && (e.details as { changed?: string[] }).changed?.includes("priceCents"));
    expect(updated).toMatchObject({ actorKind: "user", actorId: A.owner.id, details: { name: "1 Hour", changed: expect.arrayContaining(["name", "priceCents", "downloadKbps"]) } });
    const rowChanges = await inTenant(A, (tx) => tx.select().from(auditEvents).where(and(eq(auditEvents.tenantId, A.tenant.id), eq(auditEvents.tableName, "hotspot_plans"))));
    expect(new Set(rowChanges.map((r) => r.action))).toEqual(new Set(["INSERT", "UPDATE", "DELETE"]));
    expect(rowChanges.find((r) => r.action === "UPDATE")).toMatchObject({ actorId: A.owner.id });
  });
});

describe("profiles on the routers", () => {
  let C: TenantFixture;
  let sims: RouterSim[] = [];
  let routerIds: string[] = [];
  const taskList = () => buildTaskList(t.db, noIntegrations, { ...testJobDeps, routerPollSeconds: 60, routerUrl: (slug, id) => `http://${slug}.mnetifi.test/dashboard/routers/${id}` });
  const runJobs = () => runOnce({ pgPool: t.queue, taskList: taskList() });
  const profiles = (sim: RouterSim) => ((sim.state()["/ip/hotspot/user/profile"] as Array<Record<string, string>>) ?? []).filter((p) => p.name !== "default");
  const profileOf = (sim: RouterSim, planId: string) => profiles(sim).find((p) => p.name === planProfileName(planId));

  async function addRouter(sim: RouterSim, name: string) {
    const [row] = await inTenant(C, (tx) =>
      tx
        .insert(routers)
        .values({ tenantId: C.tenant.id, name, host: "127.0.0.1", apiPort: sim.port, username: "mnetifi-api", passwordEnc: testSecrets.encrypt("mnetifi-api-pass"), status: "online", verifiedAt: new Date(), statusSince: new Date() })
        .returning(),
    );
    return row!.id;
  }

  beforeAll(async () => {
    C = await createTenantFixture(t.db, "isp-plans-c");
    sims = [await startRouterSim({ port: 0, version: "7.16.2", identity: "Mwiki" }), await startRouterSim({ port: 0, version: "7.18", identity: "Zimmerman" })];
    routerIds = [await addRouter(sims[0]!, "Mwiki mast"), await addRouter(sims[1]!, "Zimmerman hAP")];
  });
  afterAll(async () => {
    for (const s of sims) await s.stop();
  });

  it("a new plan's profile reaches both routers with its rate limit, devices and the idle logout", async () => {
    const c = await caller(C);
    const plan = await c.hotspotPlans.createPlan(form({ name: "1 week", price: "250", durationUnit: "weeks", downloadMbps: "5", uploadMbps: "2", devices: "2" }));
    await runJobs();
    for (const sim of sims) {
      expect(profileOf(sim, plan.id)).toMatchObject({ "rate-limit": "2M/5M", "shared-users": "2", "idle-timeout": "15m" });
    }
    const items = await inTenant(C, (tx) => tx.select().from(routerItems).where(eq(routerItems.ref, `plan:${plan.id}`)));
    expect(items.map((i) => i.routerId).sort()).toEqual([...routerIds].sort());
    // Re-syncing with nothing changed queues nothing.
    const before = (await inTenant(C, (tx) => tx.select().from(routerOperations))).length;
    expect(await inTenant(C, (tx) => syncPlanProfiles(tx, C.tenant.id, testSecrets))).toEqual({ routers: 2, ensured: 0, removed: 0 });
    expect((await inTenant(C, (tx) => tx.select().from(routerOperations))).length).toBe(before);
  });

  it("a new speed, burst and device count update the profiles; an unlimited plan has no rate limit", async () => {
    const c = await caller(C);
    const plan = (await c.hotspotPlans.plans()).plans[0]!;
    await c.hotspotPlans.updatePlan({ ...form({ name: "1 week", price: "250", durationUnit: "weeks", downloadMbps: "10", uploadMbps: "5", devices: "3", burstDownloadMbps: "20", burstUploadMbps: "8", burstThresholdDownloadMbps: "7.5", burstThresholdUploadMbps: "4", burstTimeSeconds: "16" }), id: plan.id });
    await runJobs();
    for (const sim of sims) expect(profileOf(sim, plan.id)).toMatchObject({ "rate-limit": "5M/10M 8M/20M 4M/7680k 16/16", "shared-users": "3" });
    await c.hotspotPlans.updatePlan({ ...form({ name: "1 week", price: "250", durationUnit: "weeks", unlimited: "on", downloadMbps: "", uploadMbps: "", devices: "3" }), id: plan.id });
    await runJobs();
    for (const sim of sims) expect(profileOf(sim, plan.id)?.["rate-limit"] ?? "").toBe("");
  });

  it("changing the idle logout in settings updates every profile", async () => {
    const c = await caller(C);
    const r = await c.hotspotPlans.saveSettings({ expiryMode: "first_use", lapseDays: 30, idleTimeoutMinutes: 5, warnAt90: true, codeLength: 6, freeTrialMinutes: 10 });
    expect(r.routersUpdated).toBe(2);
    await runJobs();
    for (const sim of sims) for (const p of profiles(sim)) expect(p["idle-timeout"]).toBe("5m");
    // Saving other rules does not touch the routers.
    const ops = (await inTenant(C, (tx) => tx.select().from(routerOperations))).length;
    expect((await c.hotspotPlans.saveSettings({ expiryMode: "purchase", lapseDays: 30, idleTimeoutMinutes: 5, warnAt90: true, codeLength: 6, freeTrialMinutes: 10 })).routersUpdated).toBe(0);
    expect((await inTenant(C, (tx) => tx.select().from(routerOperations))).length).toBe(ops);
  });

  it("stopping sales removes the profile (kept while its vouchers can still be used); deleting removes it", async () => {
    const c = await caller(C);
    const day = await c.hotspotPlans.createPlan(form({ name: "1 day", price: "50", durationUnit: "days", downloadMbps: "5", uploadMbps: "2" }));
    const hour = await c.hotspotPlans.createPlan(form({ name: "1 hour", price: "10" }));
    await runJobs();
    for (const sim of sims) expect(profiles(sim)).toHaveLength(3);

    // A plan with an unused voucher keeps its profile when it stops being sold…
    await inTenant(C, (tx) => tx.insert(vouchers).values({ tenantId: C.tenant.id, code: "PlnC9x", planId: day.id, durationSeconds: 86400, devicesAllowed: 1, lapsesAt: new Date(Date.now() + 86_400_000) }));
    await c.hotspotPlans.setPlanAvailability({ id: day.id, active: false });
    await c.hotspotPlans.setPlanAvailability({ id: hour.id, active: false });
    await runJobs();
    for (const sim of sims) {
      expect(profileOf(sim, day.id)).toBeDefined();
      expect(profileOf(sim, hour.id)).toBeUndefined();
    }
    // …until that voucher is over.
    await inTenant(C, (tx) => tx.update(vouchers).set({ disabledAt: new Date() }).where(eq(vouchers.code, "PlnC9x")));
    await inTenant(C, (tx) => syncPlanProfiles(tx, C.tenant.id, testSecrets));
    await runJobs();
    for (const sim of sims) expect(profileOf(sim, day.id)).toBeUndefined();

    // Selling again brings it back; deleting an unsold plan removes it.
    await c.hotspotPlans.setPlanAvailability({ id: hour.id, active: true });
    await runJobs();
    for (const sim of sims) expect(profileOf(sim, hour.id)).toMatchObject({ "rate-limit": "1M/2M" });
    await c.hotspotPlans.deletePlan({ id: hour.id });
    await runJobs();
    for (const sim of sims) expect(profileOf(sim, hour.id)).toBeUndefined();
    expect(await inTenant(C, (tx) => tx.select().from(routerItems).where(eq(routerItems.ref, `plan:${hour.id}`)))).toEqual([]);
    const failed = (await inTenant(C, (tx) => tx.select().from(routerOperations))).filter((o) => o.status !== "done");
    expect(failed).toEqual([]);
  });

  it("a router added later gets every plan's profile", async () => {
    const sim = await startRouterSim({ port: 0, identity: "Githurai" });
    sims.push(sim);
    const id = await addRouter(sim, "Githurai 45");
    const active = (await (await caller(C)).hotspotPlans.plans()).plans.filter((p) => p.active);
    expect(await inTenant(C, (tx) => syncPlanProfilesForRouter(tx, C.tenant.id, id, testSecrets))).toEqual({ routers: 1, ensured: active.length, removed: 0 });
    await runJobs();
    expect(profiles(sim).map((p) => p.name).sort()).toEqual(active.map((p) => planProfileName(p.id)).sort());
    // Another tenant's router id is not this tenant's router.
    expect(await inTenant(A, (tx) => syncPlanProfilesForRouter(tx, A.tenant.id, id, testSecrets))).toEqual({ routers: 0, ensured: 0, removed: 0 });
  });
});

describe("the demo seed", () => {
  it("gives the demo ISP four common plans once, with their profiles queued for its routers", async () => {
    const { seedDemo, seedDemoHotspot, DEMO } = await import("../db/seed");
    await seedDemo(t.db, testSecrets);
    await seedDemoHotspot(t.db, testSecrets);
    await seedDemoHotspot(t.db, testSecrets);
    const { withPlatform } = await import("../db/client");
    const { findTenantIdBySlugPlatform } = await import("../server/services/tenants");
    const demoId = (await withPlatform(t.db, null, (tx) => findTenantIdBySlugPlatform(tx, DEMO.isp.slug)))!;
    const rows = await withTenant(t.db, demoId, null, (tx) => tx.select().from(hotspotPlans).where(eq(hotspotPlans.tenantId, demoId)).orderBy(hotspotPlans.displayOrder));
    expect(rows.map((p) => [p.name, p.priceCents, p.downloadKbps, p.uploadKbps, p.devices])).toEqual([
      ["1 hour", 1000, 2048, 1024, 1],
      ["1 day", 5000, 5120, 2048, 1],
      ["1 week", 25000, 5120, 2048, 2],
      ["1 month", 80000, 10240, 5120, 3],
    ]);
  });
});
