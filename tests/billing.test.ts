// Issue 8, SaaS billing core, with a controlled clock (AppContext.now and the services' `now`):
// the trial starts on email verification; when it ends the ISP's dashboard closes while its
// customers keep buying vouchers end to end; paying (STK push to the platform's paybill on the
// Daraja simulator) opens it and sets the next due date; a mid-month tier change takes effect
// only once paid in full and restarts the billing date; reminders go once per due date; the
// tier gate refuses what a tier lacks; invoices and receipts come out as PDF.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { run, Logger, type Runner } from "graphile-worker";
import { and, eq } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { serve } from "./helpers/http";
import { appContext, createTenantFixture, noIntegrations, requestWithSession, silentLog, testEnv, testSecrets, TEST_PASSWORD } from "./helpers/fixtures";
import { withPlatform, withTenant, enterTenant, type Tx } from "../db/client";
import { auditEvents, billingInvoices, billingPayments, hotspotPlans, platformMpesaCallbacks, platformSettings, platformUsers, routers, tenants, users, vouchers } from "../db/schema";
import { createBaseApp } from "../server/http";
import { buildTaskList } from "../jobs";
import { startDarajaSim, stkOutcome, type DarajaSim } from "../sim/daraja";
import { startRouterSim, type RouterSim } from "../sim/routeros";
import { startSmsSim, type SmsSim } from "../sim/sms";
import { createDarajaClient, type DarajaCredentials } from "../server/integrations/mpesa";
import { SIM_PLATFORM_MPESA, type Integrations } from "../server/integrations";
import { saveMpesaSettings } from "../server/services/mpesa-settings";
import { provisioning } from "../server/services/provisioning";
import { planProfileName } from "../server/services/hotspot/rules";
import { registerVoucherPurpose, startPurchase, purchaseStatus, readDeviceContext } from "../server/services/hotspot/portal";
import { saveProvider, ensureMessagingSettings, webhookUrl } from "../server/services/messaging/settings";
import { createTenant, createUser } from "../server/services/tenants";
import { issueToken } from "../server/services/tokens";
import { verifyEmail } from "../server/services/registration";
import { createPlatformSession, createUserSession } from "../server/services/sessions";
import { getCaller } from "../server/trpc/root";
import { requireIspUser } from "../app/lib/session.server";
import { recordManualPayment, type BillingLinks } from "../server/services/billing/subscriptions";
import { sweepBillingReminders } from "../server/services/billing/reminders";
import { renderBillingPdf } from "../server/services/billing/pdf";
import { billingCallbackUrl, startBillingStk } from "../server/services/billing/platform-mpesa";
import type { PaymentDeps } from "../server/services/payments";
import type { Site, TenantInfo } from "../server/services/hosts";
import type { OutgoingMail } from "../server/services/emails";
import { billingStatus, dashboardBlock, type BillingRow } from "../server/services/billing/state";
import { waitFor } from "./helpers/wait";
import { refusal } from "./helpers/trpc";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PLATFORM: DarajaCredentials = { environment: "sandbox", accountType: "paybill", consumerKey: SIM_PLATFORM_MPESA.consumerKey, consumerSecret: SIM_PLATFORM_MPESA.consumerSecret, shortcode: SIM_PLATFORM_MPESA.shortcode, passkey: SIM_PLATFORM_MPESA.passkey };
const links: BillingLinks = { billingUrl: (slug) => `http://${slug}.mnetifi.test/dashboard/billing` };

let t: TestDatabase;
let daraja: DarajaSim;
let router: RouterSim;
let sms: SmsSim;
let worker: Runner;
let base: string;
let http: Awaited<ReturnType<typeof serve>>;
let integrations: Integrations;
const mails: OutgoingMail[] = [];
const platformTexts: Array<{ to: string; message: string }> = [];

/** The ISP under test: registered, confirmed by its owner (which starts the trial). */
let isp: { info: TenantInfo; ownerId: string; token: string; trialEndsAt: Date };
let admin: { id: string; token: string };
let planId: string;
let routerId: string;

/** 31 Jan + 1 month = 28/29 Feb, as a clock in Nairobi (UTC+3, no DST) reads it. */
function plusMonthNairobi(d: Date) {
  const l = new Date(d.getTime() + 3 * HOUR);
  const y = l.getUTCFullYear();
  const m = l.getUTCMonth();
  const last = new Date(Date.UTC(y, m + 2, 0)).getUTCDate();
  return new Date(Date.UTC(y, m + 1, Math.min(l.getUTCDate(), last), l.getUTCHours(), l.getUTCMinutes(), l.getUTCSeconds(), l.getUTCMilliseconds()) - 3 * HOUR);
}

