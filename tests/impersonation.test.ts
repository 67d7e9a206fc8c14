import { describe, it, expect, beforeAll } from "vitest";
import { and, eq, sql } from "drizzle-orm";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { appContext, createPlatformUser, createTenantFixture, requestWithSession, type TenantFixture } from "./helpers/fixtures";
import { withImpersonator, withPlatform, withTenant } from "../db/client";
import { auditEvents, impersonations, zones } from "../db/schema";
import { appRouter, createTrpcContext, getCaller } from "../server/trpc/root";
import { HANDOVER_SECONDS, redeemImpersonation, sweepExpiredImpersonations, validateImpersonationSession } from "../server/services/impersonation";
import { recordEvent } from "../server/services/audit";
import { createPlatformSession } from "../server/services/sessions";
import { describeActor } from "../app/lib/activity";
import { loader as impersonateLoader } from "../app/routes/impersonate";
import { action as exitAction, loader as exitLoader } from "../app/routes/impersonate.exit";
import { action as logoutAction } from "../app/routes/logout";
import type { Site } from "../server/services/hosts";

let t: TestDatabase;
let A: TenantFixture;
let B: TenantFixture;
let admin: Awaited<ReturnType<typeof createPlatformUser>>;
let support: Awaited<ReturnType<typeof createPlatformUser>>;
let readOnly: Awaited<ReturnType<typeof createPlatformUser>>;

const ADMIN_HOST = "admin.mnetifi.test";
const ADMIN_SITE: Site = { kind: "admin" };
const site = (f: TenantFixture): Site => ({ kind: "tenant", tenant: f.tenant });
const host = (f: TenantFixture) => `${f.tenant.slug}.mnetifi.test`;

const consoleAs = (token: string | null) => getCaller(appContext(t.db, ADMIN_SITE), requestWithSession(ADMIN_HOST, token));
const ispAs = (f: TenantFixture, token: string | null) => getCaller(appContext(t.db, site(f)), requestWithSession(host(f), token));

/** Starts an impersonation of `f` from the console and returns the hand-over token from the URL. */
async function start(f: TenantFixture, reason = "Owner says vouchers stopped working") {
  const r = await (await consoleAs(admin.token)).console.impersonate({ tenantId: f.tenant.id, reason });
  const url = new URL(r.url);
  expect(url.host).toBe(host(f));
  expect(url.pathname).toBe("/impersonate");
  return { ...r, token: url.searchParams.get("token")! };
}

async function enter(f: TenantFixture, reason?: string) {
  const s = await start(f, reason);
  const r = await redeemImpersonation(t.db, f.tenant, s.token, { ip: "10.0.0.9" });
  if (!r.ok) throw new Error(r.error);
  return { ...s, session: r.sessionToken };
}

/** Every audit row of an ISP, read as the platform. */
const auditOf = (f: TenantFixture) => withPlatform(t.db, null, (tx) => tx.select().from(auditEvents).where(eq(auditEvents.tenantId, f.tenant.id)).orderBy(auditEvents.id));

beforeAll(async () => {
  t = await createTestDatabase();
  A = await createTenantFixture(t.db, "imp-alpha");
  B = await createTenantFixture(t.db, "imp-bravo");
  admin = await createPlatformUser(t.db, "super_admin", "root");
  support = await createPlatformUser(t.db, "support", "helpdesk");
  readOnly = await createPlatformUser(t.db, "read_only", "viewer");
});

