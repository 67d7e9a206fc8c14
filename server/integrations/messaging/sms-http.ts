// A generic HTTP SMS gateway, for the providers without a module of their own: the ISP describes
// the request (URL, GET/POST, form/JSON, the names of the parameters, where the API key goes, the
// phone format) and how to read the answer (a success text, a JSON path to the message id).
import { countSmsSegments } from "./sms-segments";
import { isHttpUrl, isRecord, safeJson, snippet, SMS_REQUEST_TIMEOUT_MS, toMsisdn, webhookFields } from "./sms-shared";
import type { DeliveryUpdate, MessageProvider, ProviderModule, ProviderSettings, SendOutcome, WebhookRequest, WebhookResult } from "./types";

export type HttpSmsConfig = {
  url: string;
  method: "GET" | "POST";
  bodyFormat: "form" | "json";
  phoneParam: string;
  messageParam: string;
  senderParam: string | null;
  senderId: string | null;
  apiKey: string | null;
  apiKeyIn: "param" | "header";
  apiKeyName: string;
  phoneFormat: "254" | "+254" | "0";
  successText: string | null;
  messageIdPath: string | null;
};

const PARAM_NAME = /^[A-Za-z0-9_.\-[\]]{1,64}$/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
const JSON_PATH = /^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/;

const DEFAULTS = { method: "POST", bodyFormat: "form", phoneParam: "to", messageParam: "message", apiKeyIn: "header", apiKeyName: "apikey", phoneFormat: "254" } as const;

function option<T extends string>(value: string | undefined, allowed: readonly T[], fallback: T): T {
  const v = value?.trim();
  return v && (allowed as readonly string[]).includes(v) ? (v as T) : fallback;
}

export function readHttpSmsConfig(settings: ProviderSettings): HttpSmsConfig {
  const c = settings.config;
  const text = (name: string) => c[name]?.trim() || null;
  return {
    url: c.url?.trim() ?? "",
    method: option(c.method?.toUpperCase(), ["GET", "POST"], DEFAULTS.method),
    bodyFormat: option(c.bodyFormat, ["form", "json"], DEFAULTS.bodyFormat),
    phoneParam: text("phoneParam") ?? DEFAULTS.phoneParam,
    messageParam: text("messageParam") ?? DEFAULTS.messageParam,
    senderParam: text("senderParam"),
    senderId: text("senderId"),
    apiKey: settings.secrets.apiKey?.trim() || null,
    apiKeyIn: option(c.apiKeyIn, ["param", "header"], DEFAULTS.apiKeyIn),
    apiKeyName: text("apiKeyName") ?? DEFAULTS.apiKeyName,
    phoneFormat: option(c.phoneFormat, ["254", "+254", "0"], DEFAULTS.phoneFormat),
    // Not trimmed: a success text may well end in a space or a quote.
    successText: c.successText && c.successText.trim() !== "" ? c.successText : null,
    messageIdPath: text("messageIdPath"),
  };
}

export function formatPhone(to: string, format: HttpSmsConfig["phoneFormat"]): string {
  const msisdn = toMsisdn(to);
  if (format === "+254") return `+${msisdn}`;
  if (format === "0") return /^254\d{9}$/.test(msisdn) ? `0${msisdn.slice(3)}` : msisdn;
  return msisdn;
}

/** The value at a dotted path ("data.id", "responses.0.messageid") of a parsed JSON answer, as text. */
export function valueAtPath(value: unknown, path: string): string | null {
  let current: unknown = value;
  for (const key of path.split(".")) {
    if (Array.isArray(current) && /^\d+$/.test(key)) current = current[Number(key)];
    else if (isRecord(current) && Object.hasOwn(current, key)) current = current[key];
    else return null;
  }
  return typeof current === "string" || typeof current === "number" ? String(current) : null;
}

/** When no success text is set: the refusal a 2xx JSON answer states plainly ({"status":"error"}, {"success":false}), or null. */
function statedError(parsed: unknown): string | null {
  if (!isRecord(parsed)) return null;
  const status = typeof parsed.status === "string" ? parsed.status.trim().toLowerCase() : "";
  const failed = parsed.success === false || parsed.ok === false || parsed.error === true || ["error", "failed", "failure", "fail", "rejected"].includes(status);
  if (!failed) return null;
  const nested = isRecord(parsed.error) ? parsed.error.message : undefined;
  for (const candidate of [parsed.message, parsed.error, nested, parsed.description, parsed.reason, parsed.detail]) {
    if (typeof candidate === "string" && candidate.trim() !== "") return candidate.trim();
  }
  return "the gateway reported an error";
}

