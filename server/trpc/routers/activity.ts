import { z } from "zod";
import { and, desc, eq, gte, lt, like, or } from "drizzle-orm";
import { auditEvents, users } from "../../../db/schema";
import { createTRPCRouter, ispProcedure } from "../init";
import { recordEvent } from "../../services/audit";
import { requestMeta } from "../../context";

export const activityFilter = z.object({
  userId: z.uuid().optional(),
  /** An action or its family: "auth" matches auth.login, auth.locked...; "zones" matches row changes of zones. */
  action: z.string().trim().max(60).regex(/^[a-z0-9_.]*$/, "Not an action name.").optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  before: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(1000).default(100),
});

/** The ISP's own audit trail (RLS limits it to this tenant), newest first, with who did it. */
export const activityRouter = createTRPCRouter({
  recent: ispProcedure("audit.view")
    .input(activityFilter.default({ limit: 100 }))
    .query(async ({ ctx, input }) => {
      const action = input.action
        ? or(eq(auditEvents.action, input.action), like(auditEvents.action, `${input.action}.%`), eq(auditEvents.tableName, input.action))
        : undefined;
      const rows = await ctx.tx
        .select({ event: auditEvents, actorName: users.fullName, actorUsername: users.username })
        .from(auditEvents)
        .leftJoin(users, and(eq(users.tenantId, auditEvents.tenantId), eq(users.id, auditEvents.actorId)))
        .where(
          and(
            eq(auditEvents.tenantId, ctx.tenant.id),
            input.userId ? eq(auditEvents.actorId, input.userId) : undefined,
            action,
            input.from ? gte(auditEvents.occurredAt, input.from) : undefined,
            input.to ? lt(auditEvents.occurredAt, input.to) : undefined,
            input.before ? lt(auditEvents.id, input.before) : undefined,
          ),
        )
        .orderBy(desc(auditEvents.id))
        .limit(input.limit);
      return rows.map((r) => ({ ...r.event, actorName: r.actorName || r.actorUsername || null }));
    }),

  /** Records that the log was exported (exports are audited too). */
  exported: ispProcedure("audit.view")
    .input(z.object({ format: z.enum(["csv", "xlsx"]), rows: z.number().int().min(0) }))
    .mutation(async ({ ctx, input }) => {
      await recordEvent(ctx.tx, { action: "export.activity", tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, details: input, ...requestMeta(ctx) });
    }),
});
