import { and, eq, isNull, sql } from "drizzle-orm";
import { platformUsers, users, routers, regions, areas, zones, tenants, customers, messagingProviders } from "./schema";
import { SIM_ROUTER_USER, type Integrations } from "../server/integrations";
import { activeProvider, ensureMessagingSettings, saveBranding, saveProvider, webhookUrl } from "../server/services/messaging/settings";
import { checkRouter, checkFields } from "../server/services/routers";
import { withPlatform, withTenant, type Db, type Tx } from "./client";
import { createTenant, createUser, findTenantIdBySlugPlatform } from "../server/services/tenants";
import { hashPassword } from "../server/services/passwords";
import { createZone } from "../server/services/zones";
import { getMpesaSettingsRow, saveMpesaSettings } from "../server/services/mpesa-settings";
import type { SecretBox } from "../server/services/secrets";
import { hotspotPlans, hotspotSettings } from "./schema";
import { createPlan, planInput } from "../server/services/hotspot/plans";

export const DEMO = {
  messaging: <Array<{ channel: "sms" | "whatsapp"; kind: string; values: Record<string, string> }>>[
    { channel: "sms", kind: "africastalking", values: { username: "demo-networks", from: "DEMONET", apiKey: "demo-at-api-key-2026" } },
    { channel: "whatsapp", kind: "ultramsg", values: { instanceId: "instance1001", token: "demo-ultramsg-token" } },
  ],
  customers: [
    { phone: "254712000101", name: "Achieng Otieno", optedOut: false },
    { phone: "254712000102", name: "Brian Kamau", optedOut: false },
    { phone: "254712000103", name: "Chebet Kiprop", optedOut: true },
    { phone: "254712000104", name: "Daniel Mwangi", optedOut: false },
  ],
  superAdmin: { username: "admin", email: "admin@mnetifi.local", password: "Platform-Demo-2026!" },
  isp: { slug: "demo", businessName: "Demo Networks Ltd" },
  owner: { username: "demo", email: "owner@demo-networks.local", password: "Demo-Owner-2026!" },
  /** Where the demo ISP operates: region → areas → the demo zones placed in them. */
  geography: [
    { region: "Nairobi", areas: [{ name: "Kasarani", zones: ["Kasarani"] }, { name: "Roysambu", zones: ["Roysambu"] }] },
    { region: "Kiambu", areas: [{ name: "Ruiru", zones: ["Githurai 45"] }] },
  ],
  /** The Daraja simulator's public sandbox paybill (shared/reference/daraja.md §6). */
  mpesa: {
    environment: "sandbox" as const,
    accountType: "paybill" as const,
    shortcode: "174379",
    consumerKey: "sim-consumer-key",
    consumerSecret: "sim-consumer-secret",
    passkey: "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919",
    initiatorName: "testapi",
    securityCredential: "c2ltLXNlY3VyaXR5LWNyZWRlbnRpYWw=",
  },
};

/**
 * Seeds the demo: a super admin and the demo ISP with its owner, zones and M-Pesa settings
 * (pointing at the simulator). Runs as the app role through the same contexts the product
 * uses. Safe to run on every start: it fills in only what is missing.
 */
export async function seedDemo(db: Db, secrets: SecretBox, simRouters: Array<{ port: number; name: string }> = []) {
  const tenantId = await withPlatform(db, { actorKind: "system", requestId: "seed" }, async (tx) => {
    const [admin] = await tx.select({ id: platformUsers.id }).from(platformUsers).where(eq(sql`lower(${platformUsers.username})`, DEMO.superAdmin.username));
    if (!admin) {
      await tx.insert(platformUsers).values({
        username: DEMO.superAdmin.username,
        email: DEMO.superAdmin.email,
        fullName: "Platform Admin",
        role: "super_admin",
        passwordHash: await hashPassword(DEMO.superAdmin.password),
      });
    }
    const id = (await findTenantIdBySlugPlatform(tx, DEMO.isp.slug)) ?? (await createTenant(tx, { ...DEMO.isp, status: "trial" })).id;
    // The demo owner's email counts as confirmed (an open-ended trial: no trial_ends_at).
    await tx.update(tenants).set({ verifiedAt: sql`now()` }).where(and(eq(tenants.id, id), isNull(tenants.verifiedAt)));
    return id;
  });
  await withTenant(db, tenantId, { actorKind: "system", requestId: "seed" }, async (tx) => {
    const [anyone] = await tx.select({ id: users.id }).from(users).where(eq(users.tenantId, tenantId)).limit(1);
    if (!anyone) {
      await createUser(tx, tenantId, { ...DEMO.owner, fullName: "Demo Owner", role: "owner", verified: true });
      for (const name of ["Kasarani", "Roysambu", "Githurai 45"]) await createZone(tx, tenantId, { name, description: "" });
    }
    if (!(await getMpesaSettingsRow(tx, tenantId))) await saveMpesaSettings(tx, tenantId, secrets, DEMO.mpesa);
    const [anyRegion] = await tx.select({ id: regions.id }).from(regions).where(eq(regions.tenantId, tenantId)).limit(1);
    if (!anyRegion) await seedGeography(tx, tenantId);
    const [anyRouter] = await tx.select({ id: routers.id }).from(routers).where(eq(routers.tenantId, tenantId)).limit(1);
    if (!anyRouter) {
      for (const r of simRouters) {
        const check = await checkRouter({ host: "127.0.0.1", port: r.port, username: SIM_ROUTER_USER.name, password: SIM_ROUTER_USER.password });
        // "Kasarani hAP" goes in zone Kasarani, and so on, so the zone tree shows router counts.
        const [zone] = await tx.select({ id: zones.id }).from(zones).where(and(eq(zones.tenantId, tenantId), eq(sql`lower(${zones.name})`, r.name.split(" ")[0]!.toLowerCase())));
        await tx.insert(routers).values({ tenantId, name: r.name, host: "127.0.0.1", apiPort: r.port, username: SIM_ROUTER_USER.name, passwordEnc: secrets.encrypt(SIM_ROUTER_USER.password), location: "Demo (simulated)", zoneId: zone?.id ?? null, ...checkFields(check) });
      }
    }
  });
}

