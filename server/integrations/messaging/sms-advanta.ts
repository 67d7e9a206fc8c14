// Advanta SMS and the Kenyan gateways that share its API (Celcom Africa, and other white-labelled
// "api/services/sendsms" gateways): POST {base}/api/services/sendsms/ with JSON
// {apikey, partnerID, message, shortcode, mobile}; the answer is
// {"responses":[{"response-code":200,"response-description":"Success","mobile":2547…,"messageid":…,"networkid":"1"}]}
// (some gateways spell it "respose-code"), or a bare {"response-code":1006,…} for request-level
// errors. Delivery reports are POSTed to the callback URL set on the gateway's portal as
// {"description":"DeliveredToTerminal","messageid":"…","timeTaken":"22s","timestamp":"2025-09-12 10:16:10"}.
import { countSmsSegments } from "./sms-segments";
import { isHttpUrl, isRecord, parseGatewayTime, safeJson, snippet, SMS_REQUEST_TIMEOUT_MS, toMsisdn, trimSlashes, webhookFields } from "./sms-shared";
import type { DeliveryUpdate, MessageProvider, ProviderEndpoints, ProviderModule, ProviderSettings, SendOutcome, WebhookRequest, WebhookResult } from "./types";

export const ADVANTA_DEFAULT_URL = "https://quicksms.advantasms.com";

/**
 * The gateway's response codes (as published by Advanta and the compatible gateways). Transient
 * ones are the gateway's own failures: the send throws and the outbox tries again later. Every other
 * code is about this account or this message and would be refused again, so the message is rejected.
 */
export const ADVANTA_CODES: Record<number, { text: string; transient?: true }> = {
  1001: { text: "Invalid sender ID: the sender ID/shortcode is not registered on this account" },
  1002: { text: "Network not allowed: this account cannot send to the number's network" },
  1003: { text: "Invalid mobile number" },
  1004: { text: "Low bulk credits: top up the SMS account" },
  1005: { text: "Failed: system error at the gateway", transient: true },
  1006: { text: "Invalid credentials: check the partner ID and API key" },
  1007: { text: "Failed: system error at the gateway", transient: true },
  1008: { text: "No delivery report" },
  1009: { text: "Unsupported data type" },
  1010: { text: "Unsupported request type" },
  4090: { text: "Internal error at the gateway (try again after 5 minutes)", transient: true },
  4091: { text: "No partner ID is set" },
  4092: { text: "No API key provided" },
  4093: { text: "Details not found: the gateway does not know this partner ID and API key" },
};

/** Delivery descriptions, keyed without spaces/case; anything not listed (and not in progress) is a failure. */
const DELIVERED = new Set(["deliveredtoterminal", "delivered", "delivrd", "success"]);
const IN_PROGRESS = new Set(["deliveredtonetwork", "messagewaiting", "pending", "sent", "submitted", "buffered", "queued", "accepted", "enroute", "deliveryuncertain"]);
const FAILURE_EXPLANATIONS: Record<string, string> = {
  sendernameblacklisted: "the customer has blocked messages from this sender ID or opted out of promotions",
  absentsubscriber: "the phone has been off or out of network coverage",
  deliveryimpossible: "the number is inactive or ported, or the network blocked the message",
  invalidsourceaddress: "the sender ID is not registered with the customer's network",
  invalidmsisdn: "the number is not valid",
  expired: "the message expired before it could be delivered",
  userinblacklist: "the customer has blocked messages from this sender",
};

type AdvantaConfig = { baseUrl: string; partnerId: string; shortcode: string; apiKey: string };

/** The base URL as entered: a pasted full endpoint ("…/api/services/sendsms/") is cut back to its base. */
export function advantaBaseUrl(entered: string | undefined): string {
  const base = trimSlashes(entered ?? "").replace(/\/api\/services(?:\/[a-z]*)?$/i, "");
  return base === "" ? ADVANTA_DEFAULT_URL : base;
}

