import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import { payments, mpesaCallbacks, mpesaExchanges } from "../../../db/schema";
import { withTenant, type Db, type Tx, type Actor } from "../../../db/client";
import type { SecretBox } from "../secrets";
import { enqueueJob } from "../jobs";
import { normalizeKenyanPhone } from "../phones";
import { loadDarajaAccount, callbackUrls } from "../mpesa-settings";
import { paymentPurpose, paymentPurposes, type PaymentRow } from "./purposes";
import { notify } from "../messaging/notify";
import { parseStkCallback, parseC2bPayload, parseTransactionStatusResult, stkResultMeaning, DarajaError, type DarajaClient } from "../../integrations/mpesa";

export type PaymentDeps = {
  db: Db;
  daraja: DarajaClient;
  secrets: SecretBox;
  publicBaseUrl: string;
  /** Seconds between STK status checks (tests shorten them). */
  queryDelaysS?: number[];
};
export type StartResult = { ok: true; payment: PaymentRow } | { ok: false; status: 400 | 409 | 502; error: string; payment?: PaymentRow };

/** STK query schedule: first look after 30 s, then doubling, giving up after about 2 hours. */
export const STK_QUERY_DELAYS_S = [30, 30, 60, 120, 240, 480, 960, 1920, 3840];
/** A callback for a CheckoutRequestID we have not stored yet may be racing the push response. */
const UNKNOWN_GRACE_MS = 2 * 60_000;

const cents = (shillings: number) => Math.round(shillings * 100);

/** A Daraja call's raw request/response, kept for the payment's detail page. */
async function recordExchange(tx: Tx, tenantId: string, paymentId: string | null, kind: string, request: unknown, response: unknown, httpStatus: number | null, ms: number) {
  await tx.insert(mpesaExchanges).values({ tenantId, paymentId, kind, request: request as object, response: response as object, httpStatus, ms });
}

/**
 * "Charge this phone N shillings for this purpose": records a pending payment, starts an STK
 * push with the ISP's own credentials, and returns. The outcome arrives later (callback, or
 * the STK query job that is scheduled here so no payment stays pending for ever).
 */
export async function startStkPayment(
  deps: PaymentDeps,
  tenantId: string,
  actor: Actor,
  input: { phone: string; amountShillings: number; purpose: string; purposeRef?: string | null; accountReference: string; description: string },
): Promise<StartResult> {
  const phone = normalizeKenyanPhone(input.phone);
  if (!phone) return { ok: false, status: 400, error: "Enter a Safaricom number, e.g. 0712 345 678." };
  if (!Number.isInteger(input.amountShillings) || input.amountShillings < 1 || input.amountShillings > 250_000) {
    return { ok: false, status: 400, error: "The amount must be whole shillings between 1 and 250,000." };
  }
  if (!paymentPurpose(input.purpose)) return { ok: false, status: 400, error: `Unknown payment purpose "${input.purpose}".` };
  const started = await withTenant(deps.db, tenantId, actor, async (tx) => {
    const account = await loadDarajaAccount(tx, tenantId, deps.secrets);
    if (!account) return null;
    const [payment] = await tx
      .insert(payments)
      .values({
        tenantId,
        method: "stk",
        status: "pending",
        purpose: input.purpose,
        purposeRef: input.purposeRef ?? null,
        amountCents: cents(input.amountShillings),
        phone,
        accountReference: input.accountReference.slice(0, 12),
        createdBy: actor.userId ?? null,
      })
      .returning();
    return { account, payment: payment! };
  });
  if (!started) return { ok: false, status: 409, error: "M-Pesa is not set up for this ISP yet." };
  const { account, payment } = started;

  const t0 = Date.now();
  try {
    const res = await deps.daraja.stkPush(account.credentials, {
      phone,
      amount: input.amountShillings,
      accountReference: input.accountReference.slice(0, 12),
      description: input.description.slice(0, 13),
      callbackUrl: callbackUrls(deps.publicBaseUrl, account.callbackToken).stk,
    });
    const updated = await withTenant(deps.db, tenantId, actor, async (tx) => {
      await recordExchange(tx, tenantId, payment.id, "stk_push", { phone, amount: input.amountShillings, accountReference: input.accountReference }, res, 200, Date.now() - t0);
      const [row] = await tx
        .update(payments)
        .set({ checkoutRequestId: res.checkoutRequestId, merchantRequestId: res.merchantRequestId })
        .where(and(eq(payments.tenantId, tenantId), eq(payments.id, payment.id)))
        .returning();
      await enqueueJob(tx, "query_stk_payment", { paymentId: payment.id, attempt: 0 }, { runAt: new Date(Date.now() + (deps.queryDelaysS ?? STK_QUERY_DELAYS_S)[0]! * 1000), jobKey: `stk-query:${payment.id}` });
      // A callback may already have arrived before we knew this CheckoutRequestID.
      const early = await tx
        .select({ id: mpesaCallbacks.id })
        .from(mpesaCallbacks)
        .where(and(eq(mpesaCallbacks.tenantId, tenantId), eq(mpesaCallbacks.reference, res.checkoutRequestId), isNull(mpesaCallbacks.processedAt)));
      for (const c of early) await enqueueJob(tx, "apply_mpesa_callback", { callbackId: c.id });
      return row!;
    });
    return { ok: true, payment: updated };
  } catch (err) {
    // DarajaError.message is the plain-language explanation; errorMessage is Daraja's own text.
    const message = err instanceof DarajaError ? err.message : "M-Pesa could not be reached. Try again in a minute.";
    const failed = await withTenant(deps.db, tenantId, actor, async (tx) => {
      await recordExchange(tx, tenantId, payment.id, "stk_push", { phone, amount: input.amountShillings }, err instanceof DarajaError ? { errorCode: err.errorCode, errorMessage: err.errorMessage } : { error: String(err) }, err instanceof DarajaError ? err.httpStatus : null, Date.now() - t0);
      const [row] = await tx
        .update(payments)
        .set({ status: "failed", failureReason: message })
        .where(and(eq(payments.tenantId, tenantId), eq(payments.id, payment.id)))
        .returning();
      return row!;
    });
    return { ok: false, status: 502, error: message, payment: failed };
  }
}

