import { z } from "zod";
import { eq } from "drizzle-orm";
import { platformSettings } from "../../../db/schema";
import { createTRPCRouter, platformPermissionProcedure, fail } from "../init";
import { nowOf, requestMeta, siteUrl } from "../../context";
import { saveTier, FEATURE_LABELS, TIER_FEATURES } from "../../services/billing/tiers";
import { currentMrr } from "../../services/platform-analytics";
import { recordManualPayment } from "../../services/billing/subscriptions";
import { recordEvent } from "../../services/audit";
import { mpesaInUse, platformSenderIn } from "../../services/platform-senders";

export const platformSettingsInput = z.object({
  trialHours: z.coerce.number({ error: "Enter the trial length in hours." }).int("Whole hours only.").min(1, "At least 1 hour.").max(2160, "At most 90 days (2160 hours)."),
  reminderDays: z
    .string()
    .trim()
    .transform((v, ctx) => {
      const days = v ? v.split(/[\s,]+/).filter(Boolean).map(Number) : [];
      if (days.some((d) => !Number.isInteger(d) || d < 1 || d > 60)) ctx.addIssue({ code: "custom", message: "Whole days between 1 and 60, separated by commas, e.g. 3, 1." });
      if (days.length > 5) ctx.addIssue({ code: "custom", message: "At most 5 reminders." });
      return [...new Set(days)].sort((a, b) => b - a);
    }),
  paymentInstructions: z.string().trim().max(500, "Keep the instructions under 500 characters.").default(""),
});

/** The console's SaaS billing: MRR, tiers and prices, trial length, payments recorded by hand. */
export const platformBillingRouter = createTRPCRouter({
  summary: platformPermissionProcedure("billing.view").query(async ({ ctx }) => {
    const now = nowOf(ctx);
    const { mrrCents, byTier, counts, isps, tiers } = await currentMrr(ctx.tx, now);
    const [settings] = await ctx.tx.select().from(platformSettings).where(eq(platformSettings.id, 1));
    return {
      mrrCents,
      byTier,
      counts: { paying: counts.paying, trial: counts.trial, lapsed: counts.lapsed, unbilled: counts.unbilled, pending: counts.pending, suspended: counts.suspended + counts.blocked },
      isps,
      tiers,
      featureLabels: FEATURE_LABELS,
      features: TIER_FEATURES,
      settings: settings ? { trialHours: settings.trialHours, reminderDays: settings.reminderDays, paymentInstructions: settings.paymentInstructions } : null,
      /** Whether ISPs can pay by STK push: an M-Pesa account saved in the console or in the environment. */
      platformMpesa: (await platformSenderIn(ctx.tx, (row) => mpesaInUse(row, ctx.secrets, ctx.integrations))).source !== "none",
    };
  }),

  saveTier: platformPermissionProcedure("billing.manage")
    .input(z.record(z.string(), z.unknown()))
    .mutation(async ({ ctx, input }) => {
      const r = await saveTier(ctx.tx, { userId: ctx.viewer.user.id, ...requestMeta(ctx) }, input as never);
      if (!r.ok) fail({ status: 400, fieldErrors: r.fieldErrors });
      return { id: r.tier.id };
    }),

  saveSettings: platformPermissionProcedure("settings.manage")
    .input(z.record(z.string(), z.unknown()))
    .mutation(async ({ ctx, input }) => {
      const parsed = platformSettingsInput.safeParse(input);
      if (!parsed.success) fail({ status: 400, fieldErrors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]> });
      const v = parsed.data;
      const [before] = await ctx.tx.select().from(platformSettings).where(eq(platformSettings.id, 1));
      await ctx.tx.update(platformSettings).set({ trialHours: v.trialHours, reminderDays: v.reminderDays, paymentInstructions: v.paymentInstructions, updatedAt: new Date() }).where(eq(platformSettings.id, 1));
      await recordEvent(ctx.tx, {
        action: "billing.settings_changed",
        actorKind: "platform_user",
        actorId: ctx.viewer.user.id,
        details: { before: before ? { trialHours: before.trialHours, reminderDays: before.reminderDays, paymentInstructions: before.paymentInstructions } : null, after: v },
        ...requestMeta(ctx),
      });
      return { ok: true };
    }),

  /** A bank transfer, PayPal payment or M-Pesa code paid outside the STK push, with its reference. */
  recordPayment: platformPermissionProcedure("billing.manage")
    .input(z.record(z.string(), z.unknown()))
    .mutation(async ({ ctx, input }) => {
      const meta = requestMeta(ctx);
      const r = await recordManualPayment(ctx.db, { kind: "platform_user", id: ctx.viewer.user.id, ...meta }, input as never, nowOf(ctx), { billingUrl: (slug) => siteUrl(ctx.env, slug, "/dashboard/billing") });
      if (!r.ok) fail(r);
      return { receipt: r.payment.receiptNumber, invoice: r.invoice.number, activated: r.activated, paidUntil: r.invoice.periodEnd };
    }),
});
