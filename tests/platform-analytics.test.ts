// The console's Analytics page (issue 8) on a controlled clock: ISPs register, pay for plans through
// the real billing service (payments recorded by the super admin, settled into paid months), one
// lets its month lapse and comes back; the page's MRR/ARR, counts, revenue by tier per month, new
// ISPs and churn are checked against what happened. The history comes from aggregate definers
// that give nothing outside the platform context.
import { describe, it, expect, beforeAll } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { appContext, createPlatformUser, createTenantFixture, requestWithSession, type TenantFixture } from "./helpers/fixtures";
import { refusal } from "./helpers/trpc";
import { withPlatform, withTenant } from "../db/client";
import { auditEvents, tenants } from "../db/schema";
import { createTenant } from "../server/services/tenants";
import { setTenantHold } from "../server/services/tenant-standing";
import { recordManualPayment, type BillingLinks } from "../server/services/billing/subscriptions";
import { platformAnalytics, monthLabel } from "../server/services/platform-analytics";
import { getCaller } from "../server/trpc/root";
import { PLATFORM_MATRIX, platformCan, type PlatformRole } from "../policies/permissions";

const HOUR = 3_600_000;
/** An instant on the Nairobi clock (UTC+3 all year). */
const nairobi = (y: number, m: number, d: number, h = 12) => new Date(Date.UTC(y, m - 1, d, h - 3));
const NOW = nairobi(2030, 3, 20, 12);
const links: BillingLinks = { billingUrl: (slug) => `http://${slug}.mnetifi.test/dashboard/billing` };

let t: TestDatabase;
let A: TenantFixture; // Premium from 15 Jan, renewed every month
let B: TenantFixture; // Starter from 25 Jan, lapses 25 Feb, back on 10 Mar
let C: TenantFixture; // confirmed in Feb, Premium from 2 Mar
let admin: Awaited<ReturnType<typeof createPlatformUser>>;

const consoleAs = (token: string | null, now = NOW) => getCaller({ ...appContext(t.db, { kind: "admin" }), now: () => now }, requestWithSession("admin.mnetifi.test", token));

/** When the ISP registered and confirmed its email (the fixtures are created on the real clock). */
async function registeredOn(id: string, verifiedAt: Date | null, createdAt = new Date((verifiedAt ?? NOW).getTime() - HOUR)) {
  await withPlatform(t.db, null, (tx) => tx.update(tenants).set({ verifiedAt, createdAt }).where(eq(tenants.id, id)));
}

/** The super admin records a bank transfer that arrived at `paidAt` (the clock reads a minute later). */
async function pay(f: TenantFixture, paidAt: Date, amountKes: number, reference: string, tier?: { tierId: string; service?: "hotspot" | "pppoe" }) {
  const r = await recordManualPayment(t.db, { kind: "platform_user", id: admin.id }, { tenantId: f.tenant.id, method: "bank", reference, amountKes, paidAt, ...tier }, new Date(paidAt.getTime() + 60_000), links);
  if (!r.ok) throw new Error(JSON.stringify(r));
  expect(r.activated).toBe(true);
  return r;
}

beforeAll(async () => {
  t = await createTestDatabase();
  admin = await createPlatformUser(t.db, "super_admin", "ana-root");
  A = await createTenantFixture(t.db, "ana-alpha");
  B = await createTenantFixture(t.db, "ana-bravo");
  C = await createTenantFixture(t.db, "ana-charlie");
  await registeredOn(A.tenant.id, nairobi(2030, 1, 10));
  await registeredOn(B.tenant.id, nairobi(2030, 1, 20));
  await registeredOn(C.tenant.id, nairobi(2030, 2, 5));
  // Others, in every other phase: on trial, trial over unpaid, suspended by hand, never confirmed.
  const others = await withPlatform(t.db, null, async (tx) => ({
    trial: await createTenant(tx, { slug: "ana-echo", businessName: "Echo", status: "trial" }),
    lapsed: await createTenant(tx, { slug: "ana-golf", businessName: "Golf", status: "trial" }),
    suspended: await createTenant(tx, { slug: "ana-fox", businessName: "Fox", status: "active" }),
    pending: await createTenant(tx, { slug: "ana-delta", businessName: "Delta", status: "pending" }),
  }));
  await withPlatform(t.db, null, async (tx) => {
    await tx.update(tenants).set({ trialEndsAt: nairobi(2030, 3, 25) }).where(eq(tenants.id, others.trial.id));
    await tx.update(tenants).set({ trialEndsAt: nairobi(2030, 2, 21) }).where(eq(tenants.id, others.lapsed.id));
    const held = await setTenantHold(tx, { id: admin.id }, { tenantId: others.suspended.id, kind: "suspend", reason: "Chargeback under review" });
    if (!held.ok) throw new Error(JSON.stringify(held));
  });
  await registeredOn(others.trial.id, nairobi(2030, 3, 5));
  await registeredOn(others.lapsed.id, nairobi(2030, 2, 20));
  await registeredOn(others.suspended.id, nairobi(2029, 12, 3));
  await registeredOn(others.pending.id, null, nairobi(2030, 3, 3));

  // January: A takes Premium, B Starter (with its registration fee).
  await pay(A, nairobi(2030, 1, 15, 10), 1500, "EQ-A-JAN", { tierId: "premium" });
  await pay(B, nairobi(2030, 1, 25, 9), 1000, "EQ-B-JAN", { tierId: "starter", service: "hotspot" });
  // February: A renews a day early (its month continues from 15 Feb); B does not.
  await pay(A, nairobi(2030, 2, 14, 16), 1500, "EQ-A-FEB");
  // March: C starts Premium, B comes back (no registration fee twice), A renews again.
  await pay(C, nairobi(2030, 3, 2, 11), 1500, "EQ-C-MAR", { tierId: "premium" });
  await pay(B, nairobi(2030, 3, 10, 15), 500, "EQ-B-MAR");
  await pay(A, nairobi(2030, 3, 14, 8), 1500, "EQ-A-MAR");
});

