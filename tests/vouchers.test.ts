// Voucher admin tools through the API, on a real database: batches, field errors, codes unique
// across ISPs, lists by state and search, extend, disable, roles and tenant isolation, audit.
import { describe, it, expect, beforeAll, vi } from "vitest";
import { and, eq, inArray } from "drizzle-orm";
import { z } from "zod";
import { TRPCError } from "@trpc/server";
import type pg from "pg";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { addUser, appContext, createTenantFixture, requestWithSession, type TenantFixture } from "./helpers/fixtures";
import { withTenant, type Tx } from "../db/client";
import { auditEvents, hotspotPlans, hotspotSettings, vouchers } from "../db/schema";
import { getCaller } from "../server/trpc/root";
import { FieldErrors } from "../server/trpc/init";
import { issueVoucher } from "../server/services/hotspot/vouchers";
import { generateCode } from "../server/services/hotspot/rules";

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
async function refusal(p: Promise<unknown>) {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof TRPCError)) throw err;
    const fieldErrors = err.cause instanceof z.ZodError ? z.flattenError(err.cause).fieldErrors : err.cause instanceof FieldErrors ? err.cause.fieldErrors : {};
    return { code: err.code, message: err.message, fieldErrors: fieldErrors as Record<string, string[] | undefined> };
  }
  throw new Error("expected the call to be refused");
}

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

  it("bad input gets field errors and creates nothing", async () => {
    const a = await caller(A);
    const before = (await a.vouchers.list({ limit: 5000 })).rows.length;
    expect(await refusal(a.vouchers.generateBatch(batch(planA, { count: "0" })))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { count: ["At least 1."] } });
    expect(await refusal(a.vouchers.generateBatch(batch(planA, { count: "1001" })))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { count: ["At most 1,000 at a time."] } });
    expect(await refusal(a.vouchers.generateBatch(batch(planA, { codeLength: "5" })))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { codeLength: ["6 to 8 characters."] } });
    expect(await refusal(a.vouchers.generateBatch(batch(planA, { codeLength: "9" })))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { codeLength: ["6 to 8 characters."] } });
    expect(await refusal(a.vouchers.generateBatch(batch("")))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { planId: ["Choose a plan."] } });
    expect((await refusal(a.vouchers.generateBatch(batch(planA, { name: "" })))).fieldErrors.name).toBeTruthy();
    // Another ISP's plan is not one of yours.
    expect(await refusal(a.vouchers.generateBatch(batch(planB)))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { planId: ["Choose one of your plans."] } });
    expect((await a.vouchers.list({ limit: 5000 })).rows.length).toBe(before);
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
    for (const s of ["unused", "active", "expired", "lapsed", "disabled"] as const) {
      const r = await c.vouchers.list({ state: s });
      expect(r.rows.map((x) => [x.id, x.state]), s).toEqual([[ids[s], s]]);
      // The counts are always of everything, whatever the filter.
      expect(r.counts).toEqual(all.counts);
    }
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

describe("who may", () => {
  it("staff and resellers use every voucher tool; technicians get FORBIDDEN on each", async () => {
    const staff = await addUser(t.db, A, "staff", "vouchers-staff");
    const s = await caller(A, staff.token);
    expect((await s.vouchers.list({})).rows.length).toBeGreaterThan(0);
    expect((await s.vouchers.generateBatch(batch(planA, { count: "1", name: "Staff batch" }))).count).toBe(1);

    const tech = await addUser(t.db, A, "technician", "vouchers-tech");
    const tc = await caller(A, tech.token);
    const [v] = await inTenant(A, (tx) => tx.select().from(vouchers).limit(1));
    const calls: Array<[string, () => Promise<unknown>]> = [
      ["list", () => tc.vouchers.list({})],
      ["detail", () => tc.vouchers.detail({ id: v!.id })],
      ["batchOptions", () => tc.vouchers.batchOptions()],
      ["generateBatch", () => tc.vouchers.generateBatch(batch(planA, { count: "1" }))],
      ["extend", () => tc.vouchers.extend({ id: v!.id, amount: 1, unit: "hours" })],
      ["setDisabled", () => tc.vouchers.setDisabled({ id: v!.id, disabled: true })],
      ["exported", () => tc.vouchers.exported({ format: "csv", rows: 1 })],
    ];
    for (const [name, call] of calls) expect((await refusal(call())).code, name).toBe("FORBIDDEN");
    // Nothing happened.
    expect((await inTenant(A, (tx) => tx.select().from(vouchers).where(eq(vouchers.id, v!.id))))[0]).toMatchObject({ disabledAt: null, durationSeconds: v!.durationSeconds, expiresAt: v!.expiresAt });
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
