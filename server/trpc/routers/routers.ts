import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { routers } from "../../../db/schema";
import { createTRPCRouter, ispProcedure, fail } from "../init";
import { routerInput, checkRouter, checkFields, listRouters, getRouterRow, credentialsOf, routerVerified } from "../../services/routers";
import { latestSamples, routerHistory } from "../../services/router-monitoring";
import { listOperations, operationCounts, retryOperations, scheduleDriftRepair } from "../../services/provisioning";
import { recordEvent } from "../../services/audit";
import { requestMeta } from "../../context";
import { isUniqueViolation } from "../../../db/errors";

const byId = z.object({ id: z.uuid("Not a valid router.") });

/**
 * The ISP's MikroTik routers. Adding one tests the connection first; a router that fails the
 * test is saved as "not verified" with the reason, never silently as working.
 */
export const routersRouter = createTRPCRouter({
  /** Every router with its live status, latest sample and waiting/failed operations. */
  list: ispProcedure("routers.view").query(async ({ ctx }) => {
    const [rows, samples, ops] = await Promise.all([listRouters(ctx.tx, ctx.tenant.id), latestSamples(ctx.tx, ctx.tenant.id), operationCounts(ctx.tx, ctx.tenant.id)]);
    return rows.map((r) => ({ ...r, latest: samples.get(r.id) ?? null, operations: ops.get(r.id) ?? { pending: 0, failed: 0 } }));
  }),

  /** One router: its details, monitoring history (charts) and provisioning operations. */
  detail: ispProcedure("routers.view")
    .input(byId.extend({ hours: z.coerce.number().int().min(1).max(24 * 7).default(24) }))
    .query(async ({ ctx, input }) => {
      const row = await getRouterRow(ctx.tx, ctx.tenant.id, input.id);
      if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "That router does not exist." });
      const { passwordEnc: _sealed, ...router } = row;
      const since = new Date(Date.now() - input.hours * 3_600_000);
      const [history, operations] = await Promise.all([routerHistory(ctx.tx, ctx.tenant.id, input.id, since), listOperations(ctx.tx, ctx.tenant.id, input.id)]);
      return { router, history, operations };
    }),

  /** Changes a router; new credentials (address, port, TLS, user or password) are tested first. */
  update: ispProcedure("routers.manage")
    .input(z.record(z.string(), z.unknown()))
    .mutation(async ({ ctx, input }) => {
      const id = z.uuid().safeParse(input.id);
      if (!id.success) throw new TRPCError({ code: "NOT_FOUND", message: "That router does not exist." });
      const row = await getRouterRow(ctx.tx, ctx.tenant.id, id.data);
      if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "That router does not exist." });
      const parsed = routerInput.safeParse(input);
      if (!parsed.success) fail({ status: 400, fieldErrors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]> });
      const v = parsed.data;
      const password = v.password ? v.password : ctx.secrets.decrypt(row.passwordEnc);
      const credentialsChanged = v.host !== row.host || v.apiPort !== row.apiPort || v.tls !== row.tls || v.username !== row.username || !!v.password;
      const check = credentialsChanged ? await checkRouter({ host: v.host, port: v.apiPort, username: v.username, password, tls: v.tls }) : null;
      try {
        await ctx.tx
          .update(routers)
          .set({
            name: v.name,
            host: v.host,
            apiPort: v.apiPort,
            tls: v.tls,
            username: v.username,
            ...(v.password ? { passwordEnc: ctx.secrets.encrypt(v.password) } : {}),
            zoneId: v.zoneId || null,
            location: v.location,
            notes: v.notes,
            // New credentials that fail keep the router "not verified" until they work.
            ...(check ? (check.ok ? checkFields(check) : { ...checkFields(check), status: "unverified" as const }) : {}),
          })
          .where(and(eq(routers.tenantId, ctx.tenant.id), eq(routers.id, row.id)));
      } catch (err) {
        if (isUniqueViolation(err)) fail({ status: 409, fieldErrors: { name: ["You already have a router with this name."] } });
        throw err;
      }
      if (check?.ok) await routerVerified(ctx.tx, ctx.tenant.id, row.id, ctx.secrets);
      return { id: row.id, check };
    }),

  /** Puts failed or skipped operations back in the router's queue. */
  retryOperations: ispProcedure("routers.manage")
    .input(byId)
    .mutation(async ({ ctx, input }) => {
      const row = await getRouterRow(ctx.tx, ctx.tenant.id, input.id);
      if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "That router does not exist." });
      const n = await retryOperations(ctx.tx, ctx.tenant.id, input.id);
      await recordEvent(ctx.tx, { tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, action: "router.operations_retried", details: { routerId: input.id, count: n }, ...requestMeta(ctx) });
      return { retried: n };
    }),

  /** Queues a drift repair now (it also runs every 15 minutes). */
  repairDrift: ispProcedure("routers.manage")
    .input(byId)
    .mutation(async ({ ctx, input }) => {
      const row = await getRouterRow(ctx.tx, ctx.tenant.id, input.id);
      if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "That router does not exist." });
      await scheduleDriftRepair(ctx.tx, input.id);
      await recordEvent(ctx.tx, { tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, action: "router.drift_repair_requested", details: { routerId: input.id }, ...requestMeta(ctx) });
      return { queued: true as const };
    }),

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
        if (check.ok) await routerVerified(ctx.tx, ctx.tenant.id, row!.id, ctx.secrets);
        return { id: row!.id, check };
      } catch (err) {
        if (isUniqueViolation(err)) fail({ status: 409, fieldErrors: { name: ["You already have a router with this name."] } });
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
      if (check.ok) await routerVerified(ctx.tx, ctx.tenant.id, input.id, ctx.secrets);
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