// ---------------------------------------------------------------- callbacks

export type CallbackKind = (typeof mpesaCallbacks.$inferSelect)["kind"];

/** The job that applies a stored callback if the in-process attempt did not (crash, restart). */
const SAFETY_NET_DELAY_MS = 30_000;

/**
 * Stores what Daraja sent, exactly as it came, with a safety-net job to apply it, in one
 * transaction (one round trip for both). Called by the webhook before it answers; nothing here
 * can fail on bad input. The webhook then applies it at once in-process (applyStoredCallback);
 * the job, 30 s later, finds it processed and does nothing — or applies it if we crashed.
 */
export async function storeCallback(db: Db, tenantId: string, kind: CallbackKind, received: string, meta: { ip: string | null; contentType: string | null }) {
  // Postgres text and jsonb cannot hold NUL characters: keep everything else as it came.
  const raw = received.replace(/\u0000/g, "\uFFFD").replace(/\\u0000/g, "\\uFFFD");
  let body: unknown = null;
  try {
    body = JSON.parse(raw);
  } catch {
    body = null;
  }
  const reference = referenceOf(kind, body);
  const validation = kind === "c2b_validation";
  return withTenant(db, tenantId, { actorKind: "system", requestId: "daraja" }, async (tx) => {
    const res = await tx.execute<{ id: string }>(sql`
      with stored as (
        insert into mpesa_callbacks (tenant_id, kind, raw, body, reference, remote_ip, content_type, processed_at, outcome)
        values (${tenantId}, ${kind}, ${raw}, ${body === null ? null : JSON.stringify(body)}::jsonb, ${reference}, ${meta.ip},
                ${meta.contentType?.slice(0, 100) ?? null}, ${validation ? new Date().toISOString() : null}::timestamptz, ${validation ? "validated" : null})
        returning id
      )
      select stored.id, case when ${validation} then null
        else app_public.enqueue_job('apply_mpesa_callback', jsonb_build_object('callbackId', stored.id),
               run_at => now() + make_interval(secs => ${SAFETY_NET_DELAY_MS / 1000}), max_attempts => 8) end as job
        from stored`);
    return res.rows[0]!.id;
  });
}

/**
 * Applies a just-stored callback right away (after Daraja has its answer). Failures are fine:
 * the safety-net job applies it later, and a callback racing its own push waits for the job.
 */
