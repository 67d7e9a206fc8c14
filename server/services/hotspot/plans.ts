// Hotspot plans: what an ISP sells on its captive portal (1 hour KES 10, 1 day KES 50, ...), and
// their mapping to a hotspot user profile on every router of the ISP.
//
// Profiles go through the provisioning outbox (server/services/provisioning.ts): after every
// change to plans or to the idle logout, syncPlanProfiles compares what each router should have
// (router_items of kind hotspot_profile, ref "plan:<id>") with the plans and queues only the
// differences, in the caller's transaction. Calling it when nothing changed queues nothing.
import crypto from "node:crypto";
import { z } from "zod";
import { and, asc, count, eq, inArray, isNull, like, ne, or, sql, gt, isNotNull } from "drizzle-orm";
import { hotspotPlans, routerItems, routers, voucherBatches, vouchers, DURATION_UNITS } from "../../../db/schema";
import type { Tx } from "../../../db/client";
import type { SecretBox } from "../secrets";
import { provisioning } from "../provisioning";
import type { HotspotProfileSpec } from "../../integrations/routeros";
import { planProfileName, planRateLimit } from "./rules";
import { getHotspotSettings, idleTimeoutText } from "./settings";
import { pgCode } from "../../../db/errors";

export { planProfileName } from "./rules";

export type Plan = typeof hotspotPlans.$inferSelect;

/** What the checked operations answer: a value, or why not (mapped to a TRPCError by the router). */
export type PlanResult<T> = { ok: true; value: T } | { ok: false; status: 400 | 404 | 409; error?: string; fieldErrors?: Record<string, string[]> };

const ok = <T>(value: T): PlanResult<T> => ({ ok: true, value });
const notFound: PlanResult<never> = { ok: false, status: 404, error: "That plan does not exist." };

/** The ref a plan's profile carries in router_items. */
export const planRef = (planId: string) => `plan:${planId}`;
const PLAN_REF_PREFIX = "plan:";

/** 1 Mbps as the plans store it (Kbit/s, the RouterOS "M" of planRateLimit). */
export const KBPS_PER_MBPS = 1024;

// ---------------------------------------------------------------------------------------------
// Input: what the form (strings) or a caller (numbers) gives, checked in plain language.

/** Text from a form: "" and whitespace are missing. */
const blank = (v: unknown) => v === undefined || v === null || (typeof v === "string" && v.trim() === "");

/** A number typed by a person: "1,000", " 2.5 " are fine; "" is missing. */
const typedNumber = (v: unknown) => (blank(v) ? undefined : typeof v === "string" ? Number(v.trim().replace(/,/g, "")) : v);

/** "50", "49.50", "KES 1,000", "Ksh 20/=" → cents; anything else is NaN (refused). */
export function parsePriceCents(v: unknown): number | undefined {
  if (blank(v)) return undefined;
  if (typeof v === "number") {
    const cents = Math.round(v * 100);
    return Number.isFinite(v) && Math.abs(v * 100 - cents) < 1e-6 ? cents : NaN;
  }
  const s = String(v)
    .trim()
    .replace(/^(kes|kshs?\.?|sh\.?)\s*/i, "")
    .replace(/\/=?-?$/, "")
    .replace(/,/g, "")
    .trim();
  const m = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return NaN;
  return Number(m[1]) * 100 + Number((m[2] ?? "0").padEnd(2, "0"));
}

/** An optional speed in Mbps (decimals allowed) → Kbit/s; "" is none. */
const optionalMbps = (what: string) =>
  z.preprocess(
    typedNumber,
    z
      .number({ error: `Enter the ${what} in Mbps, e.g. 5 or 0.5.` })
      .min(0.1, "At least 0.1 Mbps (100 kbps).")
      .max(10_000, "At most 10,000 Mbps.")
      .transform((n) => Math.round(n * KBPS_PER_MBPS))
      .optional(),
  );

const checkbox = z.preprocess((v) => v === true || v === "on" || v === "true" || v === "1", z.boolean());
const yesNo = (fallback: boolean) => z.preprocess((v) => (blank(v) ? fallback : v === true || v === "on" || v === "true" || v === "1"), z.boolean());

