// Shared by the WhatsApp providers (whatsapp-cloud.ts, whatsapp-ultramsg.ts): the error they
// THROW for transient failures, one HTTP exchange with a timeout, and small parsing helpers.
import { createHmac, timingSafeEqual } from "node:crypto";
import type { WhatsAppProviderKind } from "./types";

export const WHATSAPP_TIMEOUT_MS = 15_000;

/**
 * Why a send was not settled, so the outbox retries it:
 * - "network" / "timeout": the provider could not be reached or did not answer in time;
 * - "rate_limited": the provider asked us to slow down (throughput or per-recipient limit);
 * - "server": the provider failed on its side (HTTP 5xx, WhatsApp 131000 "Something went wrong");
 * - "account": the ISP's settings or account are not working (access token expired or revoked,
 *   wrong phone number ID, UltraMsg instance logged out or unpaid). Retrying helps only once the
 *   ISP fixes the settings, so the outbox should show this on the settings page and stop retrying
 *   at its own attempt limit rather than forever;
 * - "invalid_response": the provider answered something we cannot read.
 */
export type WhatsAppErrorKind = "network" | "timeout" | "rate_limited" | "server" | "account" | "invalid_response";

/** Thrown by WhatsApp providers' send() for failures worth retrying (see SendOutcome). */
export class WhatsAppError extends Error {
  readonly provider: WhatsAppProviderKind;
  readonly kind: WhatsAppErrorKind;
  /** The provider's own error code (WhatsApp's numeric code, or null). */
  readonly code: number | null;
  readonly httpStatus: number | null;

  constructor(init: { provider: WhatsAppProviderKind; kind: WhatsAppErrorKind; message: string; code?: number | null; httpStatus?: number | null }) {
    super(init.message);
    this.name = "WhatsAppError";
    this.provider = init.provider;
    this.kind = init.kind;
    this.code = init.code ?? null;
    this.httpStatus = init.httpStatus ?? null;
  }
}

export type HttpAnswer = { status: number; text: string; body: unknown };

/** One request; network failures and timeouts become WhatsAppError (kind network/timeout). */
export async function exchange(provider: WhatsAppProviderKind, label: string, url: string, init: RequestInit, timeoutMs = WHATSAPP_TIMEOUT_MS): Promise<HttpAnswer> {
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    text = await res.text();
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    throw timedOut
      ? new WhatsAppError({ provider, kind: "timeout", message: `${label} (${hostOf(url)}) did not answer within ${Math.round(timeoutMs / 1000)} s.` })
      : new WhatsAppError({ provider, kind: "network", message: `Could not reach ${label} (${hostOf(url)}): ${errorDetail(err)}.` });
  }
  return { status: res.status, text, body: parseJson(text) };
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A string field trimmed, a finite number as text; anything else "". */
export function text(value: unknown): string {
  if (typeof value === "string") return value.trim();
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return "";
}

/** Unix seconds (number or numeric string) as a Date; undefined when absent or not a time. */
export function unixDate(value: unknown): Date | undefined {
  const seconds = Number(text(value));
  if (!text(value) || !Number.isFinite(seconds) || seconds <= 0) return undefined;
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** "sha256=" + hex HMAC-SHA256 of the body, as Meta sends in X-Hub-Signature-256. */
export function hubSignature(secret: string, rawBody: string): string {
  return `sha256=${createHmac("sha256", secret).update(rawBody, "utf8").digest("hex")}`;
}

/** Constant-time string comparison (lengths may differ). */
export function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, "utf8");
  const right = Buffer.from(b, "utf8");
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}

/** "254712345678" from "+254712345678", "254712345678@c.us" and the like; "" for anything else. */
export function phoneDigits(value: unknown): string {
  const raw = text(value).replace(/@c\.us$|@s\.whatsapp\.net$/i, "");
  const digits = raw.replace(/^\+/, "");
  return /^\d{7,15}$/.test(digits) ? digits : "";
}

export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function errorDetail(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  if (cause instanceof Error && cause.message) return cause.message;
  return err.message;
}

export function trimRoot(url: string): string {
  return url.replace(/\/+$/, "");
}
