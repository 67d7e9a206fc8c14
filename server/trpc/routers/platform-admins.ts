import { z } from "zod";
import { createTRPCRouter, platformPermissionProcedure, fail } from "../init";
import { requestMeta, siteUrl, nowOf } from "../../context";
import * as admins from "../../services/platform-admins";
import type { TrpcContext } from "../init";
import type { Viewer } from "../../context";

const byId = z.object({ adminId: z.uuid("Not a valid console admin.") });

function actorOf(ctx: { viewer: Extract<Viewer, { kind: "platform_user" }> }): admins.AdminActor {
  return { id: ctx.viewer.user.id, name: ctx.viewer.user.fullName || ctx.viewer.user.username };
}

const consoleUrl = (ctx: TrpcContext) => siteUrl(ctx.env, "admin");

function unwrap<T>(r: admins.AdminResult<T>): T {
  if (!r.ok) fail(r);
  return r.value;
}

/** The console's own people (super admins by default: `admins.manage`): invitations, roles, disabling. */
export const platformAdminsRouter = createTRPCRouter({
  list: platformPermissionProcedure("admins.manage").query(async ({ ctx }) => ({ admins: await admins.listAdmins(ctx.tx, nowOf(ctx)), me: ctx.viewer.user.id })),

  invite: platformPermissionProcedure("admins.manage")
    .input(z.object({ fullName: z.string().max(1000), username: z.string().max(1000), email: z.string().max(1000), role: z.string().max(100) }))
    .mutation(async ({ ctx, input }) => unwrap(await admins.inviteAdmin(ctx.tx, actorOf(ctx), input as z.input<typeof admins.inviteAdminInput>, consoleUrl(ctx), requestMeta(ctx), nowOf(ctx)))),

  resendInvite: platformPermissionProcedure("admins.manage")
    .input(byId)
    .mutation(async ({ ctx, input }) => unwrap(await admins.resendAdminInvite(ctx.tx, actorOf(ctx), input.adminId, consoleUrl(ctx), requestMeta(ctx), nowOf(ctx)))),

  changeRole: platformPermissionProcedure("admins.manage")
    .input(byId.extend({ role: z.string().max(100) }))
    .mutation(async ({ ctx, input }) => unwrap(await admins.changeAdminRole(ctx.tx, actorOf(ctx), input.adminId, input.role, requestMeta(ctx)))),

  resetTwoFactor: platformPermissionProcedure("admins.manage")
    .input(byId)
    .mutation(async ({ ctx, input }) => unwrap(await admins.resetAdminTwoFactor(ctx.tx, actorOf(ctx), input.adminId, requestMeta(ctx)))),

  setActive: platformPermissionProcedure("admins.manage")
    .input(byId.extend({ active: z.boolean() }))
    .mutation(async ({ ctx, input }) => unwrap(await admins.setAdminActive(ctx.tx, actorOf(ctx), input.adminId, input.active, requestMeta(ctx), nowOf(ctx)))),
});