export async function applyStoredCallback(db: Db, tenantId: string, callbackId: string) {
  return withTenant(db, tenantId, { actorKind: "system", requestId: "daraja" }, async (tx) => {
    const result = await applyCallback(tx, tenantId, callbackId);
    // Racing its own push: its CheckoutRequestID is being stored right now. Look again in a
    // second rather than waiting for the safety net.
    if (result === "retry") await enqueueJob(tx, "apply_mpesa_callback", { callbackId }, { runAt: new Date(Date.now() + 1000), jobKey: `apply-soon:${callbackId}`, maxAttempts: 8 });
    return result;
  });
}

function referenceOf(kind: CallbackKind, body: unknown): string | null {
  const b = body as Record<string, any> | null;
  if (!b || typeof b !== "object") return null;
  const s = (v: unknown) => (typeof v === "string" || typeof v === "number" ? String(v).slice(0, 100) : null);
  if (kind === "stk") return s(b.Body?.stkCallback?.CheckoutRequestID);
  if (kind === "c2b_confirmation" || kind === "c2b_validation") return s(b.TransID);
  return s(b.Result?.ConversationID) ?? s(b.Result?.OriginatorConversationID);
}

/** Outcomes an ISP should look at (the exceptions view). */
export const EXCEPTION_OUTCOMES = ["malformed", "unknown_request", "amount_mismatch", "duplicate_receipt", "conflict", "duplicate", "late_failure_ignored"] as const;

type Outcome = { outcome: string; detail?: string; paymentId?: string | null };

/** Applies one stored callback in one transaction; idempotent (a processed callback is skipped). */
export async function applyCallback(tx: Tx, tenantId: string, callbackId: string, now = new Date()): Promise<Outcome | "retry"> {
  const [cb] = await tx
    .select()
    .from(mpesaCallbacks)
    .where(and(eq(mpesaCallbacks.tenantId, tenantId), eq(mpesaCallbacks.id, callbackId)))
    .for("update");
  if (!cb || cb.processedAt) return { outcome: cb?.outcome ?? "missing" };
  const result =
    cb.kind === "stk" ? await applyStk(tx, tenantId, cb, now)
    : cb.kind === "c2b_confirmation" ? await applyC2b(tx, tenantId, cb)
    : await applyStatus(tx, tenantId, cb);
  if (result === "retry") return result;
  await tx
    .update(mpesaCallbacks)
    .set({ processedAt: now, outcome: result.outcome, detail: result.detail ?? null, paymentId: result.paymentId ?? null })
    .where(and(eq(mpesaCallbacks.tenantId, tenantId), eq(mpesaCallbacks.id, callbackId)));
  return result;
}

async function lockPayment(tx: Tx, tenantId: string, where: ReturnType<typeof eq>) {
  const [p] = await tx.select().from(payments).where(and(eq(payments.tenantId, tenantId), where)).for("update");
  return p ?? null;
}

/** Marks a payment paid and runs its purpose, exactly once, in one update of the row. */
async function markPaid(tx: Tx, p: PaymentRow, fields: { receipt: string | null; paidCents: number; phone?: string | null; resultCode?: string; resultDesc?: string; payerName?: string | null }) {
  const handler = paymentPurpose(p.purpose);
  const now = new Date();
  const [row] = await tx
    .update(payments)
    .set({
      status: "paid",
      mpesaReceipt: fields.receipt,
      paidAmountCents: fields.paidCents,
      phone: fields.phone ?? p.phone,
      payerName: fields.payerName ?? p.payerName,
      resultCode: fields.resultCode ?? "0",
      resultDesc: fields.resultDesc ?? p.resultDesc,
      failureReason: null,
      paidAt: p.paidAt ?? now,
      appliedAt: handler ? (p.appliedAt ?? now) : p.appliedAt,
    })
    .where(and(eq(payments.tenantId, p.tenantId), eq(payments.id, p.id)))
    .returning();
  // Same transaction: if the purpose fails, the payment is not marked paid either (and is retried).
  if (handler && !p.appliedAt) await handler.onPaid(tx, row!);
  // The payer's receipt, when the ISP turned it on (Messaging → Notifications); queued in this transaction.
  if (p.status !== "paid" && row!.phone) {
    await notify(tx, p.tenantId, "payment_received", {
      phone: row!.phone,
      vars: { name: (row!.payerName ?? "").split(/\s+/)[0] ?? "", amount: `KES ${(fields.paidCents / 100).toLocaleString("en-KE")}`, receipt: fields.receipt ?? "" },
      ref: `payment:${p.id}`,
      critical: true,
    });
  }
  return row!;
}