function isDefaultBase(base: string): boolean {
  return base.toLowerCase() === ADVANTA_DEFAULT_URL;
}

function readSettings(settings: ProviderSettings): AdvantaConfig {
  return {
    baseUrl: advantaBaseUrl(settings.config.baseUrl),
    partnerId: (settings.config.partnerId ?? "").trim(),
    shortcode: (settings.config.shortcode ?? "").trim(),
    apiKey: (settings.secrets.apiKey ?? "").trim(),
  };
}

function codeOf(entry: Record<string, unknown>): number | null {
  const raw = entry["response-code"] ?? entry["respose-code"] ?? entry["responseCode"] ?? entry["response_code"];
  const n = typeof raw === "number" ? raw : typeof raw === "string" && /^\s*\d+\s*$/.test(raw) ? Number(raw) : NaN;
  return Number.isFinite(n) ? n : null;
}

/** The answer's entry for this number: the matching one of `responses`, else the first, else a bare top-level code. */
function answerEntry(parsed: unknown, msisdn: string): Record<string, unknown> | null {
  if (!isRecord(parsed)) return null;
  const list = Array.isArray(parsed.responses) ? parsed.responses.filter(isRecord) : [];
  const entry = list.find((r) => String(r.mobile ?? "") === msisdn) ?? list[0];
  if (entry && codeOf(entry) !== null) return entry;
  return codeOf(parsed) !== null ? parsed : null;
}

function describe(code: number, entry: Record<string, unknown>): string {
  const known = ADVANTA_CODES[code]?.text;
  const said = typeof entry["response-description"] === "string" ? entry["response-description"].trim() : "";
  if (known && said && !known.toLowerCase().startsWith(said.toLowerCase())) return `${known} (${said}, code ${code})`;
  return `${known ?? (said || "Refused")} (code ${code})`;
}

/** An Advanta-compatible provider sending to `baseUrl`; `timeoutMs` is for tests (default 15 s). */
export function createAdvantaProvider(settings: ProviderSettings, endpoints: ProviderEndpoints, opts: { timeoutMs?: number } = {}): MessageProvider {
  const cfg = readSettings(settings);
  // Only the default Advanta URL is replaced by the configured endpoint (the simulator in a demo);
  // a compatible gateway the ISP entered is always used as entered.
  const base = isDefaultBase(cfg.baseUrl) ? trimSlashes(endpoints.advanta) : cfg.baseUrl;
  const endpoint = `${base}/api/services/sendsms/`;
  return {
    kind: "advanta",
    async send(req): Promise<SendOutcome> {
      const mobile = toMsisdn(req.to);
      // Network errors and timeouts throw from fetch: the outbox retries.
      const res = await fetch(endpoint, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify({ apikey: cfg.apiKey, partnerID: cfg.partnerId, message: req.text, shortcode: cfg.shortcode, mobile }),
        signal: AbortSignal.timeout(opts.timeoutMs ?? SMS_REQUEST_TIMEOUT_MS),
      });
      const body = await res.text();
      if (res.status >= 500 || res.status === 429 || res.status === 408) throw new Error(`The SMS gateway answered HTTP ${res.status}: ${snippet(body)}`);

      const entry = answerEntry(safeJson(body), mobile);
      if (!entry) {
        if (!res.ok) return { status: "rejected", error: `The SMS gateway refused the request: HTTP ${res.status} ${snippet(body)}` };
        throw new Error(`The SMS gateway answered with a body it does not normally send: ${snippet(body) || "(empty)"}`);
      }
      const code = codeOf(entry)!;
      if (code === 200) {
        const id = entry.messageid ?? entry["message-id"] ?? entry.messageId;
        return {
          status: "accepted",
          providerMessageId: typeof id === "string" || typeof id === "number" ? String(id) : null,
          segments: countSmsSegments(req.text).segments,
          cost: null,
        };
      }
      if (ADVANTA_CODES[code]?.transient) throw new Error(`The SMS gateway failed: ${describe(code, entry)}`);
      return { status: "rejected", error: describe(code, entry) };
    },
  };
}

