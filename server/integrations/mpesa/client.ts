// Safaricom Daraja client (OAuth, STK Push/Query, C2B register, Transaction Status).
// Works unchanged against https://sandbox.safaricom.co.ke, https://api.safaricom.co.ke and
// sim/daraja. Protocol reference: /work/shared/reference/daraja.md.
import { darajaTimestamp, stkPassword, toDarajaPhone } from "./parse";
import type {
  DarajaClient,
  DarajaClientOptions,
  DarajaCredentials,
  DarajaEnvironment,
  DarajaExchangeKind,
  RegisterC2bResult,
  StkPushResult,
  StkQueryResult,
  TestCredentialsResult,
  TransactionStatusAck,
} from "./types";

export const DARAJA_BASE_URLS: Record<DarajaEnvironment, string> = {
  sandbox: "https://sandbox.safaricom.co.ke",
  production: "https://api.safaricom.co.ke",
};

const DEFAULT_TIMEOUT_MS = 15_000;
// Reference §2: refresh a minute before expiry.
const TOKEN_REFRESH_MARGIN_S = 60;
const FALLBACK_TOKEN_LIFETIME_S = 3599;
const THROTTLED_CODES = new Set(["500.003.02", "500.003.03"]);
const OAUTH_REQUEST_CODES = new Set(["400.008.01", "400.008.02"]);

/**
 * Daraja refused a request or could not be reached. errorCode/errorMessage are Daraja's own
 * (errorCode "network_error", "timeout", "invalid_response" or "invalid_request" for local
 * failures); `message` explains it for people.
 */
export class DarajaError extends Error {
  readonly httpStatus: number | null;
  readonly errorCode: string;
  readonly errorMessage: string;
  /** True when sending the same request later may succeed (throttling, network, timeouts, gateway trouble). */
  readonly retryable: boolean;
  readonly requestId?: string;

  constructor(init: { httpStatus: number | null; errorCode: string; errorMessage: string; retryable: boolean; requestId?: string; message?: string }) {
    super(init.message ?? `${init.errorMessage} (${init.errorCode}${init.httpStatus ? `, HTTP ${init.httpStatus}` : ""})`);
    this.name = "DarajaError";
    this.httpStatus = init.httpStatus;
    this.errorCode = init.errorCode;
    this.errorMessage = init.errorMessage;
    this.retryable = init.retryable;
    if (init.requestId) this.requestId = init.requestId;
  }
}

type Answer = { status: number; body: unknown; text: string };
type CachedToken = { token: string; refreshAt: number };