const site = (): Site => ({ kind: "tenant", tenant: isp.info });
const env = () => ({ ...testEnv, PUBLIC_BASE_URL: base });
/** The ISP owner's tRPC caller, on a clock set to `now` (default: the real time). */
const ispCaller = (now?: Date) => getCaller({ ...appContext(t.db, site(), integrations), env: env(), now: now ? () => now : undefined }, requestWithSession(`${isp.info.slug}.mnetifi.test`, isp.token));
const adminCaller = (now?: Date) => getCaller({ ...appContext(t.db, { kind: "admin" }, integrations), env: env(), now: now ? () => now : undefined }, requestWithSession("admin.mnetifi.test", admin.token));
const inIsp = <T>(fn: (tx: Tx) => Promise<T>) => withTenant(t.db, isp.info.id, null, fn);
const tenantRow = async () => (await withPlatform(t.db, null, (tx) => tx.select().from(tenants).where(eq(tenants.id, isp.info.id))))[0]!;

/** Where the dashboard sends this ISP's owner at `now`: null when it opens, else the redirect. */
async function dashboardAt(now: Date): Promise<string | null> {
  const app = { ...appContext(t.db, site(), integrations), env: env(), now: () => now };
  try {
    await requireIspUser({ app } as never, requestWithSession(`${isp.info.slug}.mnetifi.test`, isp.token, "/dashboard/zones"));
    return null;
  } catch (err) {
    if (err instanceof Response) return err.headers.get("location");
    throw err;
  }
}

/**
 * A customer buys a voucher on the captive portal and pays on the ISP's own paybill: issued, the
 * device logged in on the router, the code sent by SMS. Customers never depend on the dashboard.
 */
async function buyVoucherEndToEnd(phone: string, mac: string, ip: string) {
  router.deviceAppear({ mac, ip });
  daraja.scriptStk(phone, { delayMs: 50 });
  const deps: PaymentDeps = { db: t.db, daraja: integrations.daraja, secrets: testSecrets, publicBaseUrl: base, queryDelaysS: [0.5, 0.5, 1] };
  const device = readDeviceContext({ mac, ip, router: routerId, identity: "Billing-hAP", "link-login-only": "http://10.5.50.1/login", "link-orig": "http://example.com/" });
  const started = await startPurchase(deps, isp.info.id, { planId, phone: `0${phone.slice(3)}`, device });
  if (!started.ok) throw new Error(JSON.stringify(started));
  const done = await waitFor("voucher paid", async () => {
    const s = await inIsp((tx) => purchaseStatus(tx, isp.info.id, started.purchaseId));
    return s?.state === "paid" ? s : null;
  });
  const code = done.voucher!.code;
  await waitFor("device logged in", async () => ((router.state()["/ip/hotspot/active"] as Array<Record<string, string>>) ?? []).find((a) => a.user === code));
  expect((await sms.waitFor((m) => m.to === `+${phone}`)).message).toContain(code);
  const [v] = await inIsp((tx) => tx.select().from(vouchers).where(eq(vouchers.code, code)));
  expect(v).toMatchObject({ status: "active", phone });
  // The ISP's own STK push went to the ISP's paybill, not the platform's.
  expect(daraja.stkSessions().find((s) => s.phone === phone)).toMatchObject({ shortcode: "174379" });
}