describe("impersonation: start, enter, act, audit", () => {
  it("a super admin enters an ISP's dashboard as its owner; everything done is audited with the admin's id", async () => {
    const s = await enter(A);
    const isp = await ispAs(A, s.session);
    // The ISP's procedures work, as the owner.
    const me = await isp.me.get();
    expect(me.user).toMatchObject({ kind: "user", id: A.owner.id, role: "owner" });
    const zone = await isp.zones.create({ name: "Opened by support", description: "" });
    expect(zone.tenantId).toBe(A.tenant.id);
    expect((await isp.zones.list()).map((z) => z.name)).toContain("Opened by support");

    const events = await auditOf(A);
    const startEv = events.find((e) => e.action === "impersonation.start");
    expect(startEv).toMatchObject({ actorKind: "platform_user", actorId: admin.id, impersonatorId: admin.id });
    expect(startEv!.details).toMatchObject({ reason: "Owner says vouchers stopped working", impersonationId: s.id });
    expect(events.find((e) => e.action === "impersonation.entered")).toMatchObject({ actorId: A.owner.id, impersonatorId: admin.id, ip: "10.0.0.9" });
    // The row change itself (database trigger) and the app event both name the admin.
    const insert = events.find((e) => e.action === "INSERT" && e.tableName === "zones" && e.rowId === zone.id);
    expect(insert).toMatchObject({ actorKind: "user", actorId: A.owner.id, impersonatorId: admin.id });
    const action = events.find((e) => e.action === "impersonation.action");
    expect(action).toMatchObject({ actorId: A.owner.id, impersonatorId: admin.id });
    expect(action!.details).toMatchObject({ procedure: "zones.create", impersonationId: s.id });
    // The ISP's own log says who really did it.
    const log = await (await ispAs(A, A.token)).activity.recent({ limit: 100 });
    const row = log.find((e) => e.action === "INSERT" && e.rowId === zone.id)!;
    expect(describeActor(row)).toBe(`mnetifi support (viewing as ${A.tenant.slug} owner)`);
  });

  it("events recorded without naming the admin still carry it (database stamp), also in transactions services open themselves", async () => {
    await withImpersonator(admin.id, () =>
      withTenant(t.db, A.tenant.id, { actorKind: "system" }, (tx) => recordEvent(tx, { action: "test.nested", tenantId: A.tenant.id, actorKind: "system" })),
    );
    await withTenant(t.db, A.tenant.id, null, (tx) => recordEvent(tx, { action: "test.plain", tenantId: A.tenant.id, actorKind: "system" }));
    const events = await auditOf(A);
    expect(events.find((e) => e.action === "test.nested")?.impersonatorId).toBe(admin.id);
    expect(events.find((e) => e.action === "test.plain")?.impersonatorId).toBeNull();
  });

  it("while viewing, the owner's own sign-in and the support chat's ISP side are out of bounds", async () => {
    const s = await enter(A);
    const isp = await ispAs(A, s.session);
    await expect(isp.account.signOutEverywhere()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(isp.account.changePassword({ currentPassword: "x", newPassword: "y", confirmPassword: "y" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(isp.account.beginTotp()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect(isp.support.send({ body: "Hello from the inside" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    // Reading is fine.
    expect(await isp.account.security()).toBeTruthy();
    // The owner's real session still works alongside.
    expect((await (await ispAs(A, A.token)).zones.list()).length).toBeGreaterThan(0);
  });

  it("the /impersonate page sets a host-only cookie for the ISP and goes to the dashboard; a used link shows an error", async () => {
    const s = await start(A);
    const req = requestWithSession(host(A), null, `/impersonate?token=${s.token}`);
    const res = await impersonateLoader({ request: req, context: { app: appContext(t.db, site(A)) }, params: {} } as never).catch((r: unknown) => r);
    expect(res).toBeInstanceOf(Response);
    const r = res as Response;
    expect(r.status).toBe(302);
    expect(r.headers.get("location")).toBe("/dashboard");
    expect(r.headers.get("cache-control")).toBe("no-store");
    const cookie = r.headers.get("set-cookie")!;
    expect(cookie).toMatch(/^mn_session=[a-z0-9]+; Path=\/; HttpOnly; SameSite=Lax; Max-Age=\d+; Secure$/);
    expect(cookie).not.toMatch(/Domain=/i);
    const maxAge = Number(/Max-Age=(\d+)/.exec(cookie)![1]);
    expect(maxAge).toBeGreaterThan(29 * 60);
    expect(maxAge).toBeLessThanOrEqual(30 * 60);
    // Same link again: refused, nothing set.
    const again = await impersonateLoader({ request: req, context: { app: appContext(t.db, site(A)) }, params: {} } as never);
    expect((again as unknown as { init: { status: number } }).init.status).toBe(400);
  });
});

describe("impersonation: the hand-over token", () => {
  it("is single-use", async () => {
    const s = await start(A);
    expect((await redeemImpersonation(t.db, A.tenant, s.token, {})).ok).toBe(true);
    const second = await redeemImpersonation(t.db, A.tenant, s.token, {});
    expect(second).toMatchObject({ ok: false });
    const refused = (await auditOf(A)).filter((e) => e.action === "impersonation.token_refused").at(-1);
    expect(refused?.details).toMatchObject({ why: "already_used", impersonationId: s.id });
    expect(refused?.impersonatorId).toBe(admin.id);
  });

  it("is bound to the ISP's host: another ISP's host does not know it (and does not use it up)", async () => {
    const s = await start(A);
    expect(await redeemImpersonation(t.db, B.tenant, s.token, {})).toMatchObject({ ok: false });
    expect((await redeemImpersonation(t.db, A.tenant, s.token, {})).ok).toBe(true);
  });

  it("lives one minute", async () => {
    const s = await start(A);
    const late = new Date(Date.now() + (HANDOVER_SECONDS + 1) * 1000);
    expect(await redeemImpersonation(t.db, A.tenant, s.token, {}, late)).toMatchObject({ ok: false });
  });

  it("garbage and overlong tokens are refused", async () => {
    expect(await redeemImpersonation(t.db, A.tenant, "", {})).toMatchObject({ ok: false });
    expect(await redeemImpersonation(t.db, A.tenant, "x".repeat(5000), {})).toMatchObject({ ok: false });
  });

  it("the resulting session works on that ISP's host only, and is no console session", async () => {
    const s = await enter(A);
    await expect((await ispAs(B, s.session)).zones.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect((await consoleAs(s.session)).console.tenants()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    // And the admin's console cookie means nothing on an ISP's host.
    await expect((await ispAs(A, admin.token)).zones.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("starting again ends the admin's earlier visit to the same ISP", async () => {
    const first = await enter(A);
    const second = await enter(A);
    await expect((await ispAs(A, first.session)).zones.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect((await (await ispAs(A, second.session)).zones.list()).length).toBeGreaterThan(0);
    const [row] = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(impersonations).where(eq(impersonations.id, first.id)));
    expect(row).toMatchObject({ endReason: "replaced", sessionHash: null });
  });
});

describe("impersonation: the end", () => {
  it("Exit ends it server-side, forgets the cookie and returns to the console; the end is audited", async () => {
    const s = await enter(A);
    // Opening the exit address (a GET) changes nothing: it offers the button.
    const look = await exitLoader({ request: requestWithSession(host(A), s.session, "/impersonate/exit"), context: { app: appContext(t.db, site(A)) }, params: {} } as never);
    expect(look).toMatchObject({ stillViewing: true });
    expect((await (await ispAs(A, s.session)).zones.list()).length).toBeGreaterThan(0);
    const req = requestWithSession(host(A), s.session, "/impersonate/exit", { method: "POST" });
    const res = (await exitAction({ request: req, context: { app: appContext(t.db, site(A)) }, params: {} } as never)) as Response;
    expect(res.status).toBe(302);
    // Same host first (the CSP's form-action 'self' refuses a form landing on another host)…
    expect(res.headers.get("location")).toBe("/impersonate/exit");
    expect(res.headers.get("set-cookie")).toMatch(/^mn_session=; .*Max-Age=0/);
    // …whose page then takes the browser to the ISP's page in the console.
    const page = await exitLoader({ request: requestWithSession(host(A), null, "/impersonate/exit"), context: { app: appContext(t.db, site(A)) }, params: {} } as never);
    expect(page).toMatchObject({ consoleUrl: `https://admin.mnetifi.test/tenants/${A.tenant.id}?impersonation=ended`, stillViewing: false });
    await expect((await ispAs(A, s.session)).zones.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const end = (await auditOf(A)).filter((e) => e.action === "impersonation.end").at(-1);
    expect(end).toMatchObject({ actorId: A.owner.id, impersonatorId: admin.id });
    expect(end!.details).toMatchObject({ reason: "exit", impersonationId: s.id });
  });

  it("Sign out while viewing ends the visit too (and signs nobody else out)", async () => {
    const s = await enter(A);
    const req = requestWithSession(host(A), s.session, "/logout", { method: "POST" });
    const res = (await logoutAction({ request: req, context: { app: appContext(t.db, site(A)) }, params: {} } as never)) as Response;
    expect(res.headers.get("location")).toBe("/impersonate/exit");
    expect(res.headers.get("set-cookie")).toMatch(/^mn_session=; .*Max-Age=0/);
    await expect((await ispAs(A, s.session)).zones.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    expect((await (await ispAs(A, A.token)).zones.list()).length).toBeGreaterThan(0);
    const [row] = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(impersonations).where(eq(impersonations.id, s.id)));
    expect(row).toMatchObject({ endReason: "signed_out" });
  });

  it("the console ends a visit with one click: the ISP-side session stops at once, audited with the admin who ended it", async () => {
    const s = await enter(A);
    expect((await (await ispAs(A, s.session)).zones.list()).length).toBeGreaterThan(0);
    // Read-only and support roles cannot; the super admin can, once.
    await expect((await consoleAs(readOnly.token)).console.endImpersonation({ impersonationId: s.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect((await consoleAs(support.token)).console.endImpersonation({ impersonationId: s.id })).rejects.toMatchObject({ code: "FORBIDDEN" });
    expect(await (await consoleAs(admin.token)).console.endImpersonation({ impersonationId: s.id })).toEqual({ ended: 1 });
    await expect((await consoleAs(admin.token)).console.endImpersonation({ impersonationId: s.id })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect((await ispAs(A, s.session)).zones.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const [row] = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(impersonations).where(eq(impersonations.id, s.id)));
    expect(row).toMatchObject({ endReason: "console", sessionHash: null });
    const end = (await auditOf(A)).filter((e) => e.action === "impersonation.end").at(-1);
    expect(end).toMatchObject({ actorKind: "platform_user", actorId: admin.id, impersonatorId: admin.id });
    expect(end!.details).toMatchObject({ reason: "console", impersonationId: s.id });
    // The ISP's own procedures cannot end visits by another route: the function does nothing outside the platform.
    const n = await withTenant(t.db, A.tenant.id, A.owner.id, (tx) => tx.execute<{ n: number }>(sql`select app_public.end_impersonations_from_console('console', ${admin.id}::uuid) as n`));
    expect(n.rows[0]!.n).toBe(0);
  });

  it("signing out of the console ends every visit that admin has open, in every ISP", async () => {
    const a = await enter(A);
    const b = await enter(B);
    const req = requestWithSession(ADMIN_HOST, admin.token, "/logout", { method: "POST" });
    await logoutAction({ request: req, context: { app: appContext(t.db, ADMIN_SITE) }, params: {} } as never);
    await expect((await ispAs(A, a.session)).zones.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect((await ispAs(B, b.session)).zones.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    for (const [f, s] of [[A, a], [B, b]] as const) {
      const [row] = await withTenant(t.db, f.tenant.id, null, (tx) => tx.select().from(impersonations).where(eq(impersonations.id, s.id)));
      expect(row).toMatchObject({ endReason: "console_signed_out" });
    }
    // A fresh console session for the tests that follow.
    admin = { ...admin, token: await withPlatform(t.db, null, async (tx) => (await createPlatformSession(tx, admin.id)).token) };
  });

  it("a real ISP user posting to Exit stays signed in", async () => {
    const req = requestWithSession(host(A), A.token, "/impersonate/exit", { method: "POST" });
    const res = (await exitAction({ request: req, context: { app: appContext(t.db, site(A)) }, params: {} } as never)) as Response;
    expect(res.headers.get("location")).toBe("/dashboard");
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("past its time the session stops working on the next request, and the end is recorded as expired", async () => {
    const s = await enter(A);
    const later = new Date(s.expiresAt.getTime() + 1000);
    const found = await withTenant(t.db, A.tenant.id, null, (tx) => validateImpersonationSession(tx, A.tenant.id, s.session, later));
    expect(found).toBeNull();
    await expect((await ispAs(A, s.session)).zones.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const [row] = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(impersonations).where(eq(impersonations.id, s.id)));
    expect(row).toMatchObject({ endReason: "expired", sessionHash: null });
    expect(row!.endedAt!.getTime()).toBe(s.expiresAt.getTime());
    const end = (await auditOf(A)).filter((e) => e.action === "impersonation.end").at(-1);
    expect(end).toMatchObject({ actorKind: "system", impersonatorId: admin.id });
    expect(end!.details).toMatchObject({ reason: "expired" });
  });

  it("the sweeper closes visits nobody came back to, in every ISP, with their audit events", async () => {
    const a = await enter(A);
    const b = await enter(B);
    // Time passes (the owner moves the clock of these rows back by 31 minutes).
    const owner = await t.ownerClient();
    await owner.query("update impersonations set started_at = started_at - interval '31 minutes', expires_at = expires_at - interval '31 minutes' where id = any($1)", [[a.id, b.id]]);
    const n = await withPlatform(t.db, { actorKind: "system" }, (tx) => sweepExpiredImpersonations(tx));
    expect(n).toBeGreaterThanOrEqual(2);
    for (const [f, s] of [[A, a], [B, b]] as const) {
      const [row] = await withTenant(t.db, f.tenant.id, null, (tx) => tx.select().from(impersonations).where(eq(impersonations.id, s.id)));
      expect(row).toMatchObject({ endReason: "expired", sessionHash: null });
      const ev = await withPlatform(t.db, null, (tx) =>
        tx.select().from(auditEvents).where(and(eq(auditEvents.action, "impersonation.end"), sql`${auditEvents.details}->>'impersonationId' = ${s.id}`)),
      );
      expect(ev).toHaveLength(1);
      expect(ev[0]).toMatchObject({ tenantId: f.tenant.id, impersonatorId: admin.id });
      await expect((await ispAs(f, s.session)).zones.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    }
    // Nothing left to sweep.
    expect(await withPlatform(t.db, null, (tx) => sweepExpiredImpersonations(tx))).toBe(0);
  });
});

describe("impersonation: who may", () => {
  it("needs a reason", async () => {
    const c = await consoleAs(admin.token);
    await expect(c.console.impersonate({ tenantId: A.tenant.id, reason: "  " })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(c.console.impersonate({ tenantId: "00000000-0000-4000-8000-000000000000", reason: "Looking around" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("a sub-admin without tenants.impersonate cannot, and nothing is created", async () => {
    const before = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select({ n: sql<number>`count(*)::int` }).from(impersonations));
    await expect((await consoleAs(support.token)).console.impersonate({ tenantId: A.tenant.id, reason: "Support wants in" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect((await consoleAs(readOnly.token)).console.impersonate({ tenantId: A.tenant.id, reason: "Just curious" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect((await consoleAs(null)).console.impersonate({ tenantId: A.tenant.id, reason: "Nobody at all" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const after = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select({ n: sql<number>`count(*)::int` }).from(impersonations));
    expect(after[0]!.n).toBe(before[0]!.n);
    // Sub-admins can still see the ISP.
    expect((await (await consoleAs(support.token)).console.tenant({ id: A.tenant.id })).tenant.slug).toBe(A.tenant.slug);
  });

  it("an ISP user cannot impersonate anything, from its own host or the console's", async () => {
    await expect((await ispAs(A, A.token)).console.impersonate({ tenantId: B.tenant.id, reason: "I want to see B" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect((await consoleAs(A.token)).console.impersonate({ tenantId: B.tenant.id, reason: "I want to see B" })).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    // Over HTTP, exactly as a script would try it.
    const req = requestWithSession(host(A), A.token, "/api/trpc/console.impersonate", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ tenantId: B.tenant.id, reason: "I want to see B" }),
    });
    const res = await fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => createTrpcContext(appContext(t.db, site(A)), req) });
    expect(res.status).toBe(404);
    // And an ISP session is no impersonation: nothing about B is reachable with it.
    await expect((await ispAs(B, A.token)).zones.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const bZones = await withTenant(t.db, B.tenant.id, null, (tx) => tx.select().from(zones));
    expect(bZones.every((z) => z.tenantId === B.tenant.id)).toBe(true);
  });

  it("the console's own audit trail shows each admin's actions, impersonated ones included", async () => {
    const s = await enter(B, "Checking the router list for the owner");
    await (await ispAs(B, s.session)).zones.create({ name: "Made while viewing", description: "" });
    const { events } = await (await consoleAs(admin.token)).console.audit({ adminId: admin.id, limit: 500 });
    expect(events.some((e) => e.action === "impersonation.start" && e.tenantId === B.tenant.id && e.actorName === admin.fullName)).toBe(true);
    const change = events.find((e) => e.action === "INSERT" && e.tableName === "zones" && e.tenantId === B.tenant.id);
    expect(change).toMatchObject({ impersonatorId: admin.id, impersonatorName: admin.fullName });
    // Another admin's filter does not show them.
    const other = await (await consoleAs(admin.token)).console.audit({ adminId: support.id, limit: 500 });
    expect(other.events.some((e) => e.impersonatorId === admin.id)).toBe(false);
    // The sub-admin without audit.view? read_only has it; billing does not.
    const billing = await createPlatformUser(t.db, "billing", "cashier");
    await expect((await consoleAs(billing.token)).console.audit({ limit: 10 })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });
});