describe("platform analytics", () => {
  it("MRR and ARR now, and the ISPs in each phase", async () => {
    const a = await (await consoleAs(admin.token)).platformAnalytics.overview();
    expect(a.mrrCents).toBe(150_000 + 50_000 + 150_000);
    expect(a.arrCents).toBe(12 * 350_000);
    expect(a.mrrByTier).toEqual([
      { id: "starter", name: "Starter", isps: 1, mrrCents: 50_000 },
      { id: "premium", name: "Premium", isps: 2, mrrCents: 300_000 },
    ]);
    expect(a.counts).toEqual({ total: 7, paying: 3, trial: 1, pending: 1, unbilled: 0, lapsed: 1, suspended: 1, blocked: 0 });
    // The Billing page's MRR, by the same rule at the same time.
    expect((await (await consoleAs(admin.token)).platformBilling.summary()).mrrCents).toBe(a.mrrCents);
  });

  it("revenue by tier per month, over the last 12 months on the Nairobi calendar", async () => {
    const m = await withPlatform(t.db, null, (tx) => platformAnalytics(tx, NOW));
    expect(m.months.map((x) => x.month)).toEqual(["2029-04", "2029-05", "2029-06", "2029-07", "2029-08", "2029-09", "2029-10", "2029-11", "2029-12", "2030-01", "2030-02", "2030-03"]);
    expect(m.from.toISOString()).toBe(nairobi(2029, 4, 1, 0).toISOString());
    const by = Object.fromEntries(m.months.map((x) => [x.month, x]));
    expect(by["2030-01"]).toMatchObject({ label: "Jan 2030", revenueCents: 250_000, payments: 2, revenueByTier: { premium: 150_000, starter: 100_000 } });
    expect(by["2030-02"]).toMatchObject({ revenueCents: 150_000, payments: 1, revenueByTier: { premium: 150_000 } });
    expect(by["2030-03"]).toMatchObject({ revenueCents: 350_000, payments: 3, revenueByTier: { premium: 300_000, starter: 50_000 } });
    expect(by["2029-12"]).toMatchObject({ revenueCents: 0, payments: 0, revenueByTier: {} });
    expect(m.revenueTiers).toEqual([{ id: "starter", name: "Starter" }, { id: "premium", name: "Premium" }]);
    expect(m.hasBillingHistory).toBe(true);
    expect(monthLabel("2026-09")).toBe("Sep 2026");
  });

  it("a payment at 00:30 on the 1st in Nairobi counts in that month, not the one before (UTC)", async () => {
    // 1 Apr 2030 00:30 EAT is still 31 Mar in UTC.
    await pay(C, nairobi(2030, 4, 1, 0.5), 1500, "EQ-C-APR");
    const m = await withPlatform(t.db, null, (tx) => platformAnalytics(tx, nairobi(2030, 4, 2)));
    expect(m.months.at(-1)).toMatchObject({ month: "2030-04", revenueCents: 150_000, payments: 1 });
    expect(m.months.at(-2)).toMatchObject({ month: "2030-03", revenueCents: 350_000 });
    // Back on the test's clock, April is not there yet.
    expect((await withPlatform(t.db, null, (tx) => platformAnalytics(tx, NOW))).months.at(-1)!.month).toBe("2030-03");
  });

  it("new ISPs, paying ISPs and churn per month; February's lapse is churn, March's return is not new", async () => {
    const m = await withPlatform(t.db, null, (tx) => platformAnalytics(tx, NOW));
    const by = Object.fromEntries(m.months.map((x) => [x.month, x]));
    expect(by["2029-12"]).toMatchObject({ newIsps: 1, registered: 1, payingStart: 0, payingEnd: 0, churned: 0, churnRate: null });
    expect(by["2030-01"]).toMatchObject({ newIsps: 2, registered: 2, payingStart: 0, payingEnd: 2, newPaying: 2, returningPaying: 0, churned: 0, churnRate: null, mrrEndCents: 200_000 });
    // B's month ended on 25 Feb unpaid: churned in February, 1 of the 2 paying on 1 Feb.
    expect(by["2030-02"]).toMatchObject({ newIsps: 2, registered: 2, payingStart: 2, payingEnd: 1, newPaying: 0, returningPaying: 0, churned: 1, churnRate: 0.5, mrrEndCents: 150_000 });
    // March so far (to the 20th): C is new, B returns, nobody left; the unconfirmed registration is not a new ISP.
    expect(by["2030-03"]).toMatchObject({ newIsps: 1, registered: 2, payingStart: 1, payingEnd: 3, newPaying: 1, returningPaying: 1, churned: 0, churnRate: 0, mrrEndCents: 350_000 });
    expect(m.thisMonth.month).toBe("2030-03");
    expect(m.lastMonth!.month).toBe("2030-02");
    // Later: on 12 April C's month (2 Mar – 2 Apr, renewed on 1 Apr) continues, B's (10 Mar – 10 Apr) ended.
    const april = await withPlatform(t.db, null, (tx) => platformAnalytics(tx, nairobi(2030, 4, 12)));
    expect(april.months.at(-1)).toMatchObject({ month: "2030-04", payingStart: 3, payingEnd: 2, churned: 1 });
    expect(april.months.at(-1)!.churnRate).toBeCloseTo(1 / 3);
    expect(april.mrrCents).toBe(300_000);
  });

  it("lists the ISPs' own usage, top ones by their customers' payments, with their plan", async () => {
    const a = await (await consoleAs(admin.token)).platformAnalytics.overview();
    const alpha = a.topIsps.find((r) => r.id === A.tenant.id)!;
    expect(alpha).toMatchObject({ slug: "ana-alpha", phase: "paid", tierName: "Premium", customers: 0, activeSessions: 0, vouchersSold: 0, messagesSent: 0, revenueCents: 0 });
    expect(a.topIsps.length).toBeLessThanOrEqual(10);
  });

  it("an export of the monthly table is audited", async () => {
    await (await consoleAs(admin.token)).platformAnalytics.exported({ format: "csv", rows: 12 });
    const [e] = await withPlatform(t.db, null, (tx) => tx.select().from(auditEvents).where(eq(auditEvents.action, "export.platform_analytics")));
    expect(e).toMatchObject({ actorKind: "platform_user", actorId: admin.id, tenantId: null, details: { format: "csv", rows: 12 } });
  });
});

