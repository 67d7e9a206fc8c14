// Voucher admin tools through the API, on a real database: batches, field errors, codes unique
// across ISPs, lists by state and search, extend, disable, roles and tenant isolation, audit.
import { describe, it, expect, beforeAll, afterAll, vi } from "vitest";
import { and, eq, inArray } from "drizzle-orm";
import { runOnce } from "graphile-worker";
import type pg from "pg";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { addUser, appContext, createTenantFixture, noIntegrations, requestWithSession, testJobDeps, testSecrets, type TenantFixture } from "./helpers/fixtures";
import { withTenant, type Tx } from "../db/client";
import { auditEvents, hotspotPlans, hotspotSettings, messagingSettings, routerOperations, routers, voucherDevices, vouchers } from "../db/schema";
import { appRouter, getCaller } from "../server/trpc/root";
import { ISP_ROLES, ispCan } from "../policies/permissions";
import { refusal } from "./helpers/trpc";
import { issueVoucher, voucherLiveSessions } from "../server/services/hotspot/vouchers";
import { useVoucher } from "../server/services/hotspot/access";
import { provisioning } from "../server/services/provisioning";
import { generateCode, planProfileName } from "../server/services/hotspot/rules";
import { buildTaskList } from "../jobs";
import { startRouterSim, type RouterSim } from "../sim/routeros";

// The real generator, which a test can make return a taken code first.
vi.mock("../server/services/hotspot/rules", async (importOriginal) => {
  const real = await importOriginal<typeof import("../server/services/hotspot/rules")>();
  return { ...real, generateCode: vi.fn(real.generateCode) };
});

let t: TestDatabase;
let A: TenantFixture;
let B: TenantFixture;
let planA: string;
let planB: string;

const caller = (f: TenantFixture, token = f.token) => getCaller(appContext(t.db, { kind: "tenant", tenant: f.tenant }), requestWithSession(`${f.tenant.slug}.mnetifi.test`, token));
const inTenant = <T>(f: TenantFixture, fn: (tx: Tx) => Promise<T>) => withTenant(t.db, f.tenant.id, null, fn);
const MIN = 60_000;

/** The refusal a call ends in: its code and field errors (from zod or from the service). */

async function addPlan(f: TenantFixture, name: string, values: Partial<typeof hotspotPlans.$inferInsert> = {}) {
  const [p] = await inTenant(f, (tx) => tx.insert(hotspotPlans).values({ tenantId: f.tenant.id, name, priceCents: 1000, durationValue: 1, durationUnit: "hours", devices: 1, ...values }).returning());
  return p!.id;
}

const batch = (planId: string, extra: Record<string, unknown> = {}) => ({ planId, count: "25", name: "Shop cards December", notes: "Mama Njeri's kiosk", ...extra });

beforeAll(async () => {
  t = await createTestDatabase();
  A = await createTenantFixture(t.db, "isp-vouchers-a");
  B = await createTenantFixture(t.db, "isp-vouchers-b");
  planA = await addPlan(A, "1 hour", { priceCents: 2000 });
  planB = await addPlan(B, "1 day", { priceCents: 5000, durationValue: 1, durationUnit: "days", devices: 2 });
  // A's rules: unused vouchers lapse after 7 days; codes of 7 characters by default.
  await inTenant(A, (tx) => tx.insert(hotspotSettings).values({ tenantId: A.tenant.id, lapseDays: 7, codeLength: 7 }));
});

