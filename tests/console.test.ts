import { describe, it, expect, beforeAll } from "vitest";
import { eq, sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { addUser, appContext, createPlatformUser, createTenantFixture, requestWithSession, testSecrets, type TenantFixture } from "./helpers/fixtures";
import { withPlatform, withTenant, type Tx } from "../db/client";
import * as schema from "../db/schema";
import { getCaller } from "../server/trpc/root";
import { cleanMessage } from "../server/services/support";
import { consoleStatus, consoleStatusSql } from "../server/services/tenant-standing";
import { findTenantBySlug, type Site } from "../server/services/hosts";
import { refusal } from "./helpers/trpc";

let t: TestDatabase;
let A: TenantFixture;
let B: TenantFixture;
let admin: Awaited<ReturnType<typeof createPlatformUser>>;
let helpdesk: Awaited<ReturnType<typeof createPlatformUser>>;

const ADMIN_SITE: Site = { kind: "admin" };
const consoleAs = (token: string | null) => getCaller(appContext(t.db, ADMIN_SITE), requestWithSession("admin.mnetifi.test", token));
const ispAs = (f: TenantFixture, token = f.token) => getCaller(appContext(t.db, { kind: "tenant", tenant: f.tenant }), requestWithSession(`${f.tenant.slug}.mnetifi.test`, token));

const DAY = 86_400_000;

/** Usage for one ISP: n customers, routers (some online), vouchers sold (old and recent), messages, payments. */
async function seedUsage(f: TenantFixture, n: { customers: number; routers: number; online: number; sold: number; oldSold: number; sent: number; paidKes: number[]; active: number }) {
  await withTenant(t.db, f.tenant.id, null, async (tx: Tx) => {
    for (let i = 0; i < n.customers; i++) await tx.insert(schema.customers).values({ tenantId: f.tenant.id, phone: `25471${f.tenant.slug.length}${String(i).padStart(6, "0")}` });
    for (let i = 0; i < n.routers; i++)
      await tx.insert(schema.routers).values({ tenantId: f.tenant.id, name: `r${i}`, host: "10.0.0.1", username: "api", passwordEnc: testSecrets.encrypt("x"), status: i < n.online ? "online" : "offline" });
    const [plan] = await tx.insert(schema.hotspotPlans).values({ tenantId: f.tenant.id, name: "1 hour", priceCents: 2000, durationValue: 1, durationUnit: "hours" }).returning();
    let k = 0;
    const voucher = async (purchasedAt: Date, paid: boolean, status: "unused" | "active" = "unused") => {
      k++;
      let paymentId: string | null = null;
      if (paid) {
        const [p] = await tx.insert(schema.payments).values({ tenantId: f.tenant.id, method: "stk", status: "pending", amountCents: 2000, checkoutRequestId: `ws_${f.tenant.slug}_${k}` }).returning();
        paymentId = p!.id;
      }
      await tx.insert(schema.vouchers).values({
        tenantId: f.tenant.id,
        code: `${f.tenant.slug.slice(-1).toUpperCase()}${String(k).padStart(5, "0")}x`.slice(0, 8),
        planId: plan!.id,
        paymentId,
        status,
        durationSeconds: 3600,
        devicesAllowed: 1,
        purchasedAt,
        lapsesAt: new Date(Date.now() + DAY),
      });
    };
    for (let i = 0; i < n.sold; i++) await voucher(new Date(Date.now() - DAY), true, i < n.active ? "active" : "unused");
    for (let i = 0; i < n.oldSold; i++) await voucher(new Date(Date.now() - 40 * DAY), true);
    await voucher(new Date(), false); // a printed card: not "sold"
    for (let i = 0; i < n.sent; i++) await tx.insert(schema.messages).values({ tenantId: f.tenant.id, channel: "sms", phone: "254700000001", event: "test", body: "hi", status: "sent", sentAt: new Date() });
    await tx.insert(schema.messages).values({ tenantId: f.tenant.id, channel: "sms", phone: "254700000001", event: "test", body: "queued", status: "queued" });
    for (const [i, kes] of n.paidKes.entries())
      await tx.insert(schema.payments).values({ tenantId: f.tenant.id, method: "c2b", status: "paid", amountCents: kes * 100, paidAmountCents: kes * 100, paidAt: new Date(), mpesaReceipt: `R${f.tenant.slug.slice(-3)}${i}` });
    await tx.insert(schema.payments).values({ tenantId: f.tenant.id, method: "c2b", status: "paid", amountCents: 99_900, paidAmountCents: 99_900, paidAt: new Date(Date.now() - 45 * DAY), mpesaReceipt: `OLD${f.tenant.slug.slice(-3)}` });
  });
}

beforeAll(async () => {
  t = await createTestDatabase();
  A = await createTenantFixture(t.db, "con-alpha");
  B = await createTenantFixture(t.db, "con-bravo");
  admin = await createPlatformUser(t.db, "super_admin", "root");
  helpdesk = await createPlatformUser(t.db, "support", "helpdesk");
  await seedUsage(A, { customers: 3, routers: 2, online: 1, sold: 4, oldSold: 2, sent: 5, paidKes: [50, 100], active: 1 });
  await seedUsage(B, { customers: 1, routers: 1, online: 1, sold: 1, oldSold: 0, sent: 0, paidKes: [1000], active: 0 });
  await withPlatform(t.db, null, (tx) => tx.update(schema.tenants).set({ status: "trial", trialEndsAt: new Date(Date.now() + 3 * DAY) }).where(eq(schema.tenants.id, B.tenant.id)));
});

describe("console: an ISP's state", () => {
  it("the SQL used to filter and count agrees with the billing rules, for every kind of ISP", async () => {
    const now = new Date("2026-11-24T09:00:00Z");
    const past = new Date(now.getTime() - DAY);
    const future = new Date(now.getTime() + DAY);
    const cases: Array<{ status: "pending" | "trial" | "active" | "suspended" | "blocked"; trialEndsAt: Date | null; paidUntil: Date | null }> = [];
    for (const status of ["pending", "trial", "active", "suspended", "blocked"] as const)
      for (const trialEndsAt of [null, past, future]) for (const paidUntil of [null, past, future]) cases.push({ status, trialEndsAt, paidUntil });
    const fromSql = await withPlatform(t.db, null, async (tx) => {
      const out: string[] = [];
      for (const c of cases) {
        const res = await tx.execute<{ s: string }>(
          sql`select ${consoleStatusSql(now)} as s from (select ${c.status}::text as status, ${c.trialEndsAt?.toISOString() ?? null}::timestamptz as trial_ends_at, ${c.paidUntil?.toISOString() ?? null}::timestamptz as paid_until) t`,
        );
        out.push(res.rows[0]!.s);
      }
      return out;
    });
    expect(fromSql).toEqual(cases.map((c) => consoleStatus(c, now)));
    expect(new Set(fromSql)).toEqual(new Set(["pending", "trial", "active", "unpaid", "suspended", "blocked"]));
  });
});

describe("console: the ISP list", () => {
  it("lists every ISP with its numbers from the aggregate function", async () => {
    const { rows, counts } = await (await consoleAs(admin.token)).console.tenants();
    const a = rows.find((r) => r.id === A.tenant.id)!;
    const b = rows.find((r) => r.id === B.tenant.id)!;
    expect(a.usage).toMatchObject({ customers: 3, routersTotal: 2, routersOnline: 1, vouchersSold: 4, activeVouchers: 1, messagesSent: 5, revenueCents: 15_000, paymentsPaid: 2 });
    expect(b.usage).toMatchObject({ customers: 1, routersTotal: 1, routersOnline: 1, vouchersSold: 1, messagesSent: 0, revenueCents: 100_000 });
    expect(b).toMatchObject({ status: "trial" });
    expect(b.trialEndsAt).toBeInstanceOf(Date);
    expect(a.usage.lastActivityAt).toBeInstanceOf(Date); // the owner's session
    expect(counts).toMatchObject({ active: 1, trial: 1 });
  });

  it("searches by name or address, filters by status, sorts", async () => {
    const c = await consoleAs(admin.token);
    expect((await c.console.tenants({ q: "BRAVO", sort: "newest" })).rows.map((r) => r.id)).toEqual([B.tenant.id]);
    expect((await c.console.tenants({ q: "con-alpha", sort: "newest" })).rows.map((r) => r.id)).toEqual([A.tenant.id]);
    expect((await c.console.tenants({ q: "%", sort: "newest" })).rows).toEqual([]);
    expect((await c.console.tenants({ status: "trial", sort: "newest" })).rows.map((r) => r.id)).toEqual([B.tenant.id]);
    expect((await c.console.tenants({ sort: "revenue" })).rows.map((r) => r.id)).toEqual([B.tenant.id, A.tenant.id]);
    expect((await c.console.tenants({ sort: "name" })).rows.map((r) => r.id)).toEqual([A.tenant.id, B.tenant.id]);
    await expect(c.console.tenants({ status: "deleted" as never, sort: "newest" })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  });

  it("every console role with tenants.view sees it; the ISP side and strangers do not", async () => {
    expect((await (await consoleAs(helpdesk.token)).console.tenants()).rows.length).toBe(2);
    await expect((await consoleAs(null)).console.tenants()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect((await ispAs(A)).console.tenants()).rejects.toMatchObject({ code: "NOT_FOUND" });
  });
});

describe("console: one ISP", () => {
  it("shows its numbers, owner's contact, recent activity and visits; opening it is audited", async () => {
    const zone = await (await ispAs(A)).zones.create({ name: "Githurai", description: "" });
    const d = await (await consoleAs(admin.token)).console.tenant({ id: A.tenant.id });
    expect(d.tenant).toMatchObject({ slug: A.tenant.slug, status: "active" });
    expect(d.usage.customers).toBe(3);
    expect(d.owner).toMatchObject({ username: A.owner.username, email: `owner@${A.tenant.slug}.test` });
    expect(d.staffCount).toBe(1);
    // What people did, with their names (the system's own row changes are left to the ISP's Activity page).
    expect(d.events.find((e) => e.action === "INSERT" && e.tableName === "zones" && (e.changes as { id?: string }).id === zone.id)).toMatchObject({ actorName: `${A.tenant.slug} owner` });
    expect(d.events.every((e) => e.tenantId === A.tenant.id)).toBe(true);
    expect(d.events.some((e) => e.actorKind === "system" && e.tableName)).toBe(false);
    const viewed = await withPlatform(t.db, null, (tx) => tx.select().from(schema.auditEvents).where(eq(schema.auditEvents.action, "console.tenant_viewed")));
    expect(viewed.at(-1)).toMatchObject({ actorKind: "platform_user", actorId: admin.id, tenantId: null });
    expect(viewed.at(-1)!.details).toMatchObject({ tenantId: A.tenant.id });
    await expect((await consoleAs(admin.token)).console.tenant({ id: "00000000-0000-4000-8000-000000000000" })).rejects.toMatchObject({ code: "NOT_FOUND" });
  });

  it("reading one ISP does not leak another's rows into the same answer", async () => {
    const d = await (await consoleAs(admin.token)).console.tenant({ id: B.tenant.id });
    expect(JSON.stringify(d)).not.toContain(A.tenant.id);
    expect(JSON.stringify(d)).not.toContain(A.owner.id);
  });
});

describe("support chat", () => {
  it("the ISP writes, the console sees it unread, reads it, replies; the ISP sees the reply unread, then read", async () => {
    const isp = await ispAs(A);
    const c = await consoleAs(helpdesk.token);
    await isp.support.send({ body: "Our Kasarani router shows offline but it is up." });
    await isp.support.send({ body: "Any idea?" });
    let inbox = await c.console.supportInbox();
    expect(inbox.threads.find((x) => x.tenantId === A.tenant.id)).toMatchObject({ unread: 2, lastAuthor: "isp", lastPreview: "Any idea?", businessName: A.tenant.businessName });
    expect(inbox.unread).toBe(2);
    const thread = await c.console.supportThread({ tenantId: A.tenant.id });
    expect(thread.messages.map((m) => m.body)).toEqual(["Our Kasarani router shows offline but it is up.", "Any idea?"]);
    inbox = await c.console.supportInbox();
    expect(inbox.unread).toBe(0);
    expect(await isp.support.unread()).toBe(0);
    await c.console.supportReply({ tenantId: A.tenant.id, body: "Checking now: it answers pings from here." });
    expect(await isp.support.unread()).toBe(1);
    const mine = await isp.support.thread();
    expect(mine.messages.at(-1)).toMatchObject({ author: "platform", authorName: "helpdesk (console)", body: "Checking now: it answers pings from here." });
    expect(await isp.support.unread()).toBe(0);
    // Replying did not make the ISP's own messages unread for the console.
    expect((await c.console.supportInbox()).unread).toBe(0);
  });

  it("both directions are audited, each with its real author", async () => {
    const events = await withPlatform(t.db, null, (tx) => tx.select().from(schema.auditEvents).where(sql`${schema.auditEvents.action} like 'support.%' and ${schema.auditEvents.tenantId} = ${A.tenant.id}`));
    expect(events.filter((e) => e.action === "support.message_sent").every((e) => e.actorKind === "user" && e.actorId === A.owner.id)).toBe(true);
    expect(events.find((e) => e.action === "support.reply_sent")).toMatchObject({ actorKind: "platform_user", actorId: helpdesk.id });
    const rows = await withPlatform(t.db, null, (tx) => tx.select().from(schema.auditEvents).where(sql`${schema.auditEvents.tableName} = 'support_messages' and ${schema.auditEvents.tenantId} = ${A.tenant.id}`));
    expect(rows.length).toBe(3);
  });

  it("plain text only, 1–2000 characters, with field errors", async () => {
    const isp = await ispAs(A);
    await expect(isp.support.send({ body: " \n\t " })).rejects.toMatchObject({ code: "BAD_REQUEST", cause: { fieldErrors: { body: ["Write a message first."] } } });
    await expect(isp.support.send({ body: "x".repeat(2001) })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await expect(isp.support.send({ body: "x".repeat(10_001) })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    await isp.support.send({ body: "<script>alert(1)</script>\u0000\u0007 bold **text**\r\n\r\n\r\n\r\nend\u202e" });
    const last = (await isp.support.thread()).messages.at(-1)!;
    expect(last.body).toBe("<script>alert(1)</script> bold **text**\n\nend");
    expect(cleanMessage("  a\u200b b  ")).toBe("a b");
  });

  it("a flood is slowed down", async () => {
    const isp = await ispAs(B);
    let refused: unknown = null;
    for (let i = 0; i < 31 && !refused; i++) await isp.support.send({ body: `message ${i}` }).catch((e) => (refused = e));
    expect(refused).toMatchObject({ code: "TOO_MANY_REQUESTS" });
  });

  it("each ISP sees only its own thread; roles without support.chat cannot use it", async () => {
    const b = await (await ispAs(B)).support.thread();
    expect(b.messages.length).toBeGreaterThan(0);
    expect(b.messages.every((m) => m.body.startsWith("message "))).toBe(true);
    const tech = await addUser(t.db, A, "technician", "con-tech");
    await expect((await ispAs(A, tech.token)).support.thread()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect((await ispAs(A, tech.token)).support.send({ body: "hi" })).rejects.toMatchObject({ code: "FORBIDDEN" });
    const billing = await createPlatformUser(t.db, "billing", "cashier");
    await expect((await consoleAs(billing.token)).console.supportInbox()).rejects.toMatchObject({ code: "FORBIDDEN" });
    await expect((await consoleAs(billing.token)).console.supportReply({ tenantId: A.tenant.id, body: "hi" })).rejects.toMatchObject({ code: "FORBIDDEN" });
  });

  it("the super admin renames an ISP on its request: validated, audited in both logs; other roles cannot", async () => {
    const c = await consoleAs(admin.token);
    expect(await refusal(c.console.rename({ tenantId: A.tenant.id, businessName: "x" }))).toMatchObject({ code: "BAD_REQUEST", fieldErrors: { businessName: [expect.stringContaining("Enter the business name")] } });
    expect(await refusal(c.console.rename({ tenantId: A.tenant.id, businessName: A.tenant.businessName }))).toMatchObject({ code: "CONFLICT" });
    expect(await refusal(c.console.rename({ tenantId: "00000000-0000-4000-8000-000000000000", businessName: "Ghost Net" }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await refusal((await consoleAs(helpdesk.token)).console.rename({ tenantId: A.tenant.id, businessName: "Helpdesk Net" }))).toMatchObject({ code: "FORBIDDEN" });
    expect(await c.console.rename({ tenantId: A.tenant.id, businessName: "  Alpha Fibre Ltd " })).toEqual({ businessName: "Alpha Fibre Ltd" });
    // The ISP's own host now answers with the new name.
    expect((await findTenantBySlug(t.db, A.tenant.slug))?.businessName).toBe("Alpha Fibre Ltd");
    const [ev] = await withTenant(t.db, A.tenant.id, null, (tx) => tx.select().from(schema.auditEvents).where(eq(schema.auditEvents.action, "tenant.renamed")));
    expect(ev).toMatchObject({ actorKind: "platform_user", actorId: admin.id, details: { from: A.tenant.businessName, to: "Alpha Fibre Ltd" } });
    await c.console.rename({ tenantId: A.tenant.id, businessName: A.tenant.businessName });
  });

  it("a suspended ISP can still write to support, though the rest of its dashboard is closed", async () => {
    await (await consoleAs(admin.token)).console.setHold({ tenantId: A.tenant.id, kind: "suspend", reason: "Invoice dispute open" });
    const suspended = { ...A, tenant: { ...A.tenant, status: "suspended" } };
    const isp = await ispAs(suspended);
    await expect(isp.zones.list()).rejects.toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("Invoice dispute open") });
    await isp.support.send({ body: "Please restore us, we have paid." });
    expect((await isp.support.thread()).messages.at(-1)!.body).toBe("Please restore us, we have paid.");
    await (await consoleAs(admin.token)).console.setHold({ tenantId: A.tenant.id, kind: "restore", reason: "Dispute settled" });
    expect(Array.isArray(await (await ispAs(A)).zones.list())).toBe(true);
  });
});
