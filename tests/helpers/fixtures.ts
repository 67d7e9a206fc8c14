import { eq } from "drizzle-orm";
import { withPlatform, withTenant, type Db } from "../../db/client";
import { createTenant, createUser } from "../../server/services/tenants";
import { createZone } from "../../server/services/zones";
import { createUserSession, createPlatformSession } from "../../server/services/sessions";
import { platformUsers } from "../../db/schema";
import type { AppContext } from "../../server/context";
import { SESSION_COOKIE } from "../../server/context";
import type { Site, TenantInfo } from "../../server/services/hosts";
import { parseEnv } from "../../server/env";
import { createSecretBox } from "../../server/services/secrets";
import type { Integrations } from "../../server/integrations";
import { createDarajaClient } from "../../server/integrations/mpesa";
import { pino } from "pino";

export const TEST_PASSWORD = "Correct-Horse-Battery-9";

export type TenantFixture = {
  tenant: TenantInfo;
  owner: { id: string; username: string };
  zone: { id: string; name: string };
  token: string;
};

/** An ISP (active) with a signed-in user of the given role (token), and one zone. */
export async function createTenantFixture(db: Db, slug: string, role: "owner" | "admin" | "staff" | "technician" = "owner"): Promise<TenantFixture> {
  const t = await withPlatform(db, null, (tx) => createTenant(tx, { slug, businessName: `${slug} Networks`, status: "active" }));
  return withTenant(db, t.id, null, async (tx) => {
    const owner = await createUser(tx, t.id, { username: `${slug}-owner`, email: `owner@${slug}.test`, fullName: `${slug} owner`, role, password: TEST_PASSWORD, verified: true });
    const zone = await createZone(tx, t.id, { name: `${slug} central`, description: "" });
    const session = await createUserSession(tx, t.id, owner.id);
    return {
      tenant: { id: t.id, slug: t.slug, businessName: t.businessName, status: t.status, timezone: t.timezone },
      owner: { id: owner.id, username: owner.username },
      zone: { id: zone.id, name: zone.name },
      token: session.token,
    };
  });
}

/** Another user on an existing fixture's ISP, signed in. */
export async function addUser(db: Db, f: TenantFixture, role: "admin" | "staff" | "technician", username: string) {
  return withTenant(db, f.tenant.id, null, async (tx) => {
    const u = await createUser(tx, f.tenant.id, { username, email: `${username}@${f.tenant.slug}.test`, fullName: username, role, password: TEST_PASSWORD, verified: true });
    const s = await createUserSession(tx, f.tenant.id, u.id);
    return { id: u.id, token: s.token };
  });
}

/** A console user (super admin or sub-admin) signed in on admin.APP_DOMAIN. */
export async function createPlatformUser(db: Db, role: "super_admin" | "support" | "billing" | "read_only", username: string) {
  return withPlatform(db, null, async (tx) => {
    const [u] = await tx.insert(platformUsers).values({ username, email: `${username}@mnetifi.test`, fullName: `${username} (console)`, role, passwordHash: "x" }).returning();
    const s = await createPlatformSession(tx, u!.id);
    return { id: u!.id, username, fullName: u!.fullName, token: s.token };
  });
}

export const testEnv = parseEnv({ NODE_ENV: "test", APP_DOMAIN: "mnetifi.test", LOG_LEVEL: "silent", SIMULATORS: "false" });
export const silentLog = pino({ level: "silent" });
export const testSecrets = createSecretBox(Buffer.alloc(32, 9));

/** Integrations that refuse to be used: for tests that must not send anything. */
export const noIntegrations: Integrations = {
  mailer: { send: async () => { throw new Error("no mailer in this test"); }, close() {} },
  platformSms: { send: async () => { throw new Error("no SMS sender in this test"); } },
  // Points nowhere: a test that needs Daraja passes a client for its simulator.
  daraja: createDarajaClient({ baseUrlFor: () => "http://127.0.0.1:1" }),
  messagingEndpoints: { africastalking: "http://127.0.0.1:1", advanta: "http://127.0.0.1:1", ultramsg: "http://127.0.0.1:1", graph: "http://127.0.0.1:1" },
  close: async () => {},
};

