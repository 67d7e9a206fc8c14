// The path that matters most (design §7), end to end through the simulators: a device on the
// captive portal buys a plan → STK push (Daraja simulator) → callback → in one transaction the
// payment is paid, the voucher issued, the device logged in on the router (RouterOS simulator)
// and the code sent by SMS (Africa's Talking simulator). Cancelled and wrong-PIN prompts say so;
// a payment whose voucher cannot be issued becomes a ticket.
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { run, Logger, type Runner } from "graphile-worker";
import { and, eq } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { serve } from "./helpers/http";
import { createTenantFixture, noIntegrations, silentLog, testSecrets, type TenantFixture } from "./helpers/fixtures";
import { withTenant, type Tx } from "../db/client";
import { hotspotPlans, routers, vouchers, tickets, customers, payments } from "../db/schema";
import { createBaseApp } from "../server/http";
import { buildTaskList } from "../jobs";
import { startDarajaSim, stkOutcome, type DarajaSim } from "../sim/daraja";
import { startRouterSim, type RouterSim } from "../sim/routeros";
import { startSmsSim, type SmsSim } from "../sim/sms";
import { createDarajaClient } from "../server/integrations/mpesa";
import { saveMpesaSettings } from "../server/services/mpesa-settings";
import type { PaymentDeps } from "../server/services/payments";
import { provisioning } from "../server/services/provisioning";
import { planProfileName } from "../server/services/hotspot/rules";
import { registerVoucherPurpose, startPurchase, purchaseStatus, readDeviceContext, phoneVouchers, redeem } from "../server/services/hotspot/portal";
import { saveProvider, ensureMessagingSettings, webhookUrl } from "../server/services/messaging/settings";
import type { Integrations } from "../server/integrations";
import { waitFor } from "./helpers/wait";

let t: TestDatabase;
let A: TenantFixture;
let daraja: DarajaSim;
let router: RouterSim;
let sms: SmsSim;
let worker: Runner;
let deps: PaymentDeps;
let routerId: string;
let planId: string;

const inA = <T>(fn: (tx: Tx) => Promise<T>) => withTenant(t.db, A.tenant.id, null, fn);
const device = (n: number) =>
  readDeviceContext({ mac: `02:00:00:00:00:${String(n).padStart(2, "0")}`, ip: `10.5.50.${n}`, router: routerId, identity: "Portal-hAP", "link-login-only": "http://10.5.50.1/login", "link-orig": "http://example.com/" });

beforeAll(async () => {
  t = await createTestDatabase();
  A = await createTenantFixture(t.db, "isp-portal-a");
  registerVoucherPurpose(testSecrets);
  daraja = await startDarajaSim({ port: 0 });
  router = await startRouterSim({ port: 0, identity: "Portal-hAP" });
  sms = await startSmsSim({ port: 0, open: true, deliveryDelayMs: 10 });
  const http = await serve(createBaseApp({ db: t.db, log: silentLog, secrets: testSecrets }));
  const base = `http://127.0.0.1:${http.port}`;
  const darajaClient = createDarajaClient({ baseUrlFor: () => daraja.baseUrl });
  deps = { db: t.db, daraja: darajaClient, secrets: testSecrets, publicBaseUrl: base, queryDelaysS: [0.5, 0.5, 1] };
  ({ routerId, planId } = await inA(async (tx) => {
    await saveMpesaSettings(tx, A.tenant.id, testSecrets, { environment: "sandbox", accountType: "paybill", shortcode: "174379", consumerKey: "sim-consumer-key", consumerSecret: "sim-consumer-secret", passkey: "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919" });
    await saveProvider(tx, A.tenant.id, "sms", { kind: "africastalking", values: { username: "portal-isp", apiKey: "portal-key" } }, testSecrets);
    const token = (await ensureMessagingSettings(tx, A.tenant.id)).webhookToken;
    sms.configure({ username: "portal-isp", deliveryReportUrl: webhookUrl(base, token, "sms") });
    const [r] = await tx.insert(routers).values({ tenantId: A.tenant.id, name: "Portal tower", host: "127.0.0.1", apiPort: router.port, username: "mnetifi-api", passwordEnc: testSecrets.encrypt("mnetifi-api-pass"), status: "online", verifiedAt: new Date() }).returning();
    const [p] = await tx.insert(hotspotPlans).values({ tenantId: A.tenant.id, name: "1 Day", priceCents: 5000, durationValue: 1, durationUnit: "days", downloadKbps: 5120, uploadKbps: 2048, devices: 1 }).returning();
    await provisioning(tx, A.tenant.id, r!.id, testSecrets).ensureHotspotProfile({ name: planProfileName(p!.id), rateLimit: "2M/5M", sharedUsers: 1, idleTimeout: "15m" }, `plan:${p!.id}`);
    return { routerId: r!.id, planId: p!.id };
  }));
  const integrations: Integrations = { ...noIntegrations, daraja: darajaClient, messagingEndpoints: { ...noIntegrations.messagingEndpoints, africastalking: sms.baseUrl } };
  worker = await run({ pgPool: t.queue, taskList: buildTaskList(t.db, integrations, { secrets: testSecrets, publicBaseUrl: base, queryDelaysS: [0.5, 0.5, 1] }), concurrency: 4, noHandleSignals: true, pollInterval: 100, logger: new Logger(() => () => {}) });
});

afterAll(async () => {
  await worker?.stop();
  for (const s of [daraja, router, sms]) await s?.stop();
});

