// ISPs paying the platform by M-Pesa: an STK push to the platform's own paybill with the same
// Daraja client the ISPs use (platform credentials from the environment). Daraja posts the
// result to /hooks/billing/daraja/{secret}/{isp}/stk; the raw body is stored in the platform's
// inbox first (with a safety-net job), then applied: idempotent on the CheckoutRequestID and
// the M-Pesa receipt, like the ISPs' own payments (server/services/payments).
import crypto from "node:crypto";
import { and, eq, gte, isNull, sql } from "drizzle-orm";
import { billingPayments, platformMpesaCallbacks, platformSettings, tenants } from "../../../db/schema";
import { withPlatform, enterTenant, type Db, type Tx } from "../../../db/client";
import { normalizeKenyanPhone } from "../phones";
import { enqueueJob } from "../jobs";
import { parseStkCallback, stkResultMeaning, DarajaError, type DarajaClient, type DarajaCredentials } from "../../integrations/mpesa";
import { withBilling, openInvoice, markBillingPaymentPaid, type BillingActor, type BillingLinks, type BillingPayment } from "./subscriptions";
import { recordEvent } from "../audit";

export type BillingMpesaDeps = {
  db: Db;
  daraja: DarajaClient;
  /** The platform's own Daraja account; null when not configured (then only manual payments). */
  credentials: DarajaCredentials | null;
  publicBaseUrl: string;
  links?: BillingLinks;
  /** Seconds between STK status checks (tests shorten them). */
  queryDelaysS?: number[];
};

export const BILLING_STK_QUERY_DELAYS_S = [30, 30, 60, 120, 240, 480, 960, 1920, 3840];
const UNKNOWN_GRACE_MS = 2 * 60_000;
const SAFETY_NET_DELAY_S = 30;
/** A second push for the same invoice within this window is refused (double clicks). */
const PUSH_COOLDOWN_MS = 45_000;

const SYSTEM: BillingActor = { kind: "system", id: null, requestId: "daraja-billing" };

/** Words for the ISP (the payer), not for an ISP's customer. */
function payerWords(code: string): { status: "failed" | "cancelled" | "timeout"; message: string } {
  const m = stkResultMeaning(code);
  const status = m.status === "paid" ? "failed" : m.status;
  const words: Record<string, string> = {
    "1": "Not enough money in that M-Pesa account.",
    "1032": "The M-Pesa prompt was cancelled on the phone.",
    "1037": "The phone could not be reached, or the PIN was not entered in time.",
    "1019": "The M-Pesa prompt expired before it was answered.",
    "2001": "Wrong M-Pesa PIN.",
    "1001": "That phone already has an M-Pesa prompt open. Wait a minute and try again.",
  };
  return { status, message: words[code] ?? m.message.replace(/the customer/gi, "the payer") };
}

async function callbackSecret(tx: Tx) {
  const [s] = await tx.select({ secret: platformSettings.billingCallbackSecret }).from(platformSettings).where(eq(platformSettings.id, 1));
  if (!s) throw new Error("platform_settings row missing");
  return s.secret;
}

export function billingCallbackUrl(publicBaseUrl: string, secret: string, tenantId: string) {
  return `${publicBaseUrl.replace(/\/+$/, "")}/hooks/billing/daraja/${secret}/${tenantId}/stk`;
}

export type StartBillingStkResult =
  | { ok: true; paymentId: string }
  | { ok: false; status: 400 | 409 | 502; error?: string; fieldErrors?: Record<string, string[]>; paymentId?: string };

