import { describe, it, expect, beforeAll, afterAll, beforeEach } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startDarajaSim, type DarajaSim } from "../sim/daraja";
import {
  createDarajaClient,
  DarajaError,
  darajaTimestamp,
  parseC2bPayload,
  parseDarajaTimestamp,
  parseStkCallback,
  parseTransactionStatusResult,
  stkPassword,
  stkResultMeaning,
  toDarajaPhone,
  type DarajaClient,
  type DarajaCredentials,
  type DarajaExchange,
} from "../server/integrations/mpesa";

// A stand-in for the app's webhooks (and, on /oauth, for a misbehaving Daraja).
type Hit = { path: string; body: unknown };
let hookServer: Server;
let hookBase = "";
let hits: Hit[] = [];
let sim: DarajaSim;
let client: DarajaClient;
let exchanges: DarajaExchange[] = [];
// Nothing listens there: the "Safaricom is unreachable" case.
let offlineBaseUrl = "";

const PAYBILL: DarajaCredentials = {
  environment: "sandbox",
  consumerKey: "sim-consumer-key",
  consumerSecret: "sim-consumer-secret",
  passkey: "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919",
  shortcode: "174379",
  accountType: "paybill",
  initiatorName: "testapi",
  securityCredential: "c2VjcmV0LWVuY3J5cHRlZA==",
};
const TILL: DarajaCredentials = {
  environment: "production",
  consumerKey: "sim-till-consumer-key",
  consumerSecret: "sim-till-consumer-secret",
  passkey: "7d3e1c9a5b2f48e6a0c4d8b1f3e5a7c9d2b4f6e8a1c3e5b7d9f2a4c6e8b1d3f5",
  shortcode: "5123456",
  accountType: "till",
  tillNumber: "5123457",
};

beforeAll(async () => {
  hookServer = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
    req.on("end", () => {
      const path = req.url ?? "/";
      if (path.startsWith("/oauth/")) {
        res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ requestId: "1-2-3", errorCode: "500.003.02", errorMessage: "Error Occurred: Spike Arrest Violation" }));
        return;
      }
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // keep the text
      }
      hits.push({ path, body });
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ ResultCode: 0, ResultDesc: "Accepted" }));
    });
  });
  await new Promise<void>((resolve) => hookServer.listen(0, "127.0.0.1", resolve));
  hookBase = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}`;
  sim = await startDarajaSim({ port: 0 });
  offlineBaseUrl = await closedPortUrl();
});

afterAll(async () => {
  await sim.stop();
  await new Promise<void>((resolve) => {
    hookServer.close(() => resolve());
    hookServer.closeAllConnections();
  });
});

beforeEach(() => {
  sim.reset();
  sim.configure({ productionMode: false, tokenTtlSeconds: 3600 });
  hits = [];
  exchanges = [];
  client = createDarajaClient({ baseUrlFor: () => sim.baseUrl, onExchange: (e) => exchanges.push(e) });
});

async function waitForHit(path: string, timeoutMs = 4000): Promise<Hit> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const hit = hits.find((h) => h.path === path);
    if (hit) return hit;
    if (Date.now() > deadline) throw new Error(`no hit on ${path}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

const oauthCalls = () => sim.requests({ path: "/oauth/v1/generate" }).length;
const stkInput = (phone = "254712345678") => ({ phone, amount: 50, accountReference: "HS-A1B2C3", description: "WiFi 1 day", callbackUrl: `${hookBase}/hooks/stk` });

