import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { run, Logger, type Runner } from "graphile-worker";
import { and, eq, sql } from "drizzle-orm";
import { createTestDatabase, type TestDatabase } from "./helpers/db";
import { serve } from "./helpers/http";
import { createTenantFixture, noIntegrations, silentLog, testSecrets, type TenantFixture } from "./helpers/fixtures";
import { withTenant } from "../db/client";
import { payments, mpesaCallbacks } from "../db/schema";
import { createBaseApp } from "../server/http";
import { buildTaskList } from "../jobs";
import { startDarajaSim, type DarajaSim } from "../sim/daraja";
import { createDarajaClient } from "../server/integrations/mpesa";
import { saveMpesaSettings, getMpesaSettingsRow, callbackUrls } from "../server/services/mpesa-settings";
import { startStkPayment, applyCallback, recordManualPayment, assignPayment, type PaymentDeps } from "../server/services/payments";
import { registerPaymentPurpose, type PaymentRow } from "../server/services/payments/purposes";
import type { Integrations } from "../server/integrations";
import { waitFor } from "./helpers/wait";

let t: TestDatabase;
let sim: DarajaSim;
let A: TenantFixture;
let deps: PaymentDeps;
let worker: Runner;
let http: Awaited<ReturnType<typeof serve>>;
let token: string;

// A purpose that records what it was asked to deliver (the way vouchers will).
const delivered: string[] = [];
registerPaymentPurpose("spy", {
  label: "Spy",
  onPaid: async (_tx, p: PaymentRow) => void delivered.push(p.id),
  matchAccount: async (_tx, _tenant, account) => (account.startsWith("SPY-") ? account : null),
});

const actor = { actorKind: "system" as const };
const inA = <T>(fn: Parameters<typeof withTenant<T>>[3]) => withTenant(t.db, A.tenant.id, null, fn);
const getPayment = async (id: string) => (await inA((tx) => tx.select().from(payments).where(eq(payments.id, id))))[0]!;

const settled = (id: string, status?: string) => waitFor(`payment ${id} ${status ?? "settled"}`, async () => {
  const p = await getPayment(id);
  return (status ? p.status === status : p.status !== "pending") && p;
});

let phoneSeq = 0;
/** A fresh phone per test: the sim locks a phone while its prompt is open, as M-Pesa does. */
const nextPhone = () => `2547${String(10_000_000 + ++phoneSeq).slice(-8)}`;

async function charge(phone: string, amount = 50, purpose = "spy") {
  const r = await startStkPayment(deps, A.tenant.id, actor, { phone, amountShillings: amount, purpose, accountReference: "HS-TEST", description: "WiFi 1 day" });
  if (!r.ok) throw new Error(r.error);
  return r.payment;
}

function post(path: string, body: string, headers: Record<string, string> = { "content-type": "application/json" }) {
  return http.request("POST", path, { headers, body });
}

beforeAll(async () => {
  t = await createTestDatabase();
  sim = await startDarajaSim({ port: 0 });
  A = await createTenantFixture(t.db, "isp-pay");
  await inA((tx) =>
    saveMpesaSettings(tx, A.tenant.id, testSecrets, {
      environment: "sandbox",
      accountType: "paybill",
      shortcode: "174379",
      consumerKey: "sim-consumer-key",
      consumerSecret: "sim-consumer-secret",
      passkey: "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919",
      initiatorName: "testapi",
      securityCredential: "c2VjcmV0",
    }),
  );
  token = (await inA((tx) => getMpesaSettingsRow(tx, A.tenant.id)))!.callbackToken;
  http = await serve(createBaseApp({ db: t.db, log: process.env.DEBUG_HOOKS ? (await import("pino")).pino({ level: "error" }, (await import("pino")).pino.destination(2)) : silentLog }));
  const daraja = createDarajaClient({ baseUrlFor: () => sim.baseUrl });
  deps = { db: t.db, daraja, secrets: testSecrets, publicBaseUrl: `http://127.0.0.1:${http.port}`, queryDelaysS: [0.5, 0.5, 0.5, 1] };
  const integrations: Integrations = { ...noIntegrations, daraja };
  worker = await run({ pgPool: t.queue, taskList: buildTaskList(t.db, integrations, deps), concurrency: 4, noHandleSignals: true, pollInterval: 200, logger: new Logger(() => () => {}) });
});

afterAll(async () => {
  await worker?.stop();
  await sim?.stop();
});