export function parseAdvantaWebhook(req: WebhookRequest): WebhookResult {
  const method = req.method.toUpperCase();
  if (method !== "POST" && method !== "GET") return { kind: "invalid", reason: "delivery reports are GET or POST requests" };
  const fields = webhookFields(req);
  if (!fields) return { kind: "invalid", reason: "the body is neither a JSON object nor a form" };
  // The callback's own shape, and the getdlr shape some gateways post instead.
  const id = (fields.messageid ?? fields["message-id"] ?? fields.messageID ?? fields.messageId ?? "").trim();
  const description = (fields.description ?? fields["delivery-description"] ?? "").trim();
  if (!id || !description) return { kind: "invalid", reason: "a delivery report needs messageid and description" };

  const key = description.toLowerCase().replace(/[^a-z]/g, "");
  const update: DeliveryUpdate = { providerMessageId: id, status: DELIVERED.has(key) ? "delivered" : IN_PROGRESS.has(key) ? "sent" : "failed" };
  if (update.status === "failed") {
    const explanation = FAILURE_EXPLANATIONS[key];
    update.error = explanation ? `${description}: ${explanation}` : description;
  }
  const at = parseGatewayTime(fields.timestamp ?? fields["delivery-time"]);
  if (at) update.at = at;
  return { kind: "events", updates: [update], inbound: [] };
}

export const advantaModule: ProviderModule = {
  kind: "advanta",
  channel: "sms",
  label: "Advanta SMS (and compatible gateways)",
  description: "Send SMS through Advanta or a compatible Kenyan gateway (same \"api/services/sendsms\" API) with your partner ID, API key and sender ID.",
  fields: [
    {
      name: "baseUrl",
      label: "Gateway URL",
      required: true,
      defaultValue: ADVANTA_DEFAULT_URL,
      placeholder: ADVANTA_DEFAULT_URL,
      hint: "Leave as is for Advanta. For a compatible gateway, enter its address (the part before /api/services/sendsms).",
    },
    { name: "partnerId", label: "Partner ID", required: true, placeholder: "1234" },
    { name: "shortcode", label: "Sender ID", required: true, placeholder: "MYISP", hint: "The sender ID (shortcode) registered on your gateway account." },
    { name: "apiKey", label: "API key", secret: true, required: true },
  ],
  validate(settings) {
    const errors: Record<string, string[]> = {};
    const baseUrl = settings.config.baseUrl?.trim() ?? "";
    if (baseUrl && !isHttpUrl(baseUrl)) errors.baseUrl = ["Enter an http:// or https:// address"];
    const partnerId = settings.config.partnerId?.trim() ?? "";
    if (partnerId && !/^[A-Za-z0-9_-]{1,32}$/.test(partnerId)) errors.partnerId = ["Letters and digits only, as shown on your gateway account"];
    const shortcode = settings.config.shortcode?.trim() ?? "";
    if (shortcode && !/^(?:[A-Za-z0-9 ._&-]{1,11}|\d{3,15})$/.test(shortcode)) errors.shortcode = ["A sender ID has at most 11 letters or digits (or is a numeric shortcode)"];
    const apiKey = settings.secrets.apiKey?.trim();
    if (apiKey && /\s/.test(apiKey)) errors.apiKey = ["The API key has no spaces"];
    return Object.keys(errors).length > 0 ? errors : null;
  },
  create: (settings, endpoints) => createAdvantaProvider(settings, endpoints),
  parseWebhook(req) {
    try {
      return parseAdvantaWebhook(req);
    } catch (err) {
      return { kind: "invalid", reason: err instanceof Error ? err.message : "unreadable request" };
    }
  },
  ratePerSecond: 10,
};