export function appContext(db: Db, site: Site, integrations: Integrations = noIntegrations): AppContext {
  return { db, env: testEnv, log: silentLog, requestId: "test-request", site, ip: "127.0.0.1", userAgent: "vitest", secrets: testSecrets, integrations, cspNonce: "test-nonce" };
}

export function requestWithSession(host: string, token: string | null, path = "/", init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  headers.set("host", host);
  if (token) headers.set("cookie", `${SESSION_COOKIE}=${token}`);
  return new Request(`http://${host}${path}`, { ...init, headers });
}

/** One row in every tenant table for this ISP, so isolation tests cover them all. */
export async function seedEveryTenantTable(db: Db, f: TenantFixture) {
  const { saveMpesaSettings } = await import("../../server/services/mpesa-settings");
  const { issueToken } = await import("../../server/services/tokens");
  const { regenerateRecoveryCodes } = await import("../../server/services/two-factor");
  const schema = await import("../../db/schema");
  await withTenant(db, f.tenant.id, null, async (tx) => {
    await saveMpesaSettings(tx, f.tenant.id, testSecrets, { environment: "sandbox", accountType: "paybill", shortcode: "174379", consumerKey: "k", consumerSecret: "s", passkey: "p" });
    await issueToken(tx, f.tenant.id, f.owner.id, "verify_email");
    await regenerateRecoveryCodes(tx, f.tenant.id, f.owner.id);
    const [p] = await tx.insert(schema.payments).values({ tenantId: f.tenant.id, method: "stk", status: "pending", amountCents: 100, checkoutRequestId: `ws_CO_${f.tenant.slug}` }).returning();
    await tx.insert(schema.mpesaCallbacks).values({ tenantId: f.tenant.id, kind: "stk", raw: "{}", body: {}, reference: `ws_CO_${f.tenant.slug}`, paymentId: p!.id });
    await tx.insert(schema.mpesaExchanges).values({ tenantId: f.tenant.id, paymentId: p!.id, kind: "stk_push", request: {}, response: {} });
    const [region] = await tx.insert(schema.regions).values({ tenantId: f.tenant.id, name: `${f.tenant.slug} region` }).returning();
    const [area] = await tx.insert(schema.areas).values({ tenantId: f.tenant.id, regionId: region!.id, name: `${f.tenant.slug} area` }).returning();
    await tx.update(schema.zones).set({ areaId: area!.id }).where(eq(schema.zones.id, f.zone.id));
    const [router] = await tx
      .insert(schema.routers)
      .values({ tenantId: f.tenant.id, name: `${f.tenant.slug} core`, host: "127.0.0.1", username: "api", passwordEnc: testSecrets.encrypt("x"), zoneId: f.zone.id })
      .returning();
    const routerId = router!.id;
    await tx.insert(schema.routerSamples).values({ tenantId: f.tenant.id, routerId, reachable: true, cpuLoad: 3 });
    await tx.insert(schema.routerStatusChanges).values({ tenantId: f.tenant.id, routerId, status: "online" });
    await tx.insert(schema.routerItems).values({ tenantId: f.tenant.id, routerId, kind: "hotspot_user", name: `${f.tenant.slug}-user`, spec: {} });
    await tx.insert(schema.routerOperations).values({ tenantId: f.tenant.id, routerId, kind: "kick_hotspot_user", target: `${f.tenant.slug}-user` });
    const phone = `2547${String(Math.abs(hashCode(f.tenant.slug)) % 1e8).padStart(8, "0")}`;
    const [customer] = await tx.insert(schema.customers).values({ tenantId: f.tenant.id, phone, name: `${f.tenant.slug} customer`, zoneId: f.zone.id }).returning();
    await tx.insert(schema.messagingSettings).values({ tenantId: f.tenant.id, webhookToken: `tok-${f.tenant.id}-${f.tenant.id}`.replace(/-/g, "") });
    await tx.insert(schema.messagingProviders).values({ tenantId: f.tenant.id, channel: "sms", kind: "africastalking", config: { username: "sandbox" }, secretsEnc: testSecrets.encrypt("{}") });
    await tx.insert(schema.notificationSettings).values({ tenantId: f.tenant.id, event: "welcome", delivery: "sms" });
    await tx.insert(schema.messageTemplates).values({ tenantId: f.tenant.id, event: "welcome", channel: "sms", body: `Karibu ${f.tenant.slug}` });
    const [message] = await tx.insert(schema.messages).values({ tenantId: f.tenant.id, channel: "sms", phone, customerId: customer!.id, event: "test", body: `secret for ${f.tenant.slug}` }).returning();
    await tx.insert(schema.broadcasts).values({ tenantId: f.tenant.id, name: `${f.tenant.slug} promo`, channels: "sms", body: "Offer", segment: { kind: "all" }, scheduledAt: new Date() });
    await tx.insert(schema.earlyDeliveryReports).values({ tenantId: f.tenant.id, provider: "africastalking", providerMessageId: `ATXid_${f.tenant.slug}`, status: "delivered" });
    const [plan] = await tx.insert(schema.hotspotPlans).values({ tenantId: f.tenant.id, name: `${f.tenant.slug} 1 hour`, priceCents: 2000, durationValue: 1, durationUnit: "hours" }).returning();
    await tx.insert(schema.hotspotSettings).values({ tenantId: f.tenant.id });
    const [batch] = await tx.insert(schema.voucherBatches).values({ tenantId: f.tenant.id, name: `${f.tenant.slug} cards`, planId: plan!.id, count: 1, codeLength: 8 }).returning();
    const code = `Z${String(Math.abs(hashCode(f.tenant.id))).padStart(7, "0").slice(0, 7)}`;
    const [voucher] = await tx
      .insert(schema.vouchers)
      .values({ tenantId: f.tenant.id, code, planId: plan!.id, batchId: batch!.id, durationSeconds: 3600, devicesAllowed: 1, lapsesAt: new Date(Date.now() + 86_400_000) })
      .returning();
    await tx.insert(schema.hotspotPurchases).values({ tenantId: f.tenant.id, planId: plan!.id, phone, mac: "AA:BB:CC:DD:EE:02" });
    await tx.insert(schema.voucherDevices).values({ tenantId: f.tenant.id, voucherId: voucher!.id, mac: "AA:BB:CC:DD:EE:01" });
    await tx.insert(schema.hotspotTrials).values({ tenantId: f.tenant.id, mac: "AA:BB:CC:DD:EE:03", phone, voucherId: voucher!.id });
    await tx.insert(schema.tickets).values({ tenantId: f.tenant.id, kind: "message_failed", subject: `${f.tenant.slug} ticket`, messageId: message!.id });
    const [invoice] = await tx
      .insert(schema.billingInvoices)
      .values({ tenantId: f.tenant.id, number: `INV-${f.tenant.slug}`, kind: "subscription", tierId: "premium", tierName: "Premium", monthlyCents: 150000, amountCents: 150000, issuedAt: new Date(), dueAt: new Date() })
      .returning();
    await tx.insert(schema.billingPayments).values({ tenantId: f.tenant.id, invoiceId: invoice!.id, method: "mpesa_stk", status: "pending", amountCents: 150000, phone, checkoutRequestId: `ws_CO_bill_${f.tenant.slug}` });
    await tx.insert(schema.billingReminders).values({ tenantId: f.tenant.id, kind: "trial", dueAt: new Date(), daysBefore: 1, sentAt: new Date() });
    await tx.insert(schema.impersonations).values({
      tenantId: f.tenant.id,
      adminId: f.owner.id,
      adminName: "Seeded admin",
      actingUserId: f.owner.id,
      reason: `${f.tenant.slug} seeded visit`,
      tokenHash: `seeded-${f.tenant.id}`,
      tokenExpiresAt: new Date(),
      expiresAt: new Date(Date.now() + 60_000),
    });
    await tx.insert(schema.supportMessages).values({ tenantId: f.tenant.id, author: "isp", authorId: f.owner.id, authorName: f.owner.username, body: `${f.tenant.slug} needs help` });
    await tx.insert(schema.supportThreads).values({ tenantId: f.tenant.id });
  });
}

/** What the worker needs besides integrations, for tests. */
export const testJobDeps = { secrets: testSecrets, publicBaseUrl: "http://127.0.0.1:1" };

function hashCode(s: string) {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}