describe("STK push outcomes through the Daraja simulator", () => {
  it("success: paid once, with the receipt, purpose delivered, raw exchange kept", async () => {
    const phone = nextPhone();
    const p = await charge(phone);
    expect(p.status).toBe("pending");
    expect(p.checkoutRequestId).toMatch(/^ws_CO_/);
    const paid = await settled(p.id, "paid");
    expect(paid.mpesaReceipt).toMatch(/^[A-Z0-9]{10}$/);
    expect(paid.paidAmountCents).toBe(5000);
    expect(paid.phone).toBe(phone);
    expect(paid.appliedAt).not.toBeNull();
    expect(delivered.filter((d) => d === p.id)).toHaveLength(1);
  });

  for (const [name, code, status] of [
    ["cancelled by the customer", 1032, "cancelled"],
    ["not enough money", 1, "failed"],
    ["wrong PIN", 2001, "failed"],
    ["phone unreachable", 1037, "timeout"],
  ] as const) {
    it(`${name} (${code}) → ${status}, with a readable reason, nothing delivered`, async () => {
      const phone = nextPhone();
      sim.scriptStk(phone, { resultCode: code, delayMs: 100 });
      const p = await charge(phone);
      const done = await settled(p.id, status);
      expect(done.resultCode).toBe(String(code));
      expect(done.failureReason).toBeTruthy();
      expect(delivered).not.toContain(p.id);
    });
  }

  it("a callback delivered four times credits once; the three repeats are visible as duplicates", async () => {
    const phone = nextPhone();
    sim.scriptStk(phone, { duplicates: 3, delayMs: 100 });
    const p = await charge(phone);
    await settled(p.id, "paid");
    const outcomes = await waitFor("four callbacks processed", async () => {
      const rows = await inA((tx) => tx.select().from(mpesaCallbacks).where(eq(mpesaCallbacks.reference, p.checkoutRequestId!)));
      return rows.length === 4 && rows.every((r) => r.processedAt) && rows;
    });
    expect(outcomes.map((o) => o.outcome).sort()).toEqual(["applied", "duplicate", "duplicate", "duplicate"]);
    expect(delivered.filter((d) => d === p.id)).toHaveLength(1);
  });

  it("a callback that never arrives is resolved by the STK query job", async () => {
    const phone = nextPhone();
    sim.scriptStk(phone, { drop: true, delayMs: 100 });
    const p = await charge(phone);
    const paid = await settled(p.id, "paid");
    expect(paid.mpesaReceipt).toBeNull(); // the query does not give the receipt
    expect(paid.queryAttempts).toBeGreaterThanOrEqual(1);
    expect(delivered).toContain(p.id);
    expect(await inA((tx) => tx.select().from(mpesaCallbacks).where(eq(mpesaCallbacks.reference, p.checkoutRequestId!)))).toEqual([]);
  });

  it("a late callback after the query already settled it adds the receipt, credits nothing twice", async () => {
    const phone = nextPhone();
    sim.scriptStk(phone, { late: true, lateMs: 2500, delayMs: 100 });
    const p = await charge(phone);
    await settled(p.id, "paid");
    const withReceipt = await waitFor("receipt from the late callback", async () => {
      const row = await getPayment(p.id);
      return row.mpesaReceipt ? row : null;
    }, 10_000);
    expect(withReceipt.mpesaReceipt).toMatch(/^[A-Z0-9]{10}$/);
    expect(delivered.filter((d) => d === p.id)).toHaveLength(1);
  });

  it("a callback that races ahead of the push response is still applied", async () => {
    const phone = nextPhone();
    sim.scriptStk(phone, { beforeResponse: true, delayMs: 0 });
    const p = await charge(phone);
    expect((await settled(p.id, "paid")).mpesaReceipt).toBeTruthy();
  });

  it("a late success after the payment gave up (timeout) still credits it", async () => {
    const phone = nextPhone();
    sim.scriptStk(phone, { drop: true, resultCode: 1037, delayMs: 50 });
    const p = await charge(phone);
    await settled(p.id, "timeout");
    const body = stkSuccess(p.checkoutRequestId!, 50, "LATE1234AB", phone);
    const res = await post(`/hooks/daraja/${token}/stk`, JSON.stringify(body));
    expect(res.status).toBe(200);
    const paid = await settled(p.id, "paid");
    expect(paid.mpesaReceipt).toBe("LATE1234AB");
  });
});

