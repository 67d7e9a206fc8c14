import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { createTRPCRouter, ispProcedure } from "../init";
import { getRouterRow } from "../../services/routers";
import { recordEvent } from "../../services/audit";
import { requestMeta } from "../../context";
import {
  ROUTER_API_USER,
  buildLoginHtml,
  buildSetupScript,
  hotspotPortal,
  parseAllowedAddresses,
  rotateRouterCredentials,
  setupScriptFilename,
} from "../../services/router-onboarding";

const byId = z.object({ id: z.uuid("Not a valid router.") });
const notFound = () => new TRPCError({ code: "NOT_FOUND", message: "That router does not exist." });

/** A RouterOS user name mnetifi may take over; never the router's own admin. */
const apiUsername = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, "Letters, digits, dots, hyphens and underscores only.")
  .refine((n) => n.toLowerCase() !== "admin", "Not the router's admin user: mnetifi restricts the user it sets up.");

function allowedAddresses(raw: string) {
  try {
    return parseAllowedAddresses(raw);
  } catch (err) {
    throw new TRPCError({ code: "INTERNAL_SERVER_ERROR", message: (err as Error).message });
  }
}

/**
 * Router onboarding (docs/decisions/0010-router-onboarding-credentials.md): the setup script,
 * which rotates the router's API password, and the hotspot login.html.
 */
export const routerSetupRouter = createTRPCRouter({
  /** What the setup page shows before anything is generated. */
  info: ispProcedure("routers.view")
    .input(byId)
    .query(async ({ ctx, input }) => {
      const row = await getRouterRow(ctx.tx, ctx.tenant.id, input.id);
      if (!row) throw notFound();
      const portal = hotspotPortal(ctx.env, ctx.tenant.slug);
      return {
        router: { id: row.id, name: row.name, host: row.host, apiPort: row.apiPort, tls: row.tls, username: row.username, status: row.status, lastError: row.lastError, verifiedAt: row.verifiedAt },
        portal,
        allowedAddresses: allowedAddresses(ctx.env.ROUTER_API_ALLOWED_ADDRESS),
        apiUser: ROUTER_API_USER,
        scriptFilename: setupScriptFilename(row.name),
      };
    }),

  /**
   * Rotates the router's API credentials and returns the script that installs them. The
   * password exists in clear only in this answer; the router is "not verified" until tested.
   */
  generateScript: ispProcedure("routers.manage")
    .input(byId.extend({ username: apiUsername.optional() }))
    .mutation(async ({ ctx, input }) => {
      const addresses = allowedAddresses(ctx.env.ROUTER_API_ALLOWED_ADDRESS);
      const rotated = await rotateRouterCredentials(ctx.tx, ctx.tenant.id, input.id, ctx.secrets, { username: input.username });
      if (!rotated) throw notFound();
      const { router } = rotated;
      const script = buildSetupScript({
        routerName: router.name,
        businessName: ctx.tenant.businessName,
        username: rotated.username,
        password: rotated.password,
        apiPort: router.apiPort,
        tls: router.tls,
        allowedAddresses: addresses,
        portal: hotspotPortal(ctx.env, ctx.tenant.slug),
      });
      await recordEvent(ctx.tx, {
        tenantId: ctx.tenant.id,
        actorKind: "user",
        actorId: ctx.viewer.user.id,
        action: "router.setup_script_generated",
        details: { routerId: router.id, name: router.name, username: rotated.username, allowedAddresses: addresses },
        ...requestMeta(ctx),
      });
      return { script, filename: setupScriptFilename(router.name), username: rotated.username };
    }),

  /** The hotspot login.html for this router (it carries the router's id to the portal). */
  loginHtml: ispProcedure("routers.view")
    .input(byId)
    .query(async ({ ctx, input }) => {
      const row = await getRouterRow(ctx.tx, ctx.tenant.id, input.id);
      if (!row) throw notFound();
      return { html: buildLoginHtml({ portalUrl: hotspotPortal(ctx.env, ctx.tenant.slug).url, routerId: row.id, businessName: ctx.tenant.businessName }), filename: "login.html" };
    }),
});