describe("generating a batch", () => {
  it("makes count distinct unused codes of the ISP's default length, lapsing after the ISP's days, listed under the batch", async () => {
    const a = await caller(A);
    const opts = await a.vouchers.batchOptions();
    expect(opts.codeLength).toBe(7);
    expect(opts.plans).toEqual([expect.objectContaining({ id: planA, name: "1 hour", priceCents: 2000 })]);

    const r = await a.vouchers.generateBatch(batch(planA));
    expect(r.count).toBe(25);
    const rows = await inTenant(A, (tx) => tx.select().from(vouchers).where(eq(vouchers.batchId, r.batchId)));
    expect(rows).toHaveLength(25);
    expect(new Set(rows.map((v) => v.code)).size).toBe(25);
    for (const v of rows) {
      expect(v.code).toMatch(/^[A-Za-z0-9]{7}$/);
      expect(v.expiresAt).toBeNull();
      expect(v.firstUsedAt).toBeNull();
      expect(v.durationSeconds).toBe(3600);
      expect(v.lapsesAt.getTime() - v.purchasedAt.getTime()).toBe(7 * 86_400_000);
    }
    const listed = await a.vouchers.list({ batchId: r.batchId });
    expect(listed.rows).toHaveLength(25);
    expect(listed.rows.every((v) => v.state === "unused" && v.planName === "1 hour" && v.devices === 0 && v.devicesAllowed === 1)).toBe(true);
    expect((await a.vouchers.batchOptions()).batches[0]).toMatchObject({ id: r.batchId, name: "Shop cards December", notes: "Mama Njeri's kiosk", count: 25, planName: "1 hour" });

    // An explicit length wins over the default.
    const eight = await a.vouchers.generateBatch(batch(planA, { count: "3", codeLength: "8", name: "Eight" }));
    const codes = (await a.vouchers.list({ batchId: eight.batchId })).rows.map((v) => v.code);
    expect(codes).toHaveLength(3);
    expect(codes.every((c) => /^[A-Za-z0-9]{8}$/.test(c))).toBe(true);
  });

  it("the largest batch (1,000) is made in one go, every code distinct", async () => {
    const a = await caller(A);
    const started = performance.now();
    const r = await a.vouchers.generateBatch(batch(planA, { count: "1000", name: "A thousand" }));
    const ms = performance.now() - started;
    console.log(`batch of 1,000 vouchers: ${Math.round(ms)} ms`);
    const rows = await inTenant(A, (tx) => tx.select({ code: vouchers.code }).from(vouchers).where(eq(vouchers.batchId, r.batchId)));
    expect(new Set(rows.map((v) => v.code)).size).toBe(1000);
    expect(ms).toBeLessThan(20_000);
  });

  it("bad input gets field errors and creates nothing", async () => {
    const a = await caller(A);
    const before = (await a.vouchers.list({ limit: 5000 })).rows.length;
    expect(await refusal(a.vouchers.generateBatch(batch(planA, { count: "0" })))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { count: ["At least 1."] } });
    expect(await refusal(a.vouchers.generateBatch(batch(planA, { count: "1001" })))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { count: ["At most 1,000 at a time."] } });
    expect(await refusal(a.vouchers.generateBatch(batch(planA, { codeLength: "5" })))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { codeLength: ["6 to 8 characters."] } });
    expect(await refusal(a.vouchers.generateBatch(batch(planA, { codeLength: "9" })))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { codeLength: ["6 to 8 characters."] } });
    expect(await refusal(a.vouchers.generateBatch(batch("")))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { planId: ["Choose a plan."] } });
    expect((await refusal(a.vouchers.generateBatch(batch(planA, { name: "" })))).fieldErrors.name).toBeTruthy();
    expect(await refusal(a.vouchers.generateBatch(batch(planA, { count: "abc" })))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { count: ["How many vouchers?"] } });
    expect(await refusal(a.vouchers.generateBatch(batch(planA, { count: "2.5" })))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { count: ["A whole number."] } });
    expect(await refusal(a.vouchers.generateBatch(batch(planA, { codeLength: "seven" })))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { codeLength: ["6 to 8 characters."] } });
    expect(await refusal(a.vouchers.generateBatch(batch(planA, { notes: "x".repeat(501) })))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { notes: ["Keep the notes under 500 characters."] } });
    // Another ISP's plan is not one of yours; neither is a plan that was deleted.
    expect(await refusal(a.vouchers.generateBatch(batch(planB)))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { planId: ["Choose one of your plans."] } });
    expect(await refusal(a.vouchers.generateBatch(batch("00000000-0000-4000-8000-000000000000")))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { planId: ["Choose one of your plans."] } });
    expect((await a.vouchers.list({ limit: 5000 })).rows.length).toBe(before);
    expect((await a.vouchers.batchOptions()).batches.map((b) => b.name)).not.toContain("Shop cards December 2");
  });

  it("refuses a plan that is not on sale (retired) with a field error; a hidden plan is fine", async () => {
    const a = await caller(A);
    const retired = await addPlan(A, "Old 3 hours", { active: false });
    const hidden = await addPlan(A, "Staff only 2 hours", { hidden: true });
    expect((await a.vouchers.batchOptions()).plans.map((p) => p.id)).not.toContain(retired);
    expect(await refusal(a.vouchers.generateBatch(batch(retired)))).toMatchObject({
      code: "BAD_REQUEST",
      fieldErrors: { planId: ["“Old 3 hours” is not on sale. Put it back on sale under Plans, or choose another plan."] },
    });
    expect(await inTenant(A, (tx) => tx.select().from(vouchers).where(eq(vouchers.planId, retired)))).toEqual([]);
    expect((await a.vouchers.generateBatch(batch(hidden, { count: "1", name: "Hidden plan cards" }))).count).toBe(1);
  });
});

describe("codes unique across ISPs", () => {
  it("many issued codes never repeat", async () => {
    const codes = await inTenant(A, async (tx) => {
      const out: string[] = [];
      for (let i = 0; i < 150; i++) out.push((await issueVoucher(tx, A.tenant.id, { planId: planA, codeLength: 6 })).code);
      return out;
    });
    expect(new Set(codes).size).toBe(150);
  });

  it("the database refuses another ISP a code already taken (raw SQL as the app role)", async () => {
    const [taken] = await inTenant(A, (tx) => tx.select({ code: vouchers.code }).from(vouchers).limit(1));
    const sql: pg.Client = await t.appClient();
    await sql.query("begin");
    try {
      await sql.query("select set_config('app.tenant_id', $1, true)", [B.tenant.id]);
      await expect(
        sql.query("insert into vouchers (tenant_id, code, plan_id, duration_seconds, devices_allowed, lapses_at) values ($1, $2, $3, 86400, 2, now() + interval '30 days')", [B.tenant.id, taken!.code, planB]),
      ).rejects.toMatchObject({ code: "23505" });
    } finally {
      await sql.query("rollback");
    }
    // A code differing only in case is another code (codes are case-sensitive).
    const other = taken!.code.replace(/[A-Za-z]/, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase()));
    if (other !== taken!.code) {
      const [row] = await inTenant(B, (tx) => tx.insert(vouchers).values({ tenantId: B.tenant.id, code: other, planId: planB, durationSeconds: 86_400, devicesAllowed: 2, lapsesAt: new Date(Date.now() + 86_400_000) }).returning());
      expect(row!.code).toBe(other);
    }
  });

  it("issuing for tenant B draws again when the generated code is already A's", async () => {
    const [taken] = await inTenant(A, (tx) => tx.select({ code: vouchers.code }).from(vouchers).where(eq(vouchers.planId, planA)).limit(1));
    vi.mocked(generateCode).mockReturnValueOnce(taken!.code).mockReturnValueOnce(taken!.code);
    const v = await inTenant(B, (tx) => issueVoucher(tx, B.tenant.id, { planId: planB }));
    expect(v.code).not.toBe(taken!.code);
    expect(v.code).toMatch(/^[A-Za-z0-9]{6}$/);
    expect(vi.mocked(generateCode).mock.results.slice(-3).map((r) => r.value)).toEqual([taken!.code, taken!.code, v.code]);
    // Five clashes in a row is a fault, not bad luck: it says so instead of looping.
    vi.mocked(generateCode).mockReturnValue(taken!.code);
    try {
      await expect(inTenant(B, (tx) => issueVoucher(tx, B.tenant.id, { planId: planB }))).rejects.toThrow();
    } finally {
      vi.mocked(generateCode).mockReset();
      const real = await vi.importActual<typeof import("../server/services/hotspot/rules")>("../server/services/hotspot/rules");
      vi.mocked(generateCode).mockImplementation(real.generateCode);
    }
  });
});