const planFields = z.object({
  name: z
    .string({ error: "Give the plan a name, e.g. “1 hour” or “Daily 5 Mbps”." })
    .trim()
    .min(2, "Give the plan a name of at least 2 characters, e.g. “1 hour”.")
    .max(40, "Keep the name under 40 characters: customers read it on their phones."),
  price: z.preprocess(
    parsePriceCents,
    z
      .number({ error: "Enter the price in shillings, e.g. 50." })
      .refine((n) => Number.isFinite(n), "Enter the price in shillings, e.g. 50 or 49.50.")
      .refine((n) => n >= 100, "The price must be at least KES 1 (M-Pesa does not take less).")
      .refine((n) => n <= 100_000_000, "At most KES 1,000,000."),
  ),
  durationValue: z.preprocess(
    typedNumber,
    z.number({ error: "How long does the plan last? Enter a number, e.g. 1." }).refine(Number.isInteger, "Enter a whole number, e.g. 1 or 3.").min(1, "At least 1.").max(1000, "At most 1,000."),
  ),
  durationUnit: z.enum(DURATION_UNITS, { error: "Choose minutes, hours, days, weeks or months." }),
  /** No speed limit (the router does not cap these customers). */
  unlimited: checkbox,
  downloadMbps: optionalMbps("download speed"),
  uploadMbps: optionalMbps("upload speed"),
  burstDownloadMbps: optionalMbps("burst download speed"),
  burstUploadMbps: optionalMbps("burst upload speed"),
  burstThresholdDownloadMbps: optionalMbps("download threshold"),
  burstThresholdUploadMbps: optionalMbps("upload threshold"),
  burstTimeSeconds: z.preprocess(
    typedNumber,
    z.number({ error: "Enter the burst time in seconds, e.g. 8." }).refine(Number.isInteger, "Whole seconds, e.g. 8.").min(1, "1 to 3600 seconds.").max(3600, "1 to 3600 seconds.").optional(),
  ),
  dataCapMb: z.preprocess(
    typedNumber,
    z.number({ error: "Enter the data cap in MB, e.g. 1024 for 1 GB, or leave it empty." }).refine(Number.isInteger, "Whole MB, e.g. 1024 for 1 GB.").min(1, "At least 1 MB, or leave it empty for no cap.").max(10_000_000, "At most 10,000,000 MB (10 TB).").optional(),
  ),
  devices: z.preprocess(
    (v) => (blank(v) ? 1 : typedNumber(v)),
    z.number({ error: "How many devices may use one voucher at once? e.g. 1." }).refine(Number.isInteger, "A whole number of devices.").min(1, "At least 1 device.").max(100, "At most 100 devices."),
  ),
  /** On sale (true) or not sold any more (false). */
  active: yesNo(true),
  /** Not offered on the portal; staff can still print vouchers for it. */
  hidden: yesNo(false),
  /** Lower shows first; left out, a new plan goes after the others and an edited one keeps its place. */
  displayOrder: z.preprocess(
    typedNumber,
    z.number({ error: "Enter a number: lower numbers show first." }).refine(Number.isInteger, "A whole number: lower numbers show first.").min(0, "0 or more.").max(9999, "At most 9999.").optional(),
  ),
});

type PlanFields = z.output<typeof planFields>;

const BURST = ["burstDownloadMbps", "burstUploadMbps", "burstThresholdDownloadMbps", "burstThresholdUploadMbps", "burstTimeSeconds"] as const;