beforeAll(async () => {
  t = await createTestDatabase();
  registerVoucherPurpose(testSecrets);
  daraja = await startDarajaSim({ port: 0 });
  daraja.addAccount({ ...SIM_PLATFORM_MPESA });
  router = await startRouterSim({ port: 0, identity: "Billing-hAP" });
  sms = await startSmsSim({ port: 0, open: true, deliveryDelayMs: 10 });
  http = await serve(createBaseApp({ db: t.db, log: silentLog, secrets: testSecrets, billingLinks: links }));
  base = `http://127.0.0.1:${http.port}`;
  const darajaClient = createDarajaClient({ baseUrlFor: () => daraja.baseUrl });
  integrations = {
    ...noIntegrations,
    mailer: { send: async (m) => (mails.push(m as OutgoingMail), { messageId: `m${mails.length}` }), close() {} },
    platformSms: { send: async (to, message) => (platformTexts.push({ to, message }), { status: "sent", providerMessageId: `p${platformTexts.length}`, cost: null, parts: 1 }) },
    daraja: darajaClient,
    platformMpesa: PLATFORM,
    messagingEndpoints: { ...noIntegrations.messagingEndpoints, africastalking: sms.baseUrl },
  };
  worker = await run({
    pgPool: t.queue,
    taskList: buildTaskList(t.db, integrations, { secrets: testSecrets, publicBaseUrl: base, queryDelaysS: [0.5, 0.5, 1], billingLinks: links }),
    concurrency: 4,
    noHandleSignals: true,
    pollInterval: 100,
    logger: new Logger(() => () => {}),
  });

  // A super admin for the console.
  admin = await withPlatform(t.db, null, async (tx) => {
    const [u] = await tx.insert(platformUsers).values({ username: "billing-admin", email: "billing@mnetifi.test", role: "super_admin", passwordHash: "x" }).returning();
    return { id: u!.id, token: (await createPlatformSession(tx, u!.id)).token };
  });

  // An ISP registers (pending) and its owner confirms the email: the trial starts then.
  const slug = "kilimani-net";
  const pending = await withPlatform(t.db, null, async (tx) => {
    const tenant = await createTenant(tx, { slug, businessName: "Kilimani Net", status: "pending" });
    await enterTenant(tx, tenant.id);
    const owner = await createUser(tx, tenant.id, { username: "kilimani", email: "owner@kilimani.test", fullName: "Wanjiru", role: "owner", password: TEST_PASSWORD });
    return { tenant, owner, token: (await issueToken(tx, tenant.id, owner.id, "verify_email")).token };
  });
  const info: TenantInfo = { id: pending.tenant.id, slug, businessName: "Kilimani Net", status: "pending", timezone: "Africa/Nairobi" };
  const verified = await verifyEmail(t.db, info, pending.token, { ip: "127.0.0.1", userAgent: "vitest", requestId: "r" });
  if (!verified.ok || !verified.trialEndsAt) throw new Error("verification failed");
  const token = await withTenant(t.db, info.id, null, async (tx) => {
    await tx.update(users).set({ phone: "254722000111" }).where(eq(users.id, pending.owner.id));
    return (await createUserSession(tx, info.id, pending.owner.id)).token;
  });
  isp = { info: { ...info, status: "trial" }, ownerId: pending.owner.id, token, trialEndsAt: verified.trialEndsAt };

  // Its hotspot: the ISP's own Daraja paybill, an SMS provider, a router and a plan on it.
  ({ routerId, planId } = await inIsp(async (tx) => {
    await saveMpesaSettings(tx, info.id, testSecrets, { environment: "sandbox", accountType: "paybill", shortcode: "174379", consumerKey: "sim-consumer-key", consumerSecret: "sim-consumer-secret", passkey: "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919" });
    await saveProvider(tx, info.id, "sms", { kind: "africastalking", values: { username: "kilimani-isp", apiKey: "kilimani-key" } }, testSecrets);
    sms.configure({ username: "kilimani-isp", deliveryReportUrl: webhookUrl(base, (await ensureMessagingSettings(tx, info.id)).webhookToken, "sms") });
    const [r] = await tx.insert(routers).values({ tenantId: info.id, name: "Kilimani tower", host: "127.0.0.1", apiPort: router.port, username: "mnetifi-api", passwordEnc: testSecrets.encrypt("mnetifi-api-pass"), status: "online", verifiedAt: new Date() }).returning();
    const [p] = await tx.insert(hotspotPlans).values({ tenantId: info.id, name: "3 Hours", priceCents: 2000, durationValue: 3, durationUnit: "hours", devices: 1 }).returning();
    await provisioning(tx, info.id, r!.id, testSecrets).ensureHotspotProfile({ name: planProfileName(p!.id), rateLimit: "1M/2M", sharedUsers: 1, idleTimeout: "15m" }, `plan:${p!.id}`);
    return { routerId: r!.id, planId: p!.id };
  }));
});

afterAll(async () => {
  await worker?.stop();
  for (const s of [daraja, router, sms]) await s?.stop();
});

describe("billing state, from the clock", () => {
  it("open in the trial and the paid month, closed after either; manual suspension and unconfirmed email close it too", () => {
    const at = new Date("2026-03-01T09:00:00Z");
    const row = (r: Partial<BillingRow>): BillingRow => ({ status: "trial", timezone: "Africa/Nairobi", trialEndsAt: null, paidUntil: null, tierId: null, service: null, ...r });
    expect(billingStatus(row({ trialEndsAt: new Date(at.getTime() + 1) }), at).phase).toBe("trial");
    expect(billingStatus(row({ trialEndsAt: at }), at)).toMatchObject({ phase: "lapsed", lapsed: { what: "trial" } });
    expect(billingStatus(row({}), at).phase).toBe("trial"); // a trial opened without an end (the demo)
    expect(billingStatus(row({ status: "active", paidUntil: new Date(at.getTime() + 1) }), at).phase).toBe("paid");
    expect(billingStatus(row({ status: "active", paidUntil: at }), at)).toMatchObject({ phase: "lapsed", lapsed: { what: "month" } });
    expect(billingStatus(row({ status: "active" }), at).phase).toBe("unbilled");
    expect(billingStatus(row({ status: "suspended", paidUntil: new Date(at.getTime() + DAY) }), at).phase).toBe("suspended");
    expect(dashboardBlock(row({ status: "active", paidUntil: at }), true, at)).toBe("Your paid month ended on 1 Mar 2026, 12:00. Pay to open the dashboard again. Your customers are not affected.");
    expect(dashboardBlock(row({ status: "active", paidUntil: new Date(at.getTime() + 1) }), true, at)).toBeNull();
    expect(dashboardBlock(row({ status: "active" }), false, at)).toMatch(/Confirm your email/);
  });
});

