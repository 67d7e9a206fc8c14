// Small helpers the SMS provider modules share (sms-africastalking, sms-advanta, sms-http).
import type { WebhookRequest } from "./types";

export const SMS_REQUEST_TIMEOUT_MS = 15_000;

/** Kenyan mobile numbers (07.., 01.., 2547.., +254 7..) to "2547XXXXXXXX"; anything else only loses spaces, dashes and a leading "+". */
export function toMsisdn(phone: string): string {
  const digits = phone.replace(/[\s().-]/g, "").replace(/^\+/, "");
  const m = /^(?:254|0)?([17]\d{8})$/.exec(digits);
  return m ? `254${m[1]}` : digits;
}

export function isHttpUrl(value: string): boolean {
  try {
    const { protocol, hostname } = new URL(value);
    return (protocol === "http:" || protocol === "https:") && hostname.length > 0;
  } catch {
    return false;
  }
}

export function trimSlashes(url: string): string {
  return url.trim().replace(/\/+$/, "");
}

export function snippet(text: string, max = 200): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max)}…` : flat;
}

export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The flat fields of a webhook call: the query string, overlaid with the body read as JSON (when the
 * content type says so or it looks like an object) or as a form. Only string/number/boolean values
 * are kept. Null when a body that claims (or looks) to be JSON is not a JSON object.
 */
export function webhookFields(req: WebhookRequest): Record<string, string> | null {
  const fields: Record<string, string> = { ...req.query };
  const raw = req.rawBody ?? "";
  if (raw.trim() === "") return fields;
  const contentType = (req.headers["content-type"] ?? "").toLowerCase();
  if (contentType.includes("json") || (!contentType.includes("form") && /^\s*[{[]/.test(raw))) {
    const parsed = safeJson(raw);
    if (!isRecord(parsed)) return null;
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value === "string") fields[key] = value;
      else if (typeof value === "number" || typeof value === "boolean") fields[key] = String(value);
    }
    return fields;
  }
  for (const [key, value] of new URLSearchParams(raw)) fields[key] = value;
  return fields;
}

/** "2025-09-12 10:16:10" as Kenyan time (EAT, UTC+3, which the Kenyan gateways report in); ISO strings as they say. */
export function parseGatewayTime(value: string | undefined): Date | undefined {
  if (!value) return undefined;
  const text = value.trim();
  const local = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/.exec(text);
  const date = new Date(local ? `${local[1]}T${local[2]}+03:00` : text);
  return Number.isNaN(date.getTime()) ? undefined : date;
}