/** Rules across fields: speeds unless unlimited, burst all or nothing and faster than normal. */
function checkPlan(p: PlanFields, ctx: z.RefinementCtx) {
  if (typeof p !== "object" || p === null) return;
  // Runs even when some fields were refused (so every problem shows at once), skipping rules
  // about those fields: their values are what was typed, not numbers.
  const refused = new Set(ctx.issues.map((i) => String(i.path?.[0] ?? "")));
  const ok = (...keys: string[]) => keys.every((k) => !refused.has(k));
  const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
  if (!ok("unlimited")) return;
  if (!p.unlimited) {
    if (p.downloadMbps === undefined && ok("downloadMbps")) issue("downloadMbps", "Enter the download speed, e.g. 5, or tick “Unlimited speed”.");
    if (p.uploadMbps === undefined && ok("uploadMbps")) issue("uploadMbps", "Enter the upload speed, e.g. 2, or tick “Unlimited speed”.");
  }
  if (!ok(...BURST, "downloadMbps", "uploadMbps")) return;
  const given = BURST.filter((k) => p[k] !== undefined);
  if (given.length === 0) return;
  if (p.unlimited) {
    for (const k of given) issue(k, "Burst needs a speed limit: clear the burst fields or untick “Unlimited speed”.");
    return;
  }
  if (given.length < BURST.length) {
    for (const k of BURST) if (p[k] === undefined) issue(k, "Fill in all burst fields, or leave them all empty.");
    return;
  }
  if (p.downloadMbps !== undefined && p.burstDownloadMbps! <= p.downloadMbps) issue("burstDownloadMbps", "The burst speed must be higher than the normal download speed.");
  if (p.uploadMbps !== undefined && p.burstUploadMbps! <= p.uploadMbps) issue("burstUploadMbps", "The burst speed must be higher than the normal upload speed.");
  if (p.downloadMbps !== undefined && p.burstThresholdDownloadMbps! > p.downloadMbps) issue("burstThresholdDownloadMbps", "Keep the threshold at or below the normal download speed (often ¾ of it).");
  if (p.uploadMbps !== undefined && p.burstThresholdUploadMbps! > p.uploadMbps) issue("burstThresholdUploadMbps", "Keep the threshold at or below the normal upload speed (often ¾ of it).");
}

/** The row columns for checked input. */
function toColumns(p: PlanFields) {
  const limited = !p.unlimited;
  const burst = limited && p.burstDownloadMbps !== undefined;
  return {
    name: p.name,
    priceCents: p.price,
    durationValue: p.durationValue,
    durationUnit: p.durationUnit,
    downloadKbps: limited ? p.downloadMbps! : null,
    uploadKbps: limited ? p.uploadMbps! : null,
    burstDownloadKbps: burst ? p.burstDownloadMbps! : null,
    burstUploadKbps: burst ? p.burstUploadMbps! : null,
    burstThresholdDownloadKbps: burst ? p.burstThresholdDownloadMbps! : null,
    burstThresholdUploadKbps: burst ? p.burstThresholdUploadMbps! : null,
    burstTimeSeconds: burst ? p.burstTimeSeconds! : null,
    dataCapMb: p.dataCapMb ?? null,
    devices: p.devices,
    active: p.active,
    hidden: p.hidden,
    displayOrder: p.displayOrder ?? null,
  };
}
export type PlanColumns = ReturnType<typeof toColumns>;

/**
 * A plan as the form sends it: price in shillings ("50" or "49.50"), duration value + unit,
 * speeds in Mbps (decimals allowed; stored as Kbit/s, 1 Mbps = 1024), optional burst (all five
 * fields or none), optional data cap in MB, devices 1–100, active/hidden, display order.
 */
/** What the form (strings) or a caller (numbers, booleans) may send: every field is checked. */
export type PlanFormInput = { [K in keyof z.input<typeof planFields>]?: unknown };

/** Cross-field rules run even when a field was refused, so the form shows every problem at once. */
const always = { when: () => true };

export const planInput = planFields.superRefine(checkPlan, always).transform(toColumns) as unknown as z.ZodType<PlanColumns, PlanFormInput>;
export const planUpdateInput = planFields
  .extend({ id: z.uuid("That plan does not exist.") })
  .superRefine(checkPlan, always)
  .transform((p) => ({ id: p.id, ...toColumns(p) })) as unknown as z.ZodType<PlanColumns & { id: string }, PlanFormInput & { id: string }>;
export type PlanInput = z.input<typeof planInput>;

// ---------------------------------------------------------------------------------------------
// Reading

export function listPlans(tx: Tx, tenantId: string) {
  return tx
    .select()
    .from(hotspotPlans)
    .where(eq(hotspotPlans.tenantId, tenantId))
    .orderBy(asc(hotspotPlans.displayOrder), asc(sql`lower(${hotspotPlans.name})`), asc(hotspotPlans.id));
}

export async function getPlanRow(tx: Tx, tenantId: string, id: string) {
  const [row] = await tx.select().from(hotspotPlans).where(and(eq(hotspotPlans.tenantId, tenantId), eq(hotspotPlans.id, id)));
  return row ?? null;
}

