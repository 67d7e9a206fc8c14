import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { createTRPCRouter, tenantProcedure, billingProcedure, fail, type TrpcContext } from "../init";
import { nowOf, requestMeta, siteUrl } from "../../context";
import { billingOverview, chooseTier, withBilling, getInvoice, getPayment, type BillingActor, type BillingLinks } from "../../services/billing/subscriptions";
import { mpesaInUse, platformSenderNow } from "../../services/platform-senders";
import { startBillingStk, billingPaymentState, type BillingMpesaDeps } from "../../services/billing/platform-mpesa";
import { entitlements, FEATURE_LABELS } from "../../services/billing/tiers";
import { dashboardBlock } from "../../services/billing/state";
import { loadBillingRow } from "../../services/billing/state";
import type { Viewer } from "../../context";
import { withPlatform } from "../../../db/client";
import { platformSettings } from "../../../db/schema";

const byId = z.object({ id: z.uuid("Not a valid id.") });

function actorOf(ctx: TrpcContext & { viewer: Extract<Viewer, { kind: "user" }> }): BillingActor {
  const meta = requestMeta(ctx);
  return { kind: "user", id: ctx.viewer.user.id, requestId: meta.requestId, ip: meta.ip, userAgent: meta.userAgent };
}

const billingLinks = (ctx: TrpcContext): BillingLinks => ({ billingUrl: (slug) => siteUrl(ctx.env, slug, "/dashboard/billing") });

/** The platform's M-Pesa account in use now: saved in the console, else the environment's. */
export async function billingDeps(ctx: TrpcContext): Promise<BillingMpesaDeps> {
  const { mpesa } = await platformSenderNow(ctx.db, (row) => mpesaInUse(row, ctx.secrets, ctx.integrations), ctx.requestId);
  return { db: ctx.db, daraja: ctx.integrations.daraja, credentials: mpesa, publicBaseUrl: ctx.env.PUBLIC_BASE_URL, links: billingLinks(ctx) };
}

/** An ISP's own subscription: where it stands, choosing a tier, paying by M-Pesa, its invoices. */
export const billingRouter = createTRPCRouter({
  /** For every signed-in user of the ISP (the header, the menu): phase, due date, features. */
  summary: tenantProcedure.query(async ({ ctx }) => {
    const now = nowOf(ctx);
    const ent = await entitlements(ctx.tx, ctx.tenant.id, now);
    const row = await loadBillingRow(ctx.tx, ctx.tenant.id);
    return {
      phase: ent.status.phase,
      dueAt: ent.status.dueAt,
      tier: ent.tier ? { id: ent.tier.id, name: ent.tier.name } : null,
      features: [...ent.features],
      featureLabels: FEATURE_LABELS,
      closed: dashboardBlock(row, ctx.viewer.user.emailVerified, now),
    };
  }),

  overview: billingProcedure("billing.manage").query(({ ctx }) => billingOverview(ctx.tx, ctx.tenant.id, nowOf(ctx))),

  /** Picks the plan to pay for: issues its invoice (the current plan stays until it is paid in full). */
  chooseTier: billingProcedure("billing.manage")
    .input(z.object({ tierId: z.string().max(40).optional(), service: z.string().max(20).optional().nullable() }))
    .mutation(async ({ ctx, input }) => {
      const now = nowOf(ctx);
      const r = await withBilling(ctx.db, ctx.tenant.id, actorOf(ctx), (tx) =>
        chooseTier(tx, ctx.tenant.id, actorOf(ctx), { tierId: input.tierId ?? "", service: (input.service || null) as "hotspot" | "pppoe" | null }, now, billingLinks(ctx)),
      );
      if (!r.ok) fail(r);
      return { invoiceId: r.invoice.id, number: r.invoice.number, status: r.invoice.status };
    }),

  /** An STK push for the open invoice's balance to the platform's paybill. */
  pay: billingProcedure("billing.manage")
    .input(z.object({ phone: z.string().max(30) }))
    .mutation(async ({ ctx, input }) => {
      const r = await startBillingStk(await billingDeps(ctx), ctx.tenant.id, actorOf(ctx), { phone: input.phone }, nowOf(ctx));
      if (!r.ok) {
        if (r.fieldErrors) fail({ status: 400, fieldErrors: r.fieldErrors });
        throw new TRPCError({ code: r.status === 502 ? "BAD_REQUEST" : "CONFLICT", message: r.error ?? "M-Pesa refused the request." });
      }
      return { paymentId: r.paymentId };
    }),

  paymentStatus: billingProcedure("billing.manage")
    .input(byId)
    .query(async ({ ctx, input }) => {
      const state = await billingPaymentState(ctx.tx, ctx.tenant.id, input.id);
      if (!state) throw new TRPCError({ code: "NOT_FOUND", message: "No such payment." });
      const row = await loadBillingRow(ctx.tx, ctx.tenant.id);
      return { ...state, dashboardOpen: dashboardBlock(row, true, nowOf(ctx)) === null };
    }),

  /** What an invoice or receipt PDF shows. */
  document: billingProcedure("billing.manage")
    .input(z.object({ kind: z.enum(["invoice", "receipt"]), id: z.uuid("Not a valid id.") }))
    .query(async ({ ctx, input }) => {
      // How to pay by bank or PayPal is the platform's setting (not readable in an ISP's context).
      const [settings] = await withPlatform(ctx.db, { actorKind: "system", requestId: ctx.requestId }, (tx) => tx.select({ instructions: platformSettings.paymentInstructions }).from(platformSettings));
      const isp = { businessName: ctx.tenant.businessName, slug: ctx.tenant.slug, timezone: ctx.tenant.timezone };
      const instructions = settings?.instructions ?? "";
      if (input.kind === "invoice") {
        const invoice = await getInvoice(ctx.tx, ctx.tenant.id, input.id);
        if (!invoice) throw new TRPCError({ code: "NOT_FOUND", message: "No such invoice." });
        return { kind: "invoice" as const, isp, instructions, invoice, payment: null };
      }
      const payment = await getPayment(ctx.tx, ctx.tenant.id, input.id);
      if (!payment || payment.status !== "paid") throw new TRPCError({ code: "NOT_FOUND", message: "No such receipt." });
      const invoice = await getInvoice(ctx.tx, ctx.tenant.id, payment.invoiceId);
      return { kind: "receipt" as const, isp, instructions, invoice: invoice!, payment };
    }),
});
