import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { tenants } from "../../../db/schema";
import { enterTenant } from "../../../db/client";
import { createTRPCRouter, platformPermissionProcedure, fail } from "../init";
import { nowOf, requestMeta, siteUrl } from "../../context";
import { listTenants, tenantDetail, tenantStatusCounts, platformAudit, platformAdmins, TENANT_STATUSES } from "../../services/console";
import { endImpersonationsFromConsole, startImpersonation } from "../../services/impersonation";
import { sendSupportMessage, supportInbox, supportThread, markSupportRead } from "../../services/support";
import { recordEvent } from "../../services/audit";
import { renameTenant, setTenantHold } from "../../services/tenant-standing";

const adminName = (u: { fullName: string; username: string }) => u.fullName || u.username;

/** The platform console on admin.APP_DOMAIN: ISPs, impersonation, support inbox, the platform's audit trail. */
export const consoleRouter = createTRPCRouter({
  tenants: platformPermissionProcedure("tenants.view")
    .input(
      z
        .object({
          q: z.string().trim().max(100).optional(),
          status: z.enum(TENANT_STATUSES).optional(),
          sort: z.enum(["newest", "name", "revenue", "activity"]).default("newest"),
        })
        .default({ sort: "newest" }),
    )
    .query(async ({ ctx, input }) => {
      // One transaction, one connection: its queries run one after the other.
      const now = nowOf(ctx);
      const rows = await listTenants(ctx.tx, { q: input.q || undefined, status: input.status, sort: input.sort }, now);
      return { rows, counts: await tenantStatusCounts(ctx.tx, now) };
    }),

  tenant: platformPermissionProcedure("tenants.view")
    .input(z.object({ id: z.uuid() }))
    .query(async ({ ctx, input }) => {
      const d = await tenantDetail(ctx.tx, input.id, nowOf(ctx));
      if (!d) throw new TRPCError({ code: "NOT_FOUND", message: "No such ISP." });
      // Reading one ISP's own rows (owner's contact, its activity) is itself audited (design §4).
      await recordEvent(ctx.tx, { action: "console.tenant_viewed", actorKind: "platform_user", actorId: ctx.viewer.user.id, details: { tenantId: input.id, slug: d.tenant.slug }, ...requestMeta(ctx) });
      return d;
    }),

  /** Suspends, blocks or restores an ISP's dashboard by hand, with a reason (never its customers). */
  setHold: platformPermissionProcedure("tenants.manage")
    .input(z.record(z.string(), z.unknown()))
    .mutation(async ({ ctx, input }) => {
      const r = await setTenantHold(ctx.tx, { id: ctx.viewer.user.id, ...requestMeta(ctx) }, input, nowOf(ctx));
      if (!r.ok) fail(r);
      return { status: r.status };
    }),

  /** Renames an ISP (its registered business name). */
  rename: platformPermissionProcedure("tenants.manage")
    .input(z.record(z.string(), z.unknown()))
    .mutation(async ({ ctx, input }) => {
      const r = await renameTenant(ctx.tx, { id: ctx.viewer.user.id, ...requestMeta(ctx) }, input);
      if (!r.ok) fail(r);
      return { businessName: r.businessName };
    }),

  /** Starts an impersonation; the caller sends the browser to `url` (the ISP's host) at once. */
  impersonate: platformPermissionProcedure("tenants.impersonate")
    .input(z.object({ tenantId: z.uuid(), reason: z.string().max(2000) }))
    .mutation(async ({ ctx, input }) => {
      const r = await startImpersonation(ctx.tx, { id: ctx.viewer.user.id, name: adminName(ctx.viewer.user) }, input, requestMeta(ctx));
      if (!r.ok) fail(r);
      return { url: siteUrl(ctx.env, r.slug, `/impersonate?token=${encodeURIComponent(r.token)}`), expiresAt: r.expiresAt, id: r.id };
    }),

  /** Ends a visit from the console: the ISP-side session stops on its next request. */
  endImpersonation: platformPermissionProcedure("tenants.impersonate")
    .input(z.object({ impersonationId: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      const n = await endImpersonationsFromConsole(ctx.tx, { impersonationId: input.impersonationId }, "console");
      if (n === 0) throw new TRPCError({ code: "CONFLICT", message: "That visit has already ended." });
      return { ended: n };
    }),

  audit: platformPermissionProcedure("audit.view")
    .input(z.object({ adminId: z.uuid().optional(), limit: z.number().int().min(1).max(500).default(200) }).default({ limit: 200 }))
    .query(async ({ ctx, input }) => ({ events: await platformAudit(ctx.tx, input), admins: await platformAdmins(ctx.tx) })),

  supportInbox: platformPermissionProcedure("support.chat").query(async ({ ctx }) => {
    const threads = await supportInbox(ctx.tx);
    return { threads, unread: threads.reduce((n, t) => n + t.unread, 0) };
  }),

  /** One ISP's thread; opening it marks the ISP's messages read by the platform. */
  supportThread: platformPermissionProcedure("support.chat")
    .input(z.object({ tenantId: z.uuid() }))
    .query(async ({ ctx, input }) => {
      const [tenant] = await ctx.tx.select({ id: tenants.id, slug: tenants.slug, businessName: tenants.businessName, status: tenants.status }).from(tenants).where(eq(tenants.id, input.tenantId));
      if (!tenant) throw new TRPCError({ code: "NOT_FOUND", message: "No such ISP." });
      await enterTenant(ctx.tx, tenant.id);
      await markSupportRead(ctx.tx, tenant.id, "platform");
      return { tenant, ...(await supportThread(ctx.tx, tenant.id)) };
    }),

  supportReply: platformPermissionProcedure("support.chat")
    .input(z.object({ tenantId: z.uuid(), body: z.string().max(10_000, "Keep it under 2,000 characters.") }))
    .mutation(async ({ ctx, input }) => {
      const [tenant] = await ctx.tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, input.tenantId));
      if (!tenant) throw new TRPCError({ code: "NOT_FOUND", message: "No such ISP." });
      await enterTenant(ctx.tx, tenant.id);
      const r = await sendSupportMessage(ctx.tx, tenant.id, { side: "platform", id: ctx.viewer.user.id, name: adminName(ctx.viewer.user) }, input.body, requestMeta(ctx));
      if (!r.ok) fail(r);
      return { id: r.id };
    }),
});