async function receiptTaken(tx: Tx, tenantId: string, receipt: string, exceptId: string) {
  const [other] = await tx.select({ id: payments.id }).from(payments).where(and(eq(payments.tenantId, tenantId), eq(payments.mpesaReceipt, receipt)));
  return other && other.id !== exceptId ? other.id : null;
}

async function applyStk(tx: Tx, tenantId: string, cb: typeof mpesaCallbacks.$inferSelect, now: Date): Promise<Outcome | "retry"> {
  const parsed = parseStkCallback(cb.body ?? cb.raw);
  if (!parsed.ok) return { outcome: "malformed", detail: parsed.error };
  const c = parsed.value;
  const p = await lockPayment(tx, tenantId, eq(payments.checkoutRequestId, c.checkoutRequestId));
  if (!p) {
    if (now.getTime() - cb.receivedAt.getTime() < UNKNOWN_GRACE_MS) return "retry";
    return { outcome: "unknown_request", detail: `No payment has CheckoutRequestID ${c.checkoutRequestId}.` };
  }
  if (c.resultCode !== "0") {
    if (p.status === "paid") return { outcome: "late_failure_ignored", detail: `Result ${c.resultCode} after the payment was already paid.`, paymentId: p.id };
    if (p.status !== "pending" && p.status !== "timeout") return { outcome: "duplicate", detail: `Already ${p.status}.`, paymentId: p.id };
    const meaning = stkResultMeaning(c.resultCode);
    await tx
      .update(payments)
      .set({ status: meaning.status === "paid" ? "failed" : meaning.status, resultCode: c.resultCode, resultDesc: c.resultDesc, failureReason: meaning.message })
      .where(and(eq(payments.tenantId, tenantId), eq(payments.id, p.id)));
    return { outcome: "applied", paymentId: p.id };
  }
  const paidCents = cents(c.amount ?? 0);
  if (p.status === "paid") {
    if (!p.mpesaReceipt && c.receipt && !(await receiptTaken(tx, tenantId, c.receipt, p.id))) {
      // Paid earlier on the STK query's word (no receipt then): fill the receipt in now.
      await tx.update(payments).set({ mpesaReceipt: c.receipt, paidAmountCents: paidCents }).where(and(eq(payments.tenantId, tenantId), eq(payments.id, p.id)));
      return { outcome: "applied", detail: "Receipt added to a payment confirmed by query.", paymentId: p.id };
    }
    return c.receipt && p.mpesaReceipt && c.receipt !== p.mpesaReceipt
      ? { outcome: "conflict", detail: `Second success with receipt ${c.receipt}; payment already paid with ${p.mpesaReceipt}.`, paymentId: p.id }
      : { outcome: "duplicate", detail: "Already applied.", paymentId: p.id };
  }
  if (!c.receipt) return { outcome: "malformed", detail: "Success without an MpesaReceiptNumber.", paymentId: p.id };
  const other = await receiptTaken(tx, tenantId, c.receipt, p.id);
  if (other) return { outcome: "duplicate_receipt", detail: `Receipt ${c.receipt} is already on payment ${other}.`, paymentId: p.id };
  if (paidCents !== p.amountCents) {
    await tx
      .update(payments)
      .set({ status: "unmatched", mpesaReceipt: c.receipt, paidAmountCents: paidCents, failureReason: `Paid KES ${paidCents / 100}, expected KES ${p.amountCents / 100}.` })
      .where(and(eq(payments.tenantId, tenantId), eq(payments.id, p.id)));
    return { outcome: "amount_mismatch", detail: `Paid KES ${paidCents / 100}, expected KES ${p.amountCents / 100}.`, paymentId: p.id };
  }
  const late = p.status === "timeout";
  await markPaid(tx, p, { receipt: c.receipt, paidCents, phone: c.phone ?? p.phone, resultDesc: c.resultDesc });
  return { outcome: late ? "applied_late" : "applied", paymentId: p.id };
}

