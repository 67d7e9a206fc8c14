// UltraMsg (api.ultramsg.com): a WhatsApp gateway that drives an ordinary WhatsApp (Business app)
// number linked by QR code, reached with an instance ID and token. Works unchanged against
// https://api.ultramsg.com and sim/whatsapp/ultramsg.ts.
//
// Sending: POST {ultramsg}/{instanceId}/messages/chat, form fields token, to, body.
// Success: {"sent":"true","message":"ok","id":<number>}; refusals: {"error": "…"} or
// {"error": [{"<field>": "…"}]} (often with HTTP 200).
// Outcomes (SendOutcome semantics):
// - THROW WhatsAppError "account" when the token or instance is wrong, or the instance is logged
//   out / stopped / unpaid: fixing the settings (or rescanning the QR) makes the same message go,
//   so it is retried, bounded by the outbox's attempt limit (same choice as the Cloud API's 190);
// - THROW "rate_limited" (HTTP 429), "server" (HTTP 5xx), "network"/"timeout", "invalid_response";
// - rejected for refusals of the message itself (bad number, empty body, …).
//
// Webhooks (UltraMsg does not sign them): {"event_type": "message_ack" | "message_received" | …,
// "instanceId": "12345", "id": "<UltraMsg message id>", "referenceId", "hash", "data": {id, from,
// to, ack, type, body, fromMe, time, …}}. They are checked against the configured instance ID; the
// webhook URL itself must carry an unguessable per-ISP path (the webhook route's job).
import { WhatsAppError, exchange, isObject, phoneDigits, text, trimRoot, unixDate, type HttpAnswer } from "./whatsapp-common";
import type { DeliveryUpdate, InboundMessage, MessageProvider, ProviderEndpoints, ProviderModule, ProviderSettings, SendOutcome, WebhookRequest, WebhookResult } from "./types";

const PROVIDER = "ultramsg" as const;
const MAX_TEXT_CHARS = 4096;
const ACCOUNT_PROBLEM = /token|instance|authenticat|not connected|disconnected|qr|logged ?out|stopped|expired|subscription|payment|suspended|disabled|blocked account/i;
const RATE_PROBLEM = /too many|rate limit|slow down/i;

/** "instance12345" from "instance12345" or "12345"; "" when neither. */
export function normalizeInstanceId(value: unknown): string {
  const raw = text(value).toLowerCase();
  const digits = raw.startsWith("instance") ? raw.slice("instance".length) : raw;
  return /^\d{1,12}$/.test(digits) ? `instance${digits}` : "";
}

/** UltraMsg's error field as one sentence: a string, a list of {field: message}, or an object. */
function errorText(error: unknown): string {
  if (typeof error === "string") return error.trim();
  if (Array.isArray(error)) return error.map(errorText).filter(Boolean).join("; ");
  if (isObject(error)) return Object.entries(error).map(([field, value]) => `${field}: ${errorText(value)}`).join("; ");
  if (typeof error === "number" || typeof error === "boolean") return String(error);
  return "";
}

function outcomeOf(answer: HttpAnswer): SendOutcome {
  const { status, body } = answer;
  const fail = (kind: WhatsAppError["kind"], message: string) => new WhatsAppError({ provider: PROVIDER, kind, httpStatus: status, message: `${message} (HTTP ${status})` });
  const refusal = isObject(body) ? errorText(body.error) || (body.sent === "false" || body.sent === false ? text(body.message) || "not sent" : "") : "";

  if (status === 429) throw fail("rate_limited", `UltraMsg is limiting requests; will retry${refusal ? `: ${refusal}` : ""}`);
  if (status >= 500) throw fail("server", `UltraMsg had a temporary problem; will retry: ${refusal || answer.text.slice(0, 200) || "no details"}`);
  if (status === 401 || status === 403 || status === 404 || (refusal && ACCOUNT_PROBLEM.test(refusal))) {
    throw fail("account", `UltraMsg refused the instance or token (${refusal || "no details"}). Check the instance ID and token in the WhatsApp settings, and that the instance is connected (QR scanned) and paid`);
  }
  if (refusal && RATE_PROBLEM.test(refusal)) throw fail("rate_limited", `UltraMsg is limiting requests; will retry: ${refusal}`);
  if (refusal) return { status: "rejected", error: `UltraMsg refused the message: ${refusal}` };
  if (status >= 200 && status < 300 && isObject(body) && (body.sent === "true" || body.sent === true)) {
    const id = text(body.id);
    return { status: "accepted", providerMessageId: id || null };
  }
  if (status >= 400) return { status: "rejected", error: `UltraMsg refused the message (HTTP ${status}): ${answer.text.slice(0, 200) || "no details"}` };
  throw fail("invalid_response", `UltraMsg answered something unexpected: ${answer.text.slice(0, 200) || "empty answer"}`);
}

