// WhatsApp Business Cloud API (Meta, graph.facebook.com) with the ISP's own WhatsApp Business
// account. Works unchanged against https://graph.facebook.com and sim/whatsapp/cloud.ts.
//
// Sending: POST {graph}/{version}/{phone-number-id}/messages with "Authorization: Bearer <token>".
// A template message when the request names one (business-initiated messages must be templates),
// otherwise a free-form text, which WhatsApp only allows within 24 hours of the customer's last
// message to this number (error 131047 otherwise, synchronously or as a "failed" status).
//
// Outcomes (SendOutcome semantics: "rejected" is final, a throw is retried by the outbox):
// - accepted: the answer carries messages[0].id (the "wamid…" the status webhooks name);
// - THROW WhatsAppError "rate_limited": 4, 80007, 130429 (throughput), 131056 (pair rate),
//   131048 (spam rate limit), 133016, or HTTP 429;
// - THROW WhatsAppError "server": 1, 2, 131000 (something went wrong), 131016, 133004, HTTP 5xx;
// - THROW WhatsAppError "network" / "timeout": no answer;
// - THROW WhatsAppError "account": the ISP's credentials or account do not work (190 token
//   expired/invalid, 0, 3, 10, 200–299 permissions, 100/33 wrong phone number ID, 131005,
//   131031 account locked, 131042 payment problem, 133010 number not registered, 368 policy block).
//   Sending again can only succeed once the ISP fixes its settings, which happens often enough
//   (Meta's temporary 24-hour tokens expire) that rejecting every queued voucher message meanwhile
//   would be worse. The outbox's attempt limit bounds the retries; kind "account" lets it say
//   "fix the WhatsApp settings" instead of "provider down".
// - rejected (everything else Meta refuses): 131047 outside the 24-hour window, 131026
//   undeliverable, 132000/132001 template parameters/template missing, 100 invalid parameter, …
//   with a plain-language reason.
//
// Webhooks: GET verification (hub.mode=subscribe, hub.verify_token, hub.challenge) → challenge;
// POST is accepted only with X-Hub-Signature-256 = "sha256=" + HMAC-SHA256(app secret, raw body).
import {
  WhatsAppError,
  exchange,
  hubSignature,
  isObject,
  phoneDigits,
  safeEqual,
  text,
  trimRoot,
  unixDate,
  type HttpAnswer,
} from "./whatsapp-common";
import type { DeliveryUpdate, InboundMessage, MessageProvider, ProviderEndpoints, ProviderModule, ProviderSettings, SendOutcome, SendRequest, WebhookRequest, WebhookResult } from "./types";

export const CLOUD_DEFAULT_API_VERSION = "v21.0";
export const CLOUD_DEFAULT_TEMPLATE_LANGUAGE = "en";
const MAX_TEXT_CHARS = 4096;
const PROVIDER = "cloud_api" as const;

const RATE_LIMIT_CODES = new Set([4, 80007, 130429, 131048, 131056, 133016]);
const SERVER_CODES = new Set([1, 2, 131000, 131016, 133004]);
const ACCOUNT_CODES = new Set([0, 3, 10, 190, 131005, 131031, 131042, 133010, 368]);

/** Plain-language reasons for the codes an ISP will meet; others fall back to Meta's own text. */
const PLAIN_REASONS: Record<number, string> = {
  131047:
    "The customer has not messaged this WhatsApp number in the last 24 hours, so WhatsApp only accepts an approved template message. Choose a template for this message in the messaging settings, or send it by SMS.",
  131026: "WhatsApp could not deliver to this number: it may not be on WhatsApp, the customer may have blocked the business, or their app is out of date.",
  132000: "The template's parameters do not match the approved template (wrong number of values).",
  132001: "The template does not exist in that language or is not approved yet in WhatsApp Manager.",
  132005: "A template value makes the message too long.",
  132007: "The template content breaks WhatsApp's policy.",
  132012: "A template value has the wrong format.",
  132015: "The template is paused by WhatsApp because of low quality.",
  132016: "The template is disabled by WhatsApp.",
  131049: "WhatsApp held this message back to protect the customer from too many marketing messages.",
  131050: "The customer has stopped marketing messages from this business.",
  131051: "WhatsApp does not support this message type.",
  131021: "The recipient is the business number itself.",
  131009: "A value in the message is not valid.",
  131008: "A required value is missing from the message.",
  100: "WhatsApp refused a value in the message as invalid.",
  190: "The WhatsApp access token is invalid or has expired. Create a permanent (system user) token in Meta Business Settings and save it in the WhatsApp settings.",
};

