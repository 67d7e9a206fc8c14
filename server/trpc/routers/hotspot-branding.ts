import { createTRPCRouter, featureProcedure } from "../init";
import { requestMeta } from "../../context";
import { recordEvent } from "../../services/audit";
import { portalPage } from "../../services/hotspot/portal";
import { ensureMessagingSettings } from "../../services/messaging/settings";
import { brandingInput, getBranding, saveBranding, LOGO_MAX_BYTES, LOGO_MAX_PIXELS, TAGLINE_MAX, TERMS_MAX } from "../../services/hotspot/branding";
import { contrastWarnings } from "../../../app/components/portal-ui";

// The captive portal's branding: colours, tagline, terms and logo (server/services/hotspot/branding.ts).
// Reading and changing it both need "hotspot.manage" (policies/permissions.ts). Every save is an
// event in the audit trail (what changed, what happened to the logo, any contrast warnings) as
// well as a row change from the hotspot_settings trigger.

export const hotspotBrandingRouter = createTRPCRouter({
  /**
   * The saved branding, plus what the preview needs to look like the real portal: the business
   * name (the portal's title), the contact line, the messaging tagline used when the portal's own
   * is empty, and the plans on sale.
   */
  get: featureProcedure("hotspot.manage", "hotspot").query(async ({ ctx }) => {
    const branding = await getBranding(ctx.tx, ctx.tenant.id);
    const page = await portalPage(ctx.tx, ctx.tenant.id);
    const messaging = await ensureMessagingSettings(ctx.tx, ctx.tenant.id);
    return {
      branding,
      warnings: contrastWarnings(branding.colors),
      businessName: page.branding.businessName || ctx.tenant.businessName,
      contactPhone: page.branding.contactPhone,
      messagingTagline: messaging.tagline,
      plans: page.plans,
      limits: { logoMaxBytes: LOGO_MAX_BYTES, logoMaxPixels: LOGO_MAX_PIXELS, taglineMax: TAGLINE_MAX, termsMax: TERMS_MAX },
    };
  }),

  /** Saves what was sent (missing fields stay as they are); contrast problems are warnings, not refusals. */
  save: featureProcedure("hotspot.manage", "hotspot")
    .input(brandingInput)
    .mutation(async ({ ctx, input }) => {
      const r = await saveBranding(ctx.tx, ctx.tenant.id, input);
      if (r.changed.length > 0) {
        await recordEvent(ctx.tx, {
          tenantId: ctx.tenant.id,
          actorKind: "user",
          actorId: ctx.viewer.user.id,
          action: "hotspot.branding_saved",
          details: {
            changed: r.changed,
            ...(r.logo === "uploaded" && input.logo ? { logo: { type: input.logo.type, bytes: input.logo.bytes, width: input.logo.width, height: input.logo.height } } : {}),
            ...(r.logo === "removed" ? { logo: "removed" } : {}),
            ...(r.warnings.length ? { warnings: r.warnings } : {}),
          },
          ...requestMeta(ctx),
        });
      }
      return r;
    }),
});