/** "Pay the open invoice from this phone": a pending payment, then the STK push to the platform's paybill. */
export async function startBillingStk(deps: BillingMpesaDeps, tenantId: string, actor: BillingActor, input: { phone: string }, now = new Date()): Promise<StartBillingStkResult> {
  if (!deps.credentials) return { ok: false, status: 409, error: "Paying by M-Pesa is not available right now. Pay by bank transfer or PayPal and send the reference to mnetifi support." };
  const phone = normalizeKenyanPhone(String(input.phone ?? ""));
  if (!phone) return { ok: false, status: 400, fieldErrors: { phone: ["Enter a Safaricom number, e.g. 0712 345 678."] } };
  const started = await withBilling(deps.db, tenantId, actor, async (tx) => {
    const invoice = await openInvoice(tx, tenantId, true);
    if (!invoice) return { error: "Choose a plan first." } as const;
    const outstanding = invoice.amountCents - invoice.paidCents;
    if (outstanding <= 0) return { error: "This invoice is already paid." } as const;
    const [recent] = await tx
      .select({ id: billingPayments.id })
      .from(billingPayments)
      .where(and(eq(billingPayments.tenantId, tenantId), eq(billingPayments.invoiceId, invoice.id), eq(billingPayments.status, "pending"), gte(billingPayments.createdAt, new Date(Date.now() - PUSH_COOLDOWN_MS))));
    if (recent) return { error: "A payment request is already on its way to your phone. Enter your M-Pesa PIN, or wait a minute to try again.", paymentId: recent.id } as const;
    const shillings = Math.ceil(outstanding / 100);
    const [p] = await tx
      .insert(billingPayments)
      .values({ tenantId, invoiceId: invoice.id, method: "mpesa_stk", status: "pending", amountCents: shillings * 100, phone, createdBy: actor.kind === "user" ? actor.id : null })
      .returning();
    await recordEvent(tx, { action: "billing.stk_started", tenantId, actorKind: actor.kind, actorId: actor.id, details: { invoice: invoice.number, amountCents: shillings * 100, phone: `${phone.slice(0, 6)}…${phone.slice(-3)}` }, requestId: actor.requestId ?? null, ip: actor.ip ?? null, userAgent: actor.userAgent ?? null });
    return { payment: p!, invoice, shillings, secret: await callbackSecret(tx) } as const;
  });
  if ("error" in started) return { ok: false, status: 409, error: started.error, paymentId: "paymentId" in started ? started.paymentId : undefined };
  const { payment, invoice, shillings, secret } = started;
  try {
    const res = await deps.daraja.stkPush(deps.credentials, {
      phone,
      amount: shillings,
      accountReference: invoice.number.slice(0, 12),
      description: "mnetifi plan",
      callbackUrl: billingCallbackUrl(deps.publicBaseUrl, secret, tenantId),
    });
    await withBilling(deps.db, tenantId, actor, async (tx, h) => {
      await tx
        .update(billingPayments)
        .set({ checkoutRequestId: res.checkoutRequestId, merchantRequestId: res.merchantRequestId })
        .where(and(eq(billingPayments.tenantId, tenantId), eq(billingPayments.id, payment.id)));
      const delays = deps.queryDelaysS ?? BILLING_STK_QUERY_DELAYS_S;
      await h.platformJob("billing_query_stk", { tenantId, paymentId: payment.id, attempt: 0 }, { runAt: new Date(Date.now() + delays[0]! * 1000), jobKey: `billing-stk-query:${payment.id}` });
      // A callback may have beaten the push's answer.
      const early = await tx
        .select({ id: platformMpesaCallbacks.id })
        .from(platformMpesaCallbacks)
        .where(and(eq(platformMpesaCallbacks.ispId, tenantId), eq(platformMpesaCallbacks.reference, res.checkoutRequestId), isNull(platformMpesaCallbacks.processedAt)));
      for (const c of early) await h.platformJob("apply_billing_callback", { callbackId: c.id });
    });
    return { ok: true, paymentId: payment.id };
  } catch (err) {
    const message = err instanceof DarajaError ? err.message : "M-Pesa could not be reached. Try again in a minute.";
    await withBilling(deps.db, tenantId, actor, (tx) =>
      tx.update(billingPayments).set({ status: "failed", failureReason: message }).where(and(eq(billingPayments.tenantId, tenantId), eq(billingPayments.id, payment.id))),
    );
    return { ok: false, status: 502, error: message, paymentId: payment.id };
  }
}

// ---------------------------------------------------------------- callbacks

/**
 * Stores what Daraja posted for an ISP's subscription payment, with the job that applies it
 * (30 s later, a safety net for the in-process attempt), in one platform transaction. Refuses
 * (null) a wrong secret or an unknown ISP. Never throws on a bad body.
 */
export async function storeBillingCallback(db: Db, secret: string, tenantId: string, received: string, meta: { ip: string | null }): Promise<string | null> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(tenantId) || !/^[0-9a-f]{64}$/.test(secret)) return null;
  const raw = received.replace(/\u0000/g, "\uFFFD").replace(/\\u0000/g, "\\uFFFD");
  let body: unknown = null;
  try {
    body = JSON.parse(raw);
  } catch {
    body = null;
  }
  const reference = (() => {
    const id = (body as { Body?: { stkCallback?: { CheckoutRequestID?: unknown } } } | null)?.Body?.stkCallback?.CheckoutRequestID;
    return typeof id === "string" || typeof id === "number" ? String(id).slice(0, 100) : null;
  })();
  return withPlatform(db, { actorKind: "system", requestId: "daraja-billing" }, async (tx) => {
    const expected = await callbackSecret(tx);
    if (expected.length !== secret.length || !crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(secret))) return null;
    const [t] = await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, tenantId));
    if (!t) return null;
    const [row] = await tx
      .insert(platformMpesaCallbacks)
      .values({ ispId: tenantId, kind: "stk", raw, body: body as object | null, reference, remoteIp: meta.ip })
      .returning({ id: platformMpesaCallbacks.id });
    await enqueueJob(tx, "apply_billing_callback", { callbackId: row!.id }, { runAt: new Date(Date.now() + SAFETY_NET_DELAY_S * 1000), maxAttempts: 8 });
    return row!.id;
  });
}