export function describeCloudError(code: number | null, fallback: string, details?: string): string {
  const plain = code !== null ? PLAIN_REASONS[code] : undefined;
  const base = plain ?? (fallback || "WhatsApp refused the message.");
  const extra = details && details !== base ? `: ${details}` : "";
  return code !== null ? `${base} (WhatsApp error ${code}${extra})` : `${base}${extra}`;
}

type GraphError = { code: number | null; subcode: number | null; message: string; type: string; details: string; fbtraceId: string };

function graphError(body: unknown): GraphError | null {
  if (!isObject(body) || !isObject(body.error)) return null;
  const err = body.error;
  const code = Number.isInteger(err.code) ? (err.code as number) : null;
  const subcode = Number.isInteger(err.error_subcode) ? (err.error_subcode as number) : null;
  const details = isObject(err.error_data) ? text(err.error_data.details) : "";
  return { code, subcode, message: text(err.message), type: text(err.type), details, fbtraceId: text(err.fbtrace_id) };
}

function outcomeOf(answer: HttpAnswer, req: SendRequest): SendOutcome {
  const { status, body } = answer;
  if (status >= 200 && status < 300) {
    const messages = isObject(body) && Array.isArray(body.messages) ? body.messages : [];
    const first: unknown = messages[0];
    const id = isObject(first) ? text(first.id) : "";
    if (id) return { status: "accepted", providerMessageId: id };
    throw new WhatsAppError({ provider: PROVIDER, kind: "invalid_response", httpStatus: status, message: `WhatsApp answered HTTP ${status} without a message id: ${answer.text.slice(0, 200)}` });
  }

  const err = graphError(body);
  const code = err?.code ?? null;
  const meta = err ? `${err.message || "no message"}${err.fbtraceId ? ` [fbtrace_id ${err.fbtraceId}]` : ""}` : answer.text.slice(0, 200) || "empty answer";
  const fail = (kind: WhatsAppError["kind"], what: string) =>
    new WhatsAppError({ provider: PROVIDER, kind, code, httpStatus: status, message: `${what} (HTTP ${status}${code !== null ? `, WhatsApp error ${code}` : ""}): ${meta}` });

  if ((code !== null && RATE_LIMIT_CODES.has(code)) || status === 429) throw fail("rate_limited", "WhatsApp is limiting how fast this number may send; will retry");
  if ((code !== null && SERVER_CODES.has(code)) || (status >= 500 && (code === null || !ACCOUNT_CODES.has(code)))) throw fail("server", "WhatsApp had a temporary problem; will retry");
  const wrongPhoneNumberId = code === 100 && err?.subcode === 33;
  if ((code !== null && (ACCOUNT_CODES.has(code) || (code >= 200 && code <= 299))) || wrongPhoneNumberId || (code === null && (status === 401 || status === 403))) {
    const hint = wrongPhoneNumberId
      ? "The phone number ID is wrong or the access token has no permission for it. Check the WhatsApp settings"
      : code === 190 || code === 0 || status === 401
        ? "The WhatsApp access token is invalid or expired. Save a new (permanent, system user) token in the WhatsApp settings"
        : "The WhatsApp Business account cannot send right now. Check it in WhatsApp Manager and the WhatsApp settings";
    throw fail("account", hint);
  }
  if (!err) throw fail("invalid_response", "WhatsApp answered something unexpected");

  let reason = describeCloudError(code, err.message, err.details);
  if (req.template && (code === 132000 || code === 132001)) reason = `Template "${req.template.name}" (${req.template.language}): ${reason}`;
  return { status: "rejected", error: reason };
}

function createCloudProvider(settings: ProviderSettings, endpoints: ProviderEndpoints): MessageProvider {
  const phoneNumberId = text(settings.config.phoneNumberId);
  const version = text(settings.config.apiVersion) || CLOUD_DEFAULT_API_VERSION;
  const defaultLanguage = text(settings.config.templateLanguage) || CLOUD_DEFAULT_TEMPLATE_LANGUAGE;
  const token = text(settings.secrets.accessToken);
  const url = `${trimRoot(endpoints.graph)}/${encodeURIComponent(version)}/${encodeURIComponent(phoneNumberId)}/messages`;

  return {
    kind: PROVIDER,
    async send(req) {
      const to = phoneDigits(req.to);
      if (!to) return { status: "rejected", error: `"${req.to}" is not a phone number in international format (e.g. 254712345678).` };
      let payload: Record<string, unknown>;
      if (req.template) {
        const name = req.template.name.trim();
        if (!name) return { status: "rejected", error: "The WhatsApp template has no name." };
        const language = req.template.language.trim() || defaultLanguage;
        const template: Record<string, unknown> = { name, language: { code: language } };
        if (req.template.parameters.length > 0) {
          template.components = [{ type: "body", parameters: req.template.parameters.map((value) => ({ type: "text", text: value })) }];
        }
        payload = { messaging_product: "whatsapp", recipient_type: "individual", to, type: "template", template };
      } else {
        const body = req.text;
        if (!body.trim()) return { status: "rejected", error: "The message is empty." };
        if (body.length > MAX_TEXT_CHARS) return { status: "rejected", error: `WhatsApp text messages are limited to ${MAX_TEXT_CHARS} characters (this one has ${body.length}).` };
        payload = { messaging_product: "whatsapp", recipient_type: "individual", to, type: "text", text: { preview_url: false, body } };
      }
      const answer = await exchange(PROVIDER, "WhatsApp", url, {
        method: "POST",
        headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(payload),
      });
      const templateInfo = req.template ? { ...req.template, language: req.template.language.trim() || defaultLanguage } : undefined;
      return outcomeOf(answer, { ...req, template: templateInfo });
    },
  };
}

