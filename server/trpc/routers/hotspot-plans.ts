import { z } from "zod";
import { createTRPCRouter, featureProcedure, fail } from "../init";
import { requestMeta } from "../../context";
import { recordEvent } from "../../services/audit";
import { listRouters } from "../../services/routers";
import * as plans from "../../services/hotspot/plans";
import { getHotspotSettings, saveHotspotSettings, settingsInput } from "../../services/hotspot/settings";

// Hotspot plans and the ISP's hotspot rules. Seeing them needs "vouchers.manage" (whoever sells
// vouchers must see what they sell), changing them "hotspot.manage" (policies/permissions.ts).
// Every change is recorded as an event as well as by the row triggers, and re-syncs the plans'
// profiles on the routers in the same transaction.

const byId = z.object({ id: z.uuid("That plan does not exist.") });

function unwrap<T>(r: plans.PlanResult<T>): T {
  if (!r.ok) fail(r);
  return r.value;
}

type Ctx = { tx: Parameters<typeof recordEvent>[0]; tenant: { id: string }; viewer: { user: { id: string } } } & Parameters<typeof requestMeta>[0];
const audit = (ctx: Ctx, action: string, details: Record<string, unknown>) =>
  recordEvent(ctx.tx, { tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, action, details, ...requestMeta(ctx) });

export const hotspotPlansRouter = createTRPCRouter({
  /** Every plan in display order, with how many vouchers it has and its profile name on the routers. */
  plans: featureProcedure("vouchers.manage", "hotspot").query(async ({ ctx }) => {
    const [rows, counts, routerRows] = [await plans.listPlans(ctx.tx, ctx.tenant.id), await plans.voucherCounts(ctx.tx, ctx.tenant.id), await listRouters(ctx.tx, ctx.tenant.id)];
    return {
      plans: rows.map((p) => ({ ...p, vouchers: counts.get(p.id) ?? 0, profileName: plans.planProfileName(p.id) })),
      routers: routerRows.length,
    };
  }),

  createPlan: featureProcedure("hotspot.manage", "hotspot")
    .input(plans.planInput)
    .mutation(async ({ ctx, input }) => {
      const plan = unwrap(await plans.createPlan(ctx.tx, ctx.tenant.id, ctx.secrets, input));
      await audit(ctx, "hotspot.plan_created", { planId: plan.id, name: plan.name, priceCents: plan.priceCents });
      return plan;
    }),

  updatePlan: featureProcedure("hotspot.manage", "hotspot")
    .input(plans.planUpdateInput)
    .mutation(async ({ ctx, input: { id, ...data } }) => {
      const r = unwrap(await plans.updatePlan(ctx.tx, ctx.tenant.id, ctx.secrets, id, data));
      await audit(ctx, "hotspot.plan_updated", { planId: id, name: r.plan.name, changed: r.changed });
      return r.plan;
    }),

  /** Stop or start selling a plan, or hide it from the portal, without the rest of the form. */
  setPlanAvailability: featureProcedure("hotspot.manage", "hotspot")
    .input(byId.extend({ active: z.boolean().optional(), hidden: z.boolean().optional() }))
    .mutation(async ({ ctx, input: { id, ...set } }) => {
      const plan = unwrap(await plans.setPlanAvailability(ctx.tx, ctx.tenant.id, ctx.secrets, id, set));
      await audit(ctx, "hotspot.plan_updated", { planId: id, name: plan.name, changed: Object.keys(set) });
      return plan;
    }),

  /** Refused (409, with what to do instead) once vouchers were sold or printed for the plan. */
  deletePlan: featureProcedure("hotspot.manage", "hotspot")
    .input(byId)
    .mutation(async ({ ctx, input }) => {
      const r = unwrap(await plans.deletePlan(ctx.tx, ctx.tenant.id, ctx.secrets, input.id));
      await audit(ctx, "hotspot.plan_deleted", { planId: r.id, name: r.name });
      return { ok: true as const, name: r.name };
    }),

  /** The plans in the order given (the portal's order). */
  reorderPlans: featureProcedure("hotspot.manage", "hotspot")
    .input(z.object({ ids: z.array(z.uuid("That plan does not exist.")).min(1).max(500) }))
    .mutation(async ({ ctx, input }) => {
      const r = unwrap(await plans.reorderPlans(ctx.tx, ctx.tenant.id, input.ids));
      await audit(ctx, "hotspot.plans_reordered", { order: r.ids });
      return r;
    }),

  settings: featureProcedure("vouchers.manage", "hotspot").query(({ ctx }) => getHotspotSettings(ctx.tx, ctx.tenant.id)),

  /** Saves the rules; a new idle logout is sent to every plan's profile on every router. */
  saveSettings: featureProcedure("hotspot.manage", "hotspot")
    .input(settingsInput)
    .mutation(async ({ ctx, input }) => {
      const r = await saveHotspotSettings(ctx.tx, ctx.tenant.id, input);
      const sync = r.changed.includes("idleTimeoutMinutes") ? await plans.syncPlanProfiles(ctx.tx, ctx.tenant.id, ctx.secrets) : null;
      await audit(ctx, "hotspot.settings_saved", { changed: r.changed });
      return { settings: r.settings, changed: r.changed, routersUpdated: sync ? sync.routers : 0 };
    }),
});