function stkSuccess(checkout: string, amount: number, receipt: string, phone: string) {
  return {
    Body: {
      stkCallback: {
        MerchantRequestID: "29115-34620561-1",
        CheckoutRequestID: checkout,
        ResultCode: 0,
        ResultDesc: "The service request is processed successfully.",
        CallbackMetadata: {
          Item: [
            { Name: "Amount", Value: amount },
            { Name: "MpesaReceiptNumber", Value: receipt },
            { Name: "Balance" },
            { Name: "TransactionDate", Value: 20261124103102 },
            { Name: "PhoneNumber", Value: Number(phone) },
          ],
        },
      },
    },
  };
}

/** A pending STK payment created directly (no sim), for synthetic callbacks. */
async function pendingPayment(checkout: string, amountCents = 5000) {
  const [p] = await inA((tx) =>
    tx.insert(payments).values({ tenantId: A.tenant.id, method: "stk", status: "pending", purpose: "spy", amountCents, phone: "254712000000", checkoutRequestId: checkout }).returning(),
  );
  return p!;
}

describe("callbacks that do not fit", () => {
  it("200 concurrent callbacks with 25% duplicates land exactly once each", async () => {
    const n = 150;
    const list = await Promise.all(Array.from({ length: n }, (_, i) => pendingPayment(`ws_CO_CONC${String(i).padStart(6, "0")}`)));
    const bodies = list.map((p, i) => JSON.stringify(stkSuccess(p.checkoutRequestId!, 50, `CONC${String(i).padStart(6, "0")}`, "254712000000")));
    const sends = [...bodies, ...bodies.slice(0, 50)]; // 200 callbacks, 50 of them repeats
    const answers = await Promise.all(sends.map((b) => post(`/hooks/daraja/${token}/stk`, b)));
    expect(answers.every((a) => a.status === 200)).toBe(true);
    await waitFor("all 150 paid", async () => {
      const [r] = await inA((tx) => tx.select({ n: sql<number>`count(*)::int` }).from(payments).where(and(eq(payments.status, "paid"), sql`${payments.checkoutRequestId} like 'ws_CO_CONC%'`)));
      return r!.n === n;
    }, 60_000);
    await waitFor("all 200 processed", async () => {
      const [r] = await inA((tx) => tx.select({ n: sql<number>`count(*)::int` }).from(mpesaCallbacks).where(and(sql`${mpesaCallbacks.reference} like 'ws_CO_CONC%'`, sql`${mpesaCallbacks.processedAt} is not null`)));
      return r!.n === 200;
    }, 60_000);
    const outcomes = await inA((tx) =>
      tx.select({ outcome: mpesaCallbacks.outcome, n: sql<number>`count(*)::int` }).from(mpesaCallbacks).where(sql`${mpesaCallbacks.reference} like 'ws_CO_CONC%'`).groupBy(mpesaCallbacks.outcome),
    );
    expect(Object.fromEntries(outcomes.map((o) => [o.outcome, o.n]))).toEqual({ applied: 150, duplicate: 50 });
    for (const p of list) expect(delivered.filter((d) => d === p.id)).toHaveLength(1);
  }, 120_000);

  it("an amount different from what was asked is held for review, not credited", async () => {
    const p = await pendingPayment("ws_CO_MISMATCH01", 5000);
    await post(`/hooks/daraja/${token}/stk`, JSON.stringify(stkSuccess(p.checkoutRequestId!, 5, "MISM123456", "254712000000")));
    const held = await settled(p.id, "unmatched");
    expect(held.failureReason).toBe("Paid KES 5, expected KES 50.");
    expect(delivered).not.toContain(p.id);
    const [cb] = await inA((tx) => tx.select().from(mpesaCallbacks).where(eq(mpesaCallbacks.reference, "ws_CO_MISMATCH01")));
    expect(cb!.outcome).toBe("amount_mismatch");
  });

  it("the same receipt on a second payment is refused as a duplicate receipt", async () => {
    const p1 = await pendingPayment("ws_CO_RCPT01");
    const p2 = await pendingPayment("ws_CO_RCPT02");
    await post(`/hooks/daraja/${token}/stk`, JSON.stringify(stkSuccess(p1.checkoutRequestId!, 50, "SAME123456", "254712000000")));
    await settled(p1.id, "paid");
    await post(`/hooks/daraja/${token}/stk`, JSON.stringify(stkSuccess(p2.checkoutRequestId!, 50, "SAME123456", "254712000000")));
    const cb = await waitFor("second processed", async () => {
      const [row] = await inA((tx) => tx.select().from(mpesaCallbacks).where(eq(mpesaCallbacks.reference, "ws_CO_RCPT02")));
      return row?.processedAt && row;
    });
    expect(cb.outcome).toBe("duplicate_receipt");
    expect((await getPayment(p2.id)).status).toBe("pending");
  });

  it("a callback for an unknown CheckoutRequestID is kept and, after the grace period, reported", async () => {
    await post(`/hooks/daraja/${token}/stk`, JSON.stringify(stkSuccess("ws_CO_NOBODY0001", 50, "NOBODY1234", "254712000000")));
    const [cb] = await inA((tx) => tx.select().from(mpesaCallbacks).where(eq(mpesaCallbacks.reference, "ws_CO_NOBODY0001")));
    expect(cb).toBeTruthy();
    const later = new Date(Date.now() + 5 * 60_000);
    const outcome = await inA((tx) => applyCallback(tx, A.tenant.id, cb!.id, later));
    expect(outcome).toMatchObject({ outcome: "unknown_request" });
  });

  it("a wrong token gets 404 and stores nothing", async () => {
    const before = (await inA((tx) => tx.select({ n: sql<number>`count(*)::int` }).from(mpesaCallbacks)))[0]!.n;
    for (const bad of ["x".repeat(32), "short", token.slice(0, -1) + (token.endsWith("A") ? "B" : "A")]) {
      expect((await post(`/hooks/daraja/${bad}/stk`, JSON.stringify(stkSuccess("ws_CO_X", 1, "X", "1")))).status).toBe(404);
    }
    expect((await inA((tx) => tx.select({ n: sql<number>`count(*)::int` }).from(mpesaCallbacks)))[0]!.n).toBe(before);
  });

  it("fuzzed and malformed bodies get a 4xx or a logged exception, never a 500, never a credit", async () => {
    const p = await pendingPayment("ws_CO_FUZZ0001");
    const bodies: Array<[string, Record<string, string>?]> = [
      ["", undefined],
      ["not json at all", undefined],
      ["{", undefined],
      ["null", undefined],
      ["[]", undefined],
      ['"a string"', undefined],
      ["{}", undefined],
      [JSON.stringify({ Body: {} }), undefined],
      [JSON.stringify({ Body: { stkCallback: { CheckoutRequestID: p.checkoutRequestId, ResultCode: "zero" } } }), undefined],
      [JSON.stringify({ Body: { stkCallback: { CheckoutRequestID: p.checkoutRequestId, ResultCode: 0 } } }), undefined], // success without metadata
      [JSON.stringify({ Body: { stkCallback: { CheckoutRequestID: p.checkoutRequestId, ResultCode: 0, CallbackMetadata: { Item: "nope" } } } }), undefined],
      [JSON.stringify({ Body: { stkCallback: { CheckoutRequestID: 12345, ResultCode: {}, CallbackMetadata: null } } }), undefined],
      [JSON.stringify(stkSuccess(p.checkoutRequestId!, 50, "FUZZ123456", "254712000000")), { "content-type": "text/plain" }],
      ["\u0000\u0001\u0002", { "content-type": "application/octet-stream" }],
      ['{"Body":{"stkCallback":{"CheckoutRequestID":"ws_CO_\\u0000","ResultCode":0}}}', undefined],
      [JSON.stringify({ Body: { stkCallback: { CheckoutRequestID: p.checkoutRequestId, ResultCode: 0, CallbackMetadata: { Item: [{ Name: "Amount", Value: "fifty" }, { Name: "MpesaReceiptNumber", Value: null }] } } } }), undefined],
    ];
    for (const [body, headers] of bodies) {
      const res = await post(`/hooks/daraja/${token}/stk`, body, headers ?? { "content-type": "application/json" });
      expect(res.status, `body ${body.slice(0, 40)}`).toBeLessThan(500);
    }
    const huge = await post(`/hooks/daraja/${token}/stk`, JSON.stringify({ pad: "x".repeat(200_000) }));
    expect(huge.status).toBe(413);
    await waitFor("fuzz processed", async () => {
      const rows = await inA((tx) => tx.select().from(mpesaCallbacks).where(sql`${mpesaCallbacks.processedAt} is null`));
      return rows.length === 0;
    });
    const malformed = await inA((tx) => tx.select().from(mpesaCallbacks).where(eq(mpesaCallbacks.outcome, "malformed")));
    expect(malformed.length).toBeGreaterThanOrEqual(10);
    // The one well-formed success (sent as text/plain) is the only thing that credited the payment.
    const after = await getPayment(p.id);
    expect(after.status).toBe("paid");
    expect(after.mpesaReceipt).toBe("FUZZ123456");
    expect(delivered.filter((d) => d === p.id)).toHaveLength(1);
  });
});