/**
 * The demo's regions and areas (only when it has none yet): zones of the same name that are in
 * no area are placed in them; an ISP that moved or renamed its zones is left as it is.
 */
async function seedGeography(tx: Tx, tenantId: string) {
  for (const g of DEMO.geography) {
    const [region] = await tx.insert(regions).values({ tenantId, name: g.region }).returning({ id: regions.id });
    for (const a of g.areas) {
      const [area] = await tx.insert(areas).values({ tenantId, regionId: region!.id, name: a.name }).returning({ id: areas.id });
      for (const name of a.zones) {
        await tx
          .update(zones)
          .set({ areaId: area!.id })
          .where(and(eq(zones.tenantId, tenantId), eq(sql`lower(${zones.name})`, name.toLowerCase()), isNull(zones.areaId)));
      }
    }
  }
}

/**
 * The demo's messaging (only when it has none yet): Africa's Talking for SMS and UltraMsg for
 * WhatsApp against the simulators, branding, SMS broadcasts switched on, and a few customers
 * (one of whom replied STOP) so broadcasts have someone to reach.
 */
export async function seedDemoMessaging(db: Db, secrets: SecretBox, integrations: Integrations, publicBaseUrl: string) {
  const tenantId = await withPlatform(db, { actorKind: "system", requestId: "seed" }, async (tx) => {
    const id = await findTenantIdBySlugPlatform(tx, DEMO.isp.slug);
    if (id) await tx.update(tenants).set({ features: { sms_broadcasts: true } }).where(eq(tenants.id, id));
    return id;
  });
  if (!tenantId) return;
  await withTenant(db, tenantId, { actorKind: "system", requestId: "seed" }, async (tx) => {
    const settings = await ensureMessagingSettings(tx, tenantId);
    const [existing] = await tx.select({ channel: messagingProviders.channel }).from(messagingProviders).where(eq(messagingProviders.tenantId, tenantId)).limit(1);
    if (existing) return;
    await saveBranding(tx, tenantId, { contactPhone: "0712 345 678", tagline: "Fast Wi-Fi for Kasarani and Roysambu", signOff: "Asante!" });
    for (const p of DEMO.messaging) {
      await saveProvider(tx, tenantId, p.channel, { kind: p.kind, values: p.values }, secrets);
      await integrations.onMessagingProviderSaved?.(tenantId, p.channel, await activeProvider(tx, tenantId, p.channel, secrets), webhookUrl(publicBaseUrl, settings.webhookToken, p.channel));
    }
    const [kasarani] = await tx.select({ id: zones.id }).from(zones).where(and(eq(zones.tenantId, tenantId), eq(zones.name, "Kasarani")));
    await tx
      .insert(customers)
      .values(DEMO.customers.map((c) => ({ tenantId, phone: c.phone, name: c.name, zoneId: kasarani?.id ?? null, optedOutAt: c.optedOut ? new Date() : null, optOutSource: c.optedOut ? "sms_reply" : null })))
      .onConflictDoNothing();
  });
}

/** The demo ISP's hotspot plans: the common Kenyan price points. */
const DEMO_PLANS = [
  { name: "1 hour", price: 10, durationValue: 1, durationUnit: "hours", downloadMbps: 2, uploadMbps: 1, devices: 1, displayOrder: 10 },
  { name: "1 day", price: 50, durationValue: 1, durationUnit: "days", downloadMbps: 5, uploadMbps: 2, devices: 1, displayOrder: 20 },
  { name: "1 week", price: 250, durationValue: 1, durationUnit: "weeks", downloadMbps: 5, uploadMbps: 2, devices: 2, displayOrder: 30 },
  { name: "1 month", price: 800, durationValue: 1, durationUnit: "months", downloadMbps: 10, uploadMbps: 5, devices: 3, displayOrder: 40 },
] as const;

/**
 * The demo's hotspot plans (only when it has none yet), created like the dashboard does, so
 * their profiles are queued for every demo router. Safe to run on every start.
 */
export async function seedDemoHotspot(db: Db, secrets: SecretBox) {
  const tenantId = await withPlatform(db, { actorKind: "system", requestId: "seed" }, (tx) => findTenantIdBySlugPlatform(tx, DEMO.isp.slug));
  if (!tenantId) return;
  await withTenant(db, tenantId, { actorKind: "system", requestId: "seed" }, async (tx) => {
    const [anyPlan] = await tx.select({ id: hotspotPlans.id }).from(hotspotPlans).where(eq(hotspotPlans.tenantId, tenantId)).limit(1);
    if (anyPlan) return;
    // The demo offers a 10-minute free trial on its portal.
    await tx.insert(hotspotSettings).values({ tenantId, freeTrialEnabled: true, freeTrialMinutes: 10 }).onConflictDoNothing();
    for (const p of DEMO_PLANS) {
      const r = await createPlan(tx, tenantId, secrets, planInput.parse(p));
      if (!r.ok) throw new Error(`seeding plan ${p.name}: ${r.error ?? JSON.stringify(r.fieldErrors)}`);
    }
  });
}
