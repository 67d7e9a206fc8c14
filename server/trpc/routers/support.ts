import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { createTRPCRouter, tenantProcedure, fail } from "../init";
import { requestMeta } from "../../context";
import { ispCan } from "../../../policies/permissions";
import { markSupportRead, sendSupportMessage, supportThread, supportUnread } from "../../services/support";

/**
 * The ISP's side of the support chat. Open even while the dashboard is closed (a suspended ISP
 * must still be able to reach mnetifi), but only to confirmed accounts whose role has support.chat.
 */
const supportProcedure = tenantProcedure.use(({ ctx, next }) => {
  if (!ctx.viewer.user.emailVerified) throw new TRPCError({ code: "FORBIDDEN", message: "Confirm your email address first: open the link we emailed you." });
  if (!ispCan(ctx.viewer.user.role, "support.chat")) throw new TRPCError({ code: "FORBIDDEN", message: "Your role does not allow this. Ask your ISP's owner." });
  return next();
});

export const supportRouter = createTRPCRouter({
  /** The thread; reading it marks mnetifi's replies read (not while mnetifi itself is viewing as the ISP). */
  thread: supportProcedure.query(async ({ ctx }) => {
    if (!ctx.viewer.impersonation) await markSupportRead(ctx.tx, ctx.tenant.id, "isp");
    return supportThread(ctx.tx, ctx.tenant.id);
  }),

  unread: supportProcedure.query(({ ctx }) => supportUnread(ctx.tx, ctx.tenant.id, "isp")),

  send: supportProcedure.input(z.object({ body: z.string().max(10_000, "Keep it under 2,000 characters.") })).mutation(async ({ ctx, input }) => {
    if (ctx.viewer.impersonation) throw new TRPCError({ code: "FORBIDDEN", message: "You are viewing this ISP from the console: answer from the console's Support inbox instead." });
    const u = ctx.viewer.user;
    const r = await sendSupportMessage(ctx.tx, ctx.tenant.id, { side: "isp", id: u.id, name: u.fullName || u.username }, input.body, requestMeta(ctx));
    if (!r.ok) fail(r);
    return { id: r.id };
  }),
});
