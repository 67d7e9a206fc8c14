import { describe, it, expect, beforeAll, afterAll, beforeEach } from "vitest";
import { createServer, type Server } from "node:http";
import { createHash } from "node:crypto";
import type { AddressInfo } from "node:net";
import { startDarajaSim, stkOutcome, type DarajaSim } from "../sim/daraja";
import { eatStamp, stkPasswordFor } from "../sim/daraja/protocol";

// A stand-in for the app's callback endpoints: records every POST and answers as told.
type Hit = { path: string; body: unknown; raw: string; at: number };
type Answer = { status?: number; body?: unknown; delayMs?: number };

let hookServer: Server;
let hookBase = "";
let hits: Hit[] = [];
let answers = new Map<string, (hit: Hit, nth: number) => Answer>();
let sim: DarajaSim;

const SANDBOX = { key: "sim-consumer-key", secret: "sim-consumer-secret", shortcode: "174379", passkey: "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919" };
const TILL = { key: "sim-till-consumer-key", secret: "sim-till-consumer-secret", store: "5123456", till: "5123457", passkey: "7d3e1c9a5b2f48e6a0c4d8b1f3e5a7c9d2b4f6e8a1c3e5b7d9f2a4c6e8b1d3f5" };

beforeAll(async () => {
  hookServer = createServer((req, res) => {
    let raw = "";
    req.on("data", (chunk: Buffer) => (raw += chunk.toString("utf8")));
    req.on("end", () => {
      let body: unknown;
      try {
        body = JSON.parse(raw);
      } catch {
        body = raw;
      }
      const hit: Hit = { path: req.url ?? "/", body, raw, at: Date.now() };
      hits.push(hit);
      const nth = hits.filter((h) => h.path === hit.path).length;
      const answer = answers.get(hit.path)?.(hit, nth) ?? {};
      setTimeout(() => {
        if (res.destroyed) return;
        res.writeHead(answer.status ?? 200, { "content-type": "application/json" }).end(JSON.stringify(answer.body ?? { ResultCode: 0, ResultDesc: "Accepted" }));
      }, answer.delayMs ?? 0);
    });
  });
  await new Promise<void>((resolve) => hookServer.listen(0, "127.0.0.1", resolve));
  hookBase = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}`;
  sim = await startDarajaSim({ port: 0 });
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
  sim.configure({ productionMode: false, msisdnMode: "masked", validationTimeoutMs: 8000, tokenTtlSeconds: 3600 });
  hits = [];
  answers = new Map();
});

function hitsOn(path: string): Hit[] {
  return hits.filter((h) => h.path === path);
}

async function waitForHits(path: string, count: number, timeoutMs = 4000): Promise<Hit[]> {
  const deadline = Date.now() + timeoutMs;
  while (hitsOn(path).length < count) {
    if (Date.now() > deadline) throw new Error(`expected ${count} hit(s) on ${path}, got ${hitsOn(path).length}`);
    await sleep(20);
  }
  return hitsOn(path);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function oauth(key = SANDBOX.key, secret = SANDBOX.secret, query = "?grant_type=client_credentials", authorization?: string) {
  const res = await fetch(`${sim.baseUrl}/oauth/v1/generate${query}`, {
    headers: { Authorization: authorization ?? `Basic ${Buffer.from(`${key}:${secret}`).toString("base64")}` },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function token(key = SANDBOX.key, secret = SANDBOX.secret): Promise<string> {
  const { body } = await oauth(key, secret);
  return body.access_token as string;
}

async function api(path: string, body: unknown, accessToken: string, contentType = "application/json") {
  const res = await fetch(`${sim.baseUrl}${path}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${accessToken}`, "Content-Type": contentType },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text) as Record<string, unknown> };
}

function pushBody(overrides: Record<string, unknown> = {}, shortcode = SANDBOX.shortcode, passkey = SANDBOX.passkey) {
  const timestamp = eatStamp(new Date());
  return {
    BusinessShortCode: shortcode,
    Password: stkPasswordFor(shortcode, passkey, timestamp),
    Timestamp: timestamp,
    TransactionType: "CustomerPayBillOnline",
    Amount: 50,
    PartyA: "254712345678",
    PartyB: shortcode,
    PhoneNumber: "254712345678",
    CallBackURL: `${hookBase}/hooks/stk`,
    AccountReference: "HS-A1B2C3",
    TransactionDesc: "WiFi 1 day",
    ...overrides,
  };
}

function queryBody(checkoutRequestId: string, shortcode = SANDBOX.shortcode, passkey = SANDBOX.passkey) {
  const timestamp = eatStamp(new Date());
  return { BusinessShortCode: shortcode, Password: stkPasswordFor(shortcode, passkey, timestamp), Timestamp: timestamp, CheckoutRequestID: checkoutRequestId };
}

async function push(overrides: Record<string, unknown> = {}) {
  return api("/mpesa/stkpush/v1/processrequest", pushBody(overrides), await token());
}

function stkCallbackOf(hit: Hit) {
  return (hit.body as { Body: { stkCallback: Record<string, unknown> } }).Body.stkCallback;
}

describe("Daraja simulator: OAuth and access tokens", () => {
  it("issues a 28-character token with expires_in \"3599\"", async () => {
    const { status, body } = await oauth();
    expect(status).toBe(200);
    expect(body.access_token).toMatch(/^[A-Za-z0-9]{28}$/);
    expect(body.expires_in).toBe("3599");
  });

  it("answers wrong key/secret, non-Basic auth and wrong grant type with Daraja's error envelopes", async () => {
    const wrong = await oauth(SANDBOX.key, "not-the-secret");
    expect(wrong).toEqual({ status: 400, body: { requestId: expect.any(String), errorCode: "400.008.03", errorMessage: "Invalid Credentials" } });
    const bearer = await oauth(SANDBOX.key, SANDBOX.secret, "?grant_type=client_credentials", "Bearer abc");
    expect(bearer.status).toBe(400);
    expect(bearer.body.errorCode).toBe("400.008.01");
    const grant = await oauth(SANDBOX.key, SANDBOX.secret, "?grant_type=password");
    expect(grant.body).toMatchObject({ errorCode: "400.008.02", errorMessage: "Invalid grant type passed" });
  });

  it("rejects a missing or expired bearer token: 404.001.03 for STK, 400.003.01 elsewhere, both HTTP 400", async () => {
    const stk = await api("/mpesa/stkpush/v1/processrequest", pushBody(), "nonsense");
    expect(stk).toMatchObject({ status: 400, body: { errorCode: "404.001.03", errorMessage: "Invalid Access Token" } });
    const good = await token();
    sim.expireTokens();
    const c2b = await api("/mpesa/c2b/v1/registerurl", { ShortCode: "600984", ResponseType: "Completed", ConfirmationURL: `${hookBase}/c`, ValidationURL: `${hookBase}/v` }, good);
    expect(c2b).toMatchObject({ status: 400, body: { errorCode: "400.003.01", errorMessage: "Invalid Access Token" } });
  });
});

describe("Daraja simulator: STK push", () => {
  it("computes the reference test vector and refuses a wrong Password with 500.001.1001 Wrong credentials", async () => {
    expect(stkPasswordFor("174379", SANDBOX.passkey, "20210628092408")).toBe(
      "MTc0Mzc5YmZiMjc5ZjlhYTliZGJjZjE1OGU5N2RkNzFhNDY3Y2QyZTBjODkzMDU5YjEwZjc4ZTZiNzJhZGExZWQyYzkxOTIwMjEwNjI4MDkyNDA4",
    );
    const res = await push({ Password: stkPasswordFor("174379", "wrong-passkey", eatStamp(new Date())) });
    expect(res).toMatchObject({ status: 500, body: { errorCode: "500.001.1001", errorMessage: "Wrong credentials" } });
  });

  it("accepts a push and delivers a success callback with every item, in Daraja's types", async () => {
    sim.scriptStk("254712345678", { resultCode: 0, delayMs: 50 });
    const res = await push();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      MerchantRequestID: expect.stringMatching(/^\d{4,5}-\d{7,8}-\d$/),
      CheckoutRequestID: expect.stringMatching(/^ws_CO_\d{14}\d+$/),
      ResponseCode: "0",
      ResponseDescription: "Success. Request accepted for processing",
      CustomerMessage: "Success. Request accepted for processing",
    });
    const [hit] = await waitForHits("/hooks/stk", 1);
    const cb = stkCallbackOf(hit!);
    expect(cb.CheckoutRequestID).toBe(res.body.CheckoutRequestID);
    expect(cb.MerchantRequestID).toBe(res.body.MerchantRequestID);
    expect(cb.ResultCode).toBe(0);
    expect(cb.ResultDesc).toBe("The service request is processed successfully.");
    const items = (cb.CallbackMetadata as { Item: { Name: string; Value?: unknown }[] }).Item;
    expect(items.map((i) => i.Name)).toEqual(["Amount", "MpesaReceiptNumber", "Balance", "TransactionDate", "PhoneNumber"]);
    expect(items[0]!.Value).toBe(50);
    expect(hit!.raw).toContain('{"Name":"Amount","Value":50.0}');
    expect(items[1]!.Value).toMatch(/^[A-Z0-9]{10}$/);
    expect("Value" in items[2]!).toBe(false);
    expect(typeof items[3]!.Value).toBe("number");
    expect(String(items[3]!.Value)).toMatch(/^20\d{12}$/);
    expect(items[4]!.Value).toBe(254712345678);
  });

  it.each([
    ["insufficientFunds", "254712000001", 1, "The balance is insufficient for the transaction."],
    ["cancelled", "254712000002", 1032, "Request cancelled by user"],
    ["timeout", "254712000003", 1037, "DS timeout user cannot be reached"],
    ["wrongPin", "254712000004", 2001, "The initiator information is invalid."],
  ] as const)("delivers a %s failure (%s) without CallbackMetadata", async (outcome, phone, code, desc) => {
    sim.scriptStk(phone, stkOutcome(outcome, { delayMs: 30 }));
    const res = await push({ PartyA: phone, PhoneNumber: phone });
    expect(res.status).toBe(200);
    const [hit] = await waitForHits("/hooks/stk", 1);
    expect(stkCallbackOf(hit!)).toEqual({ MerchantRequestID: res.body.MerchantRequestID, CheckoutRequestID: res.body.CheckoutRequestID, ResultCode: code, ResultDesc: desc });
  });

  it("delivers duplicates N+1 times with the same body", async () => {
    sim.scriptStk("254712345678", { delayMs: 20, duplicates: 2 });
    const res = await push();
    const ref = res.body.CheckoutRequestID as string;
    await waitForHits("/hooks/stk", 3);
    await sleep(200);
    // Only this push's deliveries: a straggler from an earlier test must not count.
    const mine = hitsOn("/hooks/stk").filter((h) => h.raw.includes(ref));
    expect(mine).toHaveLength(3);
    expect(new Set(mine.map((h) => h.raw)).size).toBe(1);
    expect(sim.callbacks({ kind: "stk", ref }).map((c) => c.delivery)).toEqual([0, 1, 2]);
  });

  it("drops a callback but STK Query still reports the outcome (pending before, string ResultCode after)", async () => {
    sim.scriptStk("254712345678", { resultCode: 1032, delayMs: 300, drop: true });
    const res = await push();
    const checkoutRequestId = res.body.CheckoutRequestID as string;
    const accessToken = await token();
    const pending = await api("/mpesa/stkpushquery/v1/query", queryBody(checkoutRequestId), accessToken);
    expect(pending).toEqual({ status: 500, body: { requestId: expect.any(String), errorCode: "500.001.1001", errorMessage: "The transaction is being processed" } });
    await sleep(500);
    const final = await api("/mpesa/stkpushquery/v1/query", queryBody(checkoutRequestId), accessToken);
    expect(final).toEqual({
      status: 200,
      body: {
        ResponseCode: "0",
        ResponseDescription: "The service request has been accepted successfully",
        MerchantRequestID: res.body.MerchantRequestID,
        CheckoutRequestID: checkoutRequestId,
        ResultCode: "1032",
        ResultDesc: "Request cancelled by user",
      },
    });
    expect(hitsOn("/hooks/stk").filter((h) => h.raw.includes(checkoutRequestId))).toHaveLength(0);
    expect(sim.callbacks({ ref: checkoutRequestId })).toHaveLength(0);
  });

  it("answers a query for an unknown CheckoutRequestID with 400.002.02", async () => {
    const res = await api("/mpesa/stkpushquery/v1/query", queryBody("ws_CO_00000000000000000000000000"), await token());
    expect(res).toMatchObject({ status: 400, body: { errorCode: "400.002.02", errorMessage: "Bad Request - Invalid CheckoutRequestID" } });
  });

  it("delivers late: the query is final long before the callback arrives", async () => {
    sim.scriptStk("254712345678", { delayMs: 30, late: true, lateMs: 700 });
    const res = await push();
    await sleep(200);
    const query = await api("/mpesa/stkpushquery/v1/query", queryBody(res.body.CheckoutRequestID as string), await token());
    expect(query.body.ResultCode).toBe("0");
    expect(hitsOn("/hooks/stk")).toHaveLength(0);
    const [hit] = await waitForHits("/hooks/stk", 1);
    expect(stkCallbackOf(hit!).ResultCode).toBe(0);
  });

  it("can deliver the callback before answering the push", async () => {
    sim.scriptStk("254712345678", { beforeResponse: true });
    const res = await push();
    expect(res.status).toBe(200);
    // The callback has already arrived by the time the push answer is in.
    expect(hitsOn("/hooks/stk")).toHaveLength(1);
    expect(stkCallbackOf(hitsOn("/hooks/stk")[0]!).CheckoutRequestID).toBe(res.body.CheckoutRequestID);
  });

  it("applies a once script to the next push only", async () => {
    sim.scriptStk("254712345678", { resultCode: 1032, delayMs: 20, once: true });
    await push();
    await waitForHits("/hooks/stk", 1);
    await push();
    const delivered = await waitForHits("/hooks/stk", 2);
    expect(delivered.map((h) => stkCallbackOf(h).ResultCode)).toEqual([1032, 0]);
  });

  it("locks the subscriber while a prompt is open", async () => {
    sim.scriptStk("254712345678", { delayMs: 5000 });
    expect((await push()).status).toBe(200);
    const second = await push();
    expect(second).toMatchObject({
      status: 500,
      body: { errorCode: "500.001.1001", errorMessage: "Unable to lock subscriber, a transaction is already in process for the current subscriber" },
    });
    // Another phone is not affected.
    expect((await push({ PartyA: "254110000001", PhoneNumber: "254110000001" })).status).toBe(200);
  });

  it("validates fields like Daraja", async () => {
    const accessToken = await token();
    const send = (overrides: Record<string, unknown>) => api("/mpesa/stkpush/v1/processrequest", pushBody(overrides), accessToken);
    expect((await send({ PhoneNumber: "0712345678" })).body).toMatchObject({ errorCode: "400.002.02", errorMessage: "Bad Request - Invalid PhoneNumber" });
    expect((await send({ PartyA: "254812345678" })).status).toBe(400);
    expect((await send({ Amount: 0 })).body.errorMessage).toBe("Bad Request - Invalid Amount");
    expect((await send({ Amount: 1.5 })).status).toBe(400);
    expect((await send({ AccountReference: "ABCDEFGHIJKLM" })).body.errorMessage).toBe("Bad Request - Invalid AccountReference");
    expect((await send({ TransactionDesc: "fourteen chars" })).body.errorMessage).toBe("Bad Request - Invalid TransactionDesc");
    expect((await send({ TransactionType: "CustomerPayBill" })).body.errorMessage).toBe("Bad Request - Invalid TransactionType");
    // Numbers or numeric strings are both fine.
    expect((await send({ Amount: "10", BusinessShortCode: 174379, PartyB: 174379, PartyA: 254712345678, PhoneNumber: 254712345678 })).status).toBe(200);
    const wrongType = await api("/mpesa/stkpush/v1/processrequest", JSON.stringify(pushBody()), accessToken, "text/plain");
    expect(wrongType).toMatchObject({ status: 400, body: { errorCode: "400.002.02", errorMessage: "Bad Request - Invalid BusinessShortCode" } });
  });

  it("checks the paybill/till combination: right one pays, wrong one resolves with 2028", async () => {
    const tillToken = await token(TILL.key, TILL.secret);
    const tillPush = (overrides: Record<string, unknown>) => api("/mpesa/stkpush/v1/processrequest", pushBody(overrides, TILL.store, TILL.passkey), tillToken);
    const phones = ["254722000001", "254722000002", "254722000003"];
    for (const phone of phones) sim.scriptStk(phone, { delayMs: 20 });

    const right = await tillPush({ TransactionType: "CustomerBuyGoodsOnline", PartyB: TILL.till, PartyA: phones[0], PhoneNumber: phones[0] });
    const storeAsPartyB = await tillPush({ TransactionType: "CustomerBuyGoodsOnline", PartyB: TILL.store, PartyA: phones[1], PhoneNumber: phones[1] });
    const paybillAsBuyGoods = await push({ TransactionType: "CustomerBuyGoodsOnline", PartyA: phones[2], PhoneNumber: phones[2] });
    for (const res of [right, storeAsPartyB, paybillAsBuyGoods]) expect(res.status).toBe(200);

    const delivered = await waitForHits("/hooks/stk", 3);
    const codeOf = (id: unknown) => stkCallbackOf(delivered.find((h) => stkCallbackOf(h).CheckoutRequestID === id)!).ResultCode;
    expect(codeOf(right.body.CheckoutRequestID)).toBe(0);
    expect(codeOf(storeAsPartyB.body.CheckoutRequestID)).toBe(2028);
    expect(codeOf(paybillAsBuyGoods.body.CheckoutRequestID)).toBe(2028);
  });

  it("retries a failing callback target twice, 1 s apart, recording every attempt", async () => {
    // A path of its own: a straggling delivery from an earlier test must not count as an attempt.
    answers.set("/hooks/stk-retry", (_hit, nth) => (nth < 3 ? { status: 500 } : { status: 200 }));
    sim.scriptStk("254712345678", { delayMs: 10 });
    const res = await push({ CallBackURL: `${hookBase}/hooks/stk-retry` });
    await waitForHits("/hooks/stk-retry", 3, 5000);
    const attempts = await sim.waitForCallback((c) => c.attempt === 3, 8000);
    expect(attempts.status).toBe(200);
    const all = sim.callbacks({ ref: res.body.CheckoutRequestID as string });
    expect(all.map((c) => [c.attempt, c.status])).toEqual([[1, 500], [2, 500], [3, 200]]);
    expect(Date.parse(all[1]!.at) - Date.parse(all[0]!.at)).toBeGreaterThanOrEqual(900);
  });
});

describe("Daraja simulator: C2B", () => {
  const register = async (version: "v1" | "v2", shortcode: string, responseType = "Completed", accessToken?: string) =>
    api(
      `/mpesa/c2b/${version}/registerurl`,
      { ShortCode: shortcode, ResponseType: responseType, ConfirmationURL: `${hookBase}/hooks/c2b/confirm`, ValidationURL: `${hookBase}/hooks/c2b/validate` },
      accessToken ?? (await token()),
    );

  it("registers URLs on v1 and v2 with Safaricom's misspelt OriginatorCoversationID", async () => {
    for (const version of ["v1", "v2"] as const) {
      const res = await register(version, "600984");
      expect(res).toEqual({ status: 200, body: { OriginatorCoversationID: expect.any(String), ResponseCode: "0", ResponseDescription: "Success" } });
    }
    expect(sim.c2bRegistrations()).toEqual([expect.objectContaining({ shortcode: "600984", version: "v2", responseType: "Completed" })]);
    expect((await register("v1", "600984", "completed")).body).toMatchObject({ errorCode: "400.002.02", errorMessage: "Bad Request - Invalid ResponseType" });
    const forbidden = await api("/mpesa/c2b/v1/registerurl", { ShortCode: "600984", ResponseType: "Completed", ConfirmationURL: `${hookBase}/mpesa/confirm`, ValidationURL: `${hookBase}/v` }, await token());
    expect(forbidden.status).toBe(400);
  });

  it("refuses a second registration in production mode", async () => {
    sim.configure({ productionMode: true });
    const accessToken = await token();
    const body = { ShortCode: "174379", ResponseType: "Completed", ConfirmationURL: "https://isp.example.co.ke/hooks/c2b/confirm", ValidationURL: "https://isp.example.co.ke/hooks/c2b/validate" };
    expect((await api("/mpesa/c2b/v1/registerurl", body, accessToken)).status).toBe(200);
    const again = await api("/mpesa/c2b/v1/registerurl", body, accessToken);
    expect(again).toMatchObject({ status: 500, body: { errorCode: "500.003.1001", errorMessage: "Urls are already registered" } });
    // Plain HTTP is sandbox-only.
    expect((await api("/mpesa/c2b/v1/registerurl", { ...body, ShortCode: "600984", ConfirmationURL: `${hookBase}/c` }, accessToken)).status).toBe(400);
  });

  it("runs validation (accept) then confirmation with the balance filled in", async () => {
    await register("v1", "600984");
    sim.setC2bValidation("600984", true);
    answers.set("/hooks/c2b/validate", () => ({ body: { ResultCode: "0", ResultDesc: "Accepted", ThirdPartyTransID: "my-ref-1" } }));
    const result = await sim.c2bPay({ shortcode: "600984", amount: 50, billRefNumber: "HS-A1B2C3", msisdn: "254708374149" });
    expect(result).toEqual({ transId: expect.stringMatching(/^[A-Z0-9]{10}$/), status: "completed", validation: "accepted", confirmed: true });
    const [validation] = hitsOn("/hooks/c2b/validate");
    const [confirmation] = hitsOn("/hooks/c2b/confirm");
    expect(validation!.body).toEqual({
      TransactionType: "Pay Bill",
      TransID: result.transId,
      TransTime: expect.stringMatching(/^\d{14}$/),
      TransAmount: "50.00",
      BusinessShortCode: "600984",
      BillRefNumber: "HS-A1B2C3",
      InvoiceNumber: "",
      OrgAccountBalance: "",
      ThirdPartyTransID: "",
      MSISDN: "25470****149",
      FirstName: "JOHN",
      MiddleName: "",
      LastName: "",
    });
    expect(confirmation!.body).toMatchObject({ TransID: result.transId, OrgAccountBalance: "50.00", ThirdPartyTransID: "my-ref-1" });
  });

  it("sends no confirmation when validation rejects", async () => {
    await register("v1", "600984");
    sim.setC2bValidation("600984", true);
    answers.set("/hooks/c2b/validate", () => ({ body: { ResultCode: "C2B00012", ResultDesc: "Rejected" } }));
    const result = await sim.c2bPay({ shortcode: "600984", amount: 20, billRefNumber: "NOPE" });
    expect(result).toMatchObject({ status: "rejected", validation: "rejected", confirmed: false });
    await sleep(100);
    expect(hitsOn("/hooks/c2b/confirm")).toHaveLength(0);
  });

  it("lets ResponseType decide when validation does not answer in time", async () => {
    sim.configure({ validationTimeoutMs: 150 });
    answers.set("/hooks/c2b/validate", () => ({ delayMs: 1000 }));
    sim.setC2bValidation("600984", true);
    await register("v1", "600984", "Completed");
    expect(await sim.c2bPay({ shortcode: "600984", amount: 10 })).toMatchObject({ status: "completed", validation: "default-completed", confirmed: true });
    await register("v1", "600984", "Cancelled");
    expect(await sim.c2bPay({ shortcode: "600984", amount: 10 })).toMatchObject({ status: "rejected", validation: "default-cancelled" });
    expect(sim.callbacks({ kind: "c2b-validation" })[0]!.error).toMatch(/timed out/);
  });

  it("skips validation when it is not enabled, and serves the sandbox simulate API", async () => {
    await register("v2", "600984");
    const res = await api("/mpesa/c2b/v2/simulate", { ShortCode: 600984, CommandID: "CustomerPayBillOnline", Amount: 10, Msisdn: 254708374149, BillRefNumber: "hs-a1" }, await token());
    expect(res).toEqual({ status: 200, body: { OriginatorCoversationID: expect.any(String), ResponseCode: "0", ResponseDescription: "Accept the service request successfully." } });
    const [confirmation] = await waitForHits("/hooks/c2b/confirm", 1);
    expect(confirmation!.body).toMatchObject({ BillRefNumber: "hs-a1", TransAmount: "10.00", MSISDN: "2547 ***** 149" });
    expect(hitsOn("/hooks/c2b/validate")).toHaveLength(0);
  });

  it("shows the payer's MSISDN plain, masked or hashed", async () => {
    await register("v1", "600984");
    const seen: string[] = [];
    for (const mode of ["plain", "masked", "hashed"] as const) {
      sim.configure({ msisdnMode: mode });
      await sim.c2bPay({ shortcode: "600984", amount: 5, msisdn: "254712345678" });
      seen.push((hitsOn("/hooks/c2b/confirm").at(-1)!.body as { MSISDN: string }).MSISDN);
    }
    expect(seen).toEqual(["254712345678", "25471****678", createHash("sha256").update("254712345678").digest("hex")]);
  });

  it("pays a till as Buy Goods without an account number, through the store's registration", async () => {
    await register("v1", TILL.store, "Completed", await token(TILL.key, TILL.secret));
    await sim.c2bPay({ shortcode: TILL.till, amount: 30, billRefNumber: "IGNORED" });
    expect(hitsOn("/hooks/c2b/confirm")[0]!.body).toMatchObject({ TransactionType: "Buy Goods", BusinessShortCode: TILL.till, BillRefNumber: "" });
  });
});

describe("Daraja simulator: Transaction Status", () => {
  const statusBody = (transactionId: string, initiator = "testapi") => ({
    Initiator: initiator,
    SecurityCredential: "c2VjcmV0",
    CommandID: "TransactionStatusQuery",
    TransactionID: transactionId,
    OriginalConversationID: "",
    PartyA: "174379",
    IdentifierType: "4",
    ResultURL: `${hookBase}/hooks/status/result`,
    QueueTimeOutURL: `${hookBase}/hooks/status/timeout`,
    Remarks: "recon",
    Occasion: "recon",
  });

  it("acks, then posts a Completed result for a receipt it issued", async () => {
    sim.scriptStk("254712345678", { delayMs: 10 });
    await push({ Amount: 75 });
    const [stkHit] = await waitForHits("/hooks/stk", 1);
    const items = (stkCallbackOf(stkHit!).CallbackMetadata as { Item: { Name: string; Value?: unknown }[] }).Item;
    const receipt = items.find((i) => i.Name === "MpesaReceiptNumber")!.Value as string;

    const ack = await api("/mpesa/transactionstatus/v1/query", statusBody(receipt), await token());
    expect(ack).toEqual({
      status: 200,
      body: { OriginatorConversationID: expect.any(String), ConversationID: expect.stringMatching(/^AG_\d{8}_[0-9a-f]{20}$/), ResponseCode: "0", ResponseDescription: "Accept the service request successfully." },
    });
    const [hit] = await waitForHits("/hooks/status/result", 1);
    const result = (hit!.body as { Result: Record<string, unknown> }).Result;
    expect(result).toMatchObject({ ResultType: 0, ResultCode: 0, ConversationID: ack.body.ConversationID, OriginatorConversationID: ack.body.OriginatorConversationID });
    const params = new Map((result.ResultParameters as { ResultParameter: { Key: string; Value?: unknown }[] }).ResultParameter.map((p) => [p.Key, p.Value]));
    expect(params.get("ReceiptNo")).toBe(receipt);
    expect(params.get("Amount")).toBe(75);
    expect(params.get("TransactionStatus")).toBe("Completed");
    expect(params.get("DebitPartyName")).toBe("254712345678 - JOHN DOE");
    expect(String(params.get("InitiatedTime"))).toMatch(/^\d{14}$/);
    expect(String(params.get("FinalisedTime"))).toMatch(/^\d{14}$/);
  });

  it("reports C2B receipts, unknown receipts (R000002), a wrong initiator (2001) and scripted time-outs", async () => {
    const accessToken = await token();
    const { transId } = await sim.c2bPay({ shortcode: "174379", amount: 40 });
    await api("/mpesa/transactionstatus/v1/query", statusBody(transId), accessToken);
    await api("/mpesa/transactionstatus/v1/query", statusBody("TZZZZZZZZZ"), accessToken);
    await api("/mpesa/transactionstatus/v1/query", statusBody(transId, "someone-else"), accessToken);
    const results = await waitForHits("/hooks/status/result", 3);
    const codes = results.map((h) => (h.body as { Result: { ResultCode: unknown; ResultDesc: unknown } }).Result);
    expect(codes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ResultCode: 0 }),
        expect.objectContaining({ ResultCode: "R000002", ResultDesc: "The transaction receipt number does not exist." }),
        expect.objectContaining({ ResultCode: 2001 }),
      ]),
    );

    sim.scriptTransactionStatus("TC14ABCD12", { timeout: true });
    await api("/mpesa/transactionstatus/v1/query", statusBody("TC14ABCD12"), accessToken);
    const [timeout] = await waitForHits("/hooks/status/timeout", 1);
    expect((timeout!.body as { Result: Record<string, unknown> }).Result).toMatchObject({ TransactionID: "TC14ABCD12" });
    expect(hitsOn("/hooks/status/result")).toHaveLength(3);
  });

  it("refuses an empty SecurityCredential synchronously", async () => {
    const res = await api("/mpesa/transactionstatus/v1/query", { ...statusBody("TC14ABCD12"), SecurityCredential: "" }, await token());
    expect(res).toMatchObject({ status: 400, body: { errorCode: "400.002.02" } });
  });
});

describe("Daraja simulator: robustness and control API", () => {
  it("answers malformed JSON with 400.002.05 and keeps serving", async () => {
    const accessToken = await token();
    for (const junk of ["{not json", "[1,2,3]", "", "null"]) {
      const res = await fetch(`${sim.baseUrl}/mpesa/stkpush/v1/processrequest`, { method: "POST", headers: { Authorization: `Bearer ${accessToken}`, "Content-Type": "application/json" }, body: junk });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ errorCode: "400.002.05", errorMessage: "Invalid Request Payload" });
    }
    const unknown = await fetch(`${sim.baseUrl}/mpesa/nothing/here`, { method: "POST" });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ errorCode: "404.001.01", errorMessage: "Resource not found" });
    const wrongVerb = await fetch(`${sim.baseUrl}/mpesa/stkpush/v1/processrequest`);
    expect(wrongVerb.status).toBe(405);
    expect((await oauth()).status).toBe(200);
  });

  it("exposes scripts, accounts, payments and logs over HTTP", async () => {
    const control = (path: string, body?: unknown, method = "POST") =>
      fetch(`${sim.baseUrl}${path}`, { method, headers: { "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });

    const account = { consumerKey: "isp-key", consumerSecret: "isp-secret", shortcode: "600111", passkey: "isp-passkey" };
    expect((await control("/_sim/accounts", account)).status).toBe(201);
    expect((await oauth("isp-key", "isp-secret")).status).toBe(200);
    expect((await control("/_sim/accounts", { consumerKey: "x" })).status).toBe(400);

    expect((await control("/_sim/stk/script", { phone: "254712345678", resultCode: "1032", delayMs: 10 })).status).toBe(200);
    expect((await control("/_sim/stk/script", { phone: "0712", resultCode: 0 })).status).toBe(400);
    await push();
    const [hit] = await waitForHits("/hooks/stk", 1);
    expect(stkCallbackOf(hit!).ResultCode).toBe(1032);

    await api("/mpesa/c2b/v1/registerurl", { ShortCode: "600111", ResponseType: "Completed", ConfirmationURL: `${hookBase}/hooks/c2b/confirm`, ValidationURL: `${hookBase}/hooks/c2b/validate` }, await token("isp-key", "isp-secret"));
    const pay = await control("/_sim/c2b/pay", { shortcode: "600111", amount: 100, billRefNumber: "ACC1", transId: "TC1XYZ4ABC" });
    expect(await pay.json()).toMatchObject({ transId: "TC1XYZ4ABC", status: "completed" });
    expect((await control("/_sim/c2b/pay", { shortcode: "600111", amount: "lots" })).status).toBe(400);

    expect((await control("/_sim/txstatus/script", { transactionId: "TC1XYZ4ABC", timeout: true })).status).toBe(200);
    expect((await control("/_sim/config", { msisdnMode: "hashed" })).status).toBe(200);
    expect((await control("/_sim/config", { msisdnMode: "rot13" })).status).toBe(400);

    const requests = (await (await fetch(`${sim.baseUrl}/_sim/requests`)).json()) as { path: string; status: number; body: unknown }[];
    expect(requests.some((r) => r.path === "/mpesa/stkpush/v1/processrequest" && r.status === 200)).toBe(true);
    expect(requests.every((r) => !r.path.startsWith("/_sim"))).toBe(true);
    const callbacks = (await (await fetch(`${sim.baseUrl}/_sim/callbacks`)).json()) as { kind: string }[];
    expect(callbacks.map((c) => c.kind)).toEqual(["stk", "c2b-confirmation"]);
    expect((await control("/_sim/requests", undefined, "DELETE")).status).toBe(204);
    expect(sim.requests()).toHaveLength(0);
  });
});
