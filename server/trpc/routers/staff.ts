import { z } from "zod";
import { createTRPCRouter, ispProcedure, fail } from "../init";
import { requestMeta, siteUrl } from "../../context";
import * as staff from "../../services/staff";
import type { TrpcContext } from "../init";
import type { TenantInfo } from "../../services/hosts";
import type { Viewer } from "../../context";

const byId = z.object({ userId: z.uuid("Not a valid person.") });

function actorOf(ctx: { viewer: Extract<Viewer, { kind: "user" }> }): staff.StaffActor {
  return { id: ctx.viewer.user.id, role: ctx.viewer.user.role, name: ctx.viewer.user.fullName || ctx.viewer.user.username };
}

function tenantUrl(ctx: TrpcContext & { tenant: TenantInfo }) {
  return siteUrl(ctx.env, ctx.tenant.slug);
}

function unwrap<T>(r: staff.StaffResult<T>): T {
  if (!r.ok) fail(r);
  return r.value;
}

/** The ISP's team: invitations, roles, deactivation. */
export const staffRouter = createTRPCRouter({
  list: ispProcedure("staff.view").query(({ ctx }) => staff.listStaff(ctx.tx, ctx.tenant.id)),

  invite: ispProcedure("staff.manage")
    .input(z.object({ fullName: z.string(), email: z.string(), role: z.string() }))
    .mutation(async ({ ctx, input }) => unwrap(await staff.inviteStaff(ctx.tx, ctx.tenant, actorOf(ctx), input as never, tenantUrl(ctx), requestMeta(ctx)))),

  resendInvite: ispProcedure("staff.manage")
    .input(byId)
    .mutation(async ({ ctx, input }) => unwrap(await staff.resendInvite(ctx.tx, ctx.tenant, actorOf(ctx), input.userId, tenantUrl(ctx), requestMeta(ctx)))),

  changeRole: ispProcedure("staff.manage")
    .input(byId.extend({ role: z.string().max(30) }))
    .mutation(async ({ ctx, input }) => unwrap(await staff.changeRole(ctx.tx, ctx.tenant, actorOf(ctx), input.userId, input.role, requestMeta(ctx)))),

  setActive: ispProcedure("staff.manage")
    .input(byId.extend({ active: z.boolean() }))
    .mutation(async ({ ctx, input }) => unwrap(await staff.setActive(ctx.tx, ctx.tenant, actorOf(ctx), input.userId, input.active, requestMeta(ctx)))),
});
