import { z } from "zod";
import { and, desc, eq, lt } from "drizzle-orm";
import { auditEvents, users } from "../../../db/schema";
import { createTRPCRouter, tenantAdminProcedure } from "../init";

export const activityRouter = createTRPCRouter({
  /** The ISP's own audit trail, newest first, with who did it (RLS limits it to this tenant). */
  recent: tenantAdminProcedure
    .input(z.object({ before: z.number().int().positive().optional(), limit: z.number().int().min(1).max(200).default(50) }).default({ limit: 50 }))
    .query(async ({ ctx, input }) => {
      const where = and(eq(auditEvents.tenantId, ctx.tenant.id), input.before ? lt(auditEvents.id, input.before) : undefined);
      const rows = await ctx.tx
        .select({ event: auditEvents, actorName: users.fullName, actorUsername: users.username })
        .from(auditEvents)
        .leftJoin(users, and(eq(users.tenantId, auditEvents.tenantId), eq(users.id, auditEvents.actorId)))
        .where(where)
        .orderBy(desc(auditEvents.id))
        .limit(input.limit);
      return rows.map((r) => ({ ...r.event, actorName: r.actorName || r.actorUsername || null }));
    }),
});
