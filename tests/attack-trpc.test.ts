import { describe, it, expect, beforeAll } from "vitest";
import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { eq } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { appContext, createPlatformUser, createTenantFixture, requestWithSession, seedEveryTenantTable, type TenantFixture } from "./helpers/fixtures";
import { payments, mpesaCallbacks, routers, routerOperations, voucherBatches, vouchers, supportMessages, impersonations, platformUsers } from "../db/schema";
import { appRouter, createTrpcContext, getCaller } from "../server/trpc/root";
import { createTRPCRouter, tenantProcedure } from "../server/trpc/init";
import { platformSettings, tenants, zones } from "../db/schema";
import { withPlatform, withTenant, type Tx } from "../db/client";
import type { Site } from "../server/services/hosts";

let t: TestDatabase;
let A: TenantFixture;
let B: TenantFixture;

const site = (f: TenantFixture): Site => ({ kind: "tenant", tenant: f.tenant });
const host = (f: TenantFixture) => `${f.tenant.slug}.mnetifi.test`;

/** A call over tRPC's HTTP handler, exactly as a browser or script would make it. */
async function http(f: TenantFixture, token: string | null, path: string, input?: unknown, method: "GET" | "POST" = "POST") {
  const query = method === "GET" && input !== undefined ? `?input=${encodeURIComponent(JSON.stringify(input))}` : "";
  const req = requestWithSession(host(f), token, `/api/trpc/${path}${query}`, {
    method,
    headers: { "content-type": "application/json" },
    body: method === "POST" ? JSON.stringify(input ?? {}) : undefined,
  });
  const res = await fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => createTrpcContext(appContext(t.db, site(f)), req) });
  return { status: res.status, body: await res.json() };
}

async function callerAs(f: TenantFixture, onHostOf: TenantFixture = f) {
  return getCaller(appContext(t.db, site(onHostOf)), requestWithSession(host(onHostOf), f.token));
}

beforeAll(async () => {
  t = await createTestDatabase();
  A = await createTenantFixture(t.db, "isp-alpha");
  B = await createTenantFixture(t.db, "isp-bravo");
  await seedEveryTenantTable(t.db, A);
  await seedEveryTenantTable(t.db, B);
});