export function createDarajaClient(opts: DarajaClientOptions = {}): DarajaClient {
  const baseUrlFor = (environment: DarajaEnvironment) => (opts.baseUrlFor ?? ((e) => DARAJA_BASE_URLS[e]))(environment).replace(/\/+$/, "");
  const doFetch = opts.fetch ?? fetch;
  const now = opts.now ?? (() => new Date());
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const tokens = new Map<string, CachedToken>();
  const tokensInFlight = new Map<string, Promise<string>>();

  const report = (kind: DarajaExchangeKind, url: string, request: unknown, response: unknown, status: number, started: number) => {
    if (!opts.onExchange) return;
    try {
      opts.onExchange({ kind, url, request, response, status, ms: Date.now() - started });
    } catch {
      // Storing the exchange must never break the payment itself.
    }
  };

  /** One HTTP exchange; network failures and timeouts become DarajaError. */
  const exchange = async (kind: DarajaExchangeKind, url: string, init: RequestInit, reported: unknown): Promise<Answer> => {
    const started = Date.now();
    let res: Response;
    let text: string;
    try {
      res = await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
      text = await res.text();
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
      const detail = errorDetail(err);
      report(kind, url, reported, { error: timedOut ? `timed out after ${timeoutMs} ms` : detail }, 0, started);
      const host = hostOf(url);
      throw timedOut
        ? new DarajaError({ httpStatus: null, errorCode: "timeout", errorMessage: `M-Pesa (${host}) did not answer within ${Math.round(timeoutMs / 1000)} s.`, retryable: true })
        : new DarajaError({ httpStatus: null, errorCode: "network_error", errorMessage: `Could not reach M-Pesa (${host}): ${detail}.`, retryable: true });
    }
    const body = parseJson(text);
    report(kind, url, reported, kind === "oauth" ? maskToken(body ?? text) : (body ?? text), res.status, started);
    return { status: res.status, body, text };
  };

  const fetchToken = async (creds: DarajaCredentials, key: string): Promise<string> => {
    const url = `${baseUrlFor(creds.environment)}/oauth/v1/generate?grant_type=client_credentials`;
    const basic = Buffer.from(`${creds.consumerKey}:${creds.consumerSecret}`, "utf8").toString("base64");
    const answer = await exchange("oauth", url, { method: "GET", headers: { Authorization: `Basic ${basic}`, Accept: "application/json" } }, { url, consumerKey: maskSecret(creds.consumerKey) });
    const body = isObject(answer.body) ? answer.body : {};
    const token = typeof body.access_token === "string" ? body.access_token.trim() : "";
    if (answer.status >= 200 && answer.status < 300 && token) {
      // expires_in is "3599" or 3599 depending on the source (reference §2).
      const lifetime = Number(body.expires_in);
      const seconds = Number.isFinite(lifetime) && lifetime > 0 ? lifetime : FALLBACK_TOKEN_LIFETIME_S;
      const refreshIn = Math.max(seconds - TOKEN_REFRESH_MARGIN_S, seconds / 2);
      tokens.set(key, { token, refreshAt: now().getTime() + refreshIn * 1000 });
      return token;
    }
    throw oauthError(answer);
  };

  const tokenKey = (creds: DarajaCredentials) => `${baseUrlFor(creds.environment)}\n${creds.consumerKey}\n${creds.consumerSecret}`;

  /** Cached per (base URL, key, secret); concurrent callers share one OAuth request. */
  const getToken = (creds: DarajaCredentials, fresh = false): Promise<string> => {
    const key = tokenKey(creds);
    const cached = tokens.get(key);
    if (!fresh && cached && cached.refreshAt > now().getTime()) return Promise.resolve(cached.token);
    const pending = tokensInFlight.get(key);
    if (pending) return pending;
    const request = fetchToken(creds, key).finally(() => tokensInFlight.delete(key));
    tokensInFlight.set(key, request);
    return request;
  };

  /** POST with the bearer token; on "Invalid Access Token" the token is replaced and the request sent once more. */
  const post = async (kind: DarajaExchangeKind, creds: DarajaCredentials, path: string, body: Record<string, unknown>): Promise<Answer> => {
    const url = `${baseUrlFor(creds.environment)}${path}`;
    for (let attempt = 1; ; attempt++) {
      const token = await getToken(creds);
      const answer = await exchange(
        kind,
        url,
        { method: "POST", headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json" }, body: JSON.stringify(body) },
        maskRequest(body),
      );
      if (attempt === 1 && isInvalidToken(answer)) {
        const key = tokenKey(creds);
        // Another request may already have replaced it; drop only the token we used.
        if (tokens.get(key)?.token === token) tokens.delete(key);
        continue;
      }
      return answer;
    }
  };

  const stkAuth = (creds: DarajaCredentials) => {
    const timestamp = darajaTimestamp(now());
    return { BusinessShortCode: creds.shortcode, Password: stkPassword(creds.shortcode, creds.passkey, timestamp), Timestamp: timestamp };
  };

  return {
    getToken: (creds) => getToken(creds),

    async testCredentials(creds): Promise<TestCredentialsResult> {
      const local = credentialProblem(creds);
      if (local) return { ok: false, reason: local };
      try {
        await getToken(creds, true);
        return { ok: true };
      } catch (err) {
        if (!(err instanceof DarajaError)) return { ok: false, reason: `Unexpected error: ${errorDetail(err)}` };
        if (err.errorCode === "network_error" || err.errorCode === "timeout") return { ok: false, reason: `${err.errorMessage} Check the server's internet connection and try again.` };
        return { ok: false, reason: err.message };
      }
    },

    async stkPush(creds, input): Promise<StkPushResult> {
      const phone = toDarajaPhone(input.phone);
      if (!phone) throw invalidRequest(`"${input.phone}" is not a Safaricom mobile number (07XXXXXXXX, 01XXXXXXXX or 2547XXXXXXXX).`);
      if (!Number.isInteger(input.amount) || input.amount < 1) throw invalidRequest(`The amount must be whole shillings, at least 1 (got ${input.amount}).`);
      const accountReference = input.accountReference.trim();
      if (!accountReference || accountReference.length > 12) throw invalidRequest("The account reference must be 1–12 characters.");
      const description = input.description.trim() || "Payment";
      if (description.length > 13) throw invalidRequest("The description must be at most 13 characters.");
      if (!isHttpUrl(input.callbackUrl)) throw invalidRequest("The callback URL must be an http(s) URL.");
      const till = creds.accountType === "till";
      if (till && !creds.tillNumber) throw invalidRequest("A till account needs its till number.");

      const answer = await post("stk_push", creds, "/mpesa/stkpush/v1/processrequest", {
        ...stkAuth(creds),
        TransactionType: till ? "CustomerBuyGoodsOnline" : "CustomerPayBillOnline",
        Amount: input.amount,
        PartyA: phone,
        PartyB: till ? creds.tillNumber : creds.shortcode,
        PhoneNumber: phone,
        CallBackURL: input.callbackUrl,
        AccountReference: accountReference,
        TransactionDesc: description,
      });
      const body = expectAccepted(answer);
      const checkoutRequestId = textField(body.CheckoutRequestID);
      if (!checkoutRequestId) throw invalidResponse(answer, "no CheckoutRequestID");
      return { merchantRequestId: textField(body.MerchantRequestID), checkoutRequestId, customerMessage: textField(body.CustomerMessage) };
    },

    async stkQuery(creds, checkoutRequestId): Promise<StkQueryResult> {
      const answer = await post("stk_query", creds, "/mpesa/stkpushquery/v1/query", { ...stkAuth(creds), CheckoutRequestID: checkoutRequestId });
      // Reference §3.5: while the customer has not answered, Daraja replies with this error envelope.
      if (/being processed/i.test(envelopeMessage(answer))) return { state: "pending" };
      const body = isObject(answer.body) ? answer.body : null;
      if (answer.status >= 200 && answer.status < 300 && body && !("errorCode" in body)) {
        if (body.ResultCode === undefined || body.ResultCode === null || textField(body.ResultCode) === "") return { state: "pending" };
        return { state: "final", resultCode: textField(body.ResultCode), resultDesc: textField(body.ResultDesc) };
      }
      throw errorFrom(answer);
    },

    async registerC2bUrls(creds, input): Promise<RegisterC2bResult> {
      const answer = await post("c2b_register", creds, `/mpesa/c2b/${input.version ?? "v1"}/registerurl`, {
        ShortCode: input.shortcode ?? creds.shortcode,
        ResponseType: input.responseType ?? "Completed",
        ConfirmationURL: input.confirmationUrl,
        ValidationURL: input.validationUrl,
      });
      const body = expectAccepted(answer);
      // Safaricom spells it "OriginatorCoversationID" here (reference §4.1).
      return { originatorConversationId: textField(body.OriginatorCoversationID ?? body.OriginatorConversationID), responseDescription: textField(body.ResponseDescription) };
    },

    async transactionStatus(creds, input): Promise<TransactionStatusAck> {
      if (!creds.initiatorName || !creds.securityCredential) throw invalidRequest("Set the initiator name and security credential to check transactions with M-Pesa.");
      if (!input.transactionId.trim()) throw invalidRequest("The M-Pesa receipt number is empty.");
      const answer = await post("transaction_status", creds, "/mpesa/transactionstatus/v1/query", {
        Initiator: creds.initiatorName,
        SecurityCredential: creds.securityCredential,
        CommandID: "TransactionStatusQuery",
        TransactionID: input.transactionId.trim().toUpperCase(),
        OriginalConversationID: "",
        PartyA: input.partyA ?? creds.shortcode,
        IdentifierType: input.identifierType ?? "4",
        ResultURL: input.resultUrl,
        QueueTimeOutURL: input.timeoutUrl,
        Remarks: (input.remarks ?? "Transaction status").slice(0, 100),
        Occasion: (input.occasion ?? "").slice(0, 100),
      });
      const body = expectAccepted(answer);
      return { conversationId: textField(body.ConversationID), originatorConversationId: textField(body.OriginatorConversationID) };
    },
  };
}

// ---- answers and errors ----

/** The body of a 2xx answer with ResponseCode "0"; anything else throws. */
function expectAccepted(answer: Answer): Record<string, unknown> {
  const body = isObject(answer.body) ? answer.body : null;
  if (answer.status >= 200 && answer.status < 300 && body && !("errorCode" in body)) {
    if (textField(body.ResponseCode) === "0") return body;
    if (body.ResponseCode !== undefined) {
      throw new DarajaError({
        httpStatus: answer.status,
        errorCode: textField(body.ResponseCode),
        errorMessage: textField(body.ResponseDescription) || "Request not accepted",
        retryable: false,
        message: `M-Pesa did not accept the request: ${textField(body.ResponseDescription) || `ResponseCode ${textField(body.ResponseCode)}`}`,
      });
    }
    throw invalidResponse(answer, "no ResponseCode");
  }
  throw errorFrom(answer);
}

function envelopeMessage(answer: Answer): string {
  if (isObject(answer.body)) return textField(answer.body.errorMessage ?? answer.body.resultDesc ?? answer.body.error_description ?? answer.body.error);
  return answer.text;
}

function isInvalidToken(answer: Answer): boolean {
  return /invalid access token/i.test(envelopeMessage(answer));
}

/** A DarajaError for a non-accepted answer, with a message people can act on. */
function errorFrom(answer: Answer): DarajaError {
  const body = isObject(answer.body) ? answer.body : {};
  const errorCode = textField(body.errorCode ?? body.resultCode) || `http_${answer.status}`;
  const errorMessage = envelopeMessage(answer).slice(0, 300) || `HTTP ${answer.status} without an error message`;
  const requestId = textField(body.requestId) || undefined;
  const hasEnvelope = isObject(answer.body) && ("errorCode" in answer.body || "errorMessage" in answer.body);
  const throttled = THROTTLED_CODES.has(errorCode) || /spike arrest|quota violation|system is busy/i.test(errorMessage);
  // Proxies and load balancers answer 502/503/504 without Daraja's envelope: worth another try later.
  const gatewayTrouble = !hasEnvelope && answer.status >= 502 && answer.status <= 504;
  return new DarajaError({ httpStatus: answer.status, errorCode, errorMessage, requestId, retryable: throttled || gatewayTrouble, message: explain(errorCode, errorMessage, answer.status, throttled) });
}

function explain(errorCode: string, errorMessage: string, status: number, throttled: boolean): string {
  if (/unable to lock subscriber/i.test(errorMessage)) return "The customer already has an M-Pesa prompt open. Ask them to finish or cancel it, then try again in about a minute.";
  if (/wrong credentials/i.test(errorMessage)) return "M-Pesa rejected the STK password: the passkey does not belong to this shortcode (for a till, use the store number's passkey).";
  if (/merchant does not exist/i.test(errorMessage)) return "M-Pesa does not know this shortcode. Check the paybill or store number.";
  if (/already registered/i.test(errorMessage)) return "C2B URLs are already registered for this shortcode. Delete them in the M-Pesa portal's URL management, then register again.";
  if (/invalid access token/i.test(errorMessage)) return "M-Pesa rejected the access token even after it was renewed. Test the Daraja credentials.";
  if (throttled) return "M-Pesa is limiting requests right now. Try again shortly.";
  if (errorCode.startsWith("400.002")) return `M-Pesa rejected the request: ${errorMessage}`;
  return `M-Pesa error ${errorCode}: ${errorMessage} (HTTP ${status})`;
}

function oauthError(answer: Answer): DarajaError {
  const error = errorFrom(answer);
  if (answer.status >= 200 && answer.status < 300) return invalidResponse(answer, "no access_token");
  if (OAUTH_REQUEST_CODES.has(error.errorCode) || answer.status >= 500) return error;
  if (answer.status === 400 || answer.status === 401 || answer.status === 403) {
    // Wrong key/secret comes back as 400/401 with an empty or non-standard body (reference §2).
    return new DarajaError({
      httpStatus: answer.status,
      errorCode: error.errorCode,
      errorMessage: error.errorMessage,
      requestId: error.requestId,
      retryable: false,
      message: "M-Pesa rejected the consumer key or secret. Copy both again from your app on the Daraja portal; sandbox and production apps have different keys.",
    });
  }
  return error;
}

function invalidRequest(message: string): DarajaError {
  return new DarajaError({ httpStatus: null, errorCode: "invalid_request", errorMessage: message, retryable: false, message });
}

function invalidResponse(answer: Answer, what: string): DarajaError {
  const message = `M-Pesa answered HTTP ${answer.status} with ${what}: ${answer.text.slice(0, 200)}`;
  return new DarajaError({ httpStatus: answer.status, errorCode: "invalid_response", errorMessage: message, retryable: false, message });
}

/** Problems visible without asking Safaricom. */
function credentialProblem(creds: DarajaCredentials): string | null {
  if (!creds.consumerKey.trim() || !creds.consumerSecret.trim()) return "The consumer key and secret are required.";
  if (!/^\d{5,7}$/.test(creds.shortcode)) return "The shortcode must be 5–7 digits.";
  if (!creds.passkey.trim()) return "The passkey is required.";
  if (creds.accountType === "till" && !/^\d{5,7}$/.test(creds.tillNumber ?? "")) return "A till account needs its till number (5–7 digits).";
  return null;
}

// ---- small helpers ----

function parseJson(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function textField(value: unknown): string {
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" && Number.isFinite(value)) return Number.isSafeInteger(value) ? value.toFixed(0) : String(value);
  return "";
}

function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === "http:" || protocol === "https:";
  } catch {
    return false;
  }
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

function errorDetail(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  // undici hides the useful part (ECONNREFUSED, ENOTFOUND) in `cause`.
  const cause = (err as { cause?: unknown }).cause;
  const causeText = cause instanceof Error ? ((cause as { code?: string }).code ?? cause.message) : undefined;
  return causeText ? `${err.message} (${causeText})` : err.message;
}

function maskSecret(value: string): string {
  return value.length <= 4 ? "***" : `***${value.slice(-4)}`;
}

function maskRequest(body: Record<string, unknown>): Record<string, unknown> {
  const masked = { ...body };
  for (const key of ["Password", "SecurityCredential"]) if (key in masked) masked[key] = "***";
  return masked;
}

function maskToken(body: unknown): unknown {
  if (!isObject(body) || typeof body.access_token !== "string") return body;
  return { ...body, access_token: maskSecret(body.access_token) };
}