describe("C2B paybill payments", () => {
  it("registers URLs, matches the account to a purpose, records duplicates once, queues the unmatched", async () => {
    const account = (await inA((tx) => getMpesaSettingsRow(tx, A.tenant.id)))!;
    const urls = callbackUrls(deps.publicBaseUrl, account.callbackToken);
    const creds = { environment: "sandbox" as const, accountType: "paybill" as const, shortcode: "174379", consumerKey: "sim-consumer-key", consumerSecret: "sim-consumer-secret", passkey: "x" };
    await deps.daraja.registerC2bUrls(creds, { confirmationUrl: urls.c2bConfirmation, validationUrl: urls.c2bValidation, responseType: "Completed" });

    const matched = await sim.c2bPay({ shortcode: "174379", amount: 300, billRefNumber: " spy-42 " });
    const p = await waitFor("matched payment", async () => (await inA((tx) => tx.select().from(payments).where(eq(payments.mpesaReceipt, matched.transId))))[0]?.status === "paid" && (await inA((tx) => tx.select().from(payments).where(eq(payments.mpesaReceipt, matched.transId))))[0]);
    expect(p).toMatchObject({ method: "c2b", purpose: "spy", purposeRef: "SPY-42", paidAmountCents: 30000 });
    expect(delivered).toContain(p.id);

    // Safaricom resending the same confirmation.
    const [first] = await inA((tx) => tx.select().from(mpesaCallbacks).where(eq(mpesaCallbacks.reference, matched.transId)));
    await post(`/hooks/daraja/${token}/c2b/confirm`, first!.raw);
    await waitFor("resend processed", async () => (await inA((tx) => tx.select().from(mpesaCallbacks).where(and(eq(mpesaCallbacks.reference, matched.transId), eq(mpesaCallbacks.outcome, "duplicate"))))).length === 1);
    expect(await inA((tx) => tx.select().from(payments).where(eq(payments.mpesaReceipt, matched.transId)))).toHaveLength(1);

    const stray = await sim.c2bPay({ shortcode: "174379", amount: 120, billRefNumber: "WHO-KNOWS" });
    const unmatched = await waitFor("unmatched payment", async () => (await inA((tx) => tx.select().from(payments).where(eq(payments.mpesaReceipt, stray.transId))))[0]);
    expect(unmatched.status).toBe("unmatched");
    expect(unmatched.failureReason).toContain("WHO-KNOWS");
    const assigned = await inA((tx) => assignPayment(tx, A.tenant.id, unmatched.id, "spy", "SPY-7"));
    expect(assigned.ok).toBe(true);
    expect(await getPayment(unmatched.id)).toMatchObject({ status: "paid", purpose: "spy", purposeRef: "SPY-7" });
    expect(delivered).toContain(unmatched.id);
  });
});