describe("tRPC: tenant B against tenant A", () => {
  it("lists only its own zones", async () => {
    const list = await (await callerAs(B)).zones.list();
    expect(list.map((z) => z.tenantId)).toEqual([B.tenant.id]);
    const res = await http(B, B.token, "zones.list", undefined, "GET");
    expect(res.status).toBe(200);
    expect(res.body.result.data.map((z: { id: string }) => z.id)).toEqual([B.zone.id]);
  });

  it("cannot read, update or delete A's zone by id: 404, and A's zone is unchanged", async () => {
    const b = await callerAs(B);
    await expect(b.zones.byId({ id: A.zone.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.zones.update({ id: A.zone.id, name: "pwned", description: "" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.zones.delete({ id: A.zone.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const del = await http(B, B.token, "zones.delete", { id: A.zone.id });
    expect(del.status).toBe(404);
    expect(await (await callerAs(A)).zones.byId({ id: A.zone.id })).toMatchObject({ name: A.zone.name });
  });

  it("cannot use its session on A's host", async () => {
    await expect((await callerAs(B, A)).zones.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    const res = await http(A, B.token, "zones.list", undefined, "GET");
    expect(res.status).toBe(401);
  });

  it("creates zones only in its own tenant, whatever it sends", async () => {
    const res = await http(B, B.token, "zones.create", { name: "Sneaky", description: "", tenantId: A.tenant.id });
    expect(res.status).toBe(200);
    expect(res.body.result.data.tenantId).toBe(B.tenant.id);
    const inA = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(zones).where(eq(zones.name, "Sneaky")));
    expect(inA).toEqual([]);
  });

  it("sees only its own activity", async () => {
    const events = await (await callerAs(B)).activity.recent({ limit: 200 });
    expect(events.length).toBeGreaterThan(0);
    expect(new Set(events.map((e) => e.tenantId))).toEqual(new Set([B.tenant.id]));
  });

  it("cannot see, assign, retry or acknowledge A's payments and callbacks", async () => {
    const [pa] = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(payments));
    const [ca] = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(mpesaCallbacks));
    const b = await callerAs(B);
    await expect(b.payments.byId({ id: pa!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.payments.assign({ paymentId: pa!.id, purpose: "other" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(b.payments.retry({ paymentId: pa!.id })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(b.payments.acknowledge({ callbackId: ca!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const list = await b.payments.list({ limit: 100 });
    expect(list.rows.every((r) => r.tenantId === B.tenant.id)).toBe(true);
    const settings = await b.payments.settings();
    expect(JSON.stringify(settings)).not.toContain(A.tenant.id);
    const [after] = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(payments).where(eq(payments.id, pa!.id)));
    expect(after!.status).toBe("pending");
  });

  it("cannot see, change, retry, drift-repair or remove A's routers, nor read their history and operations", async () => {
    const [ra] = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(routers));
    const b = await callerAs(B);
    expect((await b.routers.list()).map((r) => r.id)).not.toContain(ra!.id);
    await expect(b.routers.detail({ id: ra!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.routers.update({ id: ra!.id, name: "pwned", host: "6.6.6.6", apiPort: "8728", username: "x", password: "y" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.routers.retryOperations({ id: ra!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.routers.repairDrift({ id: ra!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.routers.test({ id: ra!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.routers.remove({ id: ra!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    const res = await http(B, B.token, "routers.detail", { id: ra!.id }, "GET");
    expect(res.status).toBe(404);
    // B's own router page shows only B's samples and operations.
    const [rb] = await withTenant(t.db, B.tenant.id, null, (tx) => tx.select().from(routers));
    const own = await b.routers.detail({ id: rb!.id });
    expect(own.history.samples).toHaveLength(1);
    expect(own.operations.map((o) => o.target)).toEqual([`${B.tenant.slug}-user`]);
    const [after] = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(routers).where(eq(routers.id, ra!.id)));
    expect(after).toMatchObject({ name: ra!.name, host: ra!.host });
  });

  it("cannot see, change, log out, print or list A's vouchers and batches, through any voucher procedure", async () => {
    const inA = <T,>(fn: (tx: Tx) => Promise<T>) => withTenant(t.db, A.tenant.id, null, fn);
    const [va] = await inA((tx) => tx.select().from(vouchers));
    const [ba] = await inA((tx) => tx.select().from(voucherBatches));
    const [ra] = await inA((tx) => tx.select().from(routers));
    const [vb] = await withTenant(t.db, B.tenant.id, null, (tx) => tx.select().from(vouchers));
    const opsBefore = await inA((tx) => tx.select().from(routerOperations));
    const b = await callerAs(B);
    // Every voucher procedure that takes an id of A's is tried (a new procedure must be added here).
    const attempts: Record<string, () => Promise<unknown>> = {
      detail: () => b.vouchers.detail({ id: va!.id }),
      sessions: () => b.vouchers.sessions({ id: va!.id }),
      batchCards: () => b.vouchers.batchCards({ id: ba!.id }),
      extend: () => b.vouchers.extend({ id: va!.id, amount: 5, unit: "days" }),
      modify: () => b.vouchers.modify({ id: va!.id, devicesAllowed: 1, notes: "pwned" }),
      logoutDevice: () => b.vouchers.logoutDevice({ id: va!.id, routerId: ra!.id, mac: "AA:BB:CC:DD:EE:01" }),
      setDisabled: () => b.vouchers.setDisabled({ id: va!.id, disabled: true }),
    };
    for (const [name, attempt] of Object.entries(attempts)) await expect(attempt(), name).rejects.toMatchObject({ code: "NOT_FOUND" });
    const takesNoId = ["list", "batchOptions", "generateBatch", "exported"];
    const procedures = Object.keys(appRouter._def.procedures).filter((k) => k.startsWith("vouchers.")).map((k) => k.slice("vouchers.".length));
    expect([...Object.keys(attempts), ...takesNoId].sort()).toEqual(procedures.sort());
    // B's own voucher against A's router: refused, nothing queued for A's router.
    await expect(b.vouchers.logoutDevice({ id: vb!.id, routerId: ra!.id, mac: "AA:BB:CC:DD:EE:01" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await inA((tx) => tx.select().from(routerOperations))).toHaveLength(opsBefore.length);
    // Lists, searches, batch filters and batches never show A's.
    expect((await b.vouchers.list({ search: va!.code })).rows).toEqual([]);
    expect(await b.vouchers.list({ batchId: ba!.id })).toMatchObject({ rows: [], counts: {}, total: 0 });
    expect((await b.vouchers.list({ limit: 5000 })).rows.map((r) => r.id)).toEqual([vb!.id]);
    expect((await b.vouchers.batchOptions()).batches.map((x) => x.id)).not.toContain(ba!.id);
    // Over HTTP too.
    expect((await http(B, B.token, "vouchers.detail", { id: va!.id }, "GET")).status).toBe(404);
    expect((await http(B, B.token, "vouchers.modify", { id: va!.id, devicesAllowed: 1, notes: "pwned" })).status).toBe(404);
    expect((await http(B, B.token, "vouchers.logoutDevice", { id: va!.id, routerId: ra!.id, mac: "AA:BB:CC:DD:EE:01" })).status).toBe(404);
    const [after] = await inA((tx) => tx.select().from(vouchers).where(eq(vouchers.id, va!.id)));
    expect(after).toMatchObject({ disabledAt: null, notes: va!.notes, devicesAllowed: va!.devicesAllowed, durationSeconds: va!.durationSeconds });
  });

  it("cannot reach platform procedures from an ISP host", async () => {
    await expect((await callerAs(B)).platform.tenants()).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("reaches none of the console's procedures, by caller or over HTTP", async () => {
    const b = await callerAs(B);
    await expect(b.console.tenants()).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.console.tenant({ id: A.tenant.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.console.impersonate({ tenantId: A.tenant.id, reason: "Let me in please" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.console.audit()).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.console.supportInbox()).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.console.supportThread({ tenantId: A.tenant.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.console.supportReply({ tenantId: A.tenant.id, body: "Fake reply from support" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.console.setHold({ tenantId: A.tenant.id, kind: "block", reason: "Competitor blocking A" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.console.endImpersonation({ impersonationId: A.tenant.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.console.rename({ tenantId: A.tenant.id, businessName: "Owned by B" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.platformAnalytics.overview()).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.platformAnalytics.exported({ format: "csv", rows: 1 })).rejects.toMatchObject({ code: "NOT_FOUND" });
    // The platform's senders (its M-Pesa account, SMS and email): neither readable nor writable from an ISP.
    await expect(b.platformSettings.get()).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.platformSettings.saveMpesa({ environment: "sandbox", accountType: "paybill", shortcode: "600000", consumerKey: "k", consumerSecret: "s", passkey: "p" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.platformSettings.saveSms({ username: "b-steals", apiKey: "k" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.platformSettings.saveEmail({ fromName: "B", fromAddress: "b@evil.test" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.platformSettings.clearSender({ sender: "mpesa" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.platformSettings.testMpesa()).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(b.platformSettings.testSms({ phone: "0712345678" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    for (const [path, input, method] of [
      ["platformAnalytics.overview", undefined, "GET"],
      ["platformAnalytics.exported", { format: "csv", rows: 1 }, "POST"],
      ["console.tenants", undefined, "GET"],
      ["console.tenant", { id: A.tenant.id }, "GET"],
      ["console.supportThread", { tenantId: A.tenant.id }, "GET"],
      ["console.impersonate", { tenantId: A.tenant.id, reason: "Let me in please" }, "POST"],
      ["console.supportReply", { tenantId: A.tenant.id, body: "Fake" }, "POST"],
      ["console.setHold", { tenantId: A.tenant.id, kind: "suspend", reason: "Competitor suspending A" }, "POST"],
      ["console.endImpersonation", { impersonationId: A.tenant.id }, "POST"],
      ["console.rename", { tenantId: A.tenant.id, businessName: "Owned by B" }, "POST"],
      ["platformSettings.get", undefined, "GET"],
      ["platformSettings.saveMpesa", { environment: "sandbox", accountType: "paybill", shortcode: "600000", consumerKey: "k", consumerSecret: "s", passkey: "p" }, "POST"],
      ["platformSettings.saveSms", { username: "b-steals", apiKey: "k" }, "POST"],
      ["platformSettings.saveEmail", { fromName: "B", fromAddress: "b@evil.test" }, "POST"],
      ["platformSettings.clearSender", { sender: "sms" }, "POST"],
      ["platformSettings.testMpesa", undefined, "POST"],
      ["platformSettings.testSms", { phone: "0712345678" }, "POST"],
    ] as const) {
      const res = await http(B, B.token, path, input, method);
      expect(res.status, path).toBe(404);
    }
    // Nothing was written in A.
    const rows = await withTenant(t.db, A.tenant.id, null, async (tx) => ({ msgs: await tx.select().from(supportMessages), imps: await tx.select().from(impersonations) }));
    expect(rows.msgs.map((m) => m.body)).toEqual([`${A.tenant.slug} needs help`]);
    expect(rows.imps).toHaveLength(1);
    const [a] = await withPlatform(t.db, null, (tx) => tx.select({ status: tenants.status }).from(tenants).where(eq(tenants.id, A.tenant.id)));
    expect(a!.status).not.toMatch(/suspended|blocked/);
  });

  it("reads and writes only its own support thread", async () => {
    const b = await callerAs(B);
    const thread = await b.support.thread();
    expect(thread.messages.map((m) => m.body)).toEqual([`${B.tenant.slug} needs help`]);
    // Whatever it sends, the message lands in B's thread.
    const res = await http(B, B.token, "support.send", { body: "Sneaky", tenantId: A.tenant.id });
    expect(res.status).toBe(200);
    const inA = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(supportMessages).where(eq(supportMessages.body, "Sneaky")));
    expect(inA).toEqual([]);
    expect(await (await callerAs(A)).support.unread()).toBe(0);
    // On A's host B's session is nobody.
    expect((await http(A, B.token, "support.thread", undefined, "GET")).status).toBe(401);
  });

  it("a console session is not an ISP session, nor the other way round", async () => {
    const admin = await createPlatformUser(t.db, "super_admin", "attack-root");
    expect((await http(A, admin.token, "support.thread", undefined, "GET")).status).toBe(401);
    expect((await http(A, admin.token, "zones.list", undefined, "GET")).status).toBe(401);
    const adminCaller = await getCaller(appContext(t.db, { kind: "admin" }), requestWithSession("admin.mnetifi.test", B.token));
    await expect(adminCaller.console.tenants()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(adminCaller.platformAnalytics.overview()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    // The ISP-side procedures do not exist on the console's host.
    const asAdmin = await getCaller(appContext(t.db, { kind: "admin" }), requestWithSession("admin.mnetifi.test", admin.token));
    await expect(asAdmin.support.thread()).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(asAdmin.support.send({ body: "x" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(asAdmin.support.unread()).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("console roles other than the super admin can neither read nor change the platform's senders", async () => {
    for (const role of ["support", "billing", "read_only"] as const) {
      const u = await createPlatformUser(t.db, role, `attack-senders-${role}`);
      const c = await getCaller(appContext(t.db, { kind: "admin" }), requestWithSession("admin.mnetifi.test", u.token));
      await expect(c.platformSettings.get(), role).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(c.platformSettings.saveMpesa({ environment: "sandbox", accountType: "paybill", shortcode: "600000", consumerKey: "k", consumerSecret: "s", passkey: "p" }), role).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(c.platformSettings.saveSms({ username: "x", apiKey: "k" }), role).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(c.platformSettings.saveEmail({ fromName: "X", fromAddress: "x@evil.test" }), role).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(c.platformSettings.clearSender({ sender: "email" }), role).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(c.platformSettings.testMpesa(), role).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(c.platformSettings.testSms({ phone: "0712345678" }), role).rejects.toMatchObject({ code: "FORBIDDEN" });
      await expect(c.platformBilling.saveSettings({ trialHours: "1", reminderDays: "1", paymentInstructions: "" }), role).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    const [s] = await withPlatform(t.db, null, (tx) => tx.select().from(platformSettings));
    expect(s).toMatchObject({ trialHours: 24, mpesaShortcode: null, smsUsername: null, mailFromAddress: null });
  });
});

describe("tRPC: the console's Admins procedures (platformAdmins.*)", () => {
  /** Over tRPC's HTTP handler on the console's host, as a browser or script would. */
  async function httpAdmin(token: string | null, path: string, input?: unknown, method: "GET" | "POST" = "POST") {
    const query = method === "GET" && input !== undefined ? `?input=${encodeURIComponent(JSON.stringify(input))}` : "";
    const req = requestWithSession("admin.mnetifi.test", token, `/api/trpc/${path}${query}`, { method, headers: { "content-type": "application/json" }, body: method === "POST" ? JSON.stringify(input ?? {}) : undefined });
    const res = await fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => createTrpcContext(appContext(t.db, { kind: "admin" }), req) });
    return { status: res.status, body: await res.json() };
  }

  it("refuses ISP users (any host), non-super-admin console roles and anonymous callers; nothing changes", async () => {
    const root = await createPlatformUser(t.db, "super_admin", "admins-root");
    const anyId = root.id;
    // Every procedure is tried (a new one must be added here).
    const calls: Record<string, [unknown, "GET" | "POST"]> = {
      list: [undefined, "GET"],
      invite: [{ fullName: "Mallory Evil", username: "mallory", email: "mallory@evil.test", role: "super_admin" }, "POST"],
      resendInvite: [{ adminId: anyId }, "POST"],
      changeRole: [{ adminId: anyId, role: "read_only" }, "POST"],
      setActive: [{ adminId: anyId, active: false }, "POST"],
      resetTwoFactor: [{ adminId: anyId }, "POST"],
    };
    const procedures = Object.keys(appRouter._def.procedures).filter((k) => k.startsWith("platformAdmins.")).map((k) => k.slice("platformAdmins.".length));
    expect(Object.keys(calls).sort()).toEqual(procedures.sort());
    const invoke = (c: Awaited<ReturnType<typeof getCaller>>, name: string, input: unknown) =>
      (c.platformAdmins as unknown as Record<string, (i: unknown) => Promise<unknown>>)[name]!(input);

    // ISP users: the procedures do not exist on an ISP's host, and an ISP session is nobody on the console's.
    const b = await callerAs(B);
    const onAdminHost = await getCaller(appContext(t.db, { kind: "admin" }), requestWithSession("admin.mnetifi.test", B.token));
    for (const [name, [input, method]] of Object.entries(calls)) {
      await expect(invoke(b, name, input), name).rejects.toMatchObject({ code: "NOT_FOUND" });
      expect((await http(B, B.token, `platformAdmins.${name}`, input, method)).status, name).toBe(404);
      await expect(invoke(onAdminHost, name, input), name).rejects.toMatchObject({ code: "UNAUTHORIZED" });
      expect((await httpAdmin(B.token, `platformAdmins.${name}`, input, method)).status, name).toBe(401);
      expect((await httpAdmin(null, `platformAdmins.${name}`, input, method)).status, name).toBe(401);
    }
    // Console roles without admins.manage.
    for (const role of ["support", "billing", "read_only"] as const) {
      const u = await createPlatformUser(t.db, role, `admins-${role}`);
      const c = await getCaller(appContext(t.db, { kind: "admin" }), requestWithSession("admin.mnetifi.test", u.token));
      for (const [name, [input, method]] of Object.entries(calls)) {
        await expect(invoke(c, name, input), `${role} ${name}`).rejects.toMatchObject({ code: "FORBIDDEN" });
        expect((await httpAdmin(u.token, `platformAdmins.${name}`, input, method)).status, `${role} ${name}`).toBe(403);
      }
      // Not even on themselves.
      await expect(c.platformAdmins.changeRole({ adminId: u.id, role: "super_admin" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    }
    const after = await withPlatform(t.db, null, (tx) => tx.select().from(platformUsers));
    expect(after.find((u) => u.username === "mallory")).toBeUndefined();
    expect(after.find((u) => u.id === root.id)).toMatchObject({ role: "super_admin", disabledAt: null });
    expect(after.filter((u) => u.username.startsWith("admins-") && u.role === "super_admin").map((u) => u.username)).toEqual(["admins-root"]);
    // The super admin does reach them.
    expect((await httpAdmin(root.token, "platformAdmins.list", undefined, "GET")).status).toBe(200);
  });
});

describe("tRPC: own-account procedures (account.* for ISP users, consoleAccount.* for console users)", () => {
  async function httpOn(hostName: string, siteOf: Site, token: string | null, path: string, input?: unknown, method: "GET" | "POST" = "POST") {
    const query = method === "GET" && input !== undefined ? `?input=${encodeURIComponent(JSON.stringify(input))}` : "";
    const req = requestWithSession(hostName, token, `/api/trpc/${path}${query}`, { method, headers: { "content-type": "application/json" }, body: method === "POST" ? JSON.stringify(input ?? {}) : undefined });
    const res = await fetchRequestHandler({ endpoint: "/api/trpc", req, router: appRouter, createContext: () => createTrpcContext(appContext(t.db, siteOf), req) });
    return res.status;
  }
  const ADMIN_SITE: Site = { kind: "admin" };
  const procedureNames = (prefix: string) => Object.keys(appRouter._def.procedures).filter((k) => k.startsWith(`${prefix}.`)).map((k) => k.slice(prefix.length + 1));
  const invoke = (c: Awaited<ReturnType<typeof getCaller>>, ns: "account" | "consoleAccount", name: string, input: unknown) =>
    (c[ns] as unknown as Record<string, (i: unknown) => Promise<unknown>>)[name]!(input);

  it("ISP users reach none of the console's account procedures, console users none of the ISP's; nothing changes", async () => {
    const admin = await createPlatformUser(t.db, "super_admin", "own-account-root");
    // Every procedure is tried (a new one must be added here).
    const consoleCalls: Record<string, [unknown, "GET" | "POST"]> = {
      security: [undefined, "GET"],
      changePassword: [{ currentPassword: "x", newPassword: "Evil-Password-Long-1", confirmPassword: "Evil-Password-Long-1" }, "POST"],
      signOutEverywhereElse: [undefined, "POST"],
      beginTotp: [undefined, "POST"],
      confirmTwoFactor: [{ setupToken: "x", code: "123456" }, "POST"],
      disableTwoFactor: [{ password: "x", code: "123456" }, "POST"],
      newRecoveryCodes: [{ password: "x" }, "POST"],
    };
    expect(Object.keys(consoleCalls).sort()).toEqual(procedureNames("consoleAccount").sort());
    const ispCalls: Record<string, [unknown, "GET" | "POST"]> = {
      ...consoleCalls,
      signOutEverywhere: [undefined, "POST"],
      beginSms: [{ phone: "0712345678" }, "POST"],
      resendVerification: [undefined, "POST"],
      disableTwoFactor: [{ password: "x" }, "POST"],
    };
    delete ispCalls.signOutEverywhereElse;
    expect(Object.keys(ispCalls).sort()).toEqual(procedureNames("account").sort());

    const b = await callerAs(B);
    const bOnAdminHost = await getCaller(appContext(t.db, ADMIN_SITE), requestWithSession("admin.mnetifi.test", B.token));
    for (const [name, [input, method]] of Object.entries(consoleCalls)) {
      // On an ISP's host the console's procedures do not exist; on the console's an ISP session is nobody.
      await expect(invoke(b, "consoleAccount", name, input), name).rejects.toMatchObject({ code: "NOT_FOUND" });
      expect(await httpOn(host(B), site(B), B.token, `consoleAccount.${name}`, input, method), name).toBe(404);
      await expect(invoke(bOnAdminHost, "consoleAccount", name, input), name).rejects.toMatchObject({ code: "UNAUTHORIZED" });
      expect(await httpOn("admin.mnetifi.test", ADMIN_SITE, B.token, `consoleAccount.${name}`, input, method), name).toBe(401);
      expect(await httpOn("admin.mnetifi.test", ADMIN_SITE, null, `consoleAccount.${name}`, input, method), name).toBe(401);
    }
    const asAdmin = await getCaller(appContext(t.db, ADMIN_SITE), requestWithSession("admin.mnetifi.test", admin.token));
    const adminOnIspHost = await getCaller(appContext(t.db, site(B)), requestWithSession(host(B), admin.token));
    for (const [name, [input, method]] of Object.entries(ispCalls)) {
      await expect(invoke(asAdmin, "account", name, input), name).rejects.toMatchObject({ code: "NOT_FOUND" });
      expect(await httpOn("admin.mnetifi.test", ADMIN_SITE, admin.token, `account.${name}`, input, method), name).toBe(404);
      await expect(invoke(adminOnIspHost, "account", name, input), name).rejects.toMatchObject({ code: "UNAUTHORIZED" });
      expect(await httpOn(host(B), site(B), admin.token, `account.${name}`, input, method), name).toBe(401);
    }
    const [row] = await withPlatform(t.db, null, (tx) => tx.select().from(platformUsers).where(eq(platformUsers.id, admin.id)));
    expect(row).toMatchObject({ twoFactorMethod: null, passwordHash: "x" });
    // Both still reach their own.
    await expect(asAdmin.consoleAccount.security()).resolves.toMatchObject({ method: null });
    await expect(b.account.security()).resolves.toMatchObject({ method: null });
  });
});

describe("tRPC: requests without a valid session", () => {
  it("are refused with 401 and a reason", async () => {
    const none = await http(A, null, "zones.list", undefined, "GET");
    expect(none.status).toBe(401);
    expect(none.body.error.message).toBe("Sign in to continue.");
    const forged = await http(A, "not-a-real-token", "zones.list", undefined, "GET");
    expect(forged.status).toBe(401);
  });

  it("bad input gets 400 with field errors", async () => {
    const res = await http(A, A.token, "zones.create", { name: "x" });
    expect(res.status).toBe(400);
    expect(res.body.error.data.fieldErrors.name).toEqual(["Give the zone a name of at least 2 characters."]);
    const badId = await http(A, A.token, "zones.delete", { id: "not-a-uuid" });
    expect(badId.status).toBe(400);
  });

  it("a duplicate name is a 409 conflict, not a 500", async () => {
    const res = await http(A, A.token, "zones.create", { name: A.zone.name.toUpperCase() });
    expect(res.status).toBe(409);
  });
});

describe("tenantProcedure transaction", () => {
  // A procedure that writes and then fails: nothing it wrote may be committed.
  const testRouter = createTRPCRouter({
    writeThenFail: tenantProcedure.mutation(async ({ ctx }) => {
      await ctx.tx.insert(zones).values({ tenantId: ctx.tenant.id, name: "Half-written" });
      throw new TRPCError({ code: "BAD_REQUEST", message: "changed my mind" });
    }),
    writeOk: tenantProcedure.mutation(async ({ ctx }) => {
      await ctx.tx.insert(zones).values({ tenantId: ctx.tenant.id, name: "Fully written" });
      return "done";
    }),
  });

  it("rolls back when the procedure fails, commits when it succeeds", async () => {
    const ctx = await createTrpcContext(appContext(t.db, site(A)), requestWithSession(host(A), A.token));
    const caller = testRouter.createCaller(ctx);
    await expect(caller.writeThenFail()).rejects.toThrow("changed my mind");
    await expect(caller.writeOk()).resolves.toBe("done");
    const names = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select({ name: zones.name }).from(zones));
    expect(names.map((n) => n.name)).toContain("Fully written");
    expect(names.map((n) => n.name)).not.toContain("Half-written");
  });
});