/** How many vouchers each plan has (sold or printed), for the list and the delete guard. */
export async function voucherCounts(tx: Tx, tenantId: string) {
  const rows = await tx.select({ planId: vouchers.planId, n: count() }).from(vouchers).where(eq(vouchers.tenantId, tenantId)).groupBy(vouchers.planId);
  return new Map(rows.map((r) => [r.planId, r.n]));
}

// ---------------------------------------------------------------------------------------------
// Changing

const duplicate = (name: string): PlanResult<never> => ({ ok: false, status: 409, fieldErrors: { name: [`You already have a plan called “${name}”. Plan names must be different.`] } });

async function nameTaken(tx: Tx, tenantId: string, name: string, exceptId?: string) {
  const [row] = await tx
    .select({ name: hotspotPlans.name })
    .from(hotspotPlans)
    .where(and(eq(hotspotPlans.tenantId, tenantId), eq(sql`lower(${hotspotPlans.name})`, name.toLowerCase()), exceptId ? ne(hotspotPlans.id, exceptId) : undefined));
  return row ? duplicate(row.name) : null;
}

/**
 * A fresh plan id whose profile name (its first 8 characters) no other plan of the ISP shares:
 * the profile is named after it on the routers.
 */
async function newPlanId(tx: Tx, tenantId: string) {
  for (;;) {
    const id = crypto.randomUUID();
    const [clash] = await tx
      .select({ id: hotspotPlans.id })
      .from(hotspotPlans)
      .where(and(eq(hotspotPlans.tenantId, tenantId), like(sql`${hotspotPlans.id}::text`, `${id.slice(0, 8)}%`)));
    if (!clash) return id;
  }
}

async function write<T>(fn: () => Promise<T>, name: string): Promise<PlanResult<T>> {
  try {
    return ok(await fn());
  } catch (err) {
    if (pgCode(err) === "23505") return duplicate(name);
    throw err;
  }
}

/** Adds a plan and sends its profile to every router of the ISP (same transaction). */
export async function createPlan(tx: Tx, tenantId: string, box: SecretBox, input: PlanColumns): Promise<PlanResult<Plan>> {
  const taken = await nameTaken(tx, tenantId, input.name);
  if (taken) return taken;
  const id = await newPlanId(tx, tenantId);
  const displayOrder = input.displayOrder ?? (await nextDisplayOrder(tx, tenantId));
  const r = await write(async () => (await tx.insert(hotspotPlans).values({ tenantId, id, ...input, displayOrder }).returning())[0]!, input.name);
  if (!r.ok) return r;
  await syncPlanProfiles(tx, tenantId, box);
  return r;
}

/** The fields that differ between a plan and new values (for the audit trail). */
export function changedFields(before: Plan, after: Partial<PlanColumns>) {
  return (Object.keys(after) as Array<keyof PlanColumns>).filter((k) => before[k] !== after[k]);
}

/** After the last plan: where a new plan goes when no order is given. */
async function nextDisplayOrder(tx: Tx, tenantId: string) {
  const [row] = await tx.select({ max: sql<number | null>`max(${hotspotPlans.displayOrder})` }).from(hotspotPlans).where(eq(hotspotPlans.tenantId, tenantId));
  return Math.min((row?.max ?? 0) + 10, 9999);
}

/** Changes a plan; its profile on the routers follows. Vouchers already sold keep what they bought. */
export async function updatePlan(tx: Tx, tenantId: string, box: SecretBox, id: string, input: PlanColumns): Promise<PlanResult<{ plan: Plan; changed: string[] }>> {
  const before = await getPlanRow(tx, tenantId, id);
  if (!before) return notFound;
  const taken = await nameTaken(tx, tenantId, input.name, id);
  if (taken) return taken;
  const { displayOrder, ...rest } = input;
  const set = displayOrder === null ? rest : { ...rest, displayOrder };
  const r = await write(async () => (await tx.update(hotspotPlans).set(set).where(and(eq(hotspotPlans.tenantId, tenantId), eq(hotspotPlans.id, id))).returning())[0], input.name);
  if (!r.ok) return r;
  if (!r.value) return notFound;
  await syncPlanProfiles(tx, tenantId, box);
  return ok({ plan: r.value, changed: changedFields(before, set) });
}

