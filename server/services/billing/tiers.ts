// The tier gate: the one place the product asks "may this ISP use this feature?". Every feature
// check calls tierAllows()/checkTier() (tRPC procedures through featureProcedure() in
// server/trpc/init.ts, services directly). Prices and feature sets live in billing_tiers,
// edited by the super admin; nothing here hard-codes what Starter or Premium contain.
import { z } from "zod";
import { and, asc, count, eq, isNull, ne } from "drizzle-orm";
import { billingTiers, tenants, users, TIER_FEATURES, type TierFeature } from "../../../db/schema";
import type { Tx } from "../../../db/client";
import { billingStatus, type BillingStatus } from "./state";
import { recordEvent } from "../audit";

export { TIER_FEATURES, type TierFeature };

/** What each feature means, for the tier editor and the payment page. */
export const FEATURE_LABELS: Record<TierFeature, string> = {
  hotspot: "Hotspot vouchers and captive portal",
  pppoe: "PPPoE and static subscriptions",
  sms_broadcasts: "SMS broadcasts",
  whatsapp_broadcasts: "WhatsApp broadcasts",
};

/** A feature, or one more technician account (the tier's technician limit). */
export type GateCheck = TierFeature | "technician_account";

export type Tier = typeof billingTiers.$inferSelect;

export type Entitlements = {
  status: BillingStatus;
  /** The paid tier (null in the trial and on unbilled accounts). */
  tier: Tier | null;
  features: Set<TierFeature>;
  /** null = unlimited. */
  maxTechnicians: number | null;
  service: "hotspot" | "pppoe" | null;
};

export function listTiers(tx: Tx, opts: { activeOnly?: boolean } = {}) {
  return tx
    .select()
    .from(billingTiers)
    .where(opts.activeOnly ? eq(billingTiers.active, true) : undefined)
    .orderBy(asc(billingTiers.sortOrder), asc(billingTiers.monthlyCents));
}

export async function getTier(tx: Tx, id: string): Promise<Tier | null> {
  const [t] = await tx.select().from(billingTiers).where(eq(billingTiers.id, id));
  return t ?? null;
}

/** The features an ISP has at `now` (read in its own context or the platform's). */
export async function entitlements(tx: Tx, tenantId: string, now = new Date()): Promise<Entitlements> {
  const [row] = await tx
    .select({ status: tenants.status, trialEndsAt: tenants.trialEndsAt, paidUntil: tenants.paidUntil, tierId: tenants.tierId, service: tenants.service, overrides: tenants.features })
    .from(tenants)
    .where(eq(tenants.id, tenantId));
  if (!row) return { status: { phase: "pending", dueAt: null, lapsed: null }, tier: null, features: new Set(), maxTechnicians: 0, service: null };
  const status = billingStatus(row, now);
  const tier = row.tierId ? await getTier(tx, row.tierId) : null;
  let features: Set<TierFeature>;
  let maxTechnicians: number | null;
  if (tier) {
    // The paid tier decides, also after the month lapsed (the dashboard is closed then anyway).
    features = new Set(tier.features.filter((f): f is TierFeature => (TIER_FEATURES as readonly string[]).includes(f)));
    if (tier.singleService) {
      // Starter: hotspot OR PPPoE/static, the one the ISP chose when it paid.
      for (const s of ["hotspot", "pppoe"] as const) if (s !== row.service) features.delete(s);
    }
    maxTechnicians = tier.maxTechnicians;
  } else {
    // The trial shows the whole product; so does an account the platform does not bill.
    features = new Set(TIER_FEATURES);
    maxTechnicians = null;
  }
  // Exceptions the platform set for this ISP.
  for (const [k, v] of Object.entries(row.overrides ?? {})) {
    if (!(TIER_FEATURES as readonly string[]).includes(k)) continue;
    if (v === true) features.add(k as TierFeature);
    if (v === false) features.delete(k as TierFeature);
  }
  return { status, tier, features, maxTechnicians, service: row.service };
}

export type GateResult = { ok: true } | { ok: false; reason: string };

/**
 * The tier gate. For "technician_account": may the ISP have one more active technician
 * (`exceptUserId`: the person being changed, not counted twice)?
 */