describe("manual payments", () => {
  it("a reported code is verified with Transaction Status before it counts; an unknown code fails", async () => {
    const phone = nextPhone();
    const real = await charge(phone, 75);
    const paid = await settled(real.id, "paid");
    // Pretend the STK payment was never recorded: the ISP types the customer's code by hand.
    await inA((tx) => tx.update(payments).set({ mpesaReceipt: null }).where(eq(payments.id, real.id)));
    const good = await inA((tx) => recordManualPayment(tx, A.tenant.id, A.owner.id, { receipt: paid.mpesaReceipt!.toLowerCase(), amountShillings: 75, purpose: "spy" }));
    expect(good.ok).toBe(true);
    if (!good.ok) return;
    expect((await settled(good.payment.id, "paid")).paidAmountCents).toBe(7500);

    const dupe = await inA((tx) => recordManualPayment(tx, A.tenant.id, A.owner.id, { receipt: paid.mpesaReceipt!, amountShillings: 75, purpose: "spy" }));
    expect(dupe).toMatchObject({ ok: false, fieldErrors: { receipt: [expect.stringContaining("already recorded")] } });

    const bad = await inA((tx) => recordManualPayment(tx, A.tenant.id, A.owner.id, { receipt: "ZZZZ999999", amountShillings: 10, purpose: "spy" }));
    if (!bad.ok) throw new Error("expected ok");
    const failed = await settled(bad.payment.id, "failed");
    expect(failed.failureReason).toMatch(/M-Pesa says/);
    expect(await inA((tx) => recordManualPayment(tx, A.tenant.id, A.owner.id, { receipt: "short", amountShillings: 10, purpose: "spy" }))).toMatchObject({ ok: false });
  });
});
