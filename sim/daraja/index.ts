// Safaricom Daraja (M-Pesa) simulator for development and tests. It follows
// /work/shared/reference/daraja.md: same paths, payloads, types and error envelopes, and sends
// the asynchronous callbacks (STK, C2B validation/confirmation, Transaction Status), so the
// app's Daraja client and callback handlers run unchanged against it.
//
// Choices where Safaricom's behaviour is unverified (all documented in the reference as such):
// - Wrong consumer key/secret: HTTP 400 {requestId, errorCode "400.008.03", errorMessage "Invalid Credentials"}.
// - Callback delivery: 1 attempt + up to 2 retries, 1 s apart, when the target fails or answers non-2xx.
//   C2B validation gets a single attempt (its timeout hands over to ResponseType).
// - Unknown receipt in Transaction Status: ResultCode "R000002", "The transaction receipt number does not exist.".
// - Transaction Status with the wrong Initiator: accepted, then a Result with ResultCode 2001.
// - Queue time-out body: a Result envelope with ResultCode "SIM_QUEUE_TIMEOUT".
// - Timestamps (TransactionDate, TransTime, ...) are EAT.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { EventEmitter } from "node:events";
import type { AddressInfo } from "node:net";
import { safeJsonParse, isPlainObject } from "../json";
import {
  BUY_GOODS_ONLINE,
  PAYBILL_ONLINE,
  SAFARICOM_PHONE,
  callbackResultCode,
  eatStamp,
  newAccessToken,
  newCheckoutRequestId,
  newConversationId,
  newMerchantRequestId,
  newOriginatorConversationId,
  newReceipt,
  newRequestId,
  presentMsisdn,
  stkPasswordFor,
  stkResultDescription,
  type MsisdnMode,
} from "./protocol";

export type { MsisdnMode } from "./protocol";

export type SimAccount = {
  consumerKey: string;
  consumerSecret: string;
  /** BusinessShortCode: the paybill number, or the store/HO number for tills. */
  shortcode: string;
  passkey: string;
  /** Set for Buy Goods accounts: STK PartyB must be this number. */
  tillNumber?: string;
  /** When set, Transaction Status requests must name this Initiator. */
  initiatorName?: string;
  /** External C2B validation enabled for this shortcode (and its till). */
  validationEnabled?: boolean;
  /** Shown in CreditPartyName of Transaction Status results. */
  name?: string;
};

export type StkScript = {
  /** Outcome of the prompt; default 0 (paid). */
  resultCode?: number | string;
  /** Time until the customer answers; default 300 ms. */
  delayMs?: number;
  /** Extra deliveries of the same callback; default 0. */
  duplicates?: number;
  /** Deliver only after lateMs (default 30 000) although the outcome (and STK Query) is final after delayMs. */
  late?: boolean;
  lateMs?: number;
  /** Never deliver the callback; STK Query still knows the outcome. */
  drop?: boolean;
  /** Deliver the callback before answering the push request itself. */
  beforeResponse?: boolean;
  /** Apply to the next push to this phone only. */
  once?: boolean;
};

/** Named outcomes for scriptStk. */
export const STK_OUTCOMES = { success: 0, insufficientFunds: 1, cancelled: 1032, timeout: 1037, wrongPin: 2001 } as const;
export type StkOutcomeName = keyof typeof STK_OUTCOMES;

export function stkOutcome(name: StkOutcomeName, extra: Omit<StkScript, "resultCode"> = {}): StkScript {
  return { ...extra, resultCode: STK_OUTCOMES[name] };
}

export type SimConfig = {
  /** One-time C2B URL registration (500.003.1001 on a second one), HTTPS-only URLs, no C2B simulate. */
  productionMode: boolean;
  msisdnMode: MsisdnMode;
  /** Doc FAQ behaviour: issuing a token invalidates earlier tokens of the same app. */
  invalidatePreviousTokens: boolean;
  tokenTtlSeconds: number;
  /** HTTP status of "Invalid Access Token" answers (sources disagree: 400, 401 or 404). */
  invalidTokenHttpStatus: number;
  callbackTimeoutMs: number;
  callbackRetryDelayMs: number;
  validationTimeoutMs: number;
  /** Delay before Transaction Status results/time-outs are posted. */
  resultDelayMs: number;
};

export type InboundRequest = {
  id: number;
  at: string;
  method: string;
  path: string;
  query: Record<string, string>;
  body: unknown;
  /** 0 until answered. */
  status: number;
  response: unknown;
};

export type CallbackKind = "stk" | "c2b-validation" | "c2b-confirmation" | "txstatus-result" | "txstatus-timeout";

export type CallbackAttempt = {
  id: number;
  at: string;
  kind: CallbackKind;
  url: string;
  /** CheckoutRequestID, TransID or ConversationID the delivery belongs to. */
  ref: string;
  body: unknown;
  /** 0 for the first delivery, 1.. for scripted duplicates. */
  delivery: number;
  /** 1-based try within one delivery. */
  attempt: number;
  /** HTTP status of the target's answer; null when it failed or timed out. */
  status: number | null;
  error?: string;
  responseBody?: string;
  ms: number;
};

export type StkSession = {
  merchantRequestId: string;
  checkoutRequestId: string;
  shortcode: string;
  phone: string;
  amount: number;
  accountReference: string;
  transactionType: string;
  partyB: string;
  callbackUrl: string;
  createdAt: string;
  state: "pending" | "final";
  resultCode?: string;
  resultDesc?: string;
  receipt?: string;
  finalAt?: string;
};

export type C2bPayInput = {
  shortcode: string;
  amount: number;
  billRefNumber?: string;
  /** Plain 2547... number; default the sandbox test MSISDN 254708374149. */
  msisdn?: string;
  transId?: string;
  firstName?: string;
  middleName?: string;
  lastName?: string;
};

export type C2bPayResult = {
  transId: string;
  status: "completed" | "rejected";
  validation: "not-enabled" | "accepted" | "rejected" | "default-completed" | "default-cancelled";
  /** Whether the confirmation reached the ConfirmationURL with a 2xx answer. */
  confirmed: boolean;
};

export type C2bRegistration = {
  shortcode: string;
  responseType: "Completed" | "Cancelled";
  confirmationUrl: string;
  validationUrl: string;
  version: "v1" | "v2";
  registeredAt: string;
};

/** A completed payment the sim can report in Transaction Status. */
export type SimTransaction = {
  receipt: string;
  source: "stk" | "c2b";
  shortcode: string;
  amount: number;
  phone: string;
  name: string;
  reasonType: string;
  at: string;
};