async function applyC2b(tx: Tx, tenantId: string, cb: typeof mpesaCallbacks.$inferSelect): Promise<Outcome> {
  const parsed = parseC2bPayload(cb.body ?? cb.raw);
  if (!parsed.ok) return { outcome: "malformed", detail: parsed.error };
  const c = parsed.value;
  const existing = await lockPayment(tx, tenantId, eq(payments.mpesaReceipt, c.transId));
  if (existing) return { outcome: "duplicate", detail: "This TransID was already recorded.", paymentId: existing.id };
  let match: { purpose: string; ref: string } | null = null;
  for (const [name, handler] of paymentPurposes()) {
    if (!handler.matchAccount || !c.billRefNumber) continue;
    const ref = await handler.matchAccount(tx, tenantId, c.billRefNumber);
    if (ref) {
      match = { purpose: name, ref };
      break;
    }
  }
  const name = [c.firstName, c.middleName, c.lastName].filter(Boolean).join(" ") || null;
  const [p] = await tx
    .insert(payments)
    .values({
      tenantId,
      method: "c2b",
      status: match ? "pending" : "unmatched",
      purpose: match?.purpose ?? null,
      purposeRef: match?.ref ?? null,
      amountCents: cents(c.amount),
      paidAmountCents: cents(c.amount),
      msisdn: c.msisdn,
      payerName: name,
      accountReference: c.billRefNumber || null,
      mpesaReceipt: c.transId,
      resultCode: "0",
      paidAt: match ? null : new Date(),
      failureReason: match ? null : c.billRefNumber ? `No customer, voucher or invoice has account "${c.billRefNumber}".` : "The customer typed no account number.",
    })
    .returning();
  if (!match) return { outcome: "unmatched", detail: p!.failureReason ?? undefined, paymentId: p!.id };
  await markPaid(tx, p!, { receipt: c.transId, paidCents: cents(c.amount), payerName: name });
  return { outcome: "applied", paymentId: p!.id };
}

async function applyStatus(tx: Tx, tenantId: string, cb: typeof mpesaCallbacks.$inferSelect): Promise<Outcome> {
  const p = cb.reference ? await lockPayment(tx, tenantId, eq(payments.checkoutRequestId, cb.reference)) : null;
  if (cb.kind === "status_timeout") {
    if (p?.status === "verifying") {
      await tx.update(payments).set({ status: "failed", failureReason: "M-Pesa did not answer the check in time. Retry it." }).where(and(eq(payments.tenantId, tenantId), eq(payments.id, p.id)));
    }
    return { outcome: p ? "applied" : "unknown_request", paymentId: p?.id ?? null };
  }
  const parsed = parseTransactionStatusResult(cb.body ?? cb.raw);
  if (!parsed.ok) return { outcome: "malformed", detail: parsed.error };
  if (!p) return { outcome: "unknown_request", detail: `No manual payment is waiting for conversation ${cb.reference}.` };
  if (p.status !== "verifying") return { outcome: "duplicate", detail: `Already ${p.status}.`, paymentId: p.id };
  const r = parsed.value;
  const completed = r.resultCode === "0" && (r.status ?? "Completed") === "Completed" && (!r.receipt || r.receipt === p.mpesaReceipt);
  if (!completed) {
    await tx
      .update(payments)
      .set({ status: "failed", resultCode: r.resultCode, resultDesc: r.resultDesc, failureReason: `M-Pesa says: ${r.resultDesc}` })
      .where(and(eq(payments.tenantId, tenantId), eq(payments.id, p.id)));
    return { outcome: "applied", paymentId: p.id };
  }
  const paidCents = cents(r.amount ?? p.amountCents / 100);
  if (p.amountCents > 0 && paidCents !== p.amountCents) {
    await tx
      .update(payments)
      .set({ status: "unmatched", paidAmountCents: paidCents, failureReason: `The code is for KES ${paidCents / 100}, not KES ${p.amountCents / 100}.` })
      .where(and(eq(payments.tenantId, tenantId), eq(payments.id, p.id)));
    return { outcome: "amount_mismatch", paymentId: p.id };
  }
  await markPaid(tx, { ...p, amountCents: paidCents }, { receipt: p.mpesaReceipt, paidCents, payerName: r.debitParty ?? null, resultDesc: r.resultDesc });
  return { outcome: "applied", paymentId: p.id };
}

// ---------------------------------------------------------------- the STK query job