/** Shows or hides, or stops/starts selling, a plan without touching the rest of it. */
export async function setPlanAvailability(tx: Tx, tenantId: string, box: SecretBox, id: string, set: { active?: boolean; hidden?: boolean }): Promise<PlanResult<Plan>> {
  const [row] = await tx.update(hotspotPlans).set(set).where(and(eq(hotspotPlans.tenantId, tenantId), eq(hotspotPlans.id, id))).returning();
  if (!row) return notFound;
  await syncPlanProfiles(tx, tenantId, box);
  return ok(row);
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/**
 * Deletes a plan nobody bought: once a voucher (or a printed batch) uses it, the plan stays as
 * their record and the answer says to stop selling it instead. Its profile leaves the routers.
 */
export async function deletePlan(tx: Tx, tenantId: string, box: SecretBox, id: string): Promise<PlanResult<{ id: string; name: string }>> {
  const plan = await getPlanRow(tx, tenantId, id);
  if (!plan) return notFound;
  const [v] = await tx.select({ n: count() }).from(vouchers).where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.planId, id)));
  const [b] = await tx.select({ n: count() }).from(voucherBatches).where(and(eq(voucherBatches.tenantId, tenantId), eq(voucherBatches.planId, id)));
  const inUse = (vouchersN: number, batchesN: number): PlanResult<never> => ({
    ok: false,
    status: 409,
    error: `“${plan.name}” cannot be deleted: ${vouchersN > 0 ? `${plural(vouchersN, "voucher")} ${vouchersN === 1 ? "was" : "were"} sold or printed for it` : `${plural(batchesN, "voucher batch")} use${batchesN === 1 ? "s" : ""} it`}, and ${vouchersN + batchesN === 1 ? "it keeps" : "they keep"} its record. Stop selling it instead: it disappears from the portal and nobody can buy it.`,
  });
  if (v!.n > 0 || b!.n > 0) return inUse(v!.n, b!.n);
  try {
    await tx.delete(hotspotPlans).where(and(eq(hotspotPlans.tenantId, tenantId), eq(hotspotPlans.id, id)));
  } catch (err) {
    if (pgCode(err) === "23503") return inUse(1, 0); // a voucher sold meanwhile
    throw err;
  }
  await syncPlanProfiles(tx, tenantId, box);
  return ok({ id, name: plan.name });
}

/** Puts the plans in this order (the portal shows them so); plans not listed keep their place after. */
export async function reorderPlans(tx: Tx, tenantId: string, ids: string[]): Promise<PlanResult<{ ids: string[] }>> {
  const plans = await listPlans(tx, tenantId);
  const known = new Set(plans.map((p) => p.id));
  if (ids.some((id) => !known.has(id))) return notFound;
  const order = [...new Set(ids), ...plans.map((p) => p.id).filter((id) => !ids.includes(id))];
  for (const [i, id] of order.entries()) {
    const displayOrder = (i + 1) * 10;
    if (plans.find((p) => p.id === id)!.displayOrder !== displayOrder) {
      await tx.update(hotspotPlans).set({ displayOrder }).where(and(eq(hotspotPlans.tenantId, tenantId), eq(hotspotPlans.id, id)));
    }
  }
  return ok({ ids: order });
}

// ---------------------------------------------------------------------------------------------
// Profiles on the routers

/** The hotspot user profile a plan needs on a router. */
export function planProfileSpec(plan: Pick<Plan, "id" | "downloadKbps" | "uploadKbps" | "burstDownloadKbps" | "burstUploadKbps" | "burstThresholdDownloadKbps" | "burstThresholdUploadKbps" | "burstTimeSeconds" | "devices">, idleTimeoutMinutes: number): HotspotProfileSpec {
  return { name: planProfileName(plan.id), rateLimit: planRateLimit(plan), sharedUsers: plan.devices, idleTimeout: idleTimeoutText(idleTimeoutMinutes) };
}

