import { initTRPC, TRPCError } from "@trpc/server";
import { z } from "zod";
import { withTenant, withPlatform, withImpersonator, type Tx } from "../../db/client";
import { recordEvent } from "../services/audit";
import type { AppContext, Viewer } from "../context";
import { ispCan, platformCan, type IspPermission, type PlatformPermission } from "../../policies/permissions";
import { dashboardBlock } from "../services/billing/state";
import { checkTier, type GateCheck } from "../services/billing/tiers";
import { nowOf } from "../context";

export type TrpcContext = AppContext & { viewer: Viewer | null; request: Request };

/** Field-level problems found by a service (not by zod), carried as a TRPCError's cause. */
export class FieldErrors extends Error {
  constructor(public fieldErrors: Record<string, string[] | undefined>) {
    super(Object.values(fieldErrors).flat().filter(Boolean).join(" "));
  }
}

const STATUS_CODES = { 400: "BAD_REQUEST", 401: "UNAUTHORIZED", 403: "FORBIDDEN", 404: "NOT_FOUND", 409: "CONFLICT", 429: "TOO_MANY_REQUESTS" } as const;

/** Turns a service's { ok: false, status, error, fieldErrors } into the matching TRPCError. */
export function fail(r: { status: keyof typeof STATUS_CODES; error?: string; fieldErrors?: Record<string, string[] | undefined> }): never {
  throw new TRPCError({
    code: STATUS_CODES[r.status],
    message: r.error ?? (r.fieldErrors ? Object.values(r.fieldErrors).flat().filter(Boolean).join(" ") : "Request refused."),
    cause: r.fieldErrors ? new FieldErrors(r.fieldErrors) : undefined,
  });
}

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
        fieldErrors: zodError ? z.flattenError(zodError).fieldErrors : error.cause instanceof FieldErrors ? error.cause.fieldErrors : undefined,
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
  withTenant(
    ctx.db,
    ctx.viewer.tenantId,
    { userId: ctx.viewer.user.id, actorKind: "user", impersonatorId: ctx.viewer.impersonation?.adminId, requestId: ctx.requestId, ip: ctx.ip, userAgent: ctx.userAgent },
    fn,
  ),
);
const platformTx = inTransaction<TrpcContext & { viewer: Extract<Viewer, { kind: "platform_user" }> }>((ctx, fn) =>
  withPlatform(ctx.db, { userId: ctx.viewer.user.id, actorKind: "platform_user", requestId: ctx.requestId, ip: ctx.ip, userAgent: ctx.userAgent }, fn),
);

/**
 * An ISP user signed in on their own ISP's host; runs in that tenant's transaction. While a
 * platform admin is viewing the ISP (impersonation), everything the procedure does, including
 * transactions opened by the services it calls, is audited with the admin as impersonator, and
 * each change made (every mutation) is recorded as an impersonation.action event.
 */
export const tenantProcedure = t.procedure.use(async ({ ctx, next, type, path }) => {
  if (ctx.site.kind !== "tenant") throw new TRPCError({ code: "NOT_FOUND", message: "No ISP at this address." });
  const viewer = ctx.viewer;
  if (!viewer || viewer.kind !== "user" || viewer.tenantId !== ctx.site.tenant.id) {
    throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  }
  const tenant = ctx.site.tenant;
  const imp = viewer.impersonation;
  return withImpersonator(imp?.adminId, () =>
    tenantTx({ ...ctx, viewer }, async (tx) => {
      const res = await next({ ctx: { ...ctx, viewer, tenant, tx } });
      if (imp && res.ok && type === "mutation") {
        await recordEvent(tx, { action: "impersonation.action", tenantId: tenant.id, actorKind: "user", actorId: viewer.user.id, impersonatorId: imp.adminId, details: { impersonationId: imp.id, procedure: path, admin: imp.adminName }, ip: ctx.ip, userAgent: ctx.userAgent, requestId: ctx.requestId });
      }
      return res;
    }),
  );
});

/**
 * The signed-in person's own credentials and sessions (password, two-step verification, sign
 * out everywhere): refused while a platform admin is viewing the ISP as its owner.
 */
export const ownAccountProcedure = tenantProcedure.use(({ ctx, next }) => {
  if (ctx.viewer.impersonation) throw new TRPCError({ code: "FORBIDDEN", message: "Not while viewing this ISP from the mnetifi console: only the account's owner can change their own sign-in." });
  return next();
});

/** Why an ISP's dashboard is closed to its users right now, or null when it is open (billing/state.ts). */
export { dashboardBlock };

/**
 * An ISP user allowed `permission` by the role matrix (policies/permissions.ts), with a
 * confirmed email, on an ISP whose dashboard is open. Every ISP feature procedure uses this.
 */
export function ispProcedure(permission: IspPermission) {
  return tenantProcedure.use(({ ctx, next }) => {
    const blocked = dashboardBlock(ctx.viewer.billing, ctx.viewer.user.emailVerified, nowOf(ctx));
    if (blocked) throw new TRPCError({ code: "FORBIDDEN", message: blocked });
    if (!ispCan(ctx.viewer.user.role, permission)) {
      throw new TRPCError({ code: "FORBIDDEN", message: "Your role does not allow this. Ask your ISP's owner." });
    }
    return next();
  });
}

/**
 * An ISP procedure that also needs a feature of the ISP's tier: the tier gate
 * (server/services/billing/tiers.ts) refuses with a clear reason otherwise.
 */
export function featureProcedure(permission: IspPermission, feature: GateCheck) {
  return ispProcedure(permission).use(async ({ ctx, next }) => {
    const gate = await checkTier(ctx.tx, ctx.tenant.id, feature, { now: nowOf(ctx) });
    if (!gate.ok) throw new TRPCError({ code: "FORBIDDEN", message: gate.reason });
    return next();
  });
}

/**
 * An ISP user allowed `permission`, with a confirmed email, whether or not the dashboard is
 * closed for non-payment: the billing procedures (the payment page is how it opens again).
 */
export function billingProcedure(permission: IspPermission) {
  return tenantProcedure.use(({ ctx, next }) => {
    if (!ctx.viewer.user.emailVerified) throw new TRPCError({ code: "FORBIDDEN", message: "Confirm your email address first: open the link we emailed you." });
    if (!ispCan(ctx.viewer.user.role, permission)) throw new TRPCError({ code: "FORBIDDEN", message: "Only the ISP's owner can manage the subscription." });
    return next();
  });
}

/** A platform user signed in on admin.APP_DOMAIN; runs in the platform context. */
export const platformProcedure = t.procedure.use(async ({ ctx, next }) => {
  if (ctx.site.kind !== "admin") throw new TRPCError({ code: "NOT_FOUND", message: "Not found." });
  const viewer = ctx.viewer;
  if (!viewer || viewer.kind !== "platform_user") throw new TRPCError({ code: "UNAUTHORIZED", message: "Sign in to continue." });
  return platformTx({ ...ctx, viewer }, (tx) => next({ ctx: { ...ctx, viewer, tx } }));
});

/** A platform user allowed `permission` by the platform role matrix. */
export function platformPermissionProcedure(permission: PlatformPermission) {
  return platformProcedure.use(({ ctx, next }) => {
    if (!platformCan(ctx.viewer.user.role, permission)) throw new TRPCError({ code: "FORBIDDEN", message: "Your console role does not allow this." });
    return next();
  });
}