/** One look at a pending STK payment: apply a final answer, or look again later; give up in the end. */
export async function queryStkPayment(deps: PaymentDeps, inTenant: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>, tenantId: string, paymentId: string, attempt: number) {
  const state = await inTenant(async (tx) => {
    const [p] = await tx.select().from(payments).where(and(eq(payments.tenantId, tenantId), eq(payments.id, paymentId)));
    if (!p || p.status !== "pending" || !p.checkoutRequestId) return null;
    return { p, account: await loadDarajaAccount(tx, tenantId, deps.secrets) };
  });
  if (!state?.account) return;
  const t0 = Date.now();
  let answer: Awaited<ReturnType<DarajaClient["stkQuery"]>> | null = null;
  let error: unknown = null;
  try {
    answer = await deps.daraja.stkQuery(state.account.credentials, state.p.checkoutRequestId!);
  } catch (err) {
    error = err;
  }
  await inTenant(async (tx) => {
    await recordExchange(tx, tenantId, paymentId, "stk_query", { checkoutRequestId: state.p.checkoutRequestId }, answer ?? { error: error instanceof DarajaError ? error.errorMessage : String(error) }, error instanceof DarajaError ? error.httpStatus : error ? null : 200, Date.now() - t0);
    const p = await lockPayment(tx, tenantId, eq(payments.id, paymentId));
    if (!p || p.status !== "pending") return; // a callback got there first
    await tx.update(payments).set({ queryAttempts: sql`${payments.queryAttempts} + 1` }).where(and(eq(payments.tenantId, tenantId), eq(payments.id, paymentId)));
    if (answer?.state === "final") {
      const meaning = stkResultMeaning(answer.resultCode);
      if (meaning.status === "paid") await markPaid(tx, p, { receipt: null, paidCents: p.amountCents, resultCode: answer.resultCode, resultDesc: answer.resultDesc });
      else await tx.update(payments).set({ status: meaning.status, resultCode: answer.resultCode, resultDesc: answer.resultDesc, failureReason: meaning.message }).where(and(eq(payments.tenantId, tenantId), eq(payments.id, paymentId)));
      return;
    }
    const next = attempt + 1;
    const delays = deps.queryDelaysS ?? STK_QUERY_DELAYS_S;
    if (next >= delays.length) {
      await tx.update(payments).set({ status: "timeout", failureReason: "M-Pesa never gave a final answer. A late confirmation will still be applied." }).where(and(eq(payments.tenantId, tenantId), eq(payments.id, paymentId)));
      return;
    }
    await enqueueJob(tx, "query_stk_payment", { paymentId, attempt: next }, { runAt: new Date(Date.now() + delays[next]! * 1000), jobKey: `stk-query:${paymentId}` });
  });
}

// ---------------------------------------------------------------- manual payments and reconciliation

export const RECEIPT_PATTERN = /^[A-Z0-9]{10}$/;

/** An M-Pesa code a customer reports: recorded as "verifying" and checked with Transaction Status. */
export async function recordManualPayment(tx: Tx, tenantId: string, userId: string, input: { receipt: string; amountShillings: number; purpose: string; purposeRef?: string | null; phone?: string | null }) {
  const receipt = input.receipt.trim().toUpperCase();
  if (!RECEIPT_PATTERN.test(receipt)) return { ok: false as const, fieldErrors: { receipt: ["An M-Pesa code is 10 letters and digits, e.g. TC14ABCD12."] } };
  if (!Number.isInteger(input.amountShillings) || input.amountShillings < 1) return { ok: false as const, fieldErrors: { amount: ["Enter the amount in whole shillings."] } };
  const [dupe] = await tx.select({ id: payments.id, status: payments.status }).from(payments).where(and(eq(payments.tenantId, tenantId), eq(payments.mpesaReceipt, receipt)));
  if (dupe) return { ok: false as const, fieldErrors: { receipt: [`This code is already recorded (${dupe.status}).`] } };
  const [p] = await tx
    .insert(payments)
    .values({ tenantId, method: "manual", status: "verifying", purpose: input.purpose, purposeRef: input.purposeRef ?? null, amountCents: cents(input.amountShillings), mpesaReceipt: receipt, phone: input.phone ? normalizeKenyanPhone(input.phone) : null, createdBy: userId })
    .returning();
  await enqueueJob(tx, "verify_mpesa_receipt", { paymentId: p!.id });
  return { ok: true as const, payment: p! };
}

