// Africa's Talking as an ISP's own SMS provider. The HTTP exchange is the platform sender's
// (server/integrations/sms/africastalking.ts); this module adds the settings form, the outcome
// mapping of types.ts and AT's two callbacks (delivery reports and incoming messages).
import { sendViaAfricasTalking } from "../sms/africastalking";
import { countSmsSegments } from "./sms-segments";
import { toMsisdn, trimSlashes, webhookFields } from "./sms-shared";
import type { DeliveryUpdate, MessageProvider, ProviderEndpoints, ProviderModule, ProviderSettings, SendOutcome, WebhookRequest, WebhookResult } from "./types";

const PRODUCTION_URL = "https://api.africastalking.com";
const SANDBOX_URL = "https://api.sandbox.africastalking.com";

/** AT delivery report `status` values. */
const DLR_STATUS: Record<string, DeliveryUpdate["status"]> = {
  sent: "sent",
  submitted: "sent",
  buffered: "sent",
  success: "delivered",
  failed: "failed",
  rejected: "failed",
  expired: "failed",
};

/** AT delivery report `failureReason` values, in words. */
const FAILURE_REASONS: Record<string, string> = {
  InsufficientCredit: "the subscriber has too little airtime for this premium message",
  InvalidLinkId: "the linkId of the on-demand message was invalid or expired",
  UserIsInactive: "the subscriber is inactive or the account has expired",
  UserInBlackList: "the customer has blocked messages from this sender (blacklist)",
  UserInBlacklist: "the customer has blocked messages from this sender (blacklist)",
  UserAccountSuspended: "the subscriber's mobile account is suspended",
  NotNetworkSubscriber: "the number is not a subscriber of the network",
  UserNotSubscribedToProduct: "the subscriber is not subscribed to this premium product",
  UserDoesNotExist: "the number does not exist",
  DeliveryFailure: "the network could not deliver the message (phone off, out of range or number inactive)",
  DoNotDisturbRejection: "the customer has Do Not Disturb on for promotional messages",
};

type AtConfig = { username: string; from?: string; apiKey: string };

function readSettings(settings: ProviderSettings): AtConfig {
  return {
    username: (settings.config.username ?? "").trim(),
    from: settings.config.from?.trim() || undefined,
    apiKey: (settings.secrets.apiKey ?? "").trim(),
  };
}

/** The API base for this account: AT's "sandbox" username only works on the sandbox API. */
export function africasTalkingBaseUrl(username: string, endpoint: string): string {
  const base = trimSlashes(endpoint);
  return username === "sandbox" && base === PRODUCTION_URL ? SANDBOX_URL : base;
}

/** An AT provider; `timeoutMs` is for tests (default 15 s). */
export function createAfricasTalkingProvider(settings: ProviderSettings, endpoints: ProviderEndpoints, opts: { timeoutMs?: number } = {}): MessageProvider {
  const cfg = readSettings(settings);
  const baseUrl = africasTalkingBaseUrl(cfg.username, endpoints.africastalking);
  return {
    kind: "africastalking",
    async send(req): Promise<SendOutcome> {
      // AT takes no per-message callback URL: delivery reports go to the URL set on the AT dashboard.
      const result = await sendViaAfricasTalking({ baseUrl, apiKey: cfg.apiKey, username: cfg.username, from: cfg.from, timeoutMs: opts.timeoutMs }, req.to, req.text);
      if (result.kind === "sent") {
        return { status: "accepted", providerMessageId: result.providerMessageId, segments: result.parts ?? countSmsSegments(req.text).segments, cost: result.cost };
      }
      if (result.auth) return { status: "rejected", error: "Africa's Talking did not accept the username and API key: check the SMS settings" };
      return { status: "rejected", error: `Africa's Talking refused the message: ${result.detail}` };
    },
  };
}

export function parseAfricasTalkingWebhook(req: WebhookRequest): WebhookResult {
  if (req.method.toUpperCase() !== "POST") return { kind: "invalid", reason: "Africa's Talking callbacks are POST requests" };
  const fields = webhookFields(req);
  if (!fields) return { kind: "invalid", reason: "the body is neither a form nor a JSON object" };

  // Delivery report: id, status, phoneNumber, networkCode, failureReason, retryCount.
  if (fields.status !== undefined) {
    const id = fields.id?.trim();
    if (!id) return { kind: "invalid", reason: "delivery report without an id" };
    const status = DLR_STATUS[fields.status.trim().toLowerCase()];
    if (!status) return { kind: "invalid", reason: `unknown delivery status "${fields.status.slice(0, 40)}"` };
    const update: DeliveryUpdate = { providerMessageId: id, status };
    if (status === "failed") {
      const reason = fields.failureReason?.trim();
      const described = reason ? FAILURE_REASONS[reason] : undefined;
      update.error = reason ? (described ? `${reason}: ${described}` : reason) : fields.status.trim();
    }
    if (fields.cost) update.cost = fields.cost;
    return { kind: "events", updates: [update], inbound: [] };
  }

  // Incoming message: from, to, text, date, id, linkId.
  if (fields.from !== undefined && fields.text !== undefined) {
    const from = toMsisdn(fields.from);
    if (!/^\d{6,15}$/.test(from)) return { kind: "invalid", reason: "incoming message without a valid sender number" };
    return { kind: "events", updates: [], inbound: [{ from, text: fields.text }] };
  }
  return { kind: "invalid", reason: "neither a delivery report (id, status) nor an incoming message (from, text)" };
}

export const africasTalkingModule: ProviderModule = {
  kind: "africastalking",
  channel: "sms",
  label: "Africa's Talking",
  description: "Send SMS through your own Africa's Talking account, with delivery reports and customer replies (e.g. STOP).",
  fields: [
    { name: "username", label: "Username", required: true, placeholder: "myisp", hint: "The username of your Africa's Talking app (not your login email). \"sandbox\" uses the AT sandbox." },
    { name: "from", label: "Sender ID", placeholder: "MYISP", hint: "Optional: an alphanumeric sender ID or shortcode approved on your account. Empty uses Africa's Talking's shared sender." },
    { name: "apiKey", label: "API key", secret: true, required: true, hint: "From Settings → API Key in your Africa's Talking app." },
  ],
  validate(settings) {
    const errors: Record<string, string[]> = {};
    const username = settings.config.username?.trim() ?? "";
    if (username && !/^[A-Za-z0-9_.-]{1,64}$/.test(username)) errors.username = ["Letters, digits, dots, dashes and underscores only"];
    const from = settings.config.from?.trim() ?? "";
    if (from && !/^(?:[A-Za-z0-9 ._&-]{1,11}|\d{3,15})$/.test(from)) errors.from = ["A sender ID has at most 11 letters or digits (or is a numeric shortcode)"];
    const apiKey = settings.secrets.apiKey;
    if (apiKey !== undefined && apiKey.trim() !== "" && /\s/.test(apiKey.trim())) errors.apiKey = ["The API key has no spaces"];
    return Object.keys(errors).length > 0 ? errors : null;
  },
  create: (settings, endpoints) => createAfricasTalkingProvider(settings, endpoints),
  parseWebhook(req) {
    try {
      return parseAfricasTalkingWebhook(req);
    } catch (err) {
      return { kind: "invalid", reason: err instanceof Error ? err.message : "unreadable request" };
    }
  },
  ratePerSecond: 10,
};