const sameSpec = (a: Record<string, unknown>, b: HotspotProfileSpec) =>
  a.name === b.name && a.rateLimit === b.rateLimit && Number(a.sharedUsers) === b.sharedUsers && String(a.idleTimeout) === String(b.idleTimeout) && (a.sessionTimeout ?? null) === (b.sessionTimeout ?? null);

/**
 * Plans whose profile must be on the routers: every active plan, and an inactive one while
 * vouchers bought for it can still be used (their hotspot users need the profile; it goes at the
 * next sync after they are over).
 */
async function desiredProfiles(tx: Tx, tenantId: string) {
  const plans = await listPlans(tx, tenantId);
  const { idleTimeoutMinutes } = await getHotspotSettings(tx, tenantId);
  const inactive = plans.filter((p) => !p.active).map((p) => p.id);
  const stillUsed = new Set<string>();
  if (inactive.length > 0) {
    const now = new Date();
    const rows = await tx
      .selectDistinct({ planId: vouchers.planId })
      .from(vouchers)
      .where(
        and(
          eq(vouchers.tenantId, tenantId),
          inArray(vouchers.planId, inactive),
          isNull(vouchers.disabledAt),
          or(gt(vouchers.expiresAt, now), and(isNull(vouchers.expiresAt), isNull(vouchers.firstUsedAt), gt(vouchers.lapsesAt, now)), and(isNull(vouchers.expiresAt), isNotNull(vouchers.firstUsedAt))),
        ),
      );
    for (const r of rows) stillUsed.add(r.planId);
  }
  return plans.filter((p) => p.active || stillUsed.has(p.id)).map((p) => ({ ref: planRef(p.id), spec: planProfileSpec(p, idleTimeoutMinutes) }));
}

export type SyncSummary = { routers: number; ensured: number; removed: number };

async function syncOneRouter(tx: Tx, tenantId: string, routerId: string, box: SecretBox, desired: Array<{ ref: string; spec: HotspotProfileSpec }>, summary: SyncSummary) {
  const existing = await tx
    .select({ name: routerItems.name, ref: routerItems.ref, spec: routerItems.spec })
    .from(routerItems)
    .where(and(eq(routerItems.tenantId, tenantId), eq(routerItems.routerId, routerId), eq(routerItems.kind, "hotspot_profile"), like(routerItems.ref, `${PLAN_REF_PREFIX}%`)));
  const p = provisioning(tx, tenantId, routerId, box);
  const wanted = new Set(desired.map((d) => d.spec.name));
  for (const item of existing) {
    if (!wanted.has(item.name)) {
      await p.removeHotspotProfile(item.name);
      summary.removed++;
    }
  }
  const have = new Map(existing.map((i) => [i.name, i]));
  for (const d of desired) {
    const item = have.get(d.spec.name);
    if (item && item.ref === d.ref && sameSpec(item.spec, d.spec)) continue;
    await p.ensureHotspotProfile(d.spec, d.ref);
    summary.ensured++;
  }
}

/**
 * Brings every router of the ISP in line with its plans: ensures the profile of each plan that
 * needs one (only where missing or different) and removes the profiles of deleted or retired
 * plans. Runs in the caller's transaction; the router_sync jobs apply it.
 */
export async function syncPlanProfiles(tx: Tx, tenantId: string, box: SecretBox): Promise<SyncSummary> {
  const desired = await desiredProfiles(tx, tenantId);
  const list = await tx.select({ id: routers.id }).from(routers).where(eq(routers.tenantId, tenantId)).orderBy(asc(routers.id));
  const summary: SyncSummary = { routers: list.length, ensured: 0, removed: 0 };
  for (const r of list) await syncOneRouter(tx, tenantId, r.id, box, desired, summary);
  return summary;
}

/** The same for one router, e.g. one just added or verified: it gets every plan's profile. */
export async function syncPlanProfilesForRouter(tx: Tx, tenantId: string, routerId: string, box: SecretBox): Promise<SyncSummary> {
  const [router] = await tx.select({ id: routers.id }).from(routers).where(and(eq(routers.tenantId, tenantId), eq(routers.id, routerId)));
  const summary: SyncSummary = { routers: router ? 1 : 0, ensured: 0, removed: 0 };
  if (!router) return summary;
  await syncOneRouter(tx, tenantId, routerId, box, await desiredProfiles(tx, tenantId), summary);
  return summary;
}