describe("lists by state and search", () => {
  let C: TenantFixture;
  const ids = {} as Record<"unused" | "active" | "expired" | "lapsed" | "disabled", string>;
  const codes = {} as Record<keyof typeof ids, string>;

  beforeAll(async () => {
    C = await createTenantFixture(t.db, "isp-vouchers-c");
    const plan = await addPlan(C, "30 minutes", { durationValue: 30, durationUnit: "minutes" });
    const now = Date.now();
    await inTenant(C, async (tx) => {
      for (const s of ["unused", "active", "expired", "lapsed", "disabled"] as const) {
        const v = await issueVoucher(tx, C.tenant.id, { planId: plan, phone: s === "active" ? "254712345678" : null });
        ids[s] = v.id;
        codes[s] = v.code;
      }
      await tx.update(vouchers).set({ firstUsedAt: new Date(now - 10 * MIN), expiresAt: new Date(now + 20 * MIN) }).where(eq(vouchers.id, ids.active));
      await tx.update(vouchers).set({ firstUsedAt: new Date(now - 60 * MIN), expiresAt: new Date(now - 30 * MIN) }).where(eq(vouchers.id, ids.expired));
      await tx.update(vouchers).set({ purchasedAt: new Date(now - 40 * 86_400_000), lapsesAt: new Date(now - MIN) }).where(eq(vouchers.id, ids.lapsed));
      await tx.update(vouchers).set({ disabledAt: new Date(now - MIN) }).where(eq(vouchers.id, ids.disabled));
    });
  });

  it("counts each state and filters by it", async () => {
    const c = await caller(C);
    const all = await c.vouchers.list({});
    expect(all.rows).toHaveLength(5);
    expect(all.counts).toEqual({ unused: 1, active: 1, expired: 1, lapsed: 1, disabled: 1 });
    expect(all.total).toBe(5);
    for (const s of ["unused", "active", "expired", "lapsed", "disabled"] as const) {
      const r = await c.vouchers.list({ state: s });
      expect(r.rows.map((x) => [x.id, x.state]), s).toEqual([[ids[s], s]]);
      // The tabs' counts do not depend on the tab picked; total is what this tab lists.
      expect(r.counts).toEqual(all.counts);
      expect(r.total).toBe(1);
    }
  });

  it("the counts follow the search and the batch, like the rows (each tab's number is what it lists)", async () => {
    const c = await caller(C);
    const r = await c.vouchers.list({ search: codes.expired });
    expect(r.rows.map((x) => x.id)).toEqual([ids.expired]);
    expect(r.counts).toEqual({ expired: 1 });
    expect(r.total).toBe(1);
    const byPhone = await c.vouchers.list({ search: "0712345678", state: "unused" });
    expect(byPhone).toMatchObject({ rows: [], counts: { active: 1 }, total: 0 });

    // A batch: its own counts, whatever else the ISP has.
    const plan = (await c.vouchers.batchOptions()).plans[0]!.id;
    const b = await c.vouchers.generateBatch(batch(plan, { count: "3", name: "Counted" }));
    const inBatch = await c.vouchers.list({ batchId: b.batchId });
    expect(inBatch).toMatchObject({ counts: { unused: 3 }, total: 3 });
    expect((await c.vouchers.list({ batchId: b.batchId, state: "active" })).total).toBe(0);
    expect((await c.vouchers.list({})).counts).toMatchObject({ unused: 4, active: 1, expired: 1, lapsed: 1, disabled: 1 });
  });

  it("pages through the list, newest first, without repeating or missing a voucher", async () => {
    const c = await caller(C);
    const every = (await c.vouchers.list({ limit: 5000 })).rows.map((r) => r.id);
    const seen: string[] = [];
    for (let offset = 0; offset < every.length; offset += 3) {
      const page = await c.vouchers.list({ limit: 3, offset });
      expect(page.total).toBe(every.length);
      expect(page.rows.length).toBe(Math.min(3, every.length - offset));
      seen.push(...page.rows.map((r) => r.id));
    }
    expect(seen).toEqual(every);
    expect((await c.vouchers.list({ limit: 3, offset: 300 })).rows).toEqual([]);
    expect(await refusal(c.vouchers.list({ offset: -1 }))).toMatchObject({ code: "BAD_REQUEST" });
  });

  it("searches by the start of the code (case-sensitive) and by phone in any common spelling", async () => {
    const c = await caller(C);
    const prefix = codes.expired.slice(0, 4);
    expect((await c.vouchers.list({ search: prefix })).rows.map((r) => r.id)).toContain(ids.expired);
    expect((await c.vouchers.list({ search: codes.expired })).rows.map((r) => r.id)).toEqual([ids.expired]);
    for (const phone of ["0712345678", "0712 345 678", "+254712345678", "254712345678"]) {
      expect((await c.vouchers.list({ search: phone })).rows.map((r) => r.id), phone).toEqual([ids.active]);
    }
    expect((await c.vouchers.list({ search: "0799000111" })).rows).toEqual([]);
    // Search and state together.
    expect((await c.vouchers.list({ search: codes.expired, state: "active" })).rows).toEqual([]);
  });

  it("shows a voucher's detail: state, plan, devices, no payment", async () => {
    const d = await (await caller(C)).vouchers.detail({ id: ids.active });
    expect(d).toMatchObject({ state: "active", plan: { name: "30 minutes" }, payment: null, devices: [], messages: [], batch: null, voucher: { code: codes.active, phone: "254712345678" } });
  });
});

