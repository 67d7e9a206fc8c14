import { z } from "zod";
import { and, desc, eq, lt } from "drizzle-orm";
import { auditEvents } from "../../../db/schema";
import { createTRPCRouter, tenantAdminProcedure } from "../init";

export const activityRouter = createTRPCRouter({
  /** The ISP's own audit trail, newest first (RLS already limits it to this tenant). */
  recent: tenantAdminProcedure
    .input(z.object({ before: z.number().int().positive().optional(), limit: z.number().int().min(1).max(200).default(50) }).default({ limit: 50 }))
    .query(async ({ ctx, input }) => {
      const where = and(eq(auditEvents.tenantId, ctx.tenant.id), input.before ? lt(auditEvents.id, input.before) : undefined);
      return ctx.tx.select().from(auditEvents).where(where).orderBy(desc(auditEvents.id)).limit(input.limit);
    }),
});