describe("the trial", () => {
  it("starts when the owner confirms the email, for the length the super admin set (24 hours by default)", async () => {
    const row = await tenantRow();
    expect(row.status).toBe("trial");
    expect(row.trialEndsAt!.getTime() - row.verifiedAt!.getTime()).toBe(24 * HOUR);
    const [event] = await inIsp((tx) => tx.select().from(auditEvents).where(eq(auditEvents.action, "billing.trial_started")));
    expect(event).toBeTruthy();

    // The super admin sets the length (audited, bad input refused field by field).
    const err = await refusal((await adminCaller()).platformBilling.saveSettings({ trialHours: "0", reminderDays: "3, x", paymentInstructions: "" }));
    expect(err).toMatchObject({ fieldErrors: { trialHours: [expect.stringContaining("At least 1")], reminderDays: [expect.any(String)] } });
    await (await adminCaller()).platformBilling.saveSettings({ trialHours: "24", reminderDays: "3, 1", paymentInstructions: "Equity Bank, account 0123456789, mnetifi Ltd." });
    const [s] = await withPlatform(t.db, null, (tx) => tx.select().from(platformSettings));
    expect(s).toMatchObject({ trialHours: 24, reminderDays: [3, 1] });
  });

  it("during the trial the dashboard is open with every feature", async () => {
    const during = new Date(isp.trialEndsAt.getTime() - 60_000);
    expect(await dashboardAt(during)).toBeNull();
    const summary = await (await ispCaller(during)).billing.summary();
    expect(summary).toMatchObject({ phase: "trial", tier: null, closed: null });
    expect(summary.features.sort()).toEqual(["hotspot", "pppoe", "sms_broadcasts", "whatsapp_broadcasts"]);
    expect(await (await ispCaller(during)).zones.list()).toBeTruthy();
  });
});

describe("when the trial ends", () => {
  it("closes the dashboard (payment page), while a voucher purchase on the same ISP still succeeds end to end", async () => {
    const after = new Date(isp.trialEndsAt.getTime() + 60_000);
    expect(await dashboardAt(after)).toBe("/dashboard/locked");
    const err = await refusal((await ispCaller(after)).zones.list());
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).toMatch(/free trial ended on .+ Choose a plan and pay/);
    // The payment page still works: the plans, with Starter's registration fee.
    const page = await (await ispCaller(after)).billing.overview();
    expect(page.phase).toBe("lapsed");
    expect(page.tiers.map((x) => [x.id, x.monthlyCents, x.registrationFeeCents])).toEqual([
      ["starter", 50000, 50000],
      ["premium", 150000, 0],
    ]);

    // The clock really moves past the trial: customers are not touched.
    await withPlatform(t.db, null, (tx) => tx.update(tenants).set({ trialEndsAt: new Date(Date.now() - HOUR) }).where(eq(tenants.id, isp.info.id)));
    expect(await dashboardAt(new Date())).toBe("/dashboard/locked");
    await buyVoucherEndToEnd("254712800081", "02:00:00:00:08:01", "10.5.50.81");
  });
});