/** A generic gateway provider; `timeoutMs` is for tests (default 15 s). */
export function createHttpSmsProvider(settings: ProviderSettings, opts: { timeoutMs?: number } = {}): MessageProvider {
  const cfg = readHttpSmsConfig(settings);
  return {
    kind: "http",
    async send(req): Promise<SendOutcome> {
      const params: Array<[string, string]> = [
        [cfg.phoneParam, formatPhone(req.to, cfg.phoneFormat)],
        [cfg.messageParam, req.text],
      ];
      if (cfg.senderParam && cfg.senderId) params.push([cfg.senderParam, cfg.senderId]);
      const headers: Record<string, string> = { Accept: "application/json, text/plain;q=0.9, */*;q=0.8" };
      if (cfg.apiKey) {
        if (cfg.apiKeyIn === "header") headers[cfg.apiKeyName] = cfg.apiKey;
        else params.push([cfg.apiKeyName, cfg.apiKey]);
      }

      let url: URL;
      try {
        url = new URL(cfg.url);
      } catch {
        return { status: "rejected", error: `The SMS gateway URL "${snippet(cfg.url, 80)}" is not valid: check the SMS settings` };
      }
      let body: string | undefined;
      if (cfg.method === "GET") {
        for (const [name, value] of params) url.searchParams.set(name, value);
      } else if (cfg.bodyFormat === "json") {
        headers["Content-Type"] = "application/json";
        body = JSON.stringify(Object.fromEntries(params));
      } else {
        headers["Content-Type"] = "application/x-www-form-urlencoded";
        body = new URLSearchParams(params).toString();
      }

      // Network errors and timeouts throw from fetch: the outbox retries.
      const res = await fetch(url, { method: cfg.method, headers, body, signal: AbortSignal.timeout(opts.timeoutMs ?? SMS_REQUEST_TIMEOUT_MS) });
      const text = await res.text();
      if (res.status >= 500 || res.status === 429 || res.status === 408) throw new Error(`The SMS gateway answered HTTP ${res.status}: ${snippet(text)}`);
      if (res.status === 401 || res.status === 403) return { status: "rejected", error: `The SMS gateway refused the credentials (HTTP ${res.status}): check the API key. ${snippet(text)}`.trim() };
      if (!res.ok) return { status: "rejected", error: `The SMS gateway refused the message: HTTP ${res.status} ${snippet(text)}`.trim() };

      const parsed = safeJson(text);
      if (cfg.successText !== null) {
        if (!text.includes(cfg.successText)) return { status: "rejected", error: `The SMS gateway did not confirm the message (no "${cfg.successText}" in its answer): ${snippet(text) || "(empty)"}` };
      } else {
        const error = statedError(parsed);
        if (error) return { status: "rejected", error: `The SMS gateway refused the message: ${error}` };
      }
      return {
        status: "accepted",
        providerMessageId: cfg.messageIdPath && parsed !== undefined ? valueAtPath(parsed, cfg.messageIdPath) : null,
        segments: countSmsSegments(req.text).segments,
        cost: null,
      };
    },
  };
}

const DLR_STATUS: Record<string, DeliveryUpdate["status"]> = {
  delivered: "delivered",
  deliveredtoterminal: "delivered",
  delivrd: "delivered",
  success: "delivered",
  sent: "sent",
  submitted: "sent",
  queued: "sent",
  accepted: "sent",
  pending: "sent",
  buffered: "sent",
  failed: "failed",
  undelivered: "failed",
  undeliv: "failed",
  rejected: "failed",
  expired: "failed",
  error: "failed",
};

/**
 * Optional delivery reports: a GET or POST (query, form or JSON) with the message id
 * (id / messageId / message_id / messageid) and a status (delivered, sent, failed, … ).
 */
export function parseHttpSmsWebhook(req: WebhookRequest): WebhookResult {
  const method = req.method.toUpperCase();
  if (method !== "POST" && method !== "GET") return { kind: "invalid", reason: "delivery reports are GET or POST requests" };
  const fields = webhookFields(req);
  if (!fields) return { kind: "invalid", reason: "the body is neither a JSON object nor a form" };
  const id = (fields.id ?? fields.messageId ?? fields.message_id ?? fields.messageid ?? "").trim();
  const rawStatus = (fields.status ?? fields.dlr_status ?? "").trim();
  if (!id || !rawStatus) return { kind: "invalid", reason: "a delivery report needs an id and a status" };
  const status = DLR_STATUS[rawStatus.toLowerCase().replace(/[^a-z]/g, "")];
  if (!status) return { kind: "invalid", reason: `unknown delivery status "${rawStatus.slice(0, 40)}"` };
  const update: DeliveryUpdate = { providerMessageId: id, status };
  if (status === "failed") update.error = (fields.error ?? fields.reason ?? fields.description ?? rawStatus).trim() || rawStatus;
  return { kind: "events", updates: [update], inbound: [] };
}

