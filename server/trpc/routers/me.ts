import { createTRPCRouter, publicProcedure } from "../init";

export const meRouter = createTRPCRouter({
  /** Who is signed in on this host, and which interface the host is. */
  get: publicProcedure.query(({ ctx }) => ({
    site: ctx.site.kind === "tenant" ? { kind: "tenant" as const, slug: ctx.site.tenant.slug, businessName: ctx.site.tenant.businessName } : { kind: ctx.site.kind },
    user: ctx.viewer ? { kind: ctx.viewer.kind, ...ctx.viewer.user } : null,
  })),
});