describe("paying", () => {
  it("by STK push to the platform's paybill opens the dashboard and sets the next due date a month from the payment", async () => {
    const mrrBefore = (await (await adminCaller()).platformBilling.summary()).mrrCents;
    const chosen = await (await ispCaller()).billing.chooseTier({ tierId: "premium" });
    expect(chosen.number).toMatch(/^INV-\d{6}$/);
    // Bad input: clear field errors, nothing pushed.
    const bad = await refusal((await ispCaller()).billing.pay({ phone: "12345" }));
    expect(bad).toMatchObject({ fieldErrors: { phone: [expect.stringContaining("Safaricom")] } });

    daraja.scriptStk("254722000111", { delayMs: 50, duplicates: 2 });
    const { paymentId } = await (await ispCaller()).billing.pay({ phone: "0722 000 111" });
    const push = daraja.stkSessions().find((s) => s.phone === "254722000111")!;
    expect(push).toMatchObject({ shortcode: SIM_PLATFORM_MPESA.shortcode, amount: 1500, accountReference: chosen.number });

    const paid = await waitFor("subscription paid", async () => {
      const s = await (await ispCaller()).billing.paymentStatus({ id: paymentId });
      return s.status === "paid" && s.dashboardOpen ? s : null;
    });
    expect(paid.receiptNumber).toMatch(/^RCT-\d{6}$/);
    const row = await tenantRow();
    const [payment] = await inIsp((tx) => tx.select().from(billingPayments).where(eq(billingPayments.id, paymentId)));
    expect(row).toMatchObject({ status: "active", tierId: "premium", service: null });
    expect(row.paidUntil!.toISOString()).toBe(plusMonthNairobi(payment!.paidAt!).toISOString());
    expect(await dashboardAt(new Date())).toBeNull();
    expect(await (await ispCaller()).zones.list()).toBeTruthy();

    // Duplicate callbacks changed nothing twice.
    await waitFor("duplicates applied", async () => {
      const cbs = await withPlatform(t.db, null, (tx) => tx.select().from(platformMpesaCallbacks).where(eq(platformMpesaCallbacks.ispId, isp.info.id)));
      return cbs.length === 3 && cbs.every((c) => c.processedAt) ? cbs : null;
    });
    const outcomes = (await withPlatform(t.db, null, (tx) => tx.select().from(platformMpesaCallbacks).where(eq(platformMpesaCallbacks.ispId, isp.info.id)))).map((c) => c.outcome).sort();
    expect(outcomes).toEqual(["applied", "duplicate", "duplicate"]);
    const [invoice] = await inIsp((tx) => tx.select().from(billingInvoices).where(eq(billingInvoices.number, chosen.number)));
    expect(invoice).toMatchObject({ status: "paid", paidCents: 150000, amountCents: 150000 });
    expect(invoice!.periodEnd!.toISOString()).toBe(row.paidUntil!.toISOString());
    await waitFor("receipt email", async () => mails.find((m) => m.to === "owner@kilimani.test" && m.subject.startsWith("Payment received")));

    // The console's MRR moved by the Premium price.
    expect((await (await adminCaller()).platformBilling.summary()).mrrCents).toBe(mrrBefore + 150000);

    // And the clock: open until the paid month ends, closed after it.
    expect(await dashboardAt(new Date(row.paidUntil!.getTime() - 60_000))).toBeNull();
    expect(await dashboardAt(new Date(row.paidUntil!.getTime() + 60_000))).toBe("/dashboard/locked");
    expect((await refusal((await ispCaller(new Date(row.paidUntil!.getTime() + 60_000))).zones.list())).message).toMatch(/paid month ended/);
  });

  it("refuses callbacks with a wrong secret or ISP, and keeps unreadable bodies without applying them", async () => {
    const secret = (await withPlatform(t.db, null, (tx) => tx.select().from(platformSettings)))[0]!.billingCallbackSecret;
    const wrong = await fetch(billingCallbackUrl(base, "0".repeat(64), isp.info.id), { method: "POST", body: "{}" });
    expect(wrong.status).toBe(404);
    const noIsp = await fetch(billingCallbackUrl(base, secret, "00000000-0000-4000-8000-000000000000"), { method: "POST", body: "{}" });
    expect(noIsp.status).toBe(404);
    const garbage = await fetch(billingCallbackUrl(base, secret, isp.info.id), { method: "POST", body: "<xml>not json" });
    expect(garbage.status).toBe(400);
    const stored = await waitFor("garbage applied", async () => {
      const rows = await withPlatform(t.db, null, (tx) => tx.select().from(platformMpesaCallbacks).where(eq(platformMpesaCallbacks.raw, "<xml>not json")));
      return rows[0]?.processedAt ? rows[0] : null;
    });
    expect(stored.outcome).toBe("malformed");
  });

  it("a cancelled prompt says so; a payment whose callback never arrives is found by the STK query job (an early renewal continues from the due date)", async () => {
    const before = await tenantRow();
    const renewal = await (await ispCaller()).billing.chooseTier({ tierId: "premium" });
    daraja.scriptStk("254722000112", stkOutcome("cancelled", { delayMs: 30 }));
    const c = await (await ispCaller()).billing.pay({ phone: "0722000112" });
    const cancelled = await waitFor("cancelled", async () => {
      const s = await (await ispCaller()).billing.paymentStatus({ id: c.paymentId });
      return s.status !== "pending" ? s : null;
    });
    expect(cancelled).toMatchObject({ status: "cancelled", failureReason: expect.stringContaining("cancelled") });
    expect((await tenantRow()).paidUntil).toEqual(before.paidUntil);

    daraja.scriptStk("254722000113", { delayMs: 30, drop: true });
    // Straight to the service to shorten the STK query schedule (the first look is 30 s after the push).
    const d = await startBillingStk({ db: t.db, daraja: integrations.daraja, credentials: PLATFORM, publicBaseUrl: base, links, queryDelaysS: [0.3, 0.5, 1] }, isp.info.id, { kind: "user", id: isp.ownerId }, { phone: "0722000113" });
    if (!d.ok) throw new Error(JSON.stringify(d));
    await waitFor("paid through the STK query", async () => (await (await ispCaller()).billing.paymentStatus({ id: d.paymentId })).status === "paid");
    const [inv] = await inIsp((tx) => tx.select().from(billingInvoices).where(eq(billingInvoices.number, renewal.number)));
    expect(inv).toMatchObject({ kind: "renewal", status: "paid", amountCents: 150000 });
    expect((await tenantRow()).paidUntil!.toISOString()).toBe(plusMonthNairobi(before.paidUntil!).toISOString());
  });

  it("a mid-month tier change takes effect only once paid in full, and restarts the billing date from that payment", async () => {
    const before = await tenantRow();
    const mid = new Date(before.paidUntil!.getTime() - 15 * DAY);
    // Premium now: SMS broadcasts allowed.
    expect((await (await ispCaller(mid)).billing.summary()).features).toContain("sms_broadcasts");

    // The super admin records a part payment by bank for Starter (PPPoE): nothing changes yet.
    const part = await recordManualPayment(t.db, { kind: "platform_user", id: admin.id }, { tenantId: isp.info.id, method: "bank", reference: "EQ-778812", amountKes: 400, paidAt: mid, tierId: "starter", service: "pppoe" }, mid, links);
    if (!part.ok) throw new Error(JSON.stringify(part));
    expect(part).toMatchObject({ activated: false, invoice: { kind: "change", tierId: "starter", service: "pppoe", amountCents: 100000, registrationFeeCents: 50000, paidCents: 40000, status: "open" } });
    expect(await tenantRow()).toMatchObject({ tierId: "premium", paidUntil: before.paidUntil });
    expect((await (await ispCaller(mid)).billing.summary()).tier).toMatchObject({ id: "premium" });
    // The same reference twice is refused; a bad amount or date is a field error.
    expect(await recordManualPayment(t.db, { kind: "platform_user", id: admin.id }, { tenantId: isp.info.id, method: "bank", reference: "EQ-778812", amountKes: 600, paidAt: mid }, mid, links)).toMatchObject({ ok: false, fieldErrors: { reference: [expect.stringContaining("already recorded")] } });
    expect(await recordManualPayment(t.db, { kind: "platform_user", id: admin.id }, { tenantId: isp.info.id, method: "paypal", reference: "PP-1", amountKes: 1.5, paidAt: new Date(mid.getTime() + DAY) }, mid, links)).toMatchObject({
      ok: false,
      fieldErrors: { amountKes: [expect.any(String)] },
    });

    // The rest by PayPal an hour later: Starter (PPPoE) from that payment, a new billing date.
    const paidAt = new Date(mid.getTime() + HOUR);
    const rest = await recordManualPayment(t.db, { kind: "platform_user", id: admin.id }, { tenantId: isp.info.id, method: "paypal", reference: "5TY12345AB678", amountKes: 600, paidAt }, paidAt, links);
    if (!rest.ok) throw new Error(JSON.stringify(rest));
    expect(rest.activated).toBe(true);
    const after = await tenantRow();
    expect(after).toMatchObject({ tierId: "starter", service: "pppoe" });
    expect(after.paidUntil!.toISOString()).toBe(plusMonthNairobi(paidAt).toISOString());
    expect(after.paidUntil!.getTime()).not.toBe(before.paidUntil!.getTime());
    expect(after.registrationPaidAt!.toISOString()).toBe(paidAt.toISOString());
    const audit = await inIsp((tx) => tx.select().from(auditEvents).where(and(eq(auditEvents.action, "billing.manual_payment_recorded"), eq(auditEvents.actorKind, "platform_user"))));
    expect(audit.map((a) => (a.details as { reference: string }).reference).sort()).toEqual(["5TY12345AB678", "EQ-778812"]);

    // The tier gate now refuses what Starter (PPPoE) lacks, with the reason.
    const later = new Date(paidAt.getTime() + HOUR);
    const hotspot = await refusal((await ispCaller(later)).hotspotPlans.plans());
    expect(hotspot).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("PPPoE/static only") });
    const summary = await (await ispCaller(later)).billing.summary();
    expect(summary.features.sort()).toEqual(["pppoe"]);
    // One technician account on Starter.
    await (await ispCaller(later)).staff.invite({ fullName: "Otieno Tech", email: "otieno@kilimani.test", role: "technician" });
    const second = await refusal((await ispCaller(later)).staff.invite({ fullName: "Kamau Tech", email: "kamau@kilimani.test", role: "technician" }));
    expect(second).toMatchObject({ fieldErrors: { role: [expect.stringContaining("1 technician account")] } });

    // The console: MRR counts this ISP at the Starter price now.
    const summaryAdmin = await (await adminCaller()).platformBilling.summary();
    expect(summaryAdmin.byTier.find((x) => x.id === "starter")).toMatchObject({ isps: 1, mrrCents: 50000 });
  });
});

