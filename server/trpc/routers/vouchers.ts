import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { and, asc, eq } from "drizzle-orm";
import { hotspotPlans } from "../../../db/schema";
import { createTRPCRouter, featureProcedure, fail } from "../init";
import { requestMeta } from "../../context";
import { recordEvent } from "../../services/audit";
import {
  batchInput,
  generateBatch,
  listVouchers,
  voucherFilter,
  voucherDetail,
  extendVoucher,
  setVoucherDisabled,
  listBatches,
  hotspotRules,
  modifyInput,
  modifyVoucher,
  voucherLiveSessions,
  logoutInput,
  logoutVoucherDevice,
  batchCards,
} from "../../services/hotspot/vouchers";
import { durationSeconds } from "../../services/hotspot/rules";
import { restoreAccess, revokeAccess } from "../../services/hotspot/access";
import { ispCan } from "../../../policies/permissions";

const byId = z.object({ id: z.uuid("Not a valid voucher.") });
const notFound = () => new TRPCError({ code: "NOT_FOUND", message: "That voucher does not exist." });

/**
 * Vouchers for staff: lists and search, detail and live sessions, printed batches, extend, modify,
 * disable, log a device out. Everything needs `vouchers.manage`: technicians have no access.
 */
export const vouchersRouter = createTRPCRouter({
  list: featureProcedure("vouchers.manage", "hotspot")
    .input(voucherFilter)
    .query(({ ctx, input }) => listVouchers(ctx.tx, ctx.tenant.id, input)),

  detail: featureProcedure("vouchers.manage", "hotspot")
    .input(byId)
    .query(async ({ ctx, input }) => {
      const d = await voucherDetail(ctx.tx, ctx.tenant.id, input.id);
      if (!d) throw notFound();
      return d;
    }),

  /** Plans to generate a batch for, and the default code length. */
  batchOptions: featureProcedure("vouchers.manage", "hotspot").query(async ({ ctx }) => {
    const plans = await ctx.tx
      .select({ id: hotspotPlans.id, name: hotspotPlans.name, priceCents: hotspotPlans.priceCents, active: hotspotPlans.active })
      .from(hotspotPlans)
      .where(and(eq(hotspotPlans.tenantId, ctx.tenant.id), eq(hotspotPlans.active, true)))
      .orderBy(asc(hotspotPlans.displayOrder), asc(hotspotPlans.name));
    return { plans, codeLength: (await hotspotRules(ctx.tx, ctx.tenant.id)).codeLength, batches: await listBatches(ctx.tx, ctx.tenant.id) };
  }),

  generateBatch: featureProcedure("vouchers.manage", "hotspot")
    .input(z.record(z.string(), z.unknown()))
    .mutation(async ({ ctx, input }) => {
      const parsed = batchInput.safeParse(input);
      if (!parsed.success) fail({ status: 400, fieldErrors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]> });
      const r = await generateBatch(ctx.tx, ctx.tenant.id, ctx.viewer.user.id, parsed.data);
      if (!r.ok) fail({ status: 400, fieldErrors: r.fieldErrors });
      await recordEvent(ctx.tx, { tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, action: "vouchers.batch_generated", details: { batchId: r.batch.id, count: r.batch.count, planId: r.batch.planId }, ...requestMeta(ctx) });
      return { batchId: r.batch.id, count: r.batch.count };
    }),

  extend: featureProcedure("vouchers.manage", "hotspot")
    .input(byId.extend({ amount: z.coerce.number().int("A whole number.").min(1, "At least 1.").max(1000), unit: z.enum(["minutes", "hours", "days"]) }))
    .mutation(async ({ ctx, input }) => {
      const v = await extendVoucher(ctx.tx, ctx.tenant.id, input.id, durationSeconds(input.amount, input.unit));
      if (!v) throw notFound();
      // Back on the routers its devices used, with the new time; the expiry job moves too.
      await restoreAccess(ctx.tx, ctx.tenant.id, ctx.secrets, v.id);
      await recordEvent(ctx.tx, { tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, action: "voucher.extended", details: { voucherId: v.id, amount: input.amount, unit: input.unit }, ...requestMeta(ctx) });
      return { expiresAt: v.expiresAt, durationSeconds: v.durationSeconds };
    }),

  /** Devices allowed and notes; audited with what changed. A lower limit logs nobody out. */
  modify: featureProcedure("vouchers.manage", "hotspot")
    .input(modifyInput)
    .mutation(async ({ ctx, input }) => {
      const r = await modifyVoucher(ctx.tx, ctx.tenant.id, input);
      if (!r) throw notFound();
      if (!r.ok) fail({ status: 400, fieldErrors: r.fieldErrors });
      if (r.changed.length > 0) {
        await recordEvent(ctx.tx, {
          tenantId: ctx.tenant.id,
          actorKind: "user",
          actorId: ctx.viewer.user.id,
          action: "voucher.modified",
          details: { voucherId: r.voucher.id, changed: r.changed, devicesAllowed: { from: r.before.devicesAllowed, to: r.voucher.devicesAllowed } },
          ...requestMeta(ctx),
        });
      }
      return { changed: r.changed, devicesAllowed: r.voucher.devicesAllowed, devicesUsed: r.devicesUsed, notes: r.voucher.notes };
    }),

  /**
   * Who is online with the code now, asked of each router it is on (read-only, in parallel, a
   * few seconds at most); a router that does not answer is listed as not reachable. Router names
   * only for those who may see routers.
   */
  sessions: featureProcedure("vouchers.manage", "hotspot")
    .input(byId)
    .query(async ({ ctx, input }) => {
      const r = await voucherLiveSessions(ctx.tx, ctx.tenant.id, ctx.secrets, input.id);
      if (!r) throw notFound();
      const named = ispCan(ctx.viewer.user.role, "routers.view");
      return { ...r, routers: r.routers.map((x) => ({ ...x, routerName: named ? x.routerName : null })) };
    }),

  /** Ends the code's sessions on one router through the provisioning outbox; audited. */
  logoutDevice: featureProcedure("vouchers.manage", "hotspot")
    .input(logoutInput)
    .mutation(async ({ ctx, input }) => {
      const r = await logoutVoucherDevice(ctx.tx, ctx.tenant.id, ctx.secrets, input);
      if (!r) throw notFound();
      if (!r.ok) fail({ status: 400, error: r.error });
      await recordEvent(ctx.tx, {
        tenantId: ctx.tenant.id,
        actorKind: "user",
        actorId: ctx.viewer.user.id,
        action: "voucher.device_logged_out",
        details: { voucherId: input.id, routerId: input.routerId, mac: input.mac, operationId: r.operationId },
        ...requestMeta(ctx),
      });
      return { operationId: r.operationId, routerName: ispCan(ctx.viewer.user.role, "routers.view") ? r.routerName : null };
    }),

  /** A batch's printable cards: ISP name and contact, plan, codes in the order generated. */
  batchCards: featureProcedure("vouchers.manage", "hotspot")
    .input(z.object({ id: z.uuid("Not a valid batch.") }))
    .query(async ({ ctx, input }) => {
      const r = await batchCards(ctx.tx, ctx.tenant.id, input.id);
      if (!r) throw new TRPCError({ code: "NOT_FOUND", message: "That batch does not exist." });
      return r;
    }),

  setDisabled: featureProcedure("vouchers.manage", "hotspot")
    .input(byId.extend({ disabled: z.boolean() }))
    .mutation(async ({ ctx, input }) => {
      const v = await setVoucherDisabled(ctx.tx, ctx.tenant.id, input.id, input.disabled);
      if (!v) throw notFound();
      if (input.disabled) await revokeAccess(ctx.tx, ctx.tenant.id, ctx.secrets, v.id);
      else await restoreAccess(ctx.tx, ctx.tenant.id, ctx.secrets, v.id);
      await recordEvent(ctx.tx, { tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, action: input.disabled ? "voucher.disabled" : "voucher.enabled", details: { voucherId: v.id }, ...requestMeta(ctx) });
      return { ok: true as const };
    }),

  exported: featureProcedure("vouchers.manage", "hotspot")
    .input(z.object({ format: z.enum(["csv", "xlsx", "cards"]), rows: z.number().int().min(0), batchId: z.uuid().optional() }))
    .mutation(async ({ ctx, input }) => {
      await recordEvent(ctx.tx, { tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, action: `export.${input.format}`, details: { what: "vouchers", rows: input.rows, batchId: input.batchId }, ...requestMeta(ctx) });
      return { ok: true as const };
    }),
});