type Outcome = { outcome: string; detail?: string; paymentId?: string | null };

/** Applies one stored callback in one transaction; a processed callback is left alone. */
export async function applyBillingCallback(db: Db, callbackId: string, now = new Date(), links?: BillingLinks): Promise<Outcome | "retry"> {
  return withPlatform(db, { actorKind: "system", requestId: "daraja-billing" }, async (tx) => {
    const [cb] = await tx.select().from(platformMpesaCallbacks).where(eq(platformMpesaCallbacks.id, callbackId)).for("update");
    if (!cb || cb.processedAt) return { outcome: cb?.outcome ?? "missing" };
    await enterTenant(tx, cb.ispId);
    const result = await applyStk(tx, cb, now, links);
    await enterTenant(tx, "");
    if (result === "retry") {
      // Racing its own push (the CheckoutRequestID is being stored right now): look again soon.
      await enqueueJob(tx, "apply_billing_callback", { callbackId }, { runAt: new Date(Date.now() + 1000), jobKey: `billing-apply-soon:${callbackId}`, maxAttempts: 8 });
      return result;
    }
    await tx
      .update(platformMpesaCallbacks)
      .set({ processedAt: now, outcome: result.outcome, detail: result.detail ?? null, paymentId: result.paymentId ?? null })
      .where(eq(platformMpesaCallbacks.id, callbackId));
    return result;
  });
}

async function lockPayment(tx: Tx, tenantId: string, where: ReturnType<typeof eq>) {
  const [p] = await tx.select().from(billingPayments).where(and(eq(billingPayments.tenantId, tenantId), where)).for("update");
  return p ?? null;
}

async function applyStk(tx: Tx, cb: typeof platformMpesaCallbacks.$inferSelect, now: Date, links?: BillingLinks): Promise<Outcome | "retry"> {
  const tenantId = cb.ispId;
  const parsed = parseStkCallback(cb.body ?? cb.raw);
  if (!parsed.ok) return { outcome: "malformed", detail: parsed.error };
  const c = parsed.value;
  const p = await lockPayment(tx, tenantId, eq(billingPayments.checkoutRequestId, c.checkoutRequestId));
  if (!p) {
    if (now.getTime() - cb.receivedAt.getTime() < UNKNOWN_GRACE_MS) return "retry";
    return { outcome: "unknown_request", detail: `No subscription payment has CheckoutRequestID ${c.checkoutRequestId}.` };
  }
  if (c.resultCode !== "0") {
    if (p.status === "paid") return { outcome: "late_failure_ignored", detail: `Result ${c.resultCode} after the payment was already paid.`, paymentId: p.id };
    if (p.status !== "pending" && p.status !== "timeout") return { outcome: "duplicate", detail: `Already ${p.status}.`, paymentId: p.id };
    const w = payerWords(c.resultCode);
    await tx
      .update(billingPayments)
      .set({ status: w.status, resultCode: c.resultCode, resultDesc: c.resultDesc, failureReason: w.message })
      .where(and(eq(billingPayments.tenantId, tenantId), eq(billingPayments.id, p.id)));
    return { outcome: "applied", paymentId: p.id };
  }
  const paidCents = Math.round((c.amount ?? 0) * 100);
  if (p.status === "paid") {
    if (!p.mpesaReceipt && c.receipt && !(await receiptTaken(tx, tenantId, c.receipt, p.id))) {
      await tx.update(billingPayments).set({ mpesaReceipt: c.receipt }).where(and(eq(billingPayments.tenantId, tenantId), eq(billingPayments.id, p.id)));
      return { outcome: "applied", detail: "Receipt added to a payment confirmed by query.", paymentId: p.id };
    }
    return c.receipt && p.mpesaReceipt && c.receipt !== p.mpesaReceipt
      ? { outcome: "conflict", detail: `Second success with receipt ${c.receipt}; already paid with ${p.mpesaReceipt}.`, paymentId: p.id }
      : { outcome: "duplicate", detail: "Already applied.", paymentId: p.id };
  }
  if (!c.receipt) return { outcome: "malformed", detail: "Success without an MpesaReceiptNumber.", paymentId: p.id };
  const other = await receiptTaken(tx, tenantId, c.receipt, p.id);
  if (other) return { outcome: "duplicate_receipt", detail: `Receipt ${c.receipt} is already on payment ${other}.`, paymentId: p.id };
  // What M-Pesa says was paid counts, even if it differs from what was asked: the invoice
  // activates only once the money adds up to its amount.
  await markBillingPaymentPaid(tx, tenantId, SYSTEM, p, { paidCents, paidAt: now, mpesaReceipt: c.receipt, phone: c.phone ?? p.phone, resultDesc: c.resultDesc }, now, links);
  return { outcome: p.status === "timeout" ? "applied_late" : "applied", detail: paidCents !== p.amountCents ? `Paid KES ${paidCents / 100}, asked KES ${p.amountCents / 100}.` : undefined, paymentId: p.id };
}