const STATUS_MAP: Record<string, DeliveryUpdate["status"] | undefined> = { sent: "sent", delivered: "delivered", read: "read", failed: "failed" };

function statusUpdate(status: unknown): DeliveryUpdate | null {
  if (!isObject(status)) return null;
  const id = text(status.id);
  const mapped = STATUS_MAP[text(status.status)];
  if (!id || !mapped) return null;
  const update: DeliveryUpdate = { providerMessageId: id, status: mapped };
  const at = unixDate(status.timestamp);
  if (at) update.at = at;
  if (mapped === "failed") {
    const first: unknown = Array.isArray(status.errors) ? status.errors[0] : undefined;
    if (isObject(first)) {
      const code = Number.isInteger(first.code) ? (first.code as number) : null;
      const details = isObject(first.error_data) ? text(first.error_data.details) : "";
      update.error = describeCloudError(code, text(first.title) || text(first.message), details);
    } else {
      update.error = "WhatsApp reported the message as failed without a reason.";
    }
  }
  return update;
}

function inboundMessage(message: unknown): InboundMessage | null {
  if (!isObject(message)) return null;
  const from = phoneDigits(message.from);
  if (!from) return null;
  const type = text(message.type);
  // Text, and a template's quick-reply button (e.g. "STOP"), which arrives as type "button".
  if (type === "text" && isObject(message.text)) return { from, text: typeof message.text.body === "string" ? message.text.body : "" };
  if (type === "button" && isObject(message.button)) return { from, text: text(message.button.text) || text(message.button.payload) };
  if (type === "interactive" && isObject(message.interactive)) {
    const reply = message.interactive.button_reply ?? message.interactive.list_reply;
    if (isObject(reply)) return { from, text: text(reply.title) };
  }
  return null;
}

export function parseCloudWebhook(req: WebhookRequest, settings: ProviderSettings): WebhookResult {
  try {
    const method = req.method.toUpperCase();
    if (method === "GET") {
      const mode = req.query["hub.mode"] ?? "";
      const challenge = req.query["hub.challenge"] ?? "";
      const offered = req.query["hub.verify_token"] ?? "";
      const expected = text(settings.secrets.webhookVerifyToken);
      if (mode !== "subscribe" || !challenge) return { kind: "invalid", reason: "Not a WhatsApp webhook verification request (hub.mode=subscribe with hub.challenge expected)." };
      if (!expected) return { kind: "refused", reason: "No webhook verify token is saved in the WhatsApp settings." };
      if (!safeEqual(offered, expected)) return { kind: "refused", reason: "The webhook verify token does not match the one in the WhatsApp settings." };
      return { kind: "challenge", body: challenge };
    }
    if (method !== "POST") return { kind: "invalid", reason: `Unexpected ${method} request.` };

    // Fail closed: without the app secret anyone could post fake delivery reports or "STOP"s.
    const appSecret = text(settings.secrets.appSecret);
    if (!appSecret) return { kind: "refused", reason: "No app secret is saved in the WhatsApp settings, so webhook signatures cannot be checked." };
    const signature = (req.headers["x-hub-signature-256"] ?? "").trim();
    if (!signature) return { kind: "refused", reason: "Missing X-Hub-Signature-256 header." };
    if (!safeEqual(signature.toLowerCase(), hubSignature(appSecret, req.rawBody))) return { kind: "refused", reason: "X-Hub-Signature-256 does not match the body (wrong app secret, or the body was altered)." };

    let body: unknown;
    try {
      body = JSON.parse(req.rawBody) as unknown;
    } catch {
      return { kind: "invalid", reason: "The body is not JSON." };
    }
    if (!isObject(body) || body.object !== "whatsapp_business_account" || !Array.isArray(body.entry)) {
      return { kind: "invalid", reason: 'Expected {object: "whatsapp_business_account", entry: [...]}.' };
    }
    const ownNumber = text(settings.config.phoneNumberId);
    const updates: DeliveryUpdate[] = [];
    const inbound: InboundMessage[] = [];
    for (const entry of body.entry) {
      if (!isObject(entry) || !Array.isArray(entry.changes)) continue;
      for (const change of entry.changes) {
        if (!isObject(change) || !isObject(change.value)) continue;
        if (change.field !== undefined && change.field !== "messages") continue;
        const value = change.value;
        // One Meta app may serve several numbers; only this ISP's number counts here.
        const numberId = isObject(value.metadata) ? text(value.metadata.phone_number_id) : "";
        if (ownNumber && numberId && numberId !== ownNumber) continue;
        if (Array.isArray(value.statuses)) {
          for (const status of value.statuses) {
            const update = statusUpdate(status);
            if (update) updates.push(update);
          }
        }
        if (Array.isArray(value.messages)) {
          for (const message of value.messages) {
            const parsed = inboundMessage(message);
            if (parsed) inbound.push(parsed);
          }
        }
      }
    }
    return { kind: "events", updates, inbound };
  } catch (err) {
    return { kind: "invalid", reason: `Could not read the webhook: ${err instanceof Error ? err.message : String(err)}` };
  }
}