describe("extend, disable and enable", () => {
  const make = (values: Partial<typeof vouchers.$inferInsert>) =>
    inTenant(A, async (tx) => {
      const v = await issueVoucher(tx, A.tenant.id, { planId: planA });
      if (Object.keys(values).length) await tx.update(vouchers).set(values).where(eq(vouchers.id, v.id));
      return v.id;
    });
  const row = async (id: string) => (await inTenant(A, (tx) => tx.select().from(vouchers).where(eq(vouchers.id, id))))[0]!;

  it("moves a running voucher's end; brings an expired one back from now; gives an unused one a longer time", async () => {
    const a = await caller(A);
    const now = Date.now();
    const running = await make({ firstUsedAt: new Date(now - 10 * MIN), expiresAt: new Date(now + 50 * MIN) });
    const r1 = await a.vouchers.extend({ id: running, amount: 30, unit: "minutes" });
    expect(new Date(r1.expiresAt!).getTime()).toBe(now + 80 * MIN);
    expect((await a.vouchers.detail({ id: running })).state).toBe("active");

    const expired = await make({ firstUsedAt: new Date(now - 3 * 60 * MIN), expiresAt: new Date(now - 2 * 60 * MIN) });
    expect((await a.vouchers.detail({ id: expired })).state).toBe("expired");
    const r2 = await a.vouchers.extend({ id: expired, amount: 2, unit: "hours" });
    const end = new Date(r2.expiresAt!).getTime();
    expect(end).toBeGreaterThanOrEqual(now + 2 * 60 * MIN);
    expect(end).toBeLessThan(Date.now() + 2 * 60 * MIN + 5000);
    expect((await a.vouchers.detail({ id: expired })).state).toBe("active");

    const unused = await make({});
    const r3 = await a.vouchers.extend({ id: unused, amount: 1, unit: "days" });
    expect(r3).toEqual({ expiresAt: null, durationSeconds: 3600 + 86_400 });
    expect(await row(unused)).toMatchObject({ durationSeconds: 90_000, expiresAt: null, firstUsedAt: null });
    expect((await a.vouchers.detail({ id: unused })).state).toBe("unused");
  });

  it("refuses a bad amount or unit with field errors", async () => {
    const a = await caller(A);
    const id = await make({});
    expect(await refusal(a.vouchers.extend({ id, amount: 0, unit: "hours" }))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { amount: ["At least 1."] } });
    expect(await refusal(a.vouchers.extend({ id, amount: 1.5, unit: "hours" }))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { amount: ["A whole number."] } });
    expect((await refusal(a.vouchers.extend({ id, amount: 1, unit: "years" as "days" }))).fieldErrors.unit).toBeTruthy();
    expect(await refusal(a.vouchers.extend({ id: "not-an-id", amount: 1, unit: "hours" }))).toMatchObject({ code: "BAD_REQUEST" });
    expect(await refusal(a.vouchers.extend({ id: "00000000-0000-4000-8000-000000000000", amount: 1, unit: "hours" }))).toMatchObject({ code: "NOT_FOUND" });
  });

  it("disables (state disabled, in the disabled list) and enables again (back to what its times say)", async () => {
    const a = await caller(A);
    const id = await make({ firstUsedAt: new Date(Date.now() - MIN), expiresAt: new Date(Date.now() + 30 * MIN) });
    await a.vouchers.setDisabled({ id, disabled: true });
    expect((await a.vouchers.detail({ id })).state).toBe("disabled");
    expect(await row(id)).toMatchObject({ status: "disabled", disabledAt: expect.any(Date) });
    expect((await a.vouchers.list({ state: "disabled" })).rows.map((r) => r.id)).toContain(id);
    await a.vouchers.setDisabled({ id, disabled: false });
    expect((await a.vouchers.detail({ id })).state).toBe("active");
    expect(await row(id)).toMatchObject({ status: "active", disabledAt: null });

    const unused = await make({});
    await a.vouchers.setDisabled({ id: unused, disabled: true });
    await a.vouchers.setDisabled({ id: unused, disabled: false });
    expect((await a.vouchers.detail({ id: unused })).state).toBe("unused");
  });
});