export async function checkTier(tx: Tx, tenantId: string, check: GateCheck, opts: { now?: Date; exceptUserId?: string } = {}): Promise<GateResult> {
  const ent = await entitlements(tx, tenantId, opts.now ?? new Date());
  const plan = ent.tier?.name ?? "current";
  if (check === "technician_account") {
    if (ent.maxTechnicians === null) return { ok: true };
    const conds = [eq(users.tenantId, tenantId), eq(users.role, "technician"), isNull(users.disabledAt)];
    if (opts.exceptUserId) conds.push(ne(users.id, opts.exceptUserId));
    const [c] = await tx.select({ n: count() }).from(users).where(and(...conds));
    if ((c?.n ?? 0) + 1 <= ent.maxTechnicians) return { ok: true };
    const n = ent.maxTechnicians;
    return { ok: false, reason: `Your ${plan} plan includes ${n === 0 ? "no" : n} technician account${n === 1 ? "" : "s"}. Upgrade your plan under Billing for more.` };
  }
  if (ent.features.has(check)) return { ok: true };
  if (ent.tier?.singleService && (check === "hotspot" || check === "pppoe") && ent.tier.features.includes(check)) {
    return { ok: false, reason: `Your ${plan} plan runs ${ent.service === "pppoe" ? "PPPoE/static" : "hotspot"} only. Upgrade under Billing to use ${FEATURE_LABELS[check].toLowerCase()} as well.` };
  }
  return { ok: false, reason: `${FEATURE_LABELS[check]} ${check.endsWith("s") ? "are" : "is"} not part of your ${plan} plan. Upgrade under Billing to use ${check.endsWith("s") ? "them" : "it"}.` };
}

/** The tier gate as a yes/no. */
export async function tierAllows(tx: Tx, tenantId: string, check: GateCheck, opts: { now?: Date; exceptUserId?: string } = {}) {
  return (await checkTier(tx, tenantId, check, opts)).ok;
}

// ---------------------------------------------------------------- the super admin's tier editor

const shillings = (label: string) =>
  z.coerce
    .number({ error: `Enter the ${label} in shillings.` })
    .int(`Enter the ${label} in whole shillings (M-Pesa moves whole shillings).`)
    .min(0, `The ${label} cannot be negative.`)
    .max(1_000_000, `Keep the ${label} under KES 1,000,000.`);

export const tierInput = z.object({
  id: z.string().trim().toLowerCase().regex(/^[a-z][a-z0-9_-]{1,29}$/, "Use 2–30 lowercase letters, digits, - or _, starting with a letter."),
  name: z.string().trim().min(2, "Give the tier a name.").max(40, "Keep the name under 40 characters."),
  description: z.string().trim().max(200, "Keep the description under 200 characters.").default(""),
  registrationFeeKes: shillings("registration fee"),
  monthlyKes: shillings("monthly price").refine((v) => v >= 1, "The monthly price must be at least KES 1."),
  features: z.array(z.enum(TIER_FEATURES, "Unknown feature.")).default([]),
  /** Empty = unlimited. */
  maxTechnicians: z.union([z.literal("").transform(() => null), z.null(), z.coerce.number().int("Whole numbers only.").min(0, "Zero or more.").max(1000)]).default(null),
  singleService: z.coerce.boolean().default(false),
  sortOrder: z.coerce.number().int().min(0).max(1000).default(0),
  active: z.coerce.boolean().default(true),
});
export type TierInput = z.input<typeof tierInput>;

/** Creates or changes a tier (platform context). Audited; prices apply to invoices issued from now on. */
export async function saveTier(tx: Tx, actor: { userId: string; requestId?: string | null; ip?: string | null; userAgent?: string | null }, input: TierInput) {
  const parsed = tierInput.safeParse(input);
  if (!parsed.success) return { ok: false as const, fieldErrors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]> };
  const v = parsed.data;
  if (v.singleService && !(v.features.includes("hotspot") && v.features.includes("pppoe"))) {
    return { ok: false as const, fieldErrors: { singleService: ["A hotspot-or-PPPoE tier needs both hotspot and PPPoE ticked: the ISP picks one of them."] } };
  }
  const values = {
    name: v.name,
    description: v.description,
    registrationFeeCents: v.registrationFeeKes * 100,
    monthlyCents: v.monthlyKes * 100,
    features: [...new Set(v.features)],
    maxTechnicians: v.maxTechnicians,
    singleService: v.singleService,
    sortOrder: v.sortOrder,
    active: v.active,
  };
  const before = await getTier(tx, v.id);
  const [row] = await tx
    .insert(billingTiers)
    .values({ id: v.id, ...values })
    .onConflictDoUpdate({ target: billingTiers.id, set: values })
    .returning();
  await recordEvent(tx, {
    action: before ? "billing.tier_changed" : "billing.tier_created",
    actorKind: "platform_user",
    actorId: actor.userId,
    details: { tier: v.id, before: before ? { ...before, createdAt: undefined, updatedAt: undefined } : null, after: values },
    requestId: actor.requestId ?? null,
    ip: actor.ip ?? null,
    userAgent: actor.userAgent ?? null,
  });
  return { ok: true as const, tier: row! };
}
