import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { routers } from "../../../db/schema";
import { createTRPCRouter, ispProcedure, fail } from "../init";
import { routerInput, checkRouter, checkFields, listRouters, getRouterRow, credentialsOf } from "../../services/routers";

const byId = z.object({ id: z.uuid("Not a valid router.") });

function isUnique(err: unknown) {
  const e = err as { code?: string; cause?: { code?: string } };
  return e?.code === "23505" || e?.cause?.code === "23505";
}

/**
 * The ISP's MikroTik routers. Adding one tests the connection first; a router that fails the
 * test is saved as "not verified" with the reason, never silently as working.
 */
export const routersRouter = createTRPCRouter({
  list: ispProcedure("routers.view").query(({ ctx }) => listRouters(ctx.tx, ctx.tenant.id)),

  add: ispProcedure("routers.manage")
    .input(z.record(z.string(), z.unknown()))
    .mutation(async ({ ctx, input }) => {
      const parsed = routerInput.safeParse(input);
      if (!parsed.success) fail({ status: 400, fieldErrors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]> });
      const v = parsed.data;
      if (!v.password) fail({ status: 400, fieldErrors: { password: ["Enter the API user's password."] } });
      const check = await checkRouter({ host: v.host, port: v.apiPort, username: v.username, password: v.password, tls: v.tls });
      try {
        const [row] = await ctx.tx
          .insert(routers)
          .values({
            tenantId: ctx.tenant.id,
            name: v.name,
            host: v.host,
            apiPort: v.apiPort,
            tls: v.tls,
            username: v.username,
            passwordEnc: ctx.secrets.encrypt(v.password),
            zoneId: v.zoneId || null,
            location: v.location,
            notes: v.notes,
            ...checkFields(check),
          })
          .returning({ id: routers.id });
        return { id: row!.id, check };
      } catch (err) {
        if (isUnique(err)) fail({ status: 409, fieldErrors: { name: ["You already have a router with this name."] } });
        throw err;
      }
    }),

  /** Test the saved connection again (after fixing the router, or to refresh its details). */
  test: ispProcedure("routers.manage")
    .input(byId)
    .mutation(async ({ ctx, input }) => {
      const row = await getRouterRow(ctx.tx, ctx.tenant.id, input.id);
      if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "That router does not exist." });
      const check = await checkRouter(credentialsOf(row, ctx.secrets));
      await ctx.tx.update(routers).set(checkFields(check)).where(and(eq(routers.tenantId, ctx.tenant.id), eq(routers.id, input.id)));
      return check;
    }),

  remove: ispProcedure("routers.manage")
    .input(byId)
    .mutation(async ({ ctx, input }) => {
      const gone = await ctx.tx.delete(routers).where(and(eq(routers.tenantId, ctx.tenant.id), eq(routers.id, input.id))).returning({ id: routers.id });
      if (!gone.length) throw new TRPCError({ code: "NOT_FOUND", message: "That router does not exist." });
      return { ok: true as const };
    }),
});
