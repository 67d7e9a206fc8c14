import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { and, eq } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { addUser, appContext, createTenantFixture, requestWithSession, type TenantFixture } from "./helpers/fixtures";
import { withTenant } from "../db/client";
import { routers, auditEvents, routerOperations } from "../db/schema";
import { getCaller } from "../server/trpc/root";
import { planProfileName } from "../server/services/hotspot/rules";
import { startRouterSim, type RouterSim } from "../sim/routeros";

let t: TestDatabase;
let A: TenantFixture;
let B: TenantFixture;
let sim: RouterSim;

const caller = (f: TenantFixture, token = f.token) => getCaller(appContext(t.db, { kind: "tenant", tenant: f.tenant }), requestWithSession(`${f.tenant.slug}.mnetifi.test`, token));

beforeAll(async () => {
  t = await createTestDatabase();
  A = await createTenantFixture(t.db, "isp-routers-a");
  B = await createTenantFixture(t.db, "isp-routers-b");
  sim = await startRouterSim({ port: 0, version: "7.18", identity: "Kasarani-CCR", users: [{ name: "mnetifi-api", password: "Api-Pass-2026", group: "full" }] });
});
afterAll(async () => {
  await sim?.stop();
});

const good = () => ({ name: "Kasarani tower", host: "127.0.0.1", apiPort: String(sim.port), username: "mnetifi-api", password: "Api-Pass-2026", zoneId: A.zone.id, location: "Roof, block C" });

describe("adding a router", () => {
  it("tests the connection and stores identity, version and board; the password only sealed", async () => {
    const r = await (await caller(A)).routers.add(good());
    expect(r.check).toMatchObject({ ok: true, identity: "Kasarani-CCR", version: expect.stringMatching(/^7\.18/) });
    const [row] = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(routers).where(eq(routers.id, r.id)));
    expect(row).toMatchObject({ status: "online", identity: "Kasarani-CCR", zoneId: A.zone.id, lastError: null });
    expect(row!.passwordEnc).not.toContain("Api-Pass-2026");
    const list = await (await caller(A)).routers.list();
    expect(JSON.stringify(list)).not.toContain("passwordEnc");
    const audit = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(auditEvents).where(eq(auditEvents.rowId, r.id)));
    expect(JSON.stringify(audit[0]!.changes)).not.toContain("Api-Pass-2026");
  });

  it("a wrong password is saved as not verified, saying what failed", async () => {
    const r = await (await caller(A)).routers.add({ ...good(), name: "Wrong pass", password: "nope" });
    expect(r.check).toMatchObject({ ok: false, kind: "auth" });
    const [row] = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(routers).where(eq(routers.id, r.id)));
    expect(row!.status).toBe("unverified");
    expect(row!.lastError).toBeTruthy();
  });

  it("a port where nothing listens is refused, and a router that goes offline stops answering", async () => {
    const refused = await (await caller(A)).routers.add({ ...good(), name: "Nothing there", apiPort: "1" });
    expect(refused.check).toMatchObject({ ok: false, kind: "refused" });
    const added = await (await caller(A)).routers.add({ ...good(), name: "Goes offline" });
    await sim.goOffline();
    try {
      const check = await (await caller(A)).routers.test({ id: added.id });
      expect(check.ok).toBe(false);
    } finally {
      await sim.goOnline();
    }
    expect(await (await caller(A)).routers.test({ id: added.id })).toMatchObject({ ok: true });
  });

  it("bad input gets field errors; a duplicate name is a conflict", async () => {
    const c = await caller(A);
    await expect(c.routers.add({ ...good(), name: "x", host: "not a host!", apiPort: "99999", password: "" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(c.routers.add({ ...good(), name: "KASARANI TOWER" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(c.routers.add({ ...good(), name: "Other zone", zoneId: B.zone.id })).rejects.toThrow();
  });
});

describe("a verified router gets the hotspot plans", () => {
  it("adding (or re-testing) a router queues every plan's user profile for it; an unverified one gets them once it passes", async () => {
    const c = await caller(A);
    const plan = await c.hotspotPlans.createPlan({ name: "Day pass", price: "50", durationValue: "1", durationUnit: "days", downloadMbps: "4", uploadMbps: "2", devices: "1" });
    const profileOps = (routerId: string) =>
      withTenant(t.db, A.tenant.id, null, (tx) =>
        tx.select().from(routerOperations).where(and(eq(routerOperations.routerId, routerId), eq(routerOperations.kind, "ensure_hotspot_profile"))),
      );
    const added = await c.routers.add({ ...good(), name: "New tower" });
    expect((await profileOps(added.id)).map((o) => o.target)).toContain(planProfileName(plan.id));
    const unverified = await c.routers.add({ ...good(), name: "Not yet", password: "wrong" });
    expect(await profileOps(unverified.id)).toEqual([]);
    await c.routers.update({ ...good(), id: unverified.id, name: "Not yet" });
    expect((await profileOps(unverified.id)).map((o) => o.target)).toContain(planProfileName(plan.id));
  });
});

describe("editing a router", () => {
  it("new credentials are tested first: wrong ones keep it 'not verified' with why; right ones verify it; other edits need no test", async () => {
    const c = await caller(A);
    const added = await c.routers.add({ ...good(), name: "Editable" });
    const wrong = await c.routers.update({ ...good(), id: added.id, name: "Editable", password: "not-it" });
    expect(wrong.check).toMatchObject({ ok: false, kind: "auth" });
    let [row] = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(routers).where(eq(routers.id, added.id)));
    expect(row).toMatchObject({ status: "unverified", lastError: expect.stringContaining("did not accept the API username or password") });
    const right = await c.routers.update({ ...good(), id: added.id, name: "Editable" });
    expect(right.check).toMatchObject({ ok: true, identity: "Kasarani-CCR" });
    const renamed = await c.routers.update({ ...good(), id: added.id, name: "Editable renamed", password: "", location: "Mast 2" });
    expect(renamed.check).toBeNull();
    [row] = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(routers).where(eq(routers.id, added.id)));
    expect(row).toMatchObject({ name: "Editable renamed", location: "Mast 2", status: "online" });
    await expect(c.routers.update({ ...good(), id: added.id, name: "x", host: "bad host!" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(c.routers.update({ ...good(), id: added.id, name: "Kasarani tower" })).rejects.toMatchObject({ code: "CONFLICT" });
  });
});

describe("who may do what", () => {
  it("staff see routers but cannot add or remove them; another ISP sees none of them", async () => {
    const staff = await addUser(t.db, A, "staff", "router-staff");
    const s = await caller(A, staff.token);
    expect((await s.routers.list()).length).toBeGreaterThan(0);
    await expect(s.routers.add(good())).rejects.toMatchObject({ code: "FORBIDDEN" });
    const [first] = await (await caller(A)).routers.list();
    await expect(s.routers.remove({ id: first!.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(s.routers.update({ ...good(), id: first!.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(s.routers.retryOperations({ id: first!.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(s.routers.repairDrift({ id: first!.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect((await s.routers.detail({ id: first!.id })).router.id).toBe(first!.id);
    expect(JSON.stringify(await s.routers.detail({ id: first!.id }))).not.toContain("passwordEnc");
    const b = await caller(B);
    expect(await b.routers.list()).toEqual([]);
    await expect(b.routers.test({ id: first!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.routers.remove({ id: first!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});
