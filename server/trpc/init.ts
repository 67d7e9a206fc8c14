import { initTRPC, TRPCError } from "@trpc/server";
import { z } from "zod";
import { withTenant, withPlatform, type Tx } from "../../db/client";
import type { AppContext, Viewer } from "../context";

export type TrpcContext = AppContext & { viewer: Viewer | null; request: Request };

const t = initTRPC.context<TrpcContext>().create({
  errorFormatter({ shape, error }) {
    const zodError = error.cause instanceof z.ZodError ? error.cause : null;
    return {
      ...shape,
      // A readable reason instead of the raw list of zod issues.
      message: zodError ? zodError.issues.map((i) => (i.path.length ? `${i.path.join(".")}: ${i.message}` : i.message)).join("; ") : shape.message,
      data: {
        ...shape.data,
        // Field errors for forms: { fieldName: ["message"] }.
        fieldErrors: zodError ? z.flattenError(zodError).fieldErrors : undefined,
      },
    };
  },
});

export const createTRPCRouter = t.router;
export const createCallerFactory = t.createCallerFactory;
export const publicProcedure = t.procedure;

/**
 * Runs the procedure in one transaction with the tenant's RLS context. A failed procedure
 * (thrown error or !ok result) rolls the transaction back: tRPC middlewares return errors as
 * results instead of throwing, so we rethrow to make drizzle roll back (design §4).
 */
function inTransaction<C>(open: (ctx: C, fn: (tx: Tx) => Promise<unknown>) => Promise<unknown>) {
  return async <R extends { ok: boolean }>(ctx: C, next: (tx: Tx) => Promise<R>): Promise<R> => {
    let result: R | undefined;
    const rollback = new Error("rollback");
    try {
      await open(ctx, async (tx) => {
        result = await next(tx);
        if (!result.ok) throw rollback;
      });
    } catch (err) {
      if (err !== rollback) throw err;
    }
    return result!;
  };
}

const tenantTx = inTransaction<TrpcContext & { viewer: Extract<Viewer, { kind: "user" }> }>((ctx, fn) =>
  withTenant(ctx.db, ctx.viewer.tenantId, { userId: ctx.viewer.user.id, actorKind: "user", requestId: ctx.requestId, ip: ctx.ip }, fn),
);
const platformTx = inTransaction<TrpcContext & { viewer: Extract<Viewer, { kind: "platform_user" }> }>((ctx, fn) =>
  withPlatform(ctx.db, { userId: ctx.viewer.user.id, actorKind: "platform_user", requestId: ctx.requestId, ip: ctx.ip }, fn),
);

/** An ISP user signed in on their own ISP's host; runs in that tenant's transaction. */
export const tenantProcedure = t.procedure.use(async ({ ctx, next }) => {
  if (ctx.site.kind !== "tenant") throw new TRPCError({ code: "NOT_FOUND", message: "No ISP at this address." });
  const viewer = ctx.viewer;
  if (!viewer || viewer.kind !== "user" || viewer.tenantId !== ctx.site.tenant.id) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  }
  const tenant = ctx.site.tenant;
  return tenantTx({ ...ctx, viewer }, (tx) => next({ ctx: { ...ctx, viewer, tenant, tx } }));
});

/** Roles allowed to manage the ISP's settings and staff. */
export const tenantAdminProcedure = tenantProcedure.use(({ ctx, next }) => {
  if (!["owner", "admin"].includes(ctx.viewer.user.role)) {
    throw new TRPCError({ code: "FORBIDDEN", message: "Only the ISP's owner or an admin can do this." });
  }
  return next();
});

/** A platform user signed in on admin.APP_DOMAIN; runs in the platform context. */
export const platformProcedure = t.procedure.use(async ({ ctx, next }) => {
  if (ctx.site.kind !== "admin") throw new TRPCError({ code: "NOT_FOUND", message: "Not found." });
  const viewer = ctx.viewer;
  if (!viewer || viewer.kind !== "platform_user") throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  return platformTx({ ...ctx, viewer }, (tx) => next({ ctx: { ...ctx, viewer, tx } }));
});
