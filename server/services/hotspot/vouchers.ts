// Vouchers: issuing (one, from a purchase, or a printed batch), finding, and staff changes
// (extend, disable, enable). The time rules are in ./rules; codes are unique across all ISPs
// (the database refuses a taken code; we draw again).
import { z } from "zod";
import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import { hotspotPlans, hotspotSettings, voucherBatches, vouchers, voucherDevices, messages, payments } from "../../../db/schema";
import type { Tx } from "../../../db/client";
import { durationSeconds, generateCode, timesAtPurchase, type DurationUnit } from "./rules";

export type VoucherRow = typeof vouchers.$inferSelect;

/** The ISP's hotspot rules, with the defaults of a new ISP. */
export async function hotspotRules(tx: Tx, tenantId: string) {
  const [s] = await tx.select().from(hotspotSettings).where(eq(hotspotSettings.tenantId, tenantId));
  return { expiryMode: s?.expiryMode ?? "first_use", lapseDays: s?.lapseDays ?? 30, codeLength: s?.codeLength ?? 6, idleTimeoutMinutes: s?.idleTimeoutMinutes ?? 15 };
}

export async function getPlan(tx: Tx, tenantId: string, planId: string) {
  const [p] = await tx.select().from(hotspotPlans).where(and(eq(hotspotPlans.tenantId, tenantId), eq(hotspotPlans.id, planId)));
  return p ?? null;
}

const TAKEN = "23505";
const isTaken = (err: unknown) => {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.code === TAKEN || e?.cause?.code === TAKEN;
};

export type IssueInput = {
  planId: string;
  phone?: string | null;
  paymentId?: string | null;
  customerId?: string | null;
  batchId?: string | null;
  codeLength?: number;
  now?: Date;
  /** Instead of the plan's (a free trial: its own length, one device). */
  durationSeconds?: number;
  devicesAllowed?: number;
};

/**
 * Issues one voucher for a plan, in the caller's transaction. A code already taken (by any ISP)
 * is refused by the database; each attempt runs in a savepoint so the transaction survives, and
 * a fresh code is drawn (at 54^6 codes a clash is rare; five in a row means something is wrong).
 */
export async function issueVoucher(tx: Tx, tenantId: string, input: IssueInput): Promise<VoucherRow> {
  const plan = await getPlan(tx, tenantId, input.planId);
  if (!plan) throw new Error(`plan ${input.planId} not found`);
  const rules = await hotspotRules(tx, tenantId);
  const now = input.now ?? new Date();
  const seconds = input.durationSeconds ?? durationSeconds(plan.durationValue, plan.durationUnit as DurationUnit);
  const times = timesAtPurchase({ mode: rules.expiryMode, purchasedAt: now, durationSeconds: seconds, lapseDays: rules.lapseDays });
  for (let attempt = 1; ; attempt++) {
    const code = generateCode(input.codeLength ?? rules.codeLength);
    try {
      return await tx.transaction(async (sp) => {
        const [row] = await sp
          .insert(vouchers)
          .values({
            tenantId,
            code,
            planId: plan.id,
            batchId: input.batchId ?? null,
            paymentId: input.paymentId ?? null,
            customerId: input.customerId ?? null,
            phone: input.phone ?? null,
            durationSeconds: seconds,
            devicesAllowed: input.devicesAllowed ?? plan.devices,
            dataCapMb: plan.dataCapMb,
            purchasedAt: now,
            expiresAt: times.expiresAt,
            lapsesAt: times.lapsesAt,
          })
          .returning();
        return row!;
      });
    } catch (err) {
      if (!isTaken(err) || attempt >= 5) throw err;
    }
  }
}

export const batchInput = z.object({
  planId: z.uuid("Choose a plan."),
  count: z.coerce.number({ error: "How many vouchers?" }).int("A whole number.").min(1, "At least 1.").max(1000, "At most 1,000 at a time."),
  codeLength: z.coerce.number().int().min(6, "6 to 8 characters.").max(8, "6 to 8 characters.").optional(),
  name: z.string().trim().min(2, "Name the batch, e.g. “Shop cards December”.").max(80),
  notes: z.string().trim().max(500).default(""),
});

/** A printed batch: the batch row and its vouchers, all unused, in one transaction. */
export async function generateBatch(tx: Tx, tenantId: string, userId: string | null, input: z.infer<typeof batchInput>) {
  const plan = await getPlan(tx, tenantId, input.planId);
  if (!plan) return { ok: false as const, fieldErrors: { planId: ["Choose one of your plans."] } };
  const rules = await hotspotRules(tx, tenantId);
  const codeLength = input.codeLength ?? rules.codeLength;
  const [batch] = await tx
    .insert(voucherBatches)
    .values({ tenantId, name: input.name, notes: input.notes, planId: plan.id, count: input.count, codeLength, createdBy: userId })
    .returning();
  for (let i = 0; i < input.count; i++) await issueVoucher(tx, tenantId, { planId: plan.id, batchId: batch!.id, codeLength });
  return { ok: true as const, batch: batch! };
}

/** The state a voucher is in now, computed in SQL so lists and filters agree with rules.voucherState. */
export const stateSql = sql<"unused" | "active" | "expired" | "lapsed" | "disabled">`case
  when ${vouchers.disabledAt} is not null then 'disabled'
  when ${vouchers.expiresAt} is not null and ${vouchers.expiresAt} <= now() then 'expired'
  when ${vouchers.firstUsedAt} is null and ${vouchers.lapsesAt} <= now() then 'lapsed'
  when ${vouchers.firstUsedAt} is null then 'unused'
  else 'active' end`;