describe("Daraja client: tokens", () => {
  it("fetches one token for many requests, even concurrent ones", async () => {
    const tokens = await Promise.all([client.getToken(PAYBILL), client.getToken(PAYBILL), client.getToken(PAYBILL)]);
    expect(new Set(tokens).size).toBe(1);
    for (let i = 0; i < 4; i++) sim.scriptStk(`25471234560${i}`, { delayMs: 5000 });
    await Promise.all([0, 1, 2, 3].map((i) => client.stkPush(PAYBILL, stkInput(`25471234560${i}`))));
    expect(oauthCalls()).toBe(1);
    // Another app's credentials get their own token.
    await client.getToken(TILL);
    expect(oauthCalls()).toBe(2);
  });

  it("renews the token and retries once after Invalid Access Token", async () => {
    await client.getToken(PAYBILL);
    sim.expireTokens();
    sim.clearRequests();
    const res = await client.stkPush(PAYBILL, stkInput());
    expect(res.checkoutRequestId).toMatch(/^ws_CO_/);
    expect(sim.requests().map((r) => [r.path, r.status])).toEqual([
      ["/mpesa/stkpush/v1/processrequest", 400],
      ["/oauth/v1/generate", 200],
      ["/mpesa/stkpush/v1/processrequest", 200],
    ]);
  });

  it("retries only once when the new token is refused too", async () => {
    sim.configure({ tokenTtlSeconds: 0 }); // every token is born expired
    const err = await client.stkQuery(PAYBILL, "ws_CO_x").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DarajaError);
    expect(err).toMatchObject({ httpStatus: 400, errorCode: "404.001.03", errorMessage: "Invalid Access Token", retryable: false });
    expect(sim.requests({ path: "/mpesa/stkpushquery/v1/query" })).toHaveLength(2);
    expect(oauthCalls()).toBe(2);
  });

  it("explains why credentials do not work", async () => {
    expect(await client.testCredentials(PAYBILL)).toEqual({ ok: true });
    expect(await client.testCredentials(TILL)).toEqual({ ok: true });

    const wrong = await client.testCredentials({ ...PAYBILL, consumerSecret: "nope" });
    expect(wrong).toEqual({ ok: false, reason: expect.stringContaining("rejected the consumer key or secret") });

    const offline = await createDarajaClient({ baseUrlFor: () => offlineBaseUrl }).testCredentials(PAYBILL);
    expect(offline).toEqual({ ok: false, reason: expect.stringMatching(/^Could not reach M-Pesa \(127\.0\.0\.1:\d+\).*ECONNREFUSED/) });

    const throttled = await createDarajaClient({ baseUrlFor: () => hookBase }).testCredentials(PAYBILL);
    expect(throttled).toEqual({ ok: false, reason: "M-Pesa is limiting requests right now. Try again shortly." });

    expect(await client.testCredentials({ ...TILL, tillNumber: undefined })).toEqual({ ok: false, reason: "A till account needs its till number (5–7 digits)." });
  });

  it("reports network failures as retryable DarajaErrors", async () => {
    const offline = createDarajaClient({ baseUrlFor: () => offlineBaseUrl });
    const err = await offline.stkPush(PAYBILL, stkInput()).catch((e: unknown) => e);
    expect(err).toMatchObject({ httpStatus: null, errorCode: "network_error", retryable: true });
  });
});