/** Asks Daraja's Transaction Status about a manually reported code; the answer comes by callback. */
export async function verifyManualPayment(deps: PaymentDeps, inTenant: <T>(fn: (tx: Tx) => Promise<T>) => Promise<T>, tenantId: string, paymentId: string) {
  const state = await inTenant(async (tx) => {
    const [p] = await tx.select().from(payments).where(and(eq(payments.tenantId, tenantId), eq(payments.id, paymentId)));
    if (!p || p.status !== "verifying") return null;
    return { p, account: await loadDarajaAccount(tx, tenantId, deps.secrets) };
  });
  if (!state) return;
  const fail = (reason: string) =>
    inTenant((tx) => tx.update(payments).set({ status: "failed", failureReason: reason }).where(and(eq(payments.tenantId, tenantId), eq(payments.id, paymentId))));
  if (!state.account) return fail("M-Pesa is not set up for this ISP.");
  if (!state.account.credentials.initiatorName || !state.account.credentials.securityCredential) {
    return fail("To check codes, add the API initiator name and security credential in the M-Pesa settings.");
  }
  const urls = callbackUrls(deps.publicBaseUrl, state.account.callbackToken);
  const t0 = Date.now();
  try {
    const ack = await deps.daraja.transactionStatus(state.account.credentials, { transactionId: state.p.mpesaReceipt!, resultUrl: urls.statusResult, timeoutUrl: urls.statusTimeout, remarks: "Manual payment check" });
    await inTenant(async (tx) => {
      await recordExchange(tx, tenantId, paymentId, "transaction_status", { transactionId: state.p.mpesaReceipt }, ack, 200, Date.now() - t0);
      // The result callback names the ConversationID: keep it where callbacks look payments up.
      await tx.update(payments).set({ checkoutRequestId: ack.conversationId, merchantRequestId: ack.originatorConversationId }).where(and(eq(payments.tenantId, tenantId), eq(payments.id, paymentId)));
    });
  } catch (err) {
    await inTenant((tx) => recordExchange(tx, tenantId, paymentId, "transaction_status", { transactionId: state.p.mpesaReceipt }, { error: err instanceof DarajaError ? err.errorMessage : String(err) }, err instanceof DarajaError ? err.httpStatus : null, Date.now() - t0));
    if (err instanceof DarajaError && !err.retryable) return fail(`M-Pesa refused the check: ${err.message}`);
    throw err; // retried by the job with backoff
  }
}

/** Retry a failed manual check, or a failed purpose application, from the dashboard. */
export async function retryPayment(tx: Tx, tenantId: string, paymentId: string) {
  const [p] = await tx.select().from(payments).where(and(eq(payments.tenantId, tenantId), eq(payments.id, paymentId))).for("update");
  if (!p) return { ok: false as const, error: "No such payment." };
  if (p.method === "manual" && p.status === "failed") {
    await tx.update(payments).set({ status: "verifying", failureReason: null, checkoutRequestId: null }).where(and(eq(payments.tenantId, tenantId), eq(payments.id, paymentId)));
    await enqueueJob(tx, "verify_mpesa_receipt", { paymentId });
    return { ok: true as const };
  }
  if (p.status === "paid" && !p.appliedAt && paymentPurpose(p.purpose)) {
    await markPaid(tx, p, { receipt: p.mpesaReceipt, paidCents: p.paidAmountCents ?? p.amountCents });
    return { ok: true as const };
  }
  return { ok: false as const, error: "There is nothing to retry for this payment." };
}

/** Assigns an unmatched C2B (or mismatched) payment to a purpose: it becomes paid and is applied. */
export async function assignPayment(tx: Tx, tenantId: string, paymentId: string, purpose: string, purposeRef: string | null) {
  if (!paymentPurpose(purpose)) return { ok: false as const, error: `Unknown purpose "${purpose}".` };
  const [p] = await tx.select().from(payments).where(and(eq(payments.tenantId, tenantId), eq(payments.id, paymentId))).for("update");
  if (!p || p.status !== "unmatched") return { ok: false as const, error: "Only unmatched payments can be assigned." };
  const paid = p.paidAmountCents ?? p.amountCents;
  const [row] = await tx.update(payments).set({ purpose, purposeRef, amountCents: paid }).where(and(eq(payments.tenantId, tenantId), eq(payments.id, paymentId))).returning();
  await markPaid(tx, row!, { receipt: p.mpesaReceipt, paidCents: paid });
  await tx
    .update(mpesaCallbacks)
    .set({ resolvedAt: new Date() })
    .where(and(eq(mpesaCallbacks.tenantId, tenantId), eq(mpesaCallbacks.paymentId, paymentId), inArray(mpesaCallbacks.outcome, ["unmatched", "amount_mismatch"])));
  return { ok: true as const };
}
