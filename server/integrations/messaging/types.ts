// The one interface every ISP messaging provider implements (SMS: Africa's Talking, Advanta and
// compatible Kenyan gateways, a generic HTTP gateway; WhatsApp: a third-party gateway and the
// official WhatsApp Business Cloud API). The outbox (server/services/messaging) only sees this.

export type Channel = "sms" | "whatsapp";

export type SmsProviderKind = "africastalking" | "advanta" | "http";
export type WhatsAppProviderKind = "ultramsg" | "cloud_api";
export type ProviderKind = SmsProviderKind | WhatsAppProviderKind;

/** One message to one phone. `to` is E.164 without "+", e.g. "254712345678". */
export type SendRequest = {
  to: string;
  /** The rendered text (SMS, gateway WhatsApp; shown as the preview for template messages). */
  text: string;
  /**
   * WhatsApp Cloud API only: business-initiated messages must use an approved template; its
   * body parameters are filled in order ({{1}}, {{2}}, …).
   */
  template?: { name: string; language: string; parameters: string[] };
  /** Where the provider should post this message's delivery report, when it takes one per message. */
  callbackUrl?: string;
};

/**
 * "accepted": the provider took the message (it may still fail later: a delivery report says).
 * "rejected": the provider refused this message for good (bad number, blacklisted, template not
 * approved, no balance): sending it again would be refused again, so the outbox does not retry.
 * Transient failures (network, timeout, HTTP 5xx, rate limited) THROW, and the outbox retries.
 */
export type SendOutcome =
  | { status: "accepted"; providerMessageId: string | null; segments?: number | null; cost?: string | null }
  | { status: "rejected"; error: string };

export interface MessageProvider {
  readonly kind: ProviderKind;
  send(req: SendRequest): Promise<SendOutcome>;
}

/** A delivery report: the provider's id of the message and where it got to. */
export type DeliveryUpdate = {
  providerMessageId: string;
  status: "sent" | "delivered" | "read" | "failed";
  error?: string;
  cost?: string | null;
  at?: Date;
};

/** A message a customer sent to the ISP (e.g. "STOP" to opt out). `from` as in SendRequest.to. */
export type InboundMessage = { from: string; text: string };

/** What arrived at the ISP's webhook for this provider. */
export type WebhookRequest = {
  method: string;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  query: Record<string, string>;
  /** The raw body, exactly as received (signatures are computed over it). */
  rawBody: string;
};

export type WebhookResult =
  /** A subscription handshake to answer with this body (WhatsApp Cloud API GET verification). */
  | { kind: "challenge"; body: string }
  /** Signature or verify token wrong: answer 401/403, change nothing. */
  | { kind: "refused"; reason: string }
  /** Not understood: answer 400 with the reason, change nothing (never a 500). */
  | { kind: "invalid"; reason: string }
  | { kind: "events"; updates: DeliveryUpdate[]; inbound: InboundMessage[] };

/**
 * One provider's settings as the ISP entered them: `config` holds the plain fields, `secrets`
 * the decrypted secret ones (stored sealed). Each kind documents its own fields.
 */
export type ProviderSettings = { kind: ProviderKind; config: Record<string, string>; secrets: Record<string, string> };

/**
 * Base URLs of the public APIs (real ones in production; the simulators when SIMULATORS=true).
 * The generic HTTP gateway uses the URL the ISP entered.
 */
export type ProviderEndpoints = {
  africastalking: string;
  advanta: string;
  ultramsg: string;
  /** Graph API root, e.g. https://graph.facebook.com */
  graph: string;
};

/** One setting on the provider's form in the dashboard. */
export type ProviderField = {
  name: string;
  label: string;
  /** Stored sealed, never shown again (masked as "•••• last 4"). */
  secret?: boolean;
  required?: boolean;
  hint?: string;
  placeholder?: string;
  /** A choice instead of free text. */
  options?: Array<{ value: string; label: string }>;
  /** Pre-filled value for a new setup. */
  defaultValue?: string;
};

/** Everything the product needs to know about one provider kind. */
export type ProviderModule = {
  kind: ProviderKind;
  channel: Channel;
  /** As the ISP knows it, e.g. "Africa's Talking". */
  label: string;
  /** One sentence for the settings page. */
  description: string;
  fields: ProviderField[];
  /** Field errors (by field name) for settings that cannot work, or null. Required fields are checked by the caller. */
  validate(settings: ProviderSettings): Record<string, string[]> | null;
  create(settings: ProviderSettings, endpoints: ProviderEndpoints): MessageProvider;
  /** Reads a request that arrived at this ISP's webhook for this provider. Never throws. */
  parseWebhook(req: WebhookRequest, settings: ProviderSettings): WebhookResult;
  /** Messages per second the provider accepts (broadcasts are throttled to it). */
  ratePerSecond: number;
};
