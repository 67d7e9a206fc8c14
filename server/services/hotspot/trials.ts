// Free trials (guest passes) on the captive portal: when the ISP turns them on, a device gets a
// few minutes of internet once, without paying. One per device (MAC) and one per phone number per
// ISP, enforced by unique keys on hotspot_trials. The trial is a voucher of the trial's length
// for one device, at the speed of the ISP's cheapest package, so it is logged in, expired at the
// exact time and swept like any other voucher.
import { and, asc, eq, or } from "drizzle-orm";
import { customers, hotspotPlans, hotspotTrials } from "../../../db/schema";
import type { Tx } from "../../../db/client";
import type { SecretBox } from "../secrets";
import { normalizeKenyanPhone } from "../phones";
import { getHotspotSettings } from "./settings";
import { issueVoucher } from "./vouchers";
import { useVoucher, normalizeMac } from "./access";
import type { DeviceContext } from "./portal";
import { isUniqueViolation } from "../../../db/errors";

export type TrialResult =
  | { ok: true; code: string; expiresAt: Date; minutes: number }
  | { ok: false; reason: keyof typeof TRIAL_MESSAGES; message: string };

export const TRIAL_MESSAGES = {
  off: "Free trials are not offered here. Choose a package to connect.",
  no_device: "Connect to the Wi-Fi first, then open this page again.",
  phone: "Enter your phone number, e.g. 0712 345 678.",
  used: "This device or phone number has already had its free trial. Choose a package to keep browsing.",
  no_plan: "Free trials are not available right now. Choose a package to connect.",
} as const;

/** What the portal offers: the trial's length, or null when there is none to give. */
export async function trialOffer(tx: Tx, tenantId: string): Promise<{ minutes: number } | null> {
  const s = await getHotspotSettings(tx, tenantId);
  if (!s.freeTrialEnabled) return null;
  return (await trialPlan(tx, tenantId)) ? { minutes: s.freeTrialMinutes } : null;
}

/** The trial runs at the speed of the cheapest package on sale. */
async function trialPlan(tx: Tx, tenantId: string) {
  const [plan] = await tx
    .select({ id: hotspotPlans.id })
    .from(hotspotPlans)
    .where(and(eq(hotspotPlans.tenantId, tenantId), eq(hotspotPlans.active, true), eq(hotspotPlans.hidden, false)))
    .orderBy(asc(hotspotPlans.priceCents), asc(hotspotPlans.displayOrder))
    .limit(1);
  return plan ?? null;
}

/** Gives the device its free trial and logs it in (in the caller's transaction). */
export async function startTrial(tx: Tx, tenantId: string, box: SecretBox, input: { phone: string; device: DeviceContext; now?: Date }): Promise<TrialResult> {
  const settings = await getHotspotSettings(tx, tenantId);
  if (!settings.freeTrialEnabled) return { ok: false, reason: "off", message: TRIAL_MESSAGES.off };
  const { device } = input;
  if (!device.mac || !device.ip || !device.routerId) return { ok: false, reason: "no_device", message: TRIAL_MESSAGES.no_device };
  const phone = normalizeKenyanPhone(input.phone);
  if (!phone) return { ok: false, reason: "phone", message: TRIAL_MESSAGES.phone };
  const mac = normalizeMac(device.mac);
  const [used] = await tx
    .select({ id: hotspotTrials.id })
    .from(hotspotTrials)
    .where(and(eq(hotspotTrials.tenantId, tenantId), or(eq(hotspotTrials.mac, mac), eq(hotspotTrials.phone, phone))))
    .limit(1);
  if (used) return { ok: false, reason: "used", message: TRIAL_MESSAGES.used };
  const plan = await trialPlan(tx, tenantId);
  if (!plan) return { ok: false, reason: "no_plan", message: TRIAL_MESSAGES.no_plan };

  try {
    // A savepoint: two taps at once from one device meet the unique key, not a broken transaction.
    return await tx.transaction(async (sp) => {
      const [customer] = await sp
        .insert(customers)
        .values({ tenantId, phone, lastMac: mac, lastRouterId: device.routerId })
        .onConflictDoUpdate({ target: [customers.tenantId, customers.phone], set: { lastMac: mac, lastRouterId: device.routerId, updatedAt: new Date() } })
        .returning({ id: customers.id });
      const minutes = settings.freeTrialMinutes;
      const v = await issueVoucher(sp, tenantId, { planId: plan.id, phone, customerId: customer!.id, durationSeconds: minutes * 60, devicesAllowed: 1, now: input.now });
      await sp.insert(hotspotTrials).values({ tenantId, mac, phone, voucherId: v.id, routerId: device.routerId });
      const used = await useVoucher(sp, tenantId, box, { code: v.code, mac, ip: device.ip, routerId: device.routerId!, now: input.now });
      if (!used.ok) throw new Error(used.message);
      return { ok: true as const, code: v.code, expiresAt: used.expiresAt, minutes };
    });
  } catch (err) {
    if (isUniqueViolation(err)) return { ok: false, reason: "used", message: TRIAL_MESSAGES.used };
    throw err;
  }
}