describe("platform analytics: who may see it", () => {
  it("every console role with billing.view; a role outside the matrix and an ISP user are refused", async () => {
    for (const role of Object.keys(PLATFORM_MATRIX) as PlatformRole[]) {
      const u = await createPlatformUser(t.db, role, `ana-${role.replace("_", "")}`);
      const call = (await consoleAs(u.token)).platformAnalytics.overview();
      if (platformCan(role, "billing.view")) await expect(call).resolves.toMatchObject({ mrrCents: 350_000 });
      else expect((await refusal(call)).code).toBe("FORBIDDEN");
    }
    // A console account whose role the matrix does not know (e.g. one retired from it) gets nothing.
    const stranger = await createPlatformUser(t.db, "auditor" as PlatformRole, "ana-auditor");
    expect(await refusal((await consoleAs(stranger.token)).platformAnalytics.overview())).toMatchObject({ code: "FORBIDDEN", message: "Your console role does not allow this." });
    expect((await refusal((await consoleAs(stranger.token)).platformAnalytics.exported({ format: "csv", rows: 1 }))).code).toBe("FORBIDDEN");
    // An ISP's owner, on its own host and on the console's.
    const onIsp = await getCaller(appContext(t.db, { kind: "tenant", tenant: A.tenant }), requestWithSession(`${A.tenant.slug}.mnetifi.test`, A.token));
    expect((await refusal(onIsp.platformAnalytics.overview())).code).toBe("NOT_FOUND");
    expect((await refusal((await consoleAs(A.token)).platformAnalytics.overview())).code).toBe("UNAUTHORIZED");
    expect((await refusal((await consoleAs(null)).platformAnalytics.overview())).code).toBe("UNAUTHORIZED");
  });

  it("the aggregate functions return nothing in an ISP's context or with no context", async () => {
    const q = {
      billing: "select * from app_public.platform_billing_monthly('2000-01-01', '2100-01-01')",
      paying: "select * from app_public.platform_paying_monthly('2029-01-01', '2031-01-01')",
    };
    // In the platform context they do answer (so the empty results below mean something).
    const platform = await withPlatform(t.db, null, async (tx) => ({ billing: (await tx.execute(q.billing)).rows.length, paying: (await tx.execute(q.paying)).rows.length }));
    expect(platform.billing).toBeGreaterThan(0);
    expect(platform.paying).toBe(25);
    for (const id of [A.tenant.id, B.tenant.id]) {
      const inIsp = await withTenant(t.db, id, null, async (tx) => ({ billing: (await tx.execute(q.billing)).rows.length, paying: (await tx.execute(q.paying)).rows.length }));
      expect(inIsp).toEqual({ billing: 0, paying: 0 });
    }
    // A raw connection as the app role with nothing set.
    const sql = await t.appClient();
    for (const text of Object.values(q)) expect((await sql.query(text)).rowCount).toBe(0);
  });
});