export type DarajaSim = {
  port: number;
  baseUrl: string;
  accounts(): SimAccount[];
  addAccount(account: SimAccount): void;
  config(): SimConfig;
  configure(patch: Partial<SimConfig>): SimConfig;
  scriptStk(phone: string, script: StkScript): void;
  stkSessions(): StkSession[];
  c2bPay(input: C2bPayInput): Promise<C2bPayResult>;
  c2bRegistrations(): C2bRegistration[];
  /** Like the portal's URL management: allows registering again in production mode. */
  deleteC2bRegistration(shortcode: string): void;
  setC2bValidation(shortcode: string, enabled: boolean): void;
  scriptTransactionStatus(transactionId: string, script: { timeout: boolean }): void;
  transactions(): SimTransaction[];
  /** Makes every issued token invalid, to exercise refresh-and-retry. */
  expireTokens(): void;
  /** Inbound Daraja API requests (not /_sim control calls), oldest first. */
  requests(filter?: { path?: string }): InboundRequest[];
  clearRequests(): void;
  /** Outbound delivery attempts, oldest first. */
  callbacks(filter?: { kind?: CallbackKind; ref?: string }): CallbackAttempt[];
  waitForCallback(pred: (c: CallbackAttempt) => boolean, timeoutMs?: number): Promise<CallbackAttempt>;
  /** Forgets sessions, scripts, registrations, transactions and logs and cancels pending deliveries; keeps accounts, config and tokens. */
  reset(): void;
  stop(): Promise<void>;
};

export type DarajaSimOptions = {
  port?: number;
  accounts?: SimAccount[];
  tokenTtlSeconds?: number;
  callbackTimeoutMs?: number;
  callbackRetryDelayMs?: number;
  validationTimeoutMs?: number;
  productionMode?: boolean;
  msisdnMode?: MsisdnMode;
};

/** The public sandbox paybill (reference §6) and a Buy Goods till behind store 5123456. */
export const DEFAULT_SIM_ACCOUNTS: readonly SimAccount[] = [
  {
    consumerKey: "sim-consumer-key",
    consumerSecret: "sim-consumer-secret",
    shortcode: "174379",
    passkey: "bfb279f9aa9bdbcf158e97dd71a467cd2e0c893059b10f78e6b72ada1ed2c919",
    initiatorName: "testapi",
    name: "SANDBOX PAYBILL",
  },
  {
    consumerKey: "sim-till-consumer-key",
    consumerSecret: "sim-till-consumer-secret",
    shortcode: "5123456",
    tillNumber: "5123457",
    passkey: "7d3e1c9a5b2f48e6a0c4d8b1f3e5a7c9d2b4f6e8a1c3e5b7d9f2a4c6e8b1d3f5",
    initiatorName: "tillapi",
    name: "SIM TILL STORE",
  },
];

const MAX_LOG_ENTRIES = 2000;
const MAX_BODY_BYTES = 1024 * 1024;
const CALLBACK_ATTEMPTS = 3;
const DUPLICATE_GAP_MS = 50;
const DEFAULT_STK_DELAY_MS = 300;
const DEFAULT_LATE_MS = 30_000;
const MAX_STK_AMOUNT = 250_000;
const SANDBOX_TEST_MSISDN = "254708374149";
// Doc §4.1: words Daraja refuses in C2B URLs.
const FORBIDDEN_URL_WORDS = /m-?pesa|safaricom|exe|cmd|sql|query/i;

const STK_PUSH = "/mpesa/stkpush/v1/processrequest";
const STK_QUERY = "/mpesa/stkpushquery/v1/query";
const API_ROUTES: Record<string, "GET" | "POST"> = {
  "/oauth/v1/generate": "GET",
  [STK_PUSH]: "POST",
  [STK_QUERY]: "POST",
  "/mpesa/c2b/v1/registerurl": "POST",
  "/mpesa/c2b/v2/registerurl": "POST",
  "/mpesa/c2b/v1/simulate": "POST",
  "/mpesa/c2b/v2/simulate": "POST",
  "/mpesa/transactionstatus/v1/query": "POST",
};

type Reply = (status: number, body: unknown) => void;
type DarajaFail = (status: number, errorCode: string, errorMessage: string) => void;
type ApiContext = { req: IncomingMessage; body: Record<string, unknown>; account: SimAccount; reply: Reply; fail: DarajaFail; path: string };

