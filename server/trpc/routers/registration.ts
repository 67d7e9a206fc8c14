import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { createTRPCRouter, publicProcedure, fail } from "../init";
import { registerIsp, slugAvailability } from "../../services/registration";
import { requestMeta, siteUrl } from "../../context";

const onPublicSite = publicProcedure.use(({ ctx, next }) => {
  if (ctx.site.kind !== "public") throw new TRPCError({ code: "NOT_FOUND", message: "Registration is on the main site." });
  return next();
});

export const registrationRouter = createTRPCRouter({
  /** Shown while the subdomain is typed. */
  slugAvailable: onPublicSite.input(z.object({ slug: z.string().max(64) })).query(({ ctx, input }) => slugAvailability(ctx.db, input.slug)),

  register: onPublicSite
    .input(z.object({ businessName: z.string(), slug: z.string(), username: z.string(), email: z.string(), password: z.string(), confirmPassword: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const r = await registerIsp(ctx.db, input, requestMeta(ctx), (slug) => siteUrl(ctx.env, slug));
      if (!r.ok) fail(r);
      return r;
    }),
});