describe("modify: devices allowed and notes", () => {
  const two = () => addPlan(A, `2 devices ${Math.random().toString(36).slice(2, 7)}`, { devices: 2 });
  const fresh = (planId: string) => inTenant(A, (tx) => issueVoucher(tx, A.tenant.id, { planId }));
  let nowhere: string;
  // A router row to record devices on (nothing runs its queue in these tests).
  beforeAll(async () => {
    const [r] = await inTenant(A, (tx) => tx.insert(routers).values({ tenantId: A.tenant.id, name: "Nowhere", host: "127.0.0.1", apiPort: 1, username: "x", passwordEnc: testSecrets.encrypt("y") }).returning());
    nowhere = r!.id;
  });
  const use = (code: string, mac: string) => inTenant(A, (tx) => useVoucher(tx, A.tenant.id, testSecrets, { code, mac, ip: "10.5.50.9", routerId: nowhere }));

  it("changes notes and the device limit, audited with what changed; nothing changed is no event", async () => {
    const a = await caller(A);
    const v = await fresh(await two());
    const r = await a.vouchers.modify({ id: v.id, devicesAllowed: "1" as unknown as number, notes: "  Given to the church office  " });
    expect(r).toEqual({ changed: ["devicesAllowed", "notes"], devicesAllowed: 1, devicesUsed: 0, notes: "Given to the church office" });
    expect((await a.vouchers.detail({ id: v.id })).voucher).toMatchObject({ devicesAllowed: 1, notes: "Given to the church office" });
    expect((await a.vouchers.list({ search: v.code })).rows[0]).toMatchObject({ devicesAllowed: 1, notes: "Given to the church office" });
    expect(await a.vouchers.modify({ id: v.id, devicesAllowed: 1, notes: "Given to the church office" })).toMatchObject({ changed: [] });
    const events = await inTenant(A, (tx) => tx.select().from(auditEvents).where(eq(auditEvents.action, "voucher.modified")));
    const mine = events.filter((e) => (e.details as { voucherId?: string }).voucherId === v.id);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ actorKind: "user", actorId: A.owner.id, details: { voucherId: v.id, changed: ["devicesAllowed", "notes"], devicesAllowed: { from: 2, to: 1 } } });
  });

  it("a lower limit logs nobody out: devices already on it keep working, a new one is refused", async () => {
    const a = await caller(A);
    const v = await fresh(await two());
    expect(await use(v.code, "AA:00:00:00:0A:01")).toMatchObject({ ok: true });
    expect(await use(v.code, "AA:00:00:00:0A:02")).toMatchObject({ ok: true });
    const r = await a.vouchers.modify({ id: v.id, devicesAllowed: 1, notes: "" });
    expect(r).toMatchObject({ devicesAllowed: 1, devicesUsed: 2 });
    // Both devices are still the voucher's; nothing was queued to kick them.
    expect(await inTenant(A, (tx) => tx.select().from(voucherDevices).where(eq(voucherDevices.voucherId, v.id)))).toHaveLength(2);
    expect(await inTenant(A, (tx) => tx.select().from(routerOperations).where(and(eq(routerOperations.kind, "kick_hotspot_user"), eq(routerOperations.target, v.code))))).toEqual([]);
    expect(await use(v.code, "AA:00:00:00:0A:02")).toMatchObject({ ok: true, firstUse: false });
    expect(await use(v.code, "AA:00:00:00:0A:03")).toMatchObject({ ok: false, reason: "device_limit" });
  });

  it("bad input gets field errors and changes nothing; more than the plan's devices is refused; other ISPs' vouchers are not found", async () => {
    const a = await caller(A);
    const v = await fresh(await two());
    const keep = { id: v.id, notes: "kept" };
    expect(await refusal(a.vouchers.modify({ ...keep, devicesAllowed: 0 }))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { devicesAllowed: ["At least 1."] } });
    expect(await refusal(a.vouchers.modify({ ...keep, devicesAllowed: "" as unknown as number }))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { devicesAllowed: ["At least 1."] } });
    expect(await refusal(a.vouchers.modify({ ...keep, devicesAllowed: "two" as unknown as number }))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { devicesAllowed: ["How many devices?"] } });
    expect(await refusal(a.vouchers.modify({ ...keep, devicesAllowed: 1.5 }))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { devicesAllowed: ["A whole number."] } });
    expect(await refusal(a.vouchers.modify({ ...keep, devicesAllowed: 101 }))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { devicesAllowed: ["At most 100."] } });
    expect(await refusal(a.vouchers.modify({ ...keep, devicesAllowed: 3 }))).toMatchObject({
      code: "BAD_REQUEST",
      fieldErrors: { devicesAllowed: ["At most 2: the plan's routers let 2 devices online at once with one code."] },
    });
    expect(await refusal(a.vouchers.modify({ ...keep, devicesAllowed: 1, notes: "n".repeat(501) }))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { notes: ["Keep the notes under 500 characters."] } });
    expect(await refusal(a.vouchers.modify({ id: "nope", devicesAllowed: 1, notes: "" }))).toMatchObject({ code: "BAD_REQUEST" });
    expect(await refusal((await caller(B)).vouchers.modify({ id: v.id, devicesAllowed: 1, notes: "pwned" }))).toMatchObject({ code: "NOT_FOUND" });
    expect((await a.vouchers.detail({ id: v.id })).voucher).toMatchObject({ devicesAllowed: 2, notes: "" });
  });
});