describe("buying on the captive portal", () => {
  it("paid → voucher issued → the device is logged in on the router with the plan's profile → the code arrives by SMS", async () => {
    router.deviceAppear({ mac: "02:00:00:00:00:11", ip: "10.5.50.11" });
    daraja.scriptStk("254712400011", { delayMs: 50 });
    const started = await startPurchase(deps, A.tenant.id, { planId, phone: "0712 400 011", device: device(11) });
    if (!started.ok) throw new Error(JSON.stringify(started));
    expect((await inA((tx) => purchaseStatus(tx, A.tenant.id, started.purchaseId)))!.state).toBe("waiting");

    const done = await waitFor("paid", async () => {
      const s = await inA((tx) => purchaseStatus(tx, A.tenant.id, started.purchaseId));
      return s?.state === "paid" ? s : null;
    });
    const code = done.voucher!.code;
    expect(code).toMatch(/^[A-Za-z0-9]{6}$/);
    expect(done.linkLoginOnly).toBe("http://10.5.50.1/login");

    const session = await waitFor("device logged in", async () => ((router.state()["/ip/hotspot/active"] as Array<Record<string, string>>) ?? []).find((a) => a.user === code));
    expect(session["mac-address"]).toBe("02:00:00:00:00:11");
    expect(((router.state()["/ip/hotspot/user"] as Array<Record<string, string>>) ?? []).find((u) => u.name === code)).toMatchObject({ profile: planProfileName(planId), "limit-uptime": "1d" });

    const text = await sms.waitFor((m) => m.to === "+254712400011");
    expect(text.message).toContain(code);
    expect(text.message).toContain("1 Day");
    const [v] = await inA((tx) => tx.select().from(vouchers).where(eq(vouchers.code, code)));
    expect(v).toMatchObject({ phone: "254712400011", status: "active" });
    expect(v!.paymentId).toBeTruthy();
    const [c] = await inA((tx) => tx.select().from(customers).where(eq(customers.phone, "254712400011")));
    // The customer record carries the device and the router it bought on.
    expect(c).toMatchObject({ lastMac: "02:00:00:00:00:11", lastRouterId: routerId });
    // The phone's vouchers are listed masked; the code itself is not.
    const mine = await inA((tx) => phoneVouchers(tx, A.tenant.id, "254712400011"));
    expect(mine[0]!.code).toMatch(/^..•+..$/);
    expect(mine[0]!.code).not.toBe(code);
  });

  it("a cancelled prompt and a wrong PIN say so in plain words; no voucher is issued", async () => {
    for (const [n, outcome, words] of [
      [12, "cancelled", /cancel/i],
      [13, "wrongPin", /PIN/i],
    ] as const) {
      daraja.scriptStk(`2547124000${n}`, stkOutcome(outcome, { delayMs: 30 }));
      const started = await startPurchase(deps, A.tenant.id, { planId, phone: `07124000${n}`, device: device(n) });
      if (!started.ok) throw new Error(JSON.stringify(started));
      const s = await waitFor(outcome, async () => {
        const x = await inA((tx) => purchaseStatus(tx, A.tenant.id, started.purchaseId));
        return x && x.state !== "waiting" ? x : null;
      });
      expect(s.state).toBe(outcome === "cancelled" ? "cancelled" : "failed");
      expect(s.message).toMatch(words);
      expect(s.voucher).toBeNull();
    }
  });

  it("bad input is refused before any push", async () => {
    expect(await startPurchase(deps, A.tenant.id, { planId, phone: "12345", device: device(14) })).toMatchObject({ ok: false, fieldErrors: { phone: [expect.any(String)] } });
    expect(await startPurchase(deps, A.tenant.id, { planId: "00000000-0000-4000-8000-000000000000", phone: "0712400014", device: device(14) })).toMatchObject({ ok: false, fieldErrors: { planId: [expect.any(String)] } });
  });

  it("redeeming by phone logs another device in with that phone's voucher up to the limit", async () => {
    router.deviceAppear({ mac: "02:00:00:00:00:15", ip: "10.5.50.15" });
    const r = await inA((tx) => redeem(tx, A.tenant.id, testSecrets, { phone: "0712400011", device: device(15) }));
    // The 1 Day plan allows one device: already used by the buyer's phone.
    expect(r).toMatchObject({ ok: false, reason: "device_limit" });
    const none = await inA((tx) => redeem(tx, A.tenant.id, testSecrets, { phone: "0799999999", device: device(15) }));
    expect(none).toMatchObject({ ok: false, reason: "no_voucher" });
  });

  it("paid but the voucher cannot be issued: the payment stays paid and a ticket tells the ISP", async () => {
    // The router the device came from is removed while the customer types the PIN.
    const [doomed] = await inA((tx) => tx.insert(routers).values({ tenantId: A.tenant.id, name: "Doomed", host: "127.0.0.1", apiPort: router.port, username: "x", passwordEnc: testSecrets.encrypt("x") }).returning());
    daraja.scriptStk("254712400016", { delayMs: 400 });
    const started = await startPurchase(deps, A.tenant.id, { planId, phone: "0712400016", device: { ...device(16), routerId: doomed!.id } });
    if (!started.ok) throw new Error(JSON.stringify(started));
    await inA((tx) => tx.delete(routers).where(eq(routers.id, doomed!.id)));
    const s = await waitFor("unfulfilled", async () => {
      const x = await inA((tx) => purchaseStatus(tx, A.tenant.id, started.purchaseId));
      return x?.state === "unfulfilled" ? x : null;
    });
    expect(s.message).toMatch(/received your payment/);
    const [ticket] = await inA((tx) => tx.select().from(tickets).where(eq(tickets.kind, "payment_unfulfilled")));
    expect(ticket).toMatchObject({ status: "open", subject: "Paid KES 50 but no voucher was issued" });
    const [p] = await inA((tx) => tx.select().from(payments).where(and(eq(payments.id, ticket!.paymentId!))));
    expect(p!.status).toBe("paid");
  });
});