export const httpSmsModule: ProviderModule = {
  kind: "http",
  channel: "sms",
  label: "Other SMS gateway (HTTP)",
  description: "Any SMS gateway with an HTTP API: describe its request and how it says the message was taken.",
  fields: [
    { name: "url", label: "Send URL", required: true, placeholder: "https://sms.example.co.ke/api/send" },
    { name: "method", label: "Method", required: true, defaultValue: DEFAULTS.method, options: [{ value: "POST", label: "POST" }, { value: "GET", label: "GET (parameters in the URL)" }] },
    {
      name: "bodyFormat",
      label: "Body format",
      defaultValue: DEFAULTS.bodyFormat,
      hint: "POST only.",
      options: [{ value: "form", label: "Form (application/x-www-form-urlencoded)" }, { value: "json", label: "JSON" }],
    },
    { name: "phoneParam", label: "Phone parameter name", required: true, defaultValue: DEFAULTS.phoneParam },
    { name: "messageParam", label: "Message parameter name", required: true, defaultValue: DEFAULTS.messageParam },
    { name: "senderParam", label: "Sender ID parameter name", placeholder: "from", hint: "Optional; with the sender ID below." },
    { name: "senderId", label: "Sender ID", placeholder: "MYISP" },
    { name: "apiKey", label: "API key", secret: true, hint: "Optional. For a bearer token enter \"Bearer <token>\" and send it in the Authorization header." },
    { name: "apiKeyIn", label: "Send the API key as", defaultValue: DEFAULTS.apiKeyIn, options: [{ value: "header", label: "A header" }, { value: "param", label: "A parameter" }] },
    { name: "apiKeyName", label: "API key header or parameter name", defaultValue: DEFAULTS.apiKeyName, placeholder: "X-API-Key" },
    {
      name: "phoneFormat",
      label: "Phone number format",
      defaultValue: DEFAULTS.phoneFormat,
      options: [{ value: "254", label: "254712345678" }, { value: "+254", label: "+254712345678" }, { value: "0", label: "0712345678" }],
    },
    { name: "successText", label: "Success when the answer contains", placeholder: "\"status\":\"ok\"", hint: "Optional. Empty: any 2xx answer that does not say it failed." },
    { name: "messageIdPath", label: "Message ID path in the JSON answer", placeholder: "data.id", hint: "Optional, e.g. data.id or responses.0.messageid." },
  ],
  validate(settings) {
    const errors: Record<string, string[]> = {};
    const add = (field: string, message: string) => (errors[field] ??= []).push(message);
    const c = settings.config;
    const url = c.url?.trim() ?? "";
    if (url) {
      if (!isHttpUrl(url)) add("url", "Enter an http:// or https:// address");
      else {
        const parsed = new URL(url);
        if (parsed.username || parsed.password) add("url", "Do not put a user name or password in the URL: use the API key field");
      }
    }
    const method = c.method?.trim().toUpperCase();
    if (method && method !== "GET" && method !== "POST") add("method", "GET or POST");
    if (c.bodyFormat?.trim() && !["form", "json"].includes(c.bodyFormat.trim())) add("bodyFormat", "Form or JSON");
    if (c.apiKeyIn?.trim() && !["param", "header"].includes(c.apiKeyIn.trim())) add("apiKeyIn", "A header or a parameter");
    if (c.phoneFormat?.trim() && !["254", "+254", "0"].includes(c.phoneFormat.trim())) add("phoneFormat", "Choose one of the formats");

    const cfg = readHttpSmsConfig(settings);
    const paramFields: Array<[string, string | null]> = [
      ["phoneParam", cfg.phoneParam],
      ["messageParam", cfg.messageParam],
      ["senderParam", cfg.senderParam],
    ];
    if (cfg.apiKeyIn === "param") paramFields.push(["apiKeyName", cfg.apiKeyName]);
    for (const [field, name] of paramFields) {
      if (name !== null && !PARAM_NAME.test(name)) add(field, "Letters, digits, _ . - [ ] only (at most 64)");
    }
    if (cfg.apiKeyIn === "header" && !HEADER_NAME.test(cfg.apiKeyName)) add("apiKeyName", "Not a valid header name");
    const seen = new Map<string, string>();
    for (const [field, name] of paramFields) {
      if (name === null) continue;
      const other = seen.get(name);
      if (other) add(field, `Same name as another parameter (${name})`);
      else seen.set(name, field);
    }
    if (cfg.senderParam && !cfg.senderId) add("senderId", "Enter the sender ID to send in the sender parameter");
    if (cfg.senderId && !cfg.senderParam) add("senderParam", "Name the parameter that carries the sender ID");
    if (cfg.messageIdPath && !JSON_PATH.test(cfg.messageIdPath)) add("messageIdPath", "A dotted path such as data.id or responses.0.messageid");
    return Object.keys(errors).length > 0 ? errors : null;
  },
  create: (settings) => createHttpSmsProvider(settings),
  parseWebhook(req) {
    try {
      return parseHttpSmsWebhook(req);
    } catch (err) {
      return { kind: "invalid", reason: err instanceof Error ? err.message : "unreadable request" };
    }
  },
  ratePerSecond: 5,
};