describe("printable cards", () => {
  it("a batch's cards: the ISP's name and contact, the plan, every code in the order generated; another ISP's batch is not found", async () => {
    const a = await caller(A);
    await inTenant(A, (tx) => tx.insert(messagingSettings).values({ tenantId: A.tenant.id, contactPhone: "0712 345 678", webhookToken: "vouchers-test-token" }).onConflictDoNothing());
    const r = await a.vouchers.generateBatch(batch(planA, { count: "30", name: "Thirty", notes: "For the kiosk at the stage" }));
    const cards = await a.vouchers.batchCards({ id: r.batchId });
    expect(cards).toMatchObject({ business: "isp-vouchers-a Networks", contactPhone: "0712 345 678", batch: { name: "Thirty", notes: "For the kiosk at the stage", count: 30 }, plan: { id: planA, name: "1 hour", priceCents: 2000 } });
    expect(cards.cards).toHaveLength(30);
    expect(cards.cards.every((c) => c.state === "unused")).toBe(true);
    // Generation order is the reverse of the list's newest-first order.
    const listed = (await a.vouchers.list({ batchId: r.batchId, limit: 100 })).rows.map((v) => v.code);
    expect(cards.cards.map((c) => c.code)).toEqual([...listed].reverse());
    expect(await refusal((await caller(B)).vouchers.batchCards({ id: r.batchId }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await refusal(a.vouchers.batchCards({ id: "not-a-batch" }))).toMatchObject({ code: "BAD_REQUEST" });
  });
});

describe("live sessions and logging a device out (simulated routers)", () => {
  let sim: RouterSim;
  let down: RouterSim;
  let routerId: string;
  let downId: string;
  let voucher: { id: string; code: string };
  const runJobs = () => runOnce({ pgPool: t.queue, taskList: buildTaskList(t.db, noIntegrations, testJobDeps) });
  const addRouter = (name: string, port: number) =>
    inTenant(A, async (tx) => {
      const [r] = await tx
        .insert(routers)
        .values({ tenantId: A.tenant.id, name, host: "127.0.0.1", apiPort: port, username: "mnetifi-api", passwordEnc: testSecrets.encrypt("mnetifi-api-pass"), status: "online", verifiedAt: new Date() })
        .returning();
      await provisioning(tx, A.tenant.id, r!.id, testSecrets).ensureHotspotProfile({ name: planProfileName(planA), rateLimit: "1M/2M", sharedUsers: 2, idleTimeout: "15m" }, `plan:${planA}`);
      return r!.id;
    });

  beforeAll(async () => {
    sim = await startRouterSim({ port: 0, version: "7.16.2", identity: "Vouchers-Stage" });
    down = await startRouterSim({ port: 0, version: "7.18", identity: "Vouchers-Market" });
    routerId = await addRouter("Stage tower", sim.port);
    downId = await addRouter("Market hAP", down.port);
    await runJobs();
    voucher = await inTenant(A, (tx) => issueVoucher(tx, A.tenant.id, { planId: planA }));
    sim.deviceAppear({ mac: "AA:00:00:00:5E:01", ip: "10.5.50.61" });
    down.deviceAppear({ mac: "AA:00:00:00:5E:02", ip: "10.5.50.62" });
    await inTenant(A, async (tx) => {
      expect(await useVoucher(tx, A.tenant.id, testSecrets, { code: voucher.code, mac: "AA:00:00:00:5E:01", ip: "10.5.50.61", routerId })).toMatchObject({ ok: true });
      // The second device is on the other router (the limit is 1: it is recorded by hand).
      await tx.insert(voucherDevices).values({ tenantId: A.tenant.id, voucherId: voucher.id, mac: "AA:00:00:00:5E:02", routerId: downId, lastIp: "10.5.50.62" });
    });
    await runJobs();
    sim.traffic({ user: voucher.code, bytesIn: 1_500_000, bytesOut: 42_000_000 });
  });

  afterAll(async () => {
    await sim?.stop();
    await down?.stop();
  });

  it("asks each router the voucher is on: MAC, IP, uptime and bytes from the one that answers; the other is not reachable, and the answer still comes in time", async () => {
    await down.goOffline();
    const a = await caller(A);
    const before = sim.commands().length;
    const started = Date.now();
    const r = await a.vouchers.sessions({ id: voucher.id });
    expect(Date.now() - started).toBeLessThan(6000);
    expect(r.code).toBe(voucher.code);
    expect(r.routers.map((x) => [x.routerName, x.status])).toEqual([
      ["Market hAP", "unreachable"],
      ["Stage tower", "ok"],
    ]);
    const stage = r.routers.find((x) => x.routerId === routerId)!;
    if (stage.status !== "ok") throw new Error("expected sessions");
    expect(stage.sessions).toEqual([{ mac: "AA:00:00:00:5E:01", ip: "10.5.50.61", loginBy: expect.any(String), uptimeSeconds: expect.any(Number), bytesIn: 1_500_000, bytesOut: 42_000_000 }]);
    const market = r.routers.find((x) => x.routerId === downId)!;
    expect(market).toMatchObject({ status: "unreachable", reason: expect.stringMatching(/could not be reached|refused|closed|did not answer/i) });
    // Reading sessions only reads: the API login, then one print filtered by the code.
    const sent = sim.commands().slice(before);
    expect([...new Set(sent.map((c) => c.words[0]))].sort()).toEqual(["/ip/hotspot/active/print", "/login"]);
    expect(sent.find((c) => c.words[0] === "/ip/hotspot/active/print")?.words).toContain(`?user=${voucher.code}`);
  });

  it("a router that accepts the connection but never answers is given up on at the deadline", async () => {
    const net = await import("node:net");
    const silent = net.createServer(() => {}); // accepts, says nothing
    await new Promise<void>((r) => silent.listen(0, "127.0.0.1", () => r()));
    try {
      const port = (silent.address() as { port: number }).port;
      const started = Date.now();
      const r = await inTenant(A, async (tx) => {
        const [row] = await tx.select().from(routers).where(eq(routers.id, routerId));
        return voucherLiveSessions(tx, A.tenant.id, testSecrets, voucher.id, {
          deadlineMs: 700,
          connect: (router, fn) => import("../server/integrations/routeros").then((m) => m.withRouter({ host: "127.0.0.1", port: router.id === row!.id ? port : router.apiPort, username: "x", password: "y", timeoutSeconds: 30 }, fn)),
        });
      });
      expect(Date.now() - started).toBeLessThan(3000);
      expect(r!.routers.find((x) => x.routerId === routerId)).toMatchObject({ status: "unreachable", reason: "The router did not answer within 1 s." });
    } finally {
      silent.close();
    }
  });

  it("logs one device out through the provisioning outbox (a kick operation for that MAC), audited; that session ends when the router's queue runs, the code's other device stays", async () => {
    const a = await caller(A);
    await down.goOnline();
    // A second device on the same code and router (the router's profile allows two).
    sim.deviceAppear({ mac: "AA:00:00:00:5E:03", ip: "10.5.50.63" });
    expect(sim.deviceLogin({ user: voucher.code, mac: "AA:00:00:00:5E:03", ip: "10.5.50.63" })).toBeNull();
    const r = await a.vouchers.logoutDevice({ id: voucher.id, routerId, mac: "aa-00-00-00-5e-01" });
    expect(r.routerName).toBe("Stage tower");
    const [op] = await inTenant(A, (tx) => tx.select().from(routerOperations).where(eq(routerOperations.id, r.operationId)));
    expect(op).toMatchObject({ kind: "kick_hotspot_user", target: voucher.code, routerId, status: "pending", params: { mac: "AA:00:00:00:5E:01" } });
    const [event] = await inTenant(A, (tx) => tx.select().from(auditEvents).where(eq(auditEvents.action, "voucher.device_logged_out")));
    expect(event).toMatchObject({ actorKind: "user", actorId: A.owner.id, details: { voucherId: voucher.id, routerId, mac: "AA:00:00:00:5E:01", operationId: r.operationId } });
    await runJobs();
    const after = await a.vouchers.sessions({ id: voucher.id });
    expect(after.routers.find((x) => x.routerId === routerId)).toMatchObject({ status: "ok", sessions: [expect.objectContaining({ mac: "AA:00:00:00:5E:03" })] });
    // The code still works: the voucher is untouched.
    expect((await a.vouchers.detail({ id: voucher.id })).state).toBe("active");
  });

  it("refuses a router the voucher is not on, a bad MAC, and another ISP's voucher", async () => {
    const a = await caller(A);
    const other = await inTenant(A, (tx) => issueVoucher(tx, A.tenant.id, { planId: planA }));
    expect(await refusal(a.vouchers.logoutDevice({ id: other.id, routerId, mac: "AA:00:00:00:5E:01" }))).toMatchObject({ code: "BAD_REQUEST", message: "This voucher is not on that router." });
    expect(await refusal(a.vouchers.logoutDevice({ id: voucher.id, routerId, mac: "not-a-mac" }))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { mac: ["Not a valid MAC address."] } });
    const b = await caller(B);
    expect(await refusal(b.vouchers.logoutDevice({ id: voucher.id, routerId, mac: "AA:00:00:00:5E:01" }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await refusal(b.vouchers.sessions({ id: voucher.id }))).toMatchObject({ code: "NOT_FOUND" });
    // A voucher nobody used is on no router: nothing to ask.
    expect(await a.vouchers.sessions({ id: other.id })).toMatchObject({ code: other.code, routers: [] });
  });
});

describe("who may", () => {
  it("staff use the voucher tools; every role without vouchers.manage (technicians) gets FORBIDDEN on every voucher procedure", async () => {
    const staff = await addUser(t.db, A, "staff", "vouchers-staff");
    const s = await caller(A, staff.token);
    expect((await s.vouchers.list({})).rows.length).toBeGreaterThan(0);
    expect((await s.vouchers.generateBatch(batch(planA, { count: "1", name: "Staff batch" }))).count).toBe(1);

    const [v] = await inTenant(A, (tx) => tx.select().from(vouchers).limit(1));
    const [r] = await inTenant(A, (tx) => tx.select().from(routers).limit(1));
    const batchId = (await (await caller(A)).vouchers.batchOptions()).batches[0]!.id;
    type Caller = Awaited<ReturnType<typeof caller>>;
    // One call per procedure; the list must name every procedure the vouchers router has.
    const calls: Record<string, (c: Caller) => Promise<unknown>> = {
      list: (c) => c.vouchers.list({}),
      detail: (c) => c.vouchers.detail({ id: v!.id }),
      sessions: (c) => c.vouchers.sessions({ id: v!.id }),
      batchOptions: (c) => c.vouchers.batchOptions(),
      batchCards: (c) => c.vouchers.batchCards({ id: batchId }),
      generateBatch: (c) => c.vouchers.generateBatch(batch(planA, { count: "1" })),
      extend: (c) => c.vouchers.extend({ id: v!.id, amount: 1, unit: "hours" }),
      modify: (c) => c.vouchers.modify({ id: v!.id, devicesAllowed: 1, notes: "pwned" }),
      logoutDevice: (c) => c.vouchers.logoutDevice({ id: v!.id, routerId: r!.id, mac: "AA:00:00:00:00:01" }),
      setDisabled: (c) => c.vouchers.setDisabled({ id: v!.id, disabled: true }),
      exported: (c) => c.vouchers.exported({ format: "csv", rows: 1 }),
    };
    const procedures = Object.keys(appRouter._def.procedures).filter((k) => k.startsWith("vouchers.")).map((k) => k.slice("vouchers.".length));
    expect(Object.keys(calls).sort()).toEqual(procedures.sort());

    const without = ISP_ROLES.filter((role) => !ispCan(role, "vouchers.manage"));
    expect(without).toEqual(["technician"]);
    const opsBefore = (await inTenant(A, (tx) => tx.select().from(routerOperations))).length;
    for (const role of without) {
      const c = await caller(A, (await addUser(t.db, A, role as "technician", `vouchers-${role}`)).token);
      for (const [name, call] of Object.entries(calls)) expect((await refusal(call(c))).code, `${role}: ${name}`).toBe("FORBIDDEN");
    }
    // Nothing happened.
    expect((await inTenant(A, (tx) => tx.select().from(vouchers).where(eq(vouchers.id, v!.id))))[0]).toMatchObject({ disabledAt: null, durationSeconds: v!.durationSeconds, expiresAt: v!.expiresAt, notes: v!.notes, devicesAllowed: v!.devicesAllowed });
    expect((await inTenant(A, (tx) => tx.select().from(routerOperations))).length).toBe(opsBefore);
  });

  it("technicians get 403 on every voucher page, form, export and the printable cards; staff get them", async () => {
    const tech = await addUser(t.db, A, "technician", "vouchers-tech-pages");
    const staff = await addUser(t.db, A, "staff", "vouchers-staff-pages");
    const [v] = await inTenant(A, (tx) => tx.select().from(vouchers).limit(1));
    const batchId = (await (await caller(A)).vouchers.batchOptions()).batches[0]!.id;
    const layout = await import("../app/routes/dashboard.hotspot");
    const list = await import("../app/routes/dashboard.hotspot.vouchers");
    const detail = await import("../app/routes/dashboard.hotspot.voucher");
    const exportRoute = await import("../app/routes/dashboard.hotspot.vouchers.export");
    const cards = await import("../app/routes/dashboard.hotspot.cards");
    const host = `${A.tenant.slug}.mnetifi.test`;
    const args = (token: string, path: string, params: Record<string, string> = {}, form?: Record<string, string>) => ({
      request: requestWithSession(host, token, path, form ? { method: "POST", body: new URLSearchParams(form), headers: { "content-type": "application/x-www-form-urlencoded" } } : {}),
      context: { app: appContext(t.db, { kind: "tenant", tenant: A.tenant }) },
      params,
    }) as never;
    const pages: Array<[string, (token: string) => Promise<unknown>]> = [
      ["hotspot layout", (tk) => layout.loader(args(tk, "/dashboard/hotspot"))],
      ["voucher list", (tk) => list.loader(args(tk, "/dashboard/hotspot/vouchers"))],
      ["generate form", (tk) => list.action(args(tk, "/dashboard/hotspot/vouchers", {}, { intent: "generate", planId: planA, count: "1", name: "By a technician" }))],
      ["voucher detail", (tk) => detail.loader(args(tk, `/dashboard/hotspot/vouchers/${v!.id}`, { id: v!.id }))],
      ["modify form", (tk) => detail.action(args(tk, `/dashboard/hotspot/vouchers/${v!.id}`, { id: v!.id }, { intent: "modify", devicesAllowed: "1", notes: "pwned" }))],
      ["disable form", (tk) => detail.action(args(tk, `/dashboard/hotspot/vouchers/${v!.id}`, { id: v!.id }, { intent: "disable" }))],
      ["export", (tk) => exportRoute.loader(args(tk, "/dashboard/hotspot/vouchers/export?format=csv"))],
      ["cards", (tk) => cards.loader(args(tk, `/dashboard/hotspot/batches/${batchId}/cards`, { id: batchId }))],
    ];
    const status = async (p: Promise<unknown>) => {
      try {
        const r = await p;
        return r instanceof Response ? r.status : 200;
      } catch (thrown) {
        if (thrown instanceof Response) return thrown.status;
        const init = (thrown as { init?: { status?: number } }).init;
        if (init?.status) return init.status;
        throw thrown;
      }
    };
    for (const [name, open] of pages) expect(await status(open(tech.token)), `technician: ${name}`).toBe(403);
    for (const [name, open] of pages.filter(([n]) => !n.endsWith("form"))) expect(await status(open(staff.token)), `staff: ${name}`).toBe(200);
    expect((await inTenant(A, (tx) => tx.select().from(vouchers).where(eq(vouchers.id, v!.id))))[0]).toMatchObject({ disabledAt: null, notes: v!.notes });
  });

  it("tenant B cannot see, extend, disable or list A's vouchers and batches", async () => {
    const a = await caller(A);
    const b = await caller(B);
    const aBatch = (await a.vouchers.batchOptions()).batches[0]!;
    const [v] = (await a.vouchers.list({ batchId: aBatch.id, limit: 1 })).rows;
    expect((await refusal(b.vouchers.detail({ id: v!.id }))).code).toBe("NOT_FOUND");
    expect((await refusal(b.vouchers.extend({ id: v!.id, amount: 5, unit: "days" }))).code).toBe("NOT_FOUND");
    expect((await refusal(b.vouchers.setDisabled({ id: v!.id, disabled: true }))).code).toBe("NOT_FOUND");
    expect((await b.vouchers.list({ batchId: aBatch.id })).rows).toEqual([]);
    expect((await b.vouchers.list({ search: v!.code })).rows).toEqual([]);
    const bAll = await b.vouchers.list({ limit: 5000 });
    expect(bAll.rows.every((r) => r.planId === planB)).toBe(true);
    const bOpts = await b.vouchers.batchOptions();
    expect(bOpts.batches.map((x) => x.id)).not.toContain(aBatch.id);
    expect(bOpts.plans.map((p) => p.id)).toEqual([planB]);
    // A's voucher is untouched.
    expect(await a.vouchers.detail({ id: v!.id })).toMatchObject({ state: "unused", voucher: { disabledAt: null, durationSeconds: 3600 } });
  });
});

describe("audit", () => {
  it("records batch generation, extension, disabling and exports with who did it", async () => {
    const a = await caller(A);
    const r = await a.vouchers.generateBatch(batch(planA, { count: "2", name: "Audited" }));
    const [v] = (await a.vouchers.list({ batchId: r.batchId })).rows;
    await a.vouchers.extend({ id: v!.id, amount: 2, unit: "hours" });
    await a.vouchers.setDisabled({ id: v!.id, disabled: true });
    await a.vouchers.exported({ format: "cards", rows: 2, batchId: r.batchId });
    const events = await inTenant(A, (tx) =>
      tx
        .select()
        .from(auditEvents)
        .where(and(eq(auditEvents.actorId, A.owner.id), inArray(auditEvents.action, ["vouchers.batch_generated", "voucher.extended", "voucher.disabled", "export.cards"]))),
    );
    expect(events.find((e) => e.action === "vouchers.batch_generated" && (e.details as { batchId?: string }).batchId === r.batchId)?.details).toMatchObject({ batchId: r.batchId, count: 2, planId: planA });
    expect(events.find((e) => e.action === "voucher.extended" && (e.details as { voucherId?: string }).voucherId === v!.id)?.details).toMatchObject({ voucherId: v!.id, amount: 2, unit: "hours" });
    expect(events.some((e) => e.action === "voucher.disabled" && (e.details as { voucherId?: string }).voucherId === v!.id)).toBe(true);
    expect(events.find((e) => e.action === "export.cards")?.details).toMatchObject({ what: "vouchers", rows: 2, batchId: r.batchId });
    expect(events.every((e) => e.actorKind === "user")).toBe(true);
  });
});