function createUltraMsgProvider(settings: ProviderSettings, endpoints: ProviderEndpoints): MessageProvider {
  const instanceId = normalizeInstanceId(settings.config.instanceId) || text(settings.config.instanceId);
  const token = text(settings.secrets.token);
  const url = `${trimRoot(endpoints.ultramsg)}/${encodeURIComponent(instanceId)}/messages/chat`;
  return {
    kind: PROVIDER,
    async send(req) {
      const to = phoneDigits(req.to);
      if (!to) return { status: "rejected", error: `"${req.to}" is not a phone number in international format (e.g. 254712345678).` };
      const body = req.text;
      if (!body.trim()) return { status: "rejected", error: "The message is empty." };
      if (body.length > MAX_TEXT_CHARS) return { status: "rejected", error: `WhatsApp messages are limited to ${MAX_TEXT_CHARS} characters (this one has ${body.length}).` };
      const form = new URLSearchParams({ token, to: `+${to}`, body });
      const answer = await exchange(PROVIDER, "UltraMsg", url, {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded", Accept: "application/json" },
        body: form.toString(),
      });
      return outcomeOf(answer);
    },
  };
}

const ACK_MAP: Record<string, DeliveryUpdate["status"] | undefined> = {
  server: "sent",
  device: "delivered",
  read: "read",
  played: "read",
  error: "failed",
  failed: "failed",
};

export function parseUltraMsgWebhook(req: WebhookRequest, settings: ProviderSettings): WebhookResult {
  try {
    if (req.method.toUpperCase() !== "POST") return { kind: "invalid", reason: `Unexpected ${req.method} request (UltraMsg posts JSON).` };
    let body: unknown;
    try {
      body = JSON.parse(req.rawBody) as unknown;
    } catch {
      return { kind: "invalid", reason: "The body is not JSON." };
    }
    if (!isObject(body) || typeof body.event_type !== "string" || !isObject(body.data)) {
      return { kind: "invalid", reason: "Expected {event_type, instanceId, data: {...}}." };
    }
    const sentBy = normalizeInstanceId(body.instanceId);
    if (!sentBy) return { kind: "invalid", reason: "The webhook names no instanceId." };
    const ours = normalizeInstanceId(settings.config.instanceId);
    if (sentBy !== ours) return { kind: "refused", reason: `The webhook is for UltraMsg ${sentBy}, not this ISP's instance.` };

    const data = body.data;
    const updates: DeliveryUpdate[] = [];
    const inbound: InboundMessage[] = [];
    if (body.event_type === "message_ack") {
      const status = ACK_MAP[text(data.ack).toLowerCase()];
      // The top-level id is UltraMsg's message id (what the send answered); data.id is WhatsApp's.
      const id = text(body.id) || text(data.id);
      if (status && id) {
        const update: DeliveryUpdate = { providerMessageId: id, status };
        const at = unixDate(data.time);
        if (at) update.at = at;
        if (status === "failed") update.error = "UltraMsg reported the message as not delivered.";
        updates.push(update);
      }
    } else if (body.event_type === "message_received") {
      const fromMe = data.fromMe === true || data.fromMe === "true";
      const from = phoneDigits(data.from);
      const type = text(data.type);
      if (!fromMe && from && (type === "chat" || type === "") && typeof data.body === "string") inbound.push({ from, text: data.body });
    }
    // Other events (message_create, media downloads, …) carry nothing for the outbox.
    return { kind: "events", updates, inbound };
  } catch (err) {
    return { kind: "invalid", reason: `Could not read the webhook: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export const whatsappUltraMsgProvider: ProviderModule = {
  kind: PROVIDER,
  channel: "whatsapp",
  label: "UltraMsg (WhatsApp gateway)",
  description: "Send from your existing WhatsApp number through UltraMsg: link the phone by QR code, no Meta approval or templates needed.",
  fields: [
    { name: "instanceId", label: "Instance ID", required: true, placeholder: "instance12345", hint: "UltraMsg dashboard → your instance (e.g. instance12345)." },
    { name: "token", label: "Token", secret: true, required: true, hint: "UltraMsg dashboard → your instance → Token." },
  ],
  validate(settings) {
    const errors: Record<string, string[]> = {};
    const instanceId = text(settings.config.instanceId);
    if (instanceId && !normalizeInstanceId(instanceId)) errors.instanceId = ['Use the instance ID as shown by UltraMsg, e.g. "instance12345".'];
    const token = settings.secrets.token;
    if (token !== undefined && token !== "" && /\s/.test(token.trim())) errors.token = ["The token cannot contain spaces."];
    return Object.keys(errors).length > 0 ? errors : null;
  },
  create: createUltraMsgProvider,
  parseWebhook: parseUltraMsgWebhook,
  // UltraMsg queues per instance and sends one message per "send delay" (1 s by default); a
  // personal-style number sending faster than that risks a ban by WhatsApp.
  ratePerSecond: 1,
};