describe("Daraja client: STK", () => {
  it("pushes for a paybill with a Nairobi-time Timestamp and the matching Password", async () => {
    const fixed = new Date("2025-03-01T11:30:15Z"); // 14:30:15 in Nairobi
    const timed = createDarajaClient({ baseUrlFor: () => sim.baseUrl, now: () => fixed });
    sim.scriptStk("254712345678", { delayMs: 20 });
    const res = await timed.stkPush(PAYBILL, { ...stkInput(), phone: "0712 345 678" });
    expect(res).toEqual({ merchantRequestId: expect.any(String), checkoutRequestId: expect.stringMatching(/^ws_CO_/), customerMessage: "Success. Request accepted for processing" });

    const [request] = sim.requests({ path: "/mpesa/stkpush/v1/processrequest" });
    expect(request!.body).toEqual({
      BusinessShortCode: "174379",
      Password: stkPassword("174379", PAYBILL.passkey, "20250301143015"),
      Timestamp: "20250301143015",
      TransactionType: "CustomerPayBillOnline",
      Amount: 50,
      PartyA: "254712345678",
      PartyB: "174379",
      PhoneNumber: "254712345678",
      CallBackURL: `${hookBase}/hooks/stk`,
      AccountReference: "HS-A1B2C3",
      TransactionDesc: "WiFi 1 day",
    });

    const parsed = parseStkCallback((await waitForHit("/hooks/stk")).body);
    expect(parsed).toEqual({
      ok: true,
      value: {
        merchantRequestId: res.merchantRequestId,
        checkoutRequestId: res.checkoutRequestId,
        resultCode: "0",
        resultDesc: "The service request is processed successfully.",
        amount: 50,
        receipt: expect.stringMatching(/^[A-Z0-9]{10}$/),
        phone: "254712345678",
        transactionDate: expect.any(Date),
      },
    });
    if (parsed.ok) expect(Math.abs(parsed.value.transactionDate!.getTime() - Date.now())).toBeLessThan(5000);
  });

  it("pushes for a till: store number as BusinessShortCode, till as PartyB, Buy Goods", async () => {
    sim.scriptStk("254712345678", { delayMs: 20 });
    const res = await client.stkPush(TILL, stkInput());
    const session = sim.stkSessions().find((s) => s.checkoutRequestId === res.checkoutRequestId)!;
    expect(session).toMatchObject({ shortcode: "5123456", partyB: "5123457", transactionType: "CustomerBuyGoodsOnline" });
    const parsed = parseStkCallback((await waitForHit("/hooks/stk")).body);
    expect(parsed.ok && parsed.value.resultCode).toBe("0");
  });

  it("turns Daraja's refusals into DarajaErrors with clear messages", async () => {
    sim.scriptStk("254712345678", { delayMs: 5000 });
    await client.stkPush(PAYBILL, stkInput());
    const locked = await client.stkPush(PAYBILL, stkInput()).catch((e: unknown) => e);
    expect(locked).toBeInstanceOf(DarajaError);
    expect(locked).toMatchObject({
      httpStatus: 500,
      errorCode: "500.001.1001",
      errorMessage: "Unable to lock subscriber, a transaction is already in process for the current subscriber",
      retryable: false,
      message: expect.stringContaining("already has an M-Pesa prompt open"),
    });

    const wrongPasskey = await client.stkPush({ ...PAYBILL, passkey: "nope" }, stkInput("254712000009")).catch((e: unknown) => e);
    expect(wrongPasskey).toMatchObject({ httpStatus: 500, errorMessage: "Wrong credentials", retryable: false, message: expect.stringContaining("passkey") });

    const badPhone = await client.stkPush(PAYBILL, stkInput("0812345678")).catch((e: unknown) => e);
    expect(badPhone).toMatchObject({ errorCode: "invalid_request", retryable: false });
    const tooLong = await client.stkPush(PAYBILL, { ...stkInput(), accountReference: "THIRTEEN-CHAR" }).catch((e: unknown) => e);
    expect(tooLong).toMatchObject({ errorCode: "invalid_request" });
  });

  it("queries a push: pending while the prompt is open, then the final string ResultCode", async () => {
    sim.scriptStk("254712345678", { resultCode: 1032, delayMs: 400, drop: true });
    const { checkoutRequestId } = await client.stkPush(PAYBILL, stkInput());
    expect(await client.stkQuery(PAYBILL, checkoutRequestId)).toEqual({ state: "pending" });
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(await client.stkQuery(PAYBILL, checkoutRequestId)).toEqual({ state: "final", resultCode: "1032", resultDesc: "Request cancelled by user" });
    const unknown = await client.stkQuery(PAYBILL, "ws_CO_nothing").catch((e: unknown) => e);
    expect(unknown).toMatchObject({ httpStatus: 400, errorCode: "400.002.02" });
  });

  it("reports every exchange with the Password and token masked", async () => {
    sim.scriptStk("254712345678", { delayMs: 5000 });
    await client.stkPush(PAYBILL, stkInput());
    expect(exchanges.map((e) => [e.kind, e.status])).toEqual([
      ["oauth", 200],
      ["stk_push", 200],
    ]);
    expect(JSON.stringify(exchanges)).not.toContain(PAYBILL.consumerSecret);
    expect((exchanges[0]!.response as { access_token: string }).access_token).toMatch(/^\*\*\*.{4}$/);
    expect((exchanges[1]!.request as { Password: string }).Password).toBe("***");
    expect(exchanges[1]!.ms).toBeGreaterThanOrEqual(0);
  });
});