describe("reminders", () => {
  it("go out by email and platform SMS once per due date and stage; paying early continues from the due date", async () => {
    const due = (await tenantRow()).paidUntil!;
    const mine = (r: Awaited<ReturnType<typeof sweepBillingReminders>>) => r.filter((x) => x.tenantId === isp.info.id);
    expect(mine(await sweepBillingReminders(t.db, links, new Date(due.getTime() - 4 * DAY)))).toEqual([]);
    const first = mine(await sweepBillingReminders(t.db, links, new Date(due.getTime() - 2.5 * DAY)));
    expect(first).toMatchObject([{ kind: "renewal", daysBefore: 3, email: "owner@kilimani.test", phone: "254722000111" }]);
    expect(mine(await sweepBillingReminders(t.db, links, new Date(due.getTime() - 2 * DAY)))).toEqual([]); // same stage: not again
    const second = mine(await sweepBillingReminders(t.db, links, new Date(due.getTime() - 12 * HOUR)));
    expect(second).toMatchObject([{ daysBefore: 1 }]);
    await waitFor("reminder email", async () => mails.filter((m) => m.to === "owner@kilimani.test" && /due in/.test(m.subject)).length === 2);
    await waitFor("reminder SMS", async () => platformTexts.filter((s) => s.to === "254722000111").length === 2);
    expect(platformTexts.find((s) => s.to === "254722000111")!.message).toMatch(/Kilimani Net plan due .+ KES 500/);

    // The reminder issued the renewal invoice (KES 500: the registration fee is never charged twice).
    const [renewal] = await inIsp((tx) => tx.select().from(billingInvoices).where(and(eq(billingInvoices.status, "open"))));
    expect(renewal).toMatchObject({ kind: "renewal", tierId: "starter", amountCents: 50000, registrationFeeCents: 0 });
    expect(renewal!.dueAt.toISOString()).toBe(due.toISOString());
    // Paid 12 hours early: the new month continues from the due date, not from the payment.
    const early = new Date(due.getTime() - 12 * HOUR);
    const r = await recordManualPayment(t.db, { kind: "platform_user", id: admin.id }, { tenantId: isp.info.id, method: "mpesa", reference: "tc14abcd12", amountKes: 500, paidAt: early }, early, links);
    if (!r.ok) throw new Error(JSON.stringify(r));
    expect((await tenantRow()).paidUntil!.toISOString()).toBe(plusMonthNairobi(due).toISOString());
    // A new due date: reminders start afresh.
    const next = (await tenantRow()).paidUntil!;
    expect(mine(await sweepBillingReminders(t.db, links, new Date(next.getTime() - 2 * DAY)))).toMatchObject([{ daysBefore: 3 }]);
  });
});

