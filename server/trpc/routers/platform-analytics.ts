import { z } from "zod";
import { createTRPCRouter, platformPermissionProcedure } from "../init";
import { nowOf, requestMeta } from "../../context";
import { platformAnalytics } from "../../services/platform-analytics";
import { recordEvent } from "../../services/audit";

/** The console's Analytics page: MRR, ARR, ISPs by phase, growth and churn, revenue by tier, usage. */
export const platformAnalyticsRouter = createTRPCRouter({
  overview: platformPermissionProcedure("billing.view").query(({ ctx }) => platformAnalytics(ctx.tx, nowOf(ctx))),

  /** The monthly table was downloaded (exports are audited, decision 7). */
  exported: platformPermissionProcedure("billing.view")
    .input(z.object({ format: z.enum(["csv", "xlsx"]), rows: z.number().int().min(0) }))
    .mutation(async ({ ctx, input }) => {
      await recordEvent(ctx.tx, { action: "export.platform_analytics", actorKind: "platform_user", actorId: ctx.viewer.user.id, details: input, ...requestMeta(ctx) });
    }),
});
