// Africa's Talking bulk SMS client (POST /version1/messaging). Works against the real API
// (https://api.africastalking.com, sandbox https://api.sandbox.africastalking.com) and sim/sms.
// `sendViaAfricasTalking` is the one request/answer mapping; the platform's own sender
// (createAfricasTalkingSender) and the ISPs' provider module (messaging/sms-africastalking.ts)
// both wrap it.
import type { SmsSendResult, SmsSender } from "./index";

type AtRecipient = {
  statusCode?: number;
  number?: string;
  status?: string;
  cost?: string;
  messageId?: string;
  messageParts?: number;
};

type AtResponse = { SMSMessageData?: { Message?: string; Recipients?: AtRecipient[] } };

// 100 Processed, 101 Sent, 102 Queued: the message is on its way.
const ACCEPTED_STATUS_CODES = new Set([100, 101, 102]);
// 500 InternalServerError, 501 GatewayError: AT's own trouble, worth another try. Every other code is a refusal.
const TRANSIENT_STATUS_CODES = new Set([500, 501]);
const REQUEST_TIMEOUT_MS = 15_000;

/** AT's per-recipient status codes, in words an ISP can act on. */
export const AT_STATUS_DESCRIPTIONS: Record<number, string> = {
  401: "the account is on risk hold at Africa's Talking",
  402: "the sender ID is not valid or not approved for this account",
  403: "the phone number is not valid",
  404: "this kind of number cannot receive SMS",
  405: "the Africa's Talking account has insufficient balance",
  406: "the customer has blocked messages from this sender (blacklist)",
  407: "Africa's Talking could not route the message to the network",
  409: "the customer has Do Not Disturb on for promotional messages",
  500: "Africa's Talking had an internal error",
  501: "the network gateway failed",
  502: "the network gateway rejected the message",
};

export type AfricasTalkingOptions = { baseUrl: string; apiKey: string; username: string; from?: string; timeoutMs?: number };

export type AfricasTalkingSendResult =
  | { kind: "sent"; number: string; providerMessageId: string | null; cost: string | null; parts: number | null }
  /** Refused for good. `auth`: AT did not accept the username/API key pair (HTTP 401). */
  | { kind: "refused"; number: string; status: string; statusCode: number | null; detail: string; auth: boolean };

/**
 * Sends one SMS. Resolves "sent" or "refused"; throws when AT could not be reached, timed out,
 * answered 5xx/429 or an unreadable body, or reported its own failure for the recipient.
 */
export async function sendViaAfricasTalking(opts: AfricasTalkingOptions, to: string, message: string): Promise<AfricasTalkingSendResult> {
  const endpoint = `${opts.baseUrl.replace(/\/+$/, "")}/version1/messaging`;
  const number = toE164(to);
  const form = new URLSearchParams({ username: opts.username, to: number, message });
  if (opts.from) form.set("from", opts.from);

  // Network errors and timeouts throw from fetch itself: the caller retries.
  const res = await fetch(endpoint, {
    method: "POST",
    headers: { apiKey: opts.apiKey, Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
    body: form.toString(),
    signal: AbortSignal.timeout(opts.timeoutMs ?? REQUEST_TIMEOUT_MS),
  });
  const body = await res.text();
  const snippet = body.slice(0, 200);

  if (res.status === 401) return { kind: "refused", number, status: "Unauthorized", statusCode: 401, detail: `the username or API key is wrong (${snippet || "HTTP 401"})`, auth: true };
  if (res.status >= 500 || res.status === 429 || res.status === 408) throw new Error(`Africa's Talking answered HTTP ${res.status}: ${snippet}`);
  // Any other refusal is about this request; sending it again would be refused again.
  if (!res.ok) return { kind: "refused", number, status: `HTTP ${res.status}`, statusCode: null, detail: `HTTP ${res.status}: ${snippet}`, auth: false };

  let parsed: AtResponse;
  try {
    parsed = JSON.parse(body) as AtResponse;
  } catch {
    throw new Error(`Africa's Talking answered with a body that is not JSON: ${snippet}`);
  }
  const recipients = Array.isArray(parsed?.SMSMessageData?.Recipients) ? parsed.SMSMessageData.Recipients : [];
  const recipient = recipients.find((r) => r?.number === number) ?? recipients[0];
  if (!recipient) {
    const said = parsed?.SMSMessageData?.Message ?? "No recipient in Africa's Talking response";
    return { kind: "refused", number, status: said, statusCode: null, detail: said, auth: false };
  }

  const code = typeof recipient.statusCode === "number" ? recipient.statusCode : null;
  if (code !== null && TRANSIENT_STATUS_CODES.has(code)) {
    throw new Error(`Africa's Talking could not send to ${number}: ${recipient.status ?? code} (${AT_STATUS_DESCRIPTIONS[code]})`);
  }
  if (code === null || !ACCEPTED_STATUS_CODES.has(code)) {
    const status = recipient.status ?? `statusCode ${String(code)}`;
    const described = code !== null ? AT_STATUS_DESCRIPTIONS[code] : undefined;
    return { kind: "refused", number, status, statusCode: code, detail: described ? `${status}: ${described}` : status, auth: false };
  }
  return {
    kind: "sent",
    number,
    providerMessageId: recipient.messageId && recipient.messageId !== "None" ? recipient.messageId : null,
    cost: recipient.cost && recipient.cost !== "0" ? recipient.cost : null,
    parts: typeof recipient.messageParts === "number" ? recipient.messageParts : null,
  };
}

/** The platform's own sender: a wrong API key throws (an operator must fix the environment). */
export function createAfricasTalkingSender(opts: { baseUrl: string; apiKey: string; username: string; from?: string }): SmsSender {
  return {
    async send(to, message): Promise<SmsSendResult> {
      const result = await sendViaAfricasTalking(opts, to, message);
      if (result.kind === "sent") return { providerMessageId: result.providerMessageId, status: "sent", cost: result.cost, parts: result.parts ?? 0 };
      if (result.auth) throw new Error("Africa's Talking rejected the API key");
      return { providerMessageId: null, status: "failed", cost: null, parts: 0, error: result.statusCode === null ? result.detail : result.status };
    },
  };
}

/** "2547XXXXXXXX", "+2547XXXXXXXX" and local "07XXXXXXXX" all become "+2547XXXXXXXX"; anything else is passed on for AT to judge. */
export function toE164(phone: string): string {
  const compact = phone.replace(/[\s-]/g, "");
  if (/^\+\d+$/.test(compact)) return compact;
  if (/^254\d{9}$/.test(compact)) return `+${compact}`;
  if (/^0[17]\d{8}$/.test(compact)) return `+254${compact.slice(1)}`;
  return compact;
}