export const whatsappCloudProvider: ProviderModule = {
  kind: PROVIDER,
  channel: "whatsapp",
  label: "WhatsApp Business (Cloud API)",
  description: "Meta's official WhatsApp Business Cloud API with your own WhatsApp Business account: approved templates for vouchers and reminders, free text only within 24 hours of the customer's last message.",
  fields: [
    { name: "phoneNumberId", label: "Phone number ID", required: true, placeholder: "106540352242922", hint: "Meta App Dashboard → WhatsApp → API Setup: the ID of the sending number (not the phone number itself)." },
    { name: "businessAccountId", label: "WhatsApp Business account ID", hint: "Optional: shown beside the phone number ID; used to look up templates." },
    { name: "accessToken", label: "Access token", secret: true, required: true, hint: "A permanent token of a system user with whatsapp_business_messaging permission (Meta Business Settings → System users). The temporary token from API Setup expires after 24 hours." },
    { name: "appSecret", label: "App secret", secret: true, required: true, hint: "Meta App Dashboard → App settings → Basic. Used to check that webhooks really come from Meta." },
    {
      name: "webhookVerifyToken",
      label: "Webhook verify token",
      secret: true,
      required: true,
      hint: "Any long random string (use Generate). Paste the same value as the Verify token in Meta App Dashboard → WhatsApp → Configuration, with the webhook URL shown here, and subscribe to the \"messages\" field.",
    },
    { name: "templateLanguage", label: "Template language", defaultValue: CLOUD_DEFAULT_TEMPLATE_LANGUAGE, placeholder: "en", hint: "Language code of your approved templates, e.g. en, en_US, sw." },
    { name: "apiVersion", label: "Graph API version", defaultValue: CLOUD_DEFAULT_API_VERSION, placeholder: CLOUD_DEFAULT_API_VERSION },
  ],
  validate(settings) {
    const errors: Record<string, string[]> = {};
    const add = (field: string, message: string) => (errors[field] ??= []).push(message);
    const phoneNumberId = text(settings.config.phoneNumberId);
    if (phoneNumberId && !/^\d{5,25}$/.test(phoneNumberId)) add("phoneNumberId", "The phone number ID is a long number from API Setup, not the phone number (digits only).");
    const wabaId = text(settings.config.businessAccountId);
    if (wabaId && !/^\d{5,25}$/.test(wabaId)) add("businessAccountId", "The WhatsApp Business account ID is digits only.");
    const version = text(settings.config.apiVersion);
    if (version && !/^v\d{1,3}\.\d{1,2}$/.test(version)) add("apiVersion", 'Use the form "v21.0".');
    const language = text(settings.config.templateLanguage);
    if (language && !/^[a-z]{2,3}(_[A-Z]{2})?$/.test(language)) add("templateLanguage", 'Use a WhatsApp language code such as "en", "en_US" or "sw".');
    const token = settings.secrets.accessToken;
    if (token !== undefined && token !== "" && /\s/.test(token.trim())) add("accessToken", "The access token cannot contain spaces.");
    const verifyToken = settings.secrets.webhookVerifyToken;
    if (verifyToken !== undefined && verifyToken !== "" && verifyToken.trim().length < 16) add("webhookVerifyToken", "Use at least 16 random characters.");
    return Object.keys(errors).length > 0 ? errors : null;
  },
  create: createCloudProvider,
  parseWebhook: parseCloudWebhook,
  // Meta's default throughput is 80 messages/s per number; stay well below it (and below the
  // per-recipient pair limit, which only matters for repeated messages to one customer).
  ratePerSecond: 20,
};