async function receiptTaken(tx: Tx, tenantId: string, receipt: string, exceptId: string) {
  const [other] = await tx.select({ id: billingPayments.id }).from(billingPayments).where(and(eq(billingPayments.tenantId, tenantId), eq(billingPayments.mpesaReceipt, receipt)));
  return other && other.id !== exceptId ? other.id : null;
}

// ---------------------------------------------------------------- the STK query job (missing callbacks)

/** One look at a pending subscription payment: apply a final answer, or look again later; give up in the end. */
export async function queryBillingStk(deps: BillingMpesaDeps, tenantId: string, paymentId: string, attempt: number, now = () => new Date()) {
  const p = await withBilling(deps.db, tenantId, SYSTEM, async (tx) => {
    const [row] = await tx.select().from(billingPayments).where(and(eq(billingPayments.tenantId, tenantId), eq(billingPayments.id, paymentId)));
    return row ?? null;
  });
  if (!p || p.status !== "pending" || !p.checkoutRequestId || !deps.credentials) return;
  let answer: Awaited<ReturnType<DarajaClient["stkQuery"]>> | null = null;
  try {
    answer = await deps.daraja.stkQuery(deps.credentials, p.checkoutRequestId);
  } catch {
    answer = null; // asked again on the next attempt
  }
  await withBilling(deps.db, tenantId, SYSTEM, async (tx, h) => {
    const locked: BillingPayment | null = await lockPayment(tx, tenantId, eq(billingPayments.id, paymentId));
    if (!locked || locked.status !== "pending") return; // a callback got there first
    await tx.update(billingPayments).set({ queryAttempts: sql`${billingPayments.queryAttempts} + 1` }).where(and(eq(billingPayments.tenantId, tenantId), eq(billingPayments.id, paymentId)));
    if (answer?.state === "final") {
      if (stkResultMeaning(answer.resultCode).status === "paid") {
        await markBillingPaymentPaid(tx, tenantId, SYSTEM, locked, { paidCents: locked.amountCents, paidAt: now(), resultCode: answer.resultCode, resultDesc: answer.resultDesc }, now(), deps.links);
      } else {
        const w = payerWords(answer.resultCode);
        await tx.update(billingPayments).set({ status: w.status, resultCode: answer.resultCode, resultDesc: answer.resultDesc, failureReason: w.message }).where(and(eq(billingPayments.tenantId, tenantId), eq(billingPayments.id, paymentId)));
      }
      return;
    }
    const next = attempt + 1;
    const delays = deps.queryDelaysS ?? BILLING_STK_QUERY_DELAYS_S;
    if (next >= delays.length) {
      await tx.update(billingPayments).set({ status: "timeout", failureReason: "M-Pesa never gave a final answer. A late confirmation will still count." }).where(and(eq(billingPayments.tenantId, tenantId), eq(billingPayments.id, paymentId)));
      return;
    }
    await h.platformJob("billing_query_stk", { tenantId, paymentId, attempt: next }, { runAt: new Date(Date.now() + delays[next]! * 1000), jobKey: `billing-stk-query:${paymentId}` });
  });
}

/** Where a subscription payment stands, for the page that waits on it (ISP's own context). */
export async function billingPaymentState(tx: Tx, tenantId: string, paymentId: string) {
  if (!/^[0-9a-f-]{36}$/i.test(paymentId)) return null;
  const [p] = await tx.select().from(billingPayments).where(and(eq(billingPayments.tenantId, tenantId), eq(billingPayments.id, paymentId)));
  if (!p) return null;
  return { id: p.id, status: p.status, amountCents: p.amountCents, paidCents: p.paidCents, failureReason: p.failureReason, receiptNumber: p.receiptNumber };
}