export async function startDarajaSim(opts: DarajaSimOptions = {}): Promise<DarajaSim> {
  const config: SimConfig = {
    productionMode: opts.productionMode ?? false,
    msisdnMode: opts.msisdnMode ?? "masked",
    invalidatePreviousTokens: false,
    tokenTtlSeconds: opts.tokenTtlSeconds ?? 3600,
    invalidTokenHttpStatus: 400,
    callbackTimeoutMs: opts.callbackTimeoutMs ?? 5000,
    callbackRetryDelayMs: opts.callbackRetryDelayMs ?? 1000,
    validationTimeoutMs: opts.validationTimeoutMs ?? 8000,
    resultDelayMs: 200,
  };
  const accounts = new Map<string, SimAccount>(); // by consumerKey
  const tokens = new Map<string, { consumerKey: string; expiresAt: number }>();
  const sessions = new Map<string, StkSession>();
  const phoneLocks = new Map<string, string>(); // phone -> CheckoutRequestID of the open prompt
  const stkScripts = new Map<string, StkScript>();
  const registrations = new Map<string, C2bRegistration>();
  const validationShortcodes = new Set<string>();
  const txStatusScripts = new Map<string, { timeout: boolean }>();
  const transactions = new Map<string, SimTransaction>();
  const usedReceipts = new Set<string>();
  const balances = new Map<string, number>();
  let inbound: InboundRequest[] = [];
  let outbound: CallbackAttempt[] = [];
  let nextLogId = 1;
  let stopped = false;
  const changes = new EventEmitter();
  changes.setMaxListeners(0);

  // Pending waits resolve false when cancelled, so delivery loops end instead of hanging.
  const waits = new Map<NodeJS.Timeout, (fired: boolean) => void>();
  const inFlight = new Set<AbortController>();
  const wait = (ms: number) =>
    new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => {
        waits.delete(timer);
        resolve(true);
      }, Math.max(0, ms));
      waits.set(timer, resolve);
    });
  const cancelPending = () => {
    for (const [timer, resolve] of waits) {
      clearTimeout(timer);
      resolve(false);
    }
    waits.clear();
    for (const controller of inFlight) controller.abort();
    inFlight.clear();
  };

  const addAccount = (account: SimAccount) => {
    accounts.set(account.consumerKey, { ...account });
    if (account.validationEnabled) {
      validationShortcodes.add(account.shortcode);
      if (account.tillNumber) validationShortcodes.add(account.tillNumber);
    }
  };
  for (const account of opts.accounts ?? DEFAULT_SIM_ACCOUNTS) addAccount(account);

  const accountByShortcode = (shortcode: string) => [...accounts.values()].find((a) => a.shortcode === shortcode);
  const accountByTill = (till: string) => [...accounts.values()].find((a) => a.tillNumber === till);

  const newUniqueReceipt = (date: Date) => {
    let receipt = newReceipt(date);
    while (usedReceipts.has(receipt)) receipt = newReceipt(date);
    usedReceipts.add(receipt);
    return receipt;
  };

  // ---- outbound deliveries ----

  const recordAttempt = (attempt: CallbackAttempt) => {
    outbound.push(attempt);
    if (outbound.length > MAX_LOG_ENTRIES) outbound = outbound.slice(outbound.length - MAX_LOG_ENTRIES);
    changes.emit("callback", attempt);
  };

  /** One POST; records the attempt. */
  const postOnce = async (kind: CallbackKind, url: string, ref: string, text: string, delivery: number, attempt: number, timeoutMs: number) => {
    const controller = new AbortController();
    inFlight.add(controller);
    const timer = setTimeout(() => controller.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    const started = Date.now();
    const record: CallbackAttempt = { id: nextLogId++, at: new Date(started).toISOString(), kind, url, ref, body: JSON.parse(text) as unknown, delivery, attempt, status: null, ms: 0 };
    try {
      const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: text, signal: controller.signal });
      record.status = res.status;
      record.responseBody = (await res.text()).slice(0, 4000);
    } catch (err) {
      const reason = controller.signal.aborted ? controller.signal.reason : err;
      record.error = reason instanceof Error ? reason.message : String(reason);
    } finally {
      clearTimeout(timer);
      inFlight.delete(controller);
    }
    record.ms = Date.now() - started;
    recordAttempt(record);
    return record;
  };

  /** A delivery with the sim's retry policy: up to CALLBACK_ATTEMPTS tries, callbackRetryDelayMs apart. */
  const deliver = async (kind: CallbackKind, url: string, ref: string, text: string, delivery = 0): Promise<CallbackAttempt | null> => {
    let last: CallbackAttempt | null = null;
    for (let attempt = 1; attempt <= CALLBACK_ATTEMPTS; attempt++) {
      if (stopped) return last;
      last = await postOnce(kind, url, ref, text, delivery, attempt, config.callbackTimeoutMs);
      if (last.status !== null && last.status >= 200 && last.status < 300) return last;
      if (attempt < CALLBACK_ATTEMPTS && !(await wait(config.callbackRetryDelayMs))) return last;
    }
    return last;
  };

  // ---- STK ----

  const stkCallbackText = (session: StkSession): string => {
    const resultCode = session.resultCode ?? "0";
    const stkCallback: Record<string, unknown> = {
      MerchantRequestID: session.merchantRequestId,
      CheckoutRequestID: session.checkoutRequestId,
      ResultCode: callbackResultCode(resultCode),
      ResultDesc: session.resultDesc,
    };
    if (resultCode === "0") {
      stkCallback.CallbackMetadata = {
        Item: [
          { Name: "Amount", Value: "__SIM_DECIMAL_AMOUNT__" },
          { Name: "MpesaReceiptNumber", Value: session.receipt },
          { Name: "Balance" },
          { Name: "TransactionDate", Value: Number(eatStamp(new Date(session.finalAt ?? Date.now()))) },
          { Name: "PhoneNumber", Value: Number(session.phone) },
        ],
      };
    }
    // Daraja writes the amount as a decimal (50.0); JSON.stringify would drop the fraction.
    return JSON.stringify({ Body: { stkCallback } }).replace('"__SIM_DECIMAL_AMOUNT__"', session.amount.toFixed(1));
  };

  const finalizeStk = (session: StkSession, resultCode: string) => {
    if (session.state === "final") return;
    const now = new Date();
    session.state = "final";
    session.resultCode = resultCode;
    session.resultDesc = stkResultDescription(resultCode);
    session.finalAt = now.toISOString();
    if (phoneLocks.get(session.phone) === session.checkoutRequestId) phoneLocks.delete(session.phone);
    if (resultCode !== "0") return;
    session.receipt = newUniqueReceipt(now);
    const account = accountByShortcode(session.shortcode);
    transactions.set(session.receipt, {
      receipt: session.receipt,
      source: "stk",
      shortcode: session.transactionType === BUY_GOODS_ONLINE ? session.partyB : session.shortcode,
      amount: session.amount,
      phone: session.phone,
      name: "JOHN DOE",
      reasonType: session.transactionType === BUY_GOODS_ONLINE ? "Buy Goods Online" : "Pay Bill Online",
      at: session.finalAt,
    });
    if (account) balances.set(session.shortcode, (balances.get(session.shortcode) ?? 0) + session.amount);
  };

  const deliverStkCallbacks = async (session: StkSession, duplicates: number, firstDelivered?: () => void) => {
    const text = stkCallbackText(session);
    for (let delivery = 0; delivery <= duplicates; delivery++) {
      if (delivery > 0 && !(await wait(DUPLICATE_GAP_MS))) return;
      await deliver("stk", session.callbackUrl, session.checkoutRequestId, text, delivery);
      if (delivery === 0) firstDelivered?.();
    }
  };

  const takeStkScript = (phone: string): StkScript => {
    const script = stkScripts.get(phone);
    if (!script) return {};
    if (script.once) stkScripts.delete(phone);
    return script;
  };

  /** STK push and query both carry BusinessShortCode + Timestamp + Password; null when they check out. */
  const stkCredentialsProblem = (body: Record<string, unknown>, fail: DarajaFail) => {
    const shortcode = field(body.BusinessShortCode);
    const account = shortcode ? accountByShortcode(shortcode) : undefined;
    if (!shortcode || !/^\d{5,7}$/.test(shortcode)) return { failed: fail(400, "400.002.02", "Bad Request - Invalid BusinessShortCode") };
    if (!account) return { failed: fail(500, "500.001.1001", "Merchant does not exist") };
    const timestamp = field(body.Timestamp);
    if (!timestamp || !/^\d{14}$/.test(timestamp)) return { failed: fail(400, "400.002.02", "Bad Request - Invalid Timestamp") };
    if (field(body.Password) !== stkPasswordFor(shortcode, account.passkey, timestamp)) return { failed: fail(500, "500.001.1001", "Wrong credentials") };
    return { shortcode, account };
  };

  const stkPush = async ({ body, reply, fail }: ApiContext) => {
    const creds = stkCredentialsProblem(body, fail);
    if ("failed" in creds) return creds.failed;
    const { shortcode, account } = creds;
    const transactionType = field(body.TransactionType);
    if (transactionType !== PAYBILL_ONLINE && transactionType !== BUY_GOODS_ONLINE) return fail(400, "400.002.02", "Bad Request - Invalid TransactionType");
    const amount = wholeAmount(body.Amount);
    if (amount === null) return fail(400, "400.002.02", "Bad Request - Invalid Amount");
    const partyA = field(body.PartyA);
    if (!partyA || !SAFARICOM_PHONE.test(partyA)) return fail(400, "400.002.02", "Bad Request - Invalid PartyA");
    const partyB = field(body.PartyB);
    if (!partyB || !/^\d{5,7}$/.test(partyB)) return fail(400, "400.002.02", "Bad Request - Invalid PartyB");
    const phone = field(body.PhoneNumber);
    if (!phone || !SAFARICOM_PHONE.test(phone)) return fail(400, "400.002.02", "Bad Request - Invalid PhoneNumber");
    const callbackUrl = field(body.CallBackURL);
    if (!callbackUrl || !isHttpUrl(callbackUrl)) return fail(400, "400.002.02", "Bad Request - Invalid CallBackURL");
    const accountReference = field(body.AccountReference);
    if (!accountReference || accountReference.length > 12) return fail(400, "400.002.02", "Bad Request - Invalid AccountReference");
    const description = field(body.TransactionDesc) ?? "";
    if (description.length > 13) return fail(400, "400.002.02", "Bad Request - Invalid TransactionDesc");
    if (phoneLocks.has(phone)) return fail(500, "500.001.1001", "Unable to lock subscriber, a transaction is already in process for the current subscriber");

    const now = new Date();
    let checkoutRequestId = newCheckoutRequestId(now, phone);
    for (let n = 1; sessions.has(checkoutRequestId); n++) checkoutRequestId = `${newCheckoutRequestId(now, phone)}${n}`;
    const session: StkSession = {
      merchantRequestId: newMerchantRequestId(),
      checkoutRequestId,
      shortcode,
      phone,
      amount,
      accountReference,
      transactionType,
      partyB,
      callbackUrl,
      createdAt: now.toISOString(),
      state: "pending",
    };
    sessions.set(checkoutRequestId, session);
    phoneLocks.set(phone, checkoutRequestId);

    const script = takeStkScript(phone);
    // The product check wins over any script: a wrong PartyB/type never reaches the customer.
    const rightProduct = account.tillNumber
      ? transactionType === BUY_GOODS_ONLINE && partyB === account.tillNumber
      : transactionType === PAYBILL_ONLINE && partyB === account.shortcode;
    const resultCode = !rightProduct ? "2028" : amount > MAX_STK_AMOUNT ? "3" : String(script.resultCode ?? 0);
    const duplicates = Math.max(0, Math.floor(script.duplicates ?? 0));
    const accepted = {
      MerchantRequestID: session.merchantRequestId,
      CheckoutRequestID: checkoutRequestId,
      ResponseCode: "0",
      ResponseDescription: "Success. Request accepted for processing",
      CustomerMessage: "Success. Request accepted for processing",
    };

    if (script.beforeResponse) {
      finalizeStk(session, resultCode);
      if (!script.drop) await new Promise<void>((resolve) => void deliverStkCallbacks(session, duplicates, resolve).finally(resolve));
      reply(200, accepted);
      return;
    }
    reply(200, accepted);
    const delayMs = script.delayMs ?? DEFAULT_STK_DELAY_MS;
    void (async () => {
      if (!(await wait(delayMs))) return;
      finalizeStk(session, resultCode);
      if (script.drop) return;
      if (script.late && !(await wait((script.lateMs ?? DEFAULT_LATE_MS) - delayMs))) return;
      await deliverStkCallbacks(session, duplicates);
    })();
  };

  const stkQuery = ({ body, reply, fail }: ApiContext) => {
    const creds = stkCredentialsProblem(body, fail);
    if ("failed" in creds) return creds.failed;
    const { shortcode, account } = creds;
    const checkoutRequestId = field(body.CheckoutRequestID);
    const session = checkoutRequestId ? sessions.get(checkoutRequestId) : undefined;
    if (!session) return fail(400, "400.002.02", "Bad Request - Invalid CheckoutRequestID");
    if (session.state === "pending") return fail(500, "500.001.1001", "The transaction is being processed");
    reply(200, {
      ResponseCode: "0",
      ResponseDescription: "The service request has been accepted successfully",
      MerchantRequestID: session.merchantRequestId,
      CheckoutRequestID: session.checkoutRequestId,
      ResultCode: session.resultCode,
      ResultDesc: session.resultDesc,
    });
  };

  // ---- C2B ----

  const registerUrls = ({ body, reply, fail, path }: ApiContext) => {
    const shortcode = field(body.ShortCode);
    if (!shortcode || !/^\d{5,7}$/.test(shortcode)) return fail(400, "400.002.02", "Bad Request - Invalid ShortCode");
    const responseType = field(body.ResponseType);
    if (responseType !== "Completed" && responseType !== "Cancelled") return fail(400, "400.002.02", "Bad Request - Invalid ResponseType");
    const confirmationUrl = field(body.ConfirmationURL);
    if (!c2bUrlAllowed(confirmationUrl)) return fail(400, "400.002.02", "Bad Request - Invalid ConfirmationURL");
    const validationUrl = field(body.ValidationURL);
    if (!c2bUrlAllowed(validationUrl)) return fail(400, "400.002.02", "Bad Request - Invalid ValidationURL");
    if (config.productionMode && registrations.has(shortcode)) return fail(500, "500.003.1001", "Urls are already registered");
    registrations.set(shortcode, {
      shortcode,
      responseType,
      confirmationUrl,
      validationUrl,
      version: path.includes("/v2/") ? "v2" : "v1",
      registeredAt: new Date().toISOString(),
    });
    reply(200, { OriginatorCoversationID: newOriginatorConversationId(), ResponseCode: "0", ResponseDescription: "Success" });
  };

  const c2bUrlAllowed = (url: string | undefined): url is string =>
    !!url && isHttpUrl(url) && !FORBIDDEN_URL_WORDS.test(url) && (!config.productionMode || url.startsWith("https://"));

  /** A till pays into its store's registration when the till has none of its own (unverified; lenient). */
  const registrationFor = (shortcode: string) => {
    const own = registrations.get(shortcode);
    if (own) return own;
    const store = accountByTill(shortcode);
    return store ? registrations.get(store.shortcode) : undefined;
  };

  const c2bPay = async (input: C2bPayInput): Promise<C2bPayResult> => {
    const now = new Date();
    const transId = input.transId ?? newUniqueReceipt(now);
    usedReceipts.add(transId);
    const registration = registrationFor(input.shortcode);
    const isTill = !!accountByTill(input.shortcode);
    const plainMsisdn = input.msisdn ?? SANDBOX_TEST_MSISDN;
    const firstName = input.firstName ?? "JOHN";
    const payload = {
      TransactionType: isTill ? "Buy Goods" : "Pay Bill",
      TransID: transId,
      TransTime: eatStamp(now),
      TransAmount: input.amount.toFixed(2),
      BusinessShortCode: input.shortcode,
      BillRefNumber: isTill ? "" : (input.billRefNumber ?? ""),
      InvoiceNumber: "",
      OrgAccountBalance: "",
      ThirdPartyTransID: "",
      MSISDN: presentMsisdn(plainMsisdn, config.msisdnMode, registration?.version ?? "v1"),
      FirstName: firstName,
      MiddleName: input.middleName ?? "",
      LastName: input.lastName ?? "",
    };

    let validation: C2bPayResult["validation"] = "not-enabled";
    if (registration && validationShortcodes.has(input.shortcode)) {
      const answer = await postOnce("c2b-validation", registration.validationUrl, transId, JSON.stringify(payload), 0, 1, config.validationTimeoutMs);
      const reply = answer.status !== null && answer.status >= 200 && answer.status < 300 ? safeJsonParse(answer.responseBody ?? "") : undefined;
      if (isPlainObject(reply) && reply.ResultCode !== undefined) {
        validation = String(reply.ResultCode) === "0" ? "accepted" : "rejected";
        if (validation === "accepted" && typeof reply.ThirdPartyTransID === "string") payload.ThirdPartyTransID = reply.ThirdPartyTransID;
      } else {
        // Unreachable, slow or unreadable: the registered ResponseType decides.
        validation = registration.responseType === "Completed" ? "default-completed" : "default-cancelled";
      }
    }
    if (validation === "rejected" || validation === "default-cancelled") return { transId, status: "rejected", validation, confirmed: false };

    const balance = (balances.get(input.shortcode) ?? 0) + input.amount;
    balances.set(input.shortcode, balance);
    transactions.set(transId, {
      receipt: transId,
      source: "c2b",
      shortcode: input.shortcode,
      amount: input.amount,
      phone: plainMsisdn,
      name: [firstName, input.middleName, input.lastName].filter(Boolean).join(" "),
      reasonType: isTill ? "Buy Goods" : "Pay Bill",
      at: now.toISOString(),
    });
    if (!registration) return { transId, status: "completed", validation, confirmed: false };
    const confirmation = await deliver("c2b-confirmation", registration.confirmationUrl, transId, JSON.stringify({ ...payload, OrgAccountBalance: balance.toFixed(2) }));
    const confirmed = !!confirmation && confirmation.status !== null && confirmation.status >= 200 && confirmation.status < 300;
    return { transId, status: "completed", validation, confirmed };
  };

  /** Validates a C2B payment request (control API or Daraja simulate); returns the error text or the input. */
  const c2bInputFrom = (shortcodeValue: unknown, amountValue: unknown, msisdnValue: unknown, billRefValue: unknown): C2bPayInput | string => {
    const shortcode = field(shortcodeValue);
    if (!shortcode || !/^\d{5,7}$/.test(shortcode)) return "ShortCode";
    const amount = wholeAmount(amountValue);
    if (amount === null) return "Amount";
    const msisdn = msisdnValue === undefined || msisdnValue === null || msisdnValue === "" ? undefined : field(msisdnValue);
    if (msisdn !== undefined && !SAFARICOM_PHONE.test(msisdn)) return "Msisdn";
    const billRefNumber = billRefValue === undefined || billRefValue === null ? undefined : field(billRefValue);
    if (billRefNumber !== undefined && billRefNumber.length > 20) return "BillRefNumber";
    return { shortcode, amount, msisdn, billRefNumber };
  };

  const c2bSimulate = ({ body, reply, fail }: ApiContext) => {
    // Simulate is a sandbox-only API.
    if (config.productionMode) return fail(404, "404.001.01", "Resource not found");
    const commandId = field(body.CommandID);
    if (commandId !== PAYBILL_ONLINE && commandId !== BUY_GOODS_ONLINE) return fail(400, "400.002.02", "Bad Request - Invalid CommandID");
    const input = c2bInputFrom(body.ShortCode, body.Amount, body.Msisdn, body.BillRefNumber);
    if (typeof input === "string") return fail(400, "400.002.02", `Bad Request - Invalid ${input}`);
    reply(200, { OriginatorCoversationID: newOriginatorConversationId(), ResponseCode: "0", ResponseDescription: "Accept the service request successfully." });
    void c2bPay(input).catch(() => undefined);
  };

  // ---- Transaction Status ----

  const transactionStatus = ({ body, account, reply, fail }: ApiContext) => {
    const initiator = field(body.Initiator);
    if (!initiator) return fail(400, "400.002.02", "Bad Request - Invalid Initiator");
    if (!field(body.SecurityCredential)) return fail(400, "400.002.02", "Bad Request - Invalid SecurityCredential");
    if (field(body.CommandID) !== "TransactionStatusQuery") return fail(400, "400.002.02", "Bad Request - Invalid CommandID");
    const transactionId = field(body.TransactionID) ?? "";
    const originalConversationId = field(body.OriginalConversationID) ?? "";
    if (!transactionId && !originalConversationId) return fail(400, "400.002.02", "Bad Request - Invalid TransactionID");
    const partyA = field(body.PartyA);
    if (!partyA || !/^\d{5,12}$/.test(partyA)) return fail(400, "400.002.02", "Bad Request - Invalid PartyA");
    const identifierType = field(body.IdentifierType);
    if (!identifierType || !["1", "2", "4"].includes(identifierType)) return fail(400, "400.002.02", "Bad Request - Invalid IdentifierType");
    const resultUrl = field(body.ResultURL);
    if (!resultUrl || !isHttpUrl(resultUrl)) return fail(400, "400.002.02", "Bad Request - Invalid ResultURL");
    const timeoutUrl = field(body.QueueTimeOutURL);
    if (!timeoutUrl || !isHttpUrl(timeoutUrl)) return fail(400, "400.002.02", "Bad Request - Invalid QueueTimeOutURL");
    const occasion = field(body.Occasion);

    const now = new Date();
    const originatorConversationId = newRequestId();
    const conversationId = newConversationId(now);
    reply(200, { OriginatorConversationID: originatorConversationId, ConversationID: conversationId, ResponseCode: "0", ResponseDescription: "Accept the service request successfully." });

    void (async () => {
      if (!(await wait(config.resultDelayMs))) return;
      const head = { ResultType: 0, OriginatorConversationID: originatorConversationId, ConversationID: conversationId, TransactionID: newUniqueReceipt(new Date()) };
      const referenceData = occasion ? { ReferenceData: { ReferenceItem: { Key: "Occasion", Value: occasion } } } : {};
      if (txStatusScripts.get(transactionId)?.timeout) {
        const timeoutBody = { Result: { ...head, ResultCode: "SIM_QUEUE_TIMEOUT", ResultDesc: "The request timed out in the queue before it could be processed.", TransactionID: transactionId, ...referenceData } };
        await deliver("txstatus-timeout", timeoutUrl, conversationId, JSON.stringify(timeoutBody));
        return;
      }
      let result: Record<string, unknown>;
      const known = transactionId ? transactions.get(transactionId) : undefined;
      if (account.initiatorName && initiator !== account.initiatorName) {
        result = { ...head, ResultCode: 2001, ResultDesc: "The initiator information is invalid." };
      } else if (!known) {
        result = { ...head, ResultCode: "R000002", ResultDesc: "The transaction receipt number does not exist." };
      } else {
        const finished = Number(eatStamp(new Date(known.at)));
        const creditAccount = accountByShortcode(known.shortcode) ?? accountByTill(known.shortcode);
        result = {
          ...head,
          ResultCode: 0,
          ResultDesc: "The service request is processed successfully.",
          ResultParameters: {
            ResultParameter: [
              { Key: "DebitPartyName", Value: `${known.phone} - ${known.name}` },
              { Key: "CreditPartyName", Value: `${known.shortcode} - ${creditAccount?.name ?? "SIM MERCHANT"}` },
              { Key: "OriginatorConversationID", Value: originatorConversationId },
              { Key: "InitiatedTime", Value: finished },
              { Key: "DebitAccountType", Value: "MMF Account For Customer" },
              { Key: "DebitPartyCharges" },
              { Key: "TransactionReason" },
              { Key: "ReasonType", Value: known.reasonType },
              { Key: "TransactionStatus", Value: "Completed" },
              { Key: "FinalisedTime", Value: finished },
              { Key: "Amount", Value: known.amount },
              { Key: "ConversationID", Value: conversationId },
              { Key: "ReceiptNo", Value: known.receipt },
            ],
          },
        };
      }
      await deliver("txstatus-result", resultUrl, conversationId, JSON.stringify({ Result: { ...result, ...referenceData } }));
    })();
  };

  // ---- OAuth and the request pipeline ----

  const oauth = (req: IncomingMessage, url: URL, reply: Reply, fail: DarajaFail) => {
    const auth = req.headers.authorization ?? "";
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/.exec(auth);
    if (!match?.[1]) return fail(400, "400.008.01", "Invalid authentication type passed");
    if (url.searchParams.get("grant_type") !== "client_credentials") return fail(400, "400.008.02", "Invalid grant type passed");
    const decoded = Buffer.from(match[1], "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    const key = colon >= 0 ? decoded.slice(0, colon) : decoded;
    const secret = colon >= 0 ? decoded.slice(colon + 1) : "";
    const account = accounts.get(key);
    if (!account || account.consumerSecret !== secret) return fail(400, "400.008.03", "Invalid Credentials");
    if (config.invalidatePreviousTokens) {
      for (const [token, owner] of tokens) if (owner.consumerKey === key) tokens.delete(token);
    }
    const token = newAccessToken();
    tokens.set(token, { consumerKey: key, expiresAt: Date.now() + config.tokenTtlSeconds * 1000 });
    reply(200, { access_token: token, expires_in: String(config.tokenTtlSeconds - 1) });
  };

  const bearerAccount = (req: IncomingMessage): SimAccount | undefined => {
    const match = /^Bearer\s+(\S+)\s*$/.exec(req.headers.authorization ?? "");
    const issued = match?.[1] ? tokens.get(match[1]) : undefined;
    if (!issued || issued.expiresAt <= Date.now()) return undefined;
    return accounts.get(issued.consumerKey);
  };

  const handleApi = async (req: IncomingMessage, url: URL, path: string, entry: InboundRequest, reply: Reply) => {
    const fail: DarajaFail = (status, errorCode, errorMessage) => reply(status, { requestId: newRequestId(), errorCode, errorMessage });
    const expected = API_ROUTES[path];
    if (!expected) {
      await readBody(req);
      return fail(404, "404.001.01", "Resource not found");
    }
    if (req.method !== expected) {
      await readBody(req);
      return fail(405, "405.001", "Method Not Allowed");
    }
    if (expected === "GET") return oauth(req, url, reply, fail);

    const raw = await readBody(req);
    entry.body = raw === null ? "(body too large)" : (safeJsonParse(raw) ?? raw);
    const account = bearerAccount(req);
    if (!account) {
      const stk = path === STK_PUSH || path === STK_QUERY;
      return fail(config.invalidTokenHttpStatus, stk ? "404.001.03" : "400.003.01", "Invalid Access Token");
    }
    // Doc §1: a missing/wrong Content-Type surfaces as this misleading error.
    if (!(req.headers["content-type"] ?? "").toLowerCase().includes("application/json")) return fail(400, "400.002.02", "Bad Request - Invalid BusinessShortCode");
    const body = raw === null ? undefined : safeJsonParse(raw);
    if (!isPlainObject(body)) return fail(400, "400.002.05", "Invalid Request Payload");

    const ctx: ApiContext = { req, body, account, reply, fail, path };
    if (path === STK_PUSH) return stkPush(ctx);
    if (path === STK_QUERY) return stkQuery(ctx);
    if (path.endsWith("/registerurl")) return registerUrls(ctx);
    if (path.endsWith("/simulate")) return c2bSimulate(ctx);
    return transactionStatus(ctx);
  };

  // ---- control API (/_sim/...) ----

  const configure = (patch: Partial<SimConfig>): SimConfig => {
    Object.assign(config, patch);
    return { ...config };
  };

  const configPatchFrom = (body: Record<string, unknown>): Partial<SimConfig> | string => {
    const patch: Partial<SimConfig> = {};
    for (const [key, value] of Object.entries(body)) {
      switch (key) {
        case "productionMode":
        case "invalidatePreviousTokens":
          if (typeof value !== "boolean") return `${key} must be a boolean`;
          patch[key] = value;
          break;
        case "msisdnMode":
          if (value !== "plain" && value !== "masked" && value !== "hashed") return "msisdnMode must be plain, masked or hashed";
          patch.msisdnMode = value;
          break;
        case "tokenTtlSeconds":
        case "invalidTokenHttpStatus":
        case "callbackTimeoutMs":
        case "callbackRetryDelayMs":
        case "validationTimeoutMs":
        case "resultDelayMs":
          if (typeof value !== "number" || !Number.isFinite(value) || value < 0) return `${key} must be a non-negative number`;
          patch[key] = value;
          break;
        default:
          return `Unknown config key ${key}`;
      }
    }
    return patch;
  };

  const accountFrom = (body: Record<string, unknown>): SimAccount | string => {
    const text = (name: string) => (typeof body[name] === "string" && (body[name] as string).trim() ? (body[name] as string).trim() : undefined);
    const consumerKey = text("consumerKey");
    const consumerSecret = text("consumerSecret");
    const shortcode = text("shortcode");
    const passkey = text("passkey");
    if (!consumerKey || !consumerSecret || !shortcode || !passkey) return "Expected { consumerKey, consumerSecret, shortcode, passkey } strings";
    if (!/^\d{5,7}$/.test(shortcode)) return "shortcode must be 5-7 digits";
    const tillNumber = text("tillNumber");
    if (tillNumber !== undefined && !/^\d{5,7}$/.test(tillNumber)) return "tillNumber must be 5-7 digits";
    if (body.validationEnabled !== undefined && typeof body.validationEnabled !== "boolean") return "validationEnabled must be a boolean";
    return {
      consumerKey,
      consumerSecret,
      shortcode,
      passkey,
      tillNumber,
      initiatorName: text("initiatorName"),
      validationEnabled: body.validationEnabled === true,
      name: text("name"),
    };
  };

  const scriptFrom = (body: Record<string, unknown>): StkScript | string => {
    const script: StkScript = {};
    if (body.resultCode !== undefined) {
      if (typeof body.resultCode !== "number" && typeof body.resultCode !== "string") return "resultCode must be a number or string";
      script.resultCode = body.resultCode;
    }
    for (const key of ["delayMs", "duplicates", "lateMs"] as const) {
      const value = body[key];
      if (value === undefined) continue;
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) return `${key} must be a non-negative number`;
      script[key] = value;
    }
    for (const key of ["late", "drop", "beforeResponse", "once"] as const) {
      const value = body[key];
      if (value === undefined) continue;
      if (typeof value !== "boolean") return `${key} must be a boolean`;
      script[key] = value;
    }
    return script;
  };

  const handleControl = async (req: IncomingMessage, url: URL, path: string, res: ServerResponse) => {
    const method = req.method ?? "GET";
    const send = (status: number, body: unknown) => sendJson(res, status, body);
    const jsonBody = async (): Promise<Record<string, unknown> | null> => {
      const raw = await readBody(req);
      const parsed = raw === null ? undefined : safeJsonParse(raw);
      if (isPlainObject(parsed)) return parsed;
      send(400, { error: "Expected a JSON object body" });
      return null;
    };
    const route = `${method} ${path}`;

    switch (route) {
      case "GET /_sim/requests":
        return send(200, sim.requests({ path: url.searchParams.get("path") ?? undefined }));
      case "DELETE /_sim/requests":
        sim.clearRequests();
        return send(204, null);
      case "GET /_sim/callbacks": {
        const kind = url.searchParams.get("kind") as CallbackKind | null;
        return send(200, sim.callbacks({ kind: kind ?? undefined, ref: url.searchParams.get("ref") ?? undefined }));
      }
      case "DELETE /_sim/callbacks":
        outbound = [];
        return send(204, null);
      case "GET /_sim/accounts":
        return send(200, sim.accounts());
      case "POST /_sim/accounts": {
        const body = await jsonBody();
        if (!body) return;
        const account = accountFrom(body);
        if (typeof account === "string") return send(400, { error: account });
        addAccount(account);
        return send(201, account);
      }
      case "GET /_sim/config":
        return send(200, sim.config());
      case "POST /_sim/config": {
        const body = await jsonBody();
        if (!body) return;
        const patch = configPatchFrom(body);
        if (typeof patch === "string") return send(400, { error: patch });
        return send(200, configure(patch));
      }
      case "POST /_sim/tokens/expire":
        sim.expireTokens();
        return send(204, null);
      case "POST /_sim/stk/script": {
        const body = await jsonBody();
        if (!body) return;
        const phone = field(body.phone);
        if (!phone || !SAFARICOM_PHONE.test(phone)) return send(400, { error: "phone must look like 2547XXXXXXXX or 2541XXXXXXXX" });
        const script = scriptFrom(body);
        if (typeof script === "string") return send(400, { error: script });
        sim.scriptStk(phone, script);
        return send(200, { phone, ...script });
      }
      case "DELETE /_sim/stk/script":
        stkScripts.clear();
        return send(204, null);
      case "GET /_sim/stk/sessions":
        return send(200, sim.stkSessions());
      case "GET /_sim/c2b/registrations":
        return send(200, sim.c2bRegistrations());
      case "POST /_sim/c2b/validation": {
        const body = await jsonBody();
        if (!body) return;
        const shortcode = field(body.shortcode);
        if (!shortcode || typeof body.enabled !== "boolean") return send(400, { error: "Expected { shortcode, enabled: boolean }" });
        sim.setC2bValidation(shortcode, body.enabled);
        return send(200, { shortcode, enabled: body.enabled });
      }
      case "POST /_sim/c2b/pay": {
        const body = await jsonBody();
        if (!body) return;
        const input = c2bInputFrom(body.shortcode, body.amount, body.msisdn, body.billRefNumber);
        if (typeof input === "string") return send(400, { error: `Invalid ${input}` });
        const transId = body.transId === undefined ? undefined : field(body.transId);
        if (transId !== undefined && (!/^[A-Z0-9]{10}$/.test(transId) || usedReceipts.has(transId))) return send(400, { error: "transId must be 10 upper-case letters/digits and not used before" });
        const names = { firstName: stringOr(body.firstName), middleName: stringOr(body.middleName), lastName: stringOr(body.lastName) };
        return send(200, await c2bPay({ ...input, transId, ...names }));
      }
      case "POST /_sim/txstatus/script": {
        const body = await jsonBody();
        if (!body) return;
        const transactionId = field(body.transactionId);
        if (!transactionId || typeof body.timeout !== "boolean") return send(400, { error: "Expected { transactionId, timeout: boolean }" });
        sim.scriptTransactionStatus(transactionId, { timeout: body.timeout });
        return send(200, { transactionId, timeout: body.timeout });
      }
      case "GET /_sim/transactions":
        return send(200, sim.transactions());
      case "POST /_sim/reset":
        sim.reset();
        return send(204, null);
      default:
        await readBody(req);
        return send(404, { error: `No route for ${method} ${path}` });
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    let url: URL;
    try {
      url = new URL(req.url ?? "/", "http://localhost");
    } catch {
      await readBody(req);
      sendJson(res, 404, { requestId: newRequestId(), errorCode: "404.001.01", errorMessage: "Resource not found" });
      return;
    }
    const path = url.pathname.replace(/\/+$/, "") || "/";
    if (path.startsWith("/_sim/")) return handleControl(req, url, path, res);

    const entry: InboundRequest = {
      id: nextLogId++,
      at: new Date().toISOString(),
      method: req.method ?? "GET",
      path,
      query: Object.fromEntries(url.searchParams),
      body: undefined,
      status: 0,
      response: undefined,
    };
    inbound.push(entry);
    if (inbound.length > MAX_LOG_ENTRIES) inbound = inbound.slice(inbound.length - MAX_LOG_ENTRIES);
    const reply: Reply = (status, body) => {
      entry.status = status;
      entry.response = body;
      sendJson(res, status, body);
    };
    await handleApi(req, url, path, entry, reply);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      sendJson(res, 500, { requestId: newRequestId(), errorCode: "500.003.1001", errorMessage: `Internal Server Error: ${err instanceof Error ? err.message : String(err)}` });
    });
  });
  server.on("clientError", (_err, socket) => socket.destroy());

  const port = await new Promise<number>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve((server.address() as AddressInfo).port);
    });
  });

  const sim: DarajaSim = {
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    accounts: () => [...accounts.values()].map((a) => ({ ...a })),
    addAccount,
    config: () => ({ ...config }),
    configure,
    scriptStk(phone, script) {
      stkScripts.set(phone.trim(), { ...script });
    },
    stkSessions: () => [...sessions.values()].map((s) => ({ ...s })),
    c2bPay(input) {
      if (!Number.isInteger(input.amount) || input.amount < 1) return Promise.reject(new Error("amount must be a whole number of shillings ≥ 1"));
      return c2bPay(input);
    },
    c2bRegistrations: () => [...registrations.values()].map((r) => ({ ...r })),
    deleteC2bRegistration(shortcode) {
      registrations.delete(shortcode);
    },
    setC2bValidation(shortcode, enabled) {
      if (enabled) validationShortcodes.add(shortcode);
      else validationShortcodes.delete(shortcode);
    },
    scriptTransactionStatus(transactionId, script) {
      if (script.timeout) txStatusScripts.set(transactionId, { ...script });
      else txStatusScripts.delete(transactionId);
    },
    transactions: () => [...transactions.values()].map((t) => ({ ...t })),
    expireTokens() {
      tokens.clear();
    },
    requests(filter) {
      const list = filter?.path ? inbound.filter((r) => r.path === filter.path) : inbound;
      return list.map((r) => ({ ...r }));
    },
    clearRequests() {
      inbound = [];
    },
    callbacks(filter) {
      return outbound.filter((c) => (!filter?.kind || c.kind === filter.kind) && (!filter?.ref || c.ref === filter.ref)).map((c) => ({ ...c }));
    },
    waitForCallback(pred, timeoutMs = 5000) {
      const already = outbound.find(pred);
      if (already) return Promise.resolve({ ...already });
      return new Promise<CallbackAttempt>((resolve, reject) => {
        const onCallback = (attempt: CallbackAttempt) => {
          if (!pred(attempt)) return;
          clearTimeout(timer);
          changes.off("callback", onCallback);
          resolve({ ...attempt });
        };
        const timer = setTimeout(() => {
          changes.off("callback", onCallback);
          reject(new Error(`No matching Daraja callback within ${timeoutMs}ms`));
        }, timeoutMs);
        changes.on("callback", onCallback);
      });
    },
    reset() {
      cancelPending();
      sessions.clear();
      phoneLocks.clear();
      stkScripts.clear();
      registrations.clear();
      txStatusScripts.clear();
      transactions.clear();
      balances.clear();
      inbound = [];
      outbound = [];
      validationShortcodes.clear();
      for (const account of accounts.values()) {
        if (!account.validationEnabled) continue;
        validationShortcodes.add(account.shortcode);
        if (account.tillNumber) validationShortcodes.add(account.tillNumber);
      }
    },
    async stop() {
      stopped = true;
      cancelPending();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
  return sim;
}

/** A request field as text: strings trimmed, finite numbers in plain notation; anything else undefined. */
function field(value: unknown): string | undefined {
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" && Number.isFinite(value)) return Number.isInteger(value) ? BigInt(value).toString() : String(value);
  return undefined;
}

function stringOr(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

/** Whole shillings ≥ 1 from a number or numeric string (Daraja accepts both); null otherwise. */
function wholeAmount(value: unknown): number | null {
  const text = field(value);
  if (!text || !/^\d+(\.0+)?$/.test(text)) return null;
  const amount = Number(text);
  return Number.isSafeInteger(amount) && amount >= 1 ? amount : null;
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

/** The body as text; null when it exceeds MAX_BODY_BYTES (the rest is drained, not kept). */
function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on("end", () => resolve(size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString("utf8")));
    req.on("error", () => resolve(null));
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  if (res.headersSent || res.destroyed) return;
  if (status === 204) {
    res.writeHead(204).end();
    return;
  }
  res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
}