export const voucherFilter = z.object({
  state: z.enum(["unused", "active", "expired", "lapsed", "disabled"]).optional(),
  /** Code (exact or start), or phone digits. */
  search: z.string().trim().max(40).optional(),
  batchId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(100),
});

export async function listVouchers(tx: Tx, tenantId: string, f: z.infer<typeof voucherFilter>) {
  const where: SQL[] = [eq(vouchers.tenantId, tenantId)];
  if (f.state) where.push(sql`${stateSql} = ${f.state}`);
  if (f.batchId) where.push(eq(vouchers.batchId, f.batchId));
  if (f.search) {
    const digits = f.search.replace(/\D/g, "").replace(/^0/, "");
    where.push(sql`(${vouchers.code} like ${`${f.search.replace(/[%_]/g, "")}%`}${digits.length >= 6 ? sql` or ${vouchers.phone} like ${`%${digits}%`}` : sql``})`);
  }
  const rows = await tx
    .select({
      id: vouchers.id,
      code: vouchers.code,
      state: stateSql,
      planId: vouchers.planId,
      planName: hotspotPlans.name,
      phone: vouchers.phone,
      batchId: vouchers.batchId,
      purchasedAt: vouchers.purchasedAt,
      firstUsedAt: vouchers.firstUsedAt,
      expiresAt: vouchers.expiresAt,
      lapsesAt: vouchers.lapsesAt,
      devicesAllowed: vouchers.devicesAllowed,
      devices: sql<number>`(select count(*)::int from ${voucherDevices} d where d.tenant_id = ${vouchers.tenantId} and d.voucher_id = ${vouchers.id})`,
    })
    .from(vouchers)
    .innerJoin(hotspotPlans, and(eq(hotspotPlans.tenantId, vouchers.tenantId), eq(hotspotPlans.id, vouchers.planId)))
    .where(and(...where))
    .orderBy(desc(vouchers.purchasedAt), desc(vouchers.code))
    .limit(f.limit);
  const counts = await tx
    .select({ state: stateSql, n: sql<number>`count(*)::int` })
    .from(vouchers)
    .where(eq(vouchers.tenantId, tenantId))
    .groupBy(sql`1`);
  return { rows, counts: Object.fromEntries(counts.map((c) => [c.state, c.n])) as Partial<Record<string, number>> };
}

/** A voucher's detail: plan, payment, devices, the messages about it and its router changes. */
export async function voucherDetail(tx: Tx, tenantId: string, id: string) {
  const [v] = await tx.select({ voucher: vouchers, state: stateSql, plan: hotspotPlans }).from(vouchers).innerJoin(hotspotPlans, and(eq(hotspotPlans.tenantId, vouchers.tenantId), eq(hotspotPlans.id, vouchers.planId))).where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.id, id)));
  if (!v) return null;
  const [payment] = v.voucher.paymentId ? await tx.select().from(payments).where(and(eq(payments.tenantId, tenantId), eq(payments.id, v.voucher.paymentId))) : [];
  const devices = await tx.select().from(voucherDevices).where(and(eq(voucherDevices.tenantId, tenantId), eq(voucherDevices.voucherId, id))).orderBy(voucherDevices.firstSeenAt);
  const msgs = await tx.select().from(messages).where(and(eq(messages.tenantId, tenantId), eq(messages.ref, `voucher:${id}`))).orderBy(desc(messages.createdAt)).limit(20);
  const [batch] = v.voucher.batchId ? await tx.select().from(voucherBatches).where(and(eq(voucherBatches.tenantId, tenantId), eq(voucherBatches.id, v.voucher.batchId))) : [];
  return { ...v, payment: payment ?? null, devices, messages: msgs, batch: batch ?? null };
}

/**
 * Adds time: a running voucher's end moves later; one not started yet gets a longer duration.
 * An expired voucher becomes usable again (its end moves from now).
 */
export async function extendVoucher(tx: Tx, tenantId: string, id: string, extraSeconds: number, now = new Date()) {
  const [v] = await tx.select().from(vouchers).where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.id, id))).for("update");
  if (!v) return null;
  const from = v.expiresAt && v.expiresAt > now ? v.expiresAt : v.expiresAt ? now : null;
  const [row] = await tx
    .update(vouchers)
    .set(from ? { expiresAt: new Date(from.getTime() + extraSeconds * 1000), warnedAt: null } : { durationSeconds: v.durationSeconds + extraSeconds })
    .where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.id, id)))
    .returning();
  return row!;
}

export async function setVoucherDisabled(tx: Tx, tenantId: string, id: string, disabled: boolean) {
  const [row] = await tx
    .update(vouchers)
    // The status column follows; what a voucher *is* now is always computed (stateSql, rules.voucherState).
    .set({ disabledAt: disabled ? new Date() : null, status: disabled ? "disabled" : sql`case when ${vouchers.firstUsedAt} is null then 'unused' else 'active' end` })
    .where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.id, id)))
    .returning();
  return row ?? null;
}

export function listBatches(tx: Tx, tenantId: string) {
  return tx
    .select({ id: voucherBatches.id, name: voucherBatches.name, notes: voucherBatches.notes, count: voucherBatches.count, createdAt: voucherBatches.createdAt, planName: hotspotPlans.name })
    .from(voucherBatches)
    .innerJoin(hotspotPlans, and(eq(hotspotPlans.tenantId, voucherBatches.tenantId), eq(hotspotPlans.id, voucherBatches.planId)))
    .where(eq(voucherBatches.tenantId, tenantId))
    .orderBy(desc(voucherBatches.createdAt))
    .limit(50);
}

