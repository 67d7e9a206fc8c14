import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { and, desc, eq, gte, inArray, isNull, lt, sql, type SQL } from "drizzle-orm";
import { payments, mpesaCallbacks, mpesaExchanges } from "../../../db/schema";
import { createTRPCRouter, ispProcedure } from "../init";
import { requestMeta, type AppContext } from "../../context";
import { recordEvent } from "../../services/audit";
import * as pay from "../../services/payments";
import { paymentPurposes } from "../../services/payments/purposes";
import { normalizeKenyanPhone } from "../../services/phones";
import { viewMpesaSettings, saveMpesaSettings, loadDarajaAccount, callbackUrls, mpesaSettingsInput } from "../../services/mpesa-settings";
import { mpesaSettings } from "../../../db/schema";
import { DarajaError } from "../../integrations/mpesa";

const STATUSES = ["pending", "paid", "failed", "cancelled", "timeout", "unmatched", "verifying"] as const;

export const paymentFilter = z.object({
  status: z.enum(STATUSES).optional(),
  method: z.enum(["stk", "c2b", "manual"]).optional(),
  phone: z.string().trim().max(20).optional(),
  receipt: z.string().trim().max(20).optional(),
  from: z.coerce.date().optional(),
  to: z.coerce.date().optional(),
  limit: z.number().int().min(1).max(5000).default(100),
});

function filterWhere(tenantId: string, f: z.infer<typeof paymentFilter>) {
  const phone = f.phone ? normalizeKenyanPhone(f.phone) ?? f.phone.replace(/\D/g, "") : null;
  const parts: Array<SQL | undefined> = [
    eq(payments.tenantId, tenantId),
    f.status ? eq(payments.status, f.status) : undefined,
    f.method ? eq(payments.method, f.method) : undefined,
    phone ? eq(payments.phone, phone) : undefined,
    f.receipt ? eq(payments.mpesaReceipt, f.receipt.toUpperCase()) : undefined,
    f.from ? gte(payments.createdAt, f.from) : undefined,
    f.to ? lt(payments.createdAt, f.to) : undefined,
  ];
  return and(...parts);
}

const deps = (ctx: AppContext): pay.PaymentDeps => ({ db: ctx.db, daraja: ctx.integrations.daraja, secrets: ctx.secrets, publicBaseUrl: ctx.env.PUBLIC_BASE_URL });

