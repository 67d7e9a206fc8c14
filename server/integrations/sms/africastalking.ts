// Africa's Talking bulk SMS client (POST /version1/messaging). Works against the real API
// (https://api.africastalking.com, sandbox https://api.sandbox.africastalking.com) and sim/sms.
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

// 100 Processed, 101 Sent, 102 Queued: the message is on its way; every other code is a refusal.
const ACCEPTED_STATUS_CODES = new Set([100, 101, 102]);
const REQUEST_TIMEOUT_MS = 15_000;

export function createAfricasTalkingSender(opts: { baseUrl: string; apiKey: string; username: string; from?: string }): SmsSender {
  const endpoint = `${opts.baseUrl.replace(/\/+$/, "")}/version1/messaging`;

  return {
    async send(to, message): Promise<SmsSendResult> {
      const number = toE164(to);
      const form = new URLSearchParams({ username: opts.username, to: number, message });
      if (opts.from) form.set("from", opts.from);

      // Network errors and timeouts throw from fetch itself: the job retries.
      const res = await fetch(endpoint, {
        method: "POST",
        headers: { apiKey: opts.apiKey, Accept: "application/json", "Content-Type": "application/x-www-form-urlencoded" },
        body: form.toString(),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const body = await res.text();

      if (res.status === 401) throw new Error("Africa's Talking rejected the API key");
      if (res.status >= 500) throw new Error(`Africa's Talking answered HTTP ${res.status}: ${body.slice(0, 200)}`);
      // Any other refusal is about this request; sending it again would be refused again.
      if (!res.ok) return failed(`HTTP ${res.status}: ${body.slice(0, 200)}`);

      let parsed: AtResponse;
      try {
        parsed = JSON.parse(body) as AtResponse;
      } catch {
        throw new Error(`Africa's Talking answered with a body that is not JSON: ${body.slice(0, 200)}`);
      }
      const recipients = parsed.SMSMessageData?.Recipients ?? [];
      const recipient = recipients.find((r) => r.number === number) ?? recipients[0];
      if (!recipient) return failed(parsed.SMSMessageData?.Message ?? "No recipient in Africa's Talking response");

      const sent = typeof recipient.statusCode === "number" && ACCEPTED_STATUS_CODES.has(recipient.statusCode);
      const result: SmsSendResult = {
        providerMessageId: recipient.messageId && recipient.messageId !== "None" ? recipient.messageId : null,
        status: sent ? "sent" : "failed",
        cost: recipient.cost && recipient.cost !== "0" ? recipient.cost : null,
        parts: typeof recipient.messageParts === "number" ? recipient.messageParts : 0,
      };
      if (!sent) result.error = recipient.status ?? `statusCode ${String(recipient.statusCode)}`;
      return result;
    },
  };
}

function failed(error: string): SmsSendResult {
  return { providerMessageId: null, status: "failed", cost: null, parts: 0, error };
}

/** "2547XXXXXXXX", "+2547XXXXXXXX" and local "07XXXXXXXX" all become "+2547XXXXXXXX"; anything else is passed on for AT to judge. */
export function toE164(phone: string): string {
  const compact = phone.replace(/[\s-]/g, "");
  if (/^\+\d+$/.test(compact)) return compact;
  if (/^254\d{9}$/.test(compact)) return `+${compact}`;
  if (/^0[17]\d{8}$/.test(compact)) return `+254${compact.slice(1)}`;
  return compact;
}