describe("tiers, invoices and receipts", () => {
  it("the super admin edits prices and features (audited; bad input refused field by field)", async () => {
    const err = await refusal((await adminCaller()).platformBilling.saveTier({ id: "premium", name: "", registrationFeeKes: "-1", monthlyKes: "1500.5", features: ["teleport"] }));
    expect(Object.keys(err.fieldErrors).sort()).toEqual(["features", "monthlyKes", "name", "registrationFeeKes"]);
    await (await adminCaller()).platformBilling.saveTier({ id: "premium", name: "Premium", description: "Everything", registrationFeeKes: 0, monthlyKes: 1800, features: ["hotspot", "pppoe", "sms_broadcasts", "whatsapp_broadcasts"], maxTechnicians: "", singleService: false, sortOrder: 20, active: true });
    const summary = await (await adminCaller()).platformBilling.summary();
    expect(summary.tiers.find((x) => x.id === "premium")).toMatchObject({ monthlyCents: 180000, maxTechnicians: null });
    const [event] = await withPlatform(t.db, null, (tx) => tx.select().from(auditEvents).where(eq(auditEvents.action, "billing.tier_changed")));
    expect(event).toMatchObject({ actorKind: "platform_user", actorId: admin.id });
  });

  it("invoices and receipts download as PDF", async () => {
    const page = await (await ispCaller()).billing.overview();
    const receipt = page.payments.find((p) => p.status === "paid" && p.method === "mpesa_stk")!;
    const doc = await (await ispCaller()).billing.document({ kind: "receipt", id: receipt.id });
    const pdf = await renderBillingPdf({ ...doc, ispAddress: "kilimani-net.mnetifi.test" });
    expect(pdf.subarray(0, 5).toString()).toBe("%PDF-");
    expect(pdf.length).toBeGreaterThan(1500);
    const inv = await (await ispCaller()).billing.document({ kind: "invoice", id: page.invoices[0]!.id });
    expect((await renderBillingPdf({ ...inv, ispAddress: "kilimani-net.mnetifi.test" })).subarray(0, 5).toString()).toBe("%PDF-");
    // Another ISP cannot read this one's invoices, receipts or payments, even by their ids.
    const other = await createTenantFixture(t.db, "other-isp");
    const otherCaller = await getCaller({ ...appContext(t.db, { kind: "tenant", tenant: other.tenant }, integrations), env: env() }, requestWithSession(`${other.tenant.slug}.mnetifi.test`, other.token));
    await expect(otherCaller.billing.document({ kind: "invoice", id: page.invoices[0]!.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(otherCaller.billing.document({ kind: "receipt", id: receipt.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    await expect(otherCaller.billing.paymentStatus({ id: receipt.id })).rejects.toMatchObject({ code: "NOT_FOUND" });
    expect((await otherCaller.billing.overview()).invoices).toEqual([]);
    // Nor open this ISP's billing with its own session on this ISP's host.
    const crossHost = await getCaller({ ...appContext(t.db, site(), integrations), env: env() }, requestWithSession(`${isp.info.slug}.mnetifi.test`, other.token));
    await expect(crossHost.billing.overview()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });
});

describe("suspended or blocked by hand", () => {
  it("needs a reason and a console role allowed to do it", async () => {
    const err = await refusal((await adminCaller()).console.setHold({ tenantId: isp.info.id, kind: "suspend", reason: "no" }));
    expect(err.code).toBe("BAD_REQUEST");
    expect(err.fieldErrors.reason![0]).toMatch(/Say why/);
    expect((await refusal((await adminCaller()).console.setHold({ tenantId: isp.info.id, kind: "restore", reason: "Nothing to restore" }))).code).toBe("CONFLICT");
    expect((await refusal((await adminCaller()).console.setHold({ tenantId: "00000000-0000-4000-8000-000000000000", kind: "block", reason: "No such ISP here" }))).code).toBe("NOT_FOUND");
    const helpdesk = await withPlatform(t.db, null, async (tx) => {
      const [u] = await tx.insert(platformUsers).values({ username: "helpdesk", email: "helpdesk@mnetifi.test", role: "support", passwordHash: "x" }).returning();
      return (await createPlatformSession(tx, u!.id)).token;
    });
    const asHelpdesk = await getCaller({ ...appContext(t.db, { kind: "admin" }, integrations), env: env() }, requestWithSession("admin.mnetifi.test", helpdesk));
    expect((await refusal(asHelpdesk.console.setHold({ tenantId: isp.info.id, kind: "suspend", reason: "Support trying to suspend" }))).code).toBe("FORBIDDEN");
    expect((await tenantRow()).status).toBe("active");
  });

  it("suspending closes only the dashboard, with the reason; customers still buy; paying does not lift it; restoring returns it as it was", async () => {
    const before = await tenantRow();
    expect(before.paidUntil!.getTime()).toBeGreaterThan(Date.now());
    const reason = "Bank transfer for the last invoice bounced";
    expect(await (await adminCaller()).console.setHold({ tenantId: isp.info.id, kind: "suspend", reason })).toEqual({ status: "suspended" });
    expect(await tenantRow()).toMatchObject({ status: "suspended", holdReason: reason, heldBy: admin.id, statusBeforeHold: "active" });
    // The ISP's users see why, on the closed-dashboard page and from every procedure.
    expect(await dashboardAt(new Date())).toBe("/dashboard/locked");
    const err = await refusal((await ispCaller()).zones.list());
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).toContain(`mnetifi suspended this dashboard on`);
    expect(err.message).toContain(reason);
    // They can still write to support.
    await (await ispCaller()).support.send({ body: "We have paid again, please check." });
    // The owner is told by email, and the ISP's activity log and the console's audit name the admin.
    await waitFor("hold email", async () => mails.find((m) => m.to === "owner@kilimani.test" && m.subject.includes("dashboard suspended")));
    const [ev] = await withPlatform(t.db, null, (tx) => tx.select().from(auditEvents).where(and(eq(auditEvents.action, "tenant.suspended"), eq(auditEvents.tenantId, isp.info.id))));
    expect(ev).toMatchObject({ actorKind: "platform_user", actorId: admin.id });
    expect(ev!.details).toMatchObject({ reason, from: "active", to: "suspended" });
    expect((await (await adminCaller()).console.audit()).events.some((e) => e.action === "tenant.suspended" && e.tenantId === isp.info.id)).toBe(true);
    // The console lists it as suspended, with the reason.
    const listed = await (await adminCaller()).console.tenants({ status: "suspended" });
    expect(listed.rows.map((r) => [r.slug, r.holdReason])).toContainEqual([isp.info.slug, reason]);

    // Customers are not touched: a voucher purchase succeeds end to end.
    await buyVoucherEndToEnd("254712800082", "02:00:00:00:08:02", "10.5.50.82");

    // A payment recorded while suspended extends the paid month but does not open the dashboard.
    const tierId = (await tenantRow()).tierId!;
    const tier = (await (await adminCaller()).platformBilling.summary()).tiers.find((x) => x.id === tierId)!;
    const paid = await (await adminCaller()).platformBilling.recordPayment({ tenantId: isp.info.id, method: "bank", reference: "BANK-HOLD-1", amountKes: (await openAmountKes()) || tier.monthlyCents / 100, paidAt: new Date().toISOString(), tierId });
    expect(paid.activated).toBe(true);
    expect((await tenantRow()).status).toBe("suspended");

    // Blocking instead keeps what restoring returns to; restoring opens the dashboard as it was.
    await (await adminCaller()).console.setHold({ tenantId: isp.info.id, kind: "block", reason: "Chargeback fraud under review" });
    expect(await tenantRow()).toMatchObject({ status: "blocked", statusBeforeHold: "active", holdReason: "Chargeback fraud under review" });
    expect((await refusal((await ispCaller()).zones.list())).message).toContain("mnetifi blocked this dashboard");
    expect(await (await adminCaller()).console.setHold({ tenantId: isp.info.id, kind: "restore", reason: "Bank confirmed the payment" })).toEqual({ status: "active" });
    expect(await tenantRow()).toMatchObject({ status: "active", holdReason: null, heldAt: null, heldBy: null, statusBeforeHold: null });
    expect(await dashboardAt(new Date())).toBeNull();
    await waitFor("restore email", async () => mails.find((m) => m.to === "owner@kilimani.test" && m.subject.includes("open again")));
  });
});

/** What the ISP's open invoice still asks for, in shillings (0 when none is open). */
async function openAmountKes() {
  const [inv] = await inIsp((tx) => tx.select().from(billingInvoices).where(eq(billingInvoices.status, "open")));
  return inv ? (inv.amountCents - inv.paidCents) / 100 : 0;
}