describe("Daraja client: C2B and Transaction Status", () => {
  it("registers C2B URLs on v1 and v2, and explains a production conflict", async () => {
    const input = { confirmationUrl: `${hookBase}/hooks/c2b/confirm`, validationUrl: `${hookBase}/hooks/c2b/validate` };
    expect(await client.registerC2bUrls(PAYBILL, input)).toEqual({ originatorConversationId: expect.any(String), responseDescription: "Success" });
    await client.registerC2bUrls(PAYBILL, { ...input, version: "v2", responseType: "Cancelled" });
    expect(sim.c2bRegistrations()).toEqual([expect.objectContaining({ shortcode: "174379", version: "v2", responseType: "Cancelled" })]);

    sim.configure({ productionMode: true });
    const https = { confirmationUrl: "https://isp.example.co.ke/hooks/c2b/confirm", validationUrl: "https://isp.example.co.ke/hooks/c2b/validate" };
    await client.registerC2bUrls(TILL, https);
    const again = await client.registerC2bUrls(TILL, https).catch((e: unknown) => e);
    expect(again).toMatchObject({ httpStatus: 500, errorCode: "500.003.1001", errorMessage: "Urls are already registered", retryable: false, message: expect.stringContaining("URL management") });
  });

  it("asks for a transaction's status and parses the result M-Pesa posts back", async () => {
    const { transId } = await sim.c2bPay({ shortcode: "174379", amount: 120, msisdn: "254712345678", firstName: "JANE" });
    const ack = await client.transactionStatus(PAYBILL, { transactionId: transId, resultUrl: `${hookBase}/hooks/status/result`, timeoutUrl: `${hookBase}/hooks/status/timeout`, remarks: "recon" });
    expect(ack).toEqual({ conversationId: expect.stringMatching(/^AG_/), originatorConversationId: expect.any(String) });
    const [request] = sim.requests({ path: "/mpesa/transactionstatus/v1/query" });
    expect(request!.body).toMatchObject({ Initiator: "testapi", CommandID: "TransactionStatusQuery", TransactionID: transId, PartyA: "174379", IdentifierType: "4" });
    expect(exchanges.find((e) => e.kind === "transaction_status")!.request).toMatchObject({ SecurityCredential: "***" });

    const parsed = parseTransactionStatusResult((await waitForHit("/hooks/status/result")).body);
    expect(parsed).toEqual({
      ok: true,
      value: expect.objectContaining({ resultCode: "0", receipt: transId, amount: 120, status: "Completed", debitParty: "254712345678 - JANE", conversationId: ack.conversationId }),
    });

    const missing = await client.transactionStatus({ ...PAYBILL, securityCredential: undefined }, { transactionId: transId, resultUrl: `${hookBase}/r`, timeoutUrl: `${hookBase}/t` }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ errorCode: "invalid_request" });
  });
});