/** The ISP's M-Pesa: settings, payments, exceptions, reconciliation. */
export const paymentsRouter = createTRPCRouter({
  settings: ispProcedure("settings.manage").query(async ({ ctx }) => {
    const view = await viewMpesaSettings(ctx.tx, ctx.tenant.id, ctx.secrets);
    const [row] = await ctx.tx.select({ token: mpesaSettings.callbackToken }).from(mpesaSettings).where(eq(mpesaSettings.tenantId, ctx.tenant.id));
    return { ...view, callbackUrls: row ? callbackUrls(ctx.env.PUBLIC_BASE_URL, row.token) : null };
  }),

  saveSettings: ispProcedure("settings.manage")
    .input(z.record(z.string(), z.string().optional()))
    .mutation(async ({ ctx, input }) => saveMpesaSettings(ctx.tx, ctx.tenant.id, ctx.secrets, input as z.input<typeof mpesaSettingsInput>)),

  testCredentials: ispProcedure("settings.manage").mutation(async ({ ctx }) => {
    const account = await loadDarajaAccount(ctx.tx, ctx.tenant.id, ctx.secrets);
    if (!account) return { ok: false as const, reason: "Save your Daraja credentials first." };
    const result = await ctx.integrations.daraja.testCredentials(account.credentials);
    await ctx.tx.update(mpesaSettings).set({ lastTestAt: new Date(), lastTestOk: result.ok ? "ok" : result.reason }).where(eq(mpesaSettings.tenantId, ctx.tenant.id));
    await recordEvent(ctx.tx, { action: "mpesa.credentials_tested", tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, details: { ok: result.ok }, ...requestMeta(ctx) });
    return result;
  }),

  registerC2b: ispProcedure("settings.manage").mutation(async ({ ctx }) => {
    const account = await loadDarajaAccount(ctx.tx, ctx.tenant.id, ctx.secrets);
    if (!account) return { ok: false as const, reason: "Save your Daraja credentials first." };
    const urls = callbackUrls(ctx.env.PUBLIC_BASE_URL, account.callbackToken);
    try {
      await ctx.integrations.daraja.registerC2bUrls(account.credentials, { confirmationUrl: urls.c2bConfirmation, validationUrl: urls.c2bValidation, responseType: "Completed" });
    } catch (err) {
      const reason = err instanceof DarajaError ? err.message : "M-Pesa could not be reached.";
      return { ok: false as const, reason };
    }
    await ctx.tx.update(mpesaSettings).set({ c2bRegisteredAt: new Date() }).where(eq(mpesaSettings.tenantId, ctx.tenant.id));
    await recordEvent(ctx.tx, { action: "mpesa.c2b_registered", tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, ...requestMeta(ctx) });
    return { ok: true as const };
  }),

  /** A real STK push to the ISP's own phone, to see the whole chain work. */
  testPayment: ispProcedure("settings.manage")
    .input(z.object({ phone: z.string().max(20), amount: z.coerce.number().int().min(1).max(1000) }))
    .mutation(async ({ ctx, input }) => {
      const r = await pay.startStkPayment(deps(ctx), ctx.tenant.id, { userId: ctx.viewer.user.id, actorKind: "user", requestId: ctx.requestId }, {
        phone: input.phone,
        amountShillings: input.amount,
        purpose: "test",
        accountReference: "TEST",
        description: "Test payment",
      });
      return r.ok ? { ok: true as const, paymentId: r.payment.id } : { ok: false as const, error: r.error };
    }),

  list: ispProcedure("payments.view")
    .input(paymentFilter.default({ limit: 100 }))
    .query(async ({ ctx, input }) => {
      const where = filterWhere(ctx.tenant.id, input);
      const rows = await ctx.tx.select().from(payments).where(where).orderBy(desc(payments.createdAt)).limit(input.limit);
      const [totals] = await ctx.tx
        .select({
          count: sql<number>`count(*)::int`,
          paidCount: sql<number>`count(*) filter (where ${payments.status} = 'paid')::int`,
          paidCents: sql<number>`coalesce(sum(${payments.paidAmountCents}) filter (where ${payments.status} = 'paid'), 0)::bigint`,
          pendingCount: sql<number>`count(*) filter (where ${payments.status} in ('pending', 'verifying'))::int`,
          problemCount: sql<number>`count(*) filter (where ${payments.status} in ('failed', 'cancelled', 'timeout', 'unmatched'))::int`,
        })
        .from(payments)
        .where(where);
      return { rows, totals: { ...totals!, paidCents: Number(totals!.paidCents) } };
    }),

  /** Money received per day (tenant's timezone), for the overview chart. */
  daily: ispProcedure("payments.view")
    .input(z.object({ days: z.number().int().min(1).max(92).default(14) }).default({ days: 14 }))
    .query(async ({ ctx, input }) => {
      const tz = ctx.tenant.timezone;
      const res = await ctx.tx.execute<{ day: string; cents: string; count: number }>(sql`
        with days as (
          select generate_series((now() at time zone ${tz})::date - (${input.days}::int - 1), (now() at time zone ${tz})::date, interval '1 day')::date as day
        )
        select to_char(d.day, 'YYYY-MM-DD') as day,
               coalesce(sum(p.paid_amount_cents), 0)::bigint as cents,
               count(p.id)::int as count
          from days d
          left join payments p on p.tenant_id = ${ctx.tenant.id} and p.status = 'paid'
                              and (p.paid_at at time zone ${tz})::date = d.day
         group by d.day order by d.day`);
      return res.rows.map((r) => ({ day: r.day, shillings: Number(r.cents) / 100, count: Number(r.count) }));
    }),

  byId: ispProcedure("payments.view")
    .input(z.object({ id: z.uuid("Not a valid payment.") }))
    .query(async ({ ctx, input }) => {
      const [p] = await ctx.tx.select().from(payments).where(and(eq(payments.tenantId, ctx.tenant.id), eq(payments.id, input.id)));
      if (!p) throw new TRPCError({ code: "NOT_FOUND", message: "That payment does not exist." });
      const callbacks = await ctx.tx
        .select()
        .from(mpesaCallbacks)
        .where(and(eq(mpesaCallbacks.tenantId, ctx.tenant.id), p.checkoutRequestId || p.mpesaReceipt ? inArray(mpesaCallbacks.reference, [p.checkoutRequestId, p.mpesaReceipt].filter((x): x is string => Boolean(x))) : eq(mpesaCallbacks.paymentId, p.id)))
        .orderBy(mpesaCallbacks.receivedAt);
      const exchanges = await ctx.tx.select().from(mpesaExchanges).where(and(eq(mpesaExchanges.tenantId, ctx.tenant.id), eq(mpesaExchanges.paymentId, p.id))).orderBy(mpesaExchanges.at);
      return { payment: p, callbacks, exchanges };
    }),

  /** Callbacks that need a look (duplicates, unknown ids, mismatches, bad bodies) and unmatched money. */
  exceptions: ispProcedure("payments.view").query(async ({ ctx }) => {
    const callbacks = await ctx.tx
      .select({ id: mpesaCallbacks.id, kind: mpesaCallbacks.kind, receivedAt: mpesaCallbacks.receivedAt, outcome: mpesaCallbacks.outcome, detail: mpesaCallbacks.detail, reference: mpesaCallbacks.reference, paymentId: mpesaCallbacks.paymentId, raw: sql<string>`left(${mpesaCallbacks.raw}, 400)` })
      .from(mpesaCallbacks)
      .where(and(eq(mpesaCallbacks.tenantId, ctx.tenant.id), inArray(mpesaCallbacks.outcome, [...pay.EXCEPTION_OUTCOMES]), isNull(mpesaCallbacks.resolvedAt)))
      .orderBy(desc(mpesaCallbacks.receivedAt))
      .limit(200);
    const unmatched = await ctx.tx.select().from(payments).where(and(eq(payments.tenantId, ctx.tenant.id), eq(payments.status, "unmatched"))).orderBy(desc(payments.createdAt)).limit(200);
    return { callbacks, unmatched, purposes: paymentPurposes().map(([name, h]) => ({ name, label: h.label })).filter((p) => p.name !== "test") };
  }),

  acknowledge: ispProcedure("payments.manage")
    .input(z.object({ callbackId: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      const rows = await ctx.tx
        .update(mpesaCallbacks)
        .set({ resolvedAt: new Date(), resolvedBy: ctx.viewer.user.id })
        .where(and(eq(mpesaCallbacks.tenantId, ctx.tenant.id), eq(mpesaCallbacks.id, input.callbackId)))
        .returning({ id: mpesaCallbacks.id });
      if (!rows.length) throw new TRPCError({ code: "NOT_FOUND", message: "No such exception." });
      await recordEvent(ctx.tx, { action: "mpesa.exception_acknowledged", tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, details: input, ...requestMeta(ctx) });
      return { ok: true as const };
    }),

  manual: ispProcedure("payments.manage")
    .input(z.object({ receipt: z.string().max(20), amount: z.coerce.number(), phone: z.string().max(20).optional(), note: z.string().trim().max(200).optional() }))
    .mutation(async ({ ctx, input }) => {
      const r = await pay.recordManualPayment(ctx.tx, ctx.tenant.id, ctx.viewer.user.id, { receipt: input.receipt, amountShillings: input.amount, purpose: "other", purposeRef: input.note || null, phone: input.phone || null });
      if (!r.ok) return r;
      await recordEvent(ctx.tx, { action: "mpesa.manual_payment_recorded", tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, details: { paymentId: r.payment.id, receipt: r.payment.mpesaReceipt }, ...requestMeta(ctx) });
      return { ok: true as const, paymentId: r.payment.id };
    }),

  assign: ispProcedure("payments.manage")
    .input(z.object({ paymentId: z.uuid(), purpose: z.string().max(40), reference: z.string().trim().max(200).optional() }))
    .mutation(async ({ ctx, input }) => {
      const r = await pay.assignPayment(ctx.tx, ctx.tenant.id, input.paymentId, input.purpose, input.reference || null);
      if (!r.ok) throw new TRPCError({ code: "BAD_REQUEST", message: r.error });
      await recordEvent(ctx.tx, { action: "mpesa.payment_assigned", tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, details: input, ...requestMeta(ctx) });
      return r;
    }),

  retry: ispProcedure("payments.manage")
    .input(z.object({ paymentId: z.uuid() }))
    .mutation(async ({ ctx, input }) => {
      const r = await pay.retryPayment(ctx.tx, ctx.tenant.id, input.paymentId);
      if (!r.ok) throw new TRPCError({ code: "BAD_REQUEST", message: r.error });
      await recordEvent(ctx.tx, { action: "mpesa.payment_retried", tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, details: input, ...requestMeta(ctx) });
      return r;
    }),

  exported: ispProcedure("payments.view")
    .input(z.object({ format: z.enum(["csv", "xlsx"]), rows: z.number().int().min(0) }))
    .mutation(async ({ ctx, input }) => {
      await recordEvent(ctx.tx, { action: "export.payments", tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, details: input, ...requestMeta(ctx) });
    }),
});