describe("Daraja parsers", () => {
  it("computes the reference's password test vector and EAT timestamps", () => {
    expect(stkPassword("174379", PAYBILL.passkey, "20210628092408")).toBe(
      "MTc0Mzc5YmZiMjc5ZjlhYTliZGJjZjE1OGU5N2RkNzFhNDY3Y2QyZTBjODkzMDU5YjEwZjc4ZTZiNzJhZGExZWQyYzkxOTIwMjEwNjI4MDkyNDA4",
    );
    expect(darajaTimestamp(new Date("2021-06-28T06:24:08Z"))).toBe("20210628092408");
    expect(darajaTimestamp(new Date("2024-12-31T22:00:00Z"))).toBe("20250101010000");
    expect(parseDarajaTimestamp(20250301143102)?.toISOString()).toBe("2025-03-01T11:31:02.000Z");
    expect(parseDarajaTimestamp("20250231120000")).toBeUndefined();
    expect(parseDarajaTimestamp("2025-03-01")).toBeUndefined();
    expect(["0712345678", "+254712345678", "254 712 345 678", "0110345678", "712345678"].map(toDarajaPhone)).toEqual(["254712345678", "254712345678", "254712345678", "254110345678", "254712345678"]);
    expect(toDarajaPhone("0812345678")).toBeNull();
  });

  it("parses the reference's STK callbacks, success and failure", () => {
    const success = {
      Body: {
        stkCallback: {
          MerchantRequestID: "29115-34620561-1",
          CheckoutRequestID: "ws_CO_01032025143015123712345678",
          ResultCode: 0,
          ResultDesc: "The service request is processed successfully.",
          CallbackMetadata: {
            Item: [
              { Name: "Amount", Value: 50.0 },
              { Name: "MpesaReceiptNumber", Value: "TC14ABCD12" },
              { Name: "Balance" },
              { Name: "TransactionDate", Value: 20250301143102 },
              { Name: "PhoneNumber", Value: 254712345678 },
            ],
          },
        },
      },
    };
    expect(parseStkCallback(success)).toEqual({
      ok: true,
      value: {
        merchantRequestId: "29115-34620561-1",
        checkoutRequestId: "ws_CO_01032025143015123712345678",
        resultCode: "0",
        resultDesc: "The service request is processed successfully.",
        amount: 50,
        receipt: "TC14ABCD12",
        phone: "254712345678",
        transactionDate: new Date("2025-03-01T11:31:02Z"),
      },
    });
    const failure = { Body: { stkCallback: { MerchantRequestID: "f1e2-4b95-a71d-b30d3cdbb7a7942864", CheckoutRequestID: "ws_CO_21072024125243250722943992", ResultCode: 1032, ResultDesc: "Request cancelled by user" } } };
    expect(parseStkCallback(failure)).toEqual({
      ok: true,
      value: { merchantRequestId: "f1e2-4b95-a71d-b30d3cdbb7a7942864", checkoutRequestId: "ws_CO_21072024125243250722943992", resultCode: "1032", resultDesc: "Request cancelled by user" },
    });
    // Stored raw text parses the same.
    expect(parseStkCallback(JSON.stringify(failure))).toEqual(parseStkCallback(failure));
  });

  it("tolerates drifted STK callback types and shapes", () => {
    const drifted = {
      Body: {
        stkCallback: {
          MerchantRequestID: 2911534620561,
          CheckoutRequestID: "ws_CO_1",
          ResultCode: "0",
          ResultDesc: "ok",
          CallbackMetadata: {
            Item: [
              { Name: "PhoneNumber", Value: "254712345678" },
              { Name: "Balance", Value: null },
              "junk",
              { Name: "TransactionDate", Value: "20250301143102" },
              { Name: "MpesaReceiptNumber", Value: "tc14abcd12" },
              { Name: "Amount", Value: "50.00" },
            ],
          },
        },
      },
    };
    expect(parseStkCallback(drifted)).toEqual({
      ok: true,
      value: { merchantRequestId: "2911534620561", checkoutRequestId: "ws_CO_1", resultCode: "0", resultDesc: "ok", amount: 50, receipt: "TC14ABCD12", phone: "254712345678", transactionDate: new Date("2025-03-01T11:31:02Z") },
    });
    // Success without CallbackMetadata, a single Item object, a non-numeric code.
    expect(parseStkCallback({ Body: { stkCallback: { MerchantRequestID: "m", CheckoutRequestID: "c", ResultCode: 0 } } })).toMatchObject({ ok: true, value: { resultCode: "0", resultDesc: "" } });
    expect(parseStkCallback({ Body: { stkCallback: { MerchantRequestID: "m", CheckoutRequestID: "c", ResultCode: 0, CallbackMetadata: { Item: { Name: "Amount", Value: 10 } } } } })).toMatchObject({ ok: true, value: { amount: 10 } });
    expect(parseStkCallback({ Body: { stkCallback: { MerchantRequestID: "m", CheckoutRequestID: "c", ResultCode: "SFC_IC0003", ResultDesc: "The operator does not exist." } } })).toMatchObject({ ok: true, value: { resultCode: "SFC_IC0003" } });
  });

  it("refuses garbage without throwing", () => {
    for (const garbage of [null, undefined, 42, "not json", "{}", [], {}, { Body: {} }, { Body: { stkCallback: { ResultCode: 0 } } }, { Body: { stkCallback: { MerchantRequestID: "m", CheckoutRequestID: "", ResultCode: 0 } } }]) {
      const result = parseStkCallback(garbage);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.error).toEqual(expect.any(String));
      expect(parseC2bPayload(garbage).ok).toBe(false);
      expect(parseTransactionStatusResult(garbage).ok).toBe(false);
    }
  });

  it("parses the reference's C2B payload and its drifted forms", () => {
    const reference = {
      TransactionType: "Pay Bill",
      TransID: "TC1XYZ4ABC",
      TransTime: "20250301143102",
      TransAmount: "50.00",
      BusinessShortCode: "600984",
      BillRefNumber: "HS-A1B2C3",
      InvoiceNumber: "",
      OrgAccountBalance: "12550.00",
      ThirdPartyTransID: "",
      MSISDN: "2547 ***** 678",
      FirstName: "JOHN",
      MiddleName: "",
      LastName: "",
    };
    expect(parseC2bPayload(reference)).toEqual({
      ok: true,
      value: {
        transactionType: "Pay Bill",
        transId: "TC1XYZ4ABC",
        transTime: new Date("2025-03-01T11:31:02Z"),
        amount: 50,
        shortcode: "600984",
        billRefNumber: "HS-A1B2C3",
        invoiceNumber: "",
        orgAccountBalance: 12550,
        thirdPartyTransId: "",
        msisdn: "2547 ***** 678",
        firstName: "JOHN",
        middleName: "",
        lastName: "",
      },
    });
    const drifted = parseC2bPayload({ TransID: "TC1XYZ4ABC", TransAmount: 1000, BusinessShortCode: 600984, BillRefNumber: "  hs-a1b2c3 ", MSISDN: "94c392c3aa", OrgAccountBalance: "" });
    expect(drifted).toMatchObject({ ok: true, value: { amount: 1000, shortcode: "600984", billRefNumber: "HS-A1B2C3", msisdn: "94c392c3aa", firstName: "" } });
    if (drifted.ok) expect(drifted.value.orgAccountBalance).toBeUndefined();
    expect(parseC2bPayload({ ...reference, BillRefNumber: null, TransAmount: "1,000.00" })).toMatchObject({ ok: true, value: { billRefNumber: "", amount: 1000 } });
    expect(parseC2bPayload({ ...reference, TransAmount: "50.50" })).toMatchObject({ ok: false, error: expect.stringContaining("whole number") });
    expect(parseC2bPayload({ ...reference, TransAmount: "fifty" }).ok).toBe(false);
    expect(parseC2bPayload({ ...reference, TransID: "" }).ok).toBe(false);
  });

  it("parses the reference's Transaction Status result, repeated and valueless keys included", () => {
    const reference = {
      Result: {
        ResultType: 0,
        ResultCode: 0,
        ResultDesc: "The service request is processed successfully.",
        OriginatorConversationID: "1236-7134259-1",
        ConversationID: "AG_20250301_000041b09c22e613d6c9",
        TransactionID: "TC1QRS7TUV",
        ResultParameters: {
          ResultParameter: [
            { Key: "DebitPartyName", Value: "254712345678 - JOHN DOE" },
            { Key: "DebitPartyName", Value: "someone else" },
            { Key: "CreditPartyName", Value: "600984 - EXAMPLE ISP" },
            { Key: "OriginatorConversationID", Value: "1236-7134259-1" },
            { Key: "InitiatedTime", Value: 20250301143102 },
            { Key: "DebitAccountType", Value: "MMF Account For Customer" },
            { Key: "DebitPartyCharges" },
            { Key: "TransactionReason" },
            { Key: "ReasonType", Value: "Pay Bill Online" },
            { Key: "TransactionStatus", Value: "Completed" },
            { Key: "FinalisedTime", Value: 20250301143102 },
            { Key: "Amount", Value: 50 },
            { Key: "ConversationID", Value: "AG_20250301_00004c7a3e2a1f9b8d21" },
            { Key: "ReceiptNo", Value: "TC14ABCD12" },
          ],
        },
        ReferenceData: { ReferenceItem: { Key: "Occasion", Value: "recon" } },
      },
    };
    const parsed = parseTransactionStatusResult(reference);
    expect(parsed).toMatchObject({
      ok: true,
      value: {
        resultType: 0,
        resultCode: "0",
        resultDesc: "The service request is processed successfully.",
        transactionId: "TC1QRS7TUV",
        receipt: "TC14ABCD12",
        amount: 50,
        status: "Completed",
        debitParty: "254712345678 - JOHN DOE",
        creditParty: "600984 - EXAMPLE ISP",
        conversationId: "AG_20250301_000041b09c22e613d6c9",
        originatorConversationId: "1236-7134259-1",
        initiatedTime: new Date("2025-03-01T11:31:02Z"),
      },
    });
    if (parsed.ok) expect(parsed.value.parameters).not.toHaveProperty("DebitPartyCharges");
    expect(parseTransactionStatusResult({ Result: { ResultType: "0", ResultCode: "R000002", ResultDesc: "The transaction receipt number does not exist." } })).toEqual({
      ok: true,
      value: { resultType: 0, resultCode: "R000002", resultDesc: "The transaction receipt number does not exist.", parameters: {} },
    });
    expect(parseTransactionStatusResult({ Result: { ResultCode: 0, ResultParameters: { ResultParameter: { Key: "Amount", Value: "75.00" } } } })).toMatchObject({ ok: true, value: { amount: 75 } });
  });

  it("says what STK result codes mean", () => {
    expect(stkResultMeaning("0").status).toBe("paid");
    expect(stkResultMeaning(1032)).toEqual({ status: "cancelled", message: "The customer cancelled the M-Pesa prompt." });
    expect(stkResultMeaning("1037").status).toBe("timeout");
    expect(stkResultMeaning("1")).toEqual({ status: "failed", message: "Not enough money in the customer's M-Pesa." });
    expect(stkResultMeaning("2001")).toEqual({ status: "failed", message: "Wrong M-Pesa PIN." });
    expect(stkResultMeaning("2028").status).toBe("failed");
    expect(stkResultMeaning("SFC_IC0003").status).toBe("failed");
    expect(stkResultMeaning("424242")).toEqual({ status: "failed", message: "M-Pesa declined the payment (code 424242)." });
  });
});
