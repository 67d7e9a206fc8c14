// Pure pieces of the Daraja simulator: identifier formats, EAT timestamps, result texts and
// MSISDN presentation. Kept free of server state so they are easy to read against the reference.
import { createHash, randomInt } from "node:crypto";

// Nairobi is UTC+3 all year (no DST), so a fixed offset is exact.
const EAT_OFFSET_MS = 3 * 60 * 60 * 1000;
const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
const ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const HEX = "0123456789abcdef";

export const PAYBILL_ONLINE = "CustomerPayBillOnline";
export const BUY_GOODS_ONLINE = "CustomerBuyGoodsOnline";
export const SAFARICOM_PHONE = /^254(7|1)\d{8}$/;

/** Calendar fields as a clock in Nairobi shows them. */
export function eatParts(date: Date) {
  const d = new Date(date.getTime() + EAT_OFFSET_MS);
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  return {
    year: d.getUTCFullYear(),
    month: d.getUTCMonth() + 1,
    yyyy: pad(d.getUTCFullYear(), 4),
    MM: pad(d.getUTCMonth() + 1),
    dd: pad(d.getUTCDate()),
    HH: pad(d.getUTCHours()),
    mm: pad(d.getUTCMinutes()),
    ss: pad(d.getUTCSeconds()),
    ms: pad(d.getUTCMilliseconds(), 3),
  };
}

/** YYYYMMDDHHmmss in EAT, the format of Timestamp, TransactionDate and TransTime. */
export function eatStamp(date: Date): string {
  const p = eatParts(date);
  return `${p.yyyy}${p.MM}${p.dd}${p.HH}${p.mm}${p.ss}`;
}

export function stkPasswordFor(shortcode: string, passkey: string, timestamp: string): string {
  return Buffer.from(`${shortcode}${passkey}${timestamp}`, "utf8").toString("base64");
}

function randomFrom(alphabet: string, length: number): string {
  let out = "";
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

function randomDigits(min: number, max: number): string {
  return randomFrom("0123456789", randomInt(min, max + 1)).replace(/^0/, "1");
}

/** Gateway request ids look like "11728-2929992-1". */
export function newRequestId(): string {
  return `${randomDigits(4, 5)}-${randomDigits(7, 8)}-${randomInt(1, 4)}`;
}

/** Same family of format as the gateway request id (§8: \d{4,5}-\d{7,8}-\d). */
export function newMerchantRequestId(): string {
  return newRequestId();
}

/** "ws_CO_" + DDMMYYYYHHmmss + milliseconds + the subscriber's 9 local digits, as seen in the wild. */
export function newCheckoutRequestId(date: Date, phone: string): string {
  const p = eatParts(date);
  return `ws_CO_${p.dd}${p.MM}${p.yyyy}${p.HH}${p.mm}${p.ss}${p.ms}${phone.slice(-9)}`;
}

/** "AG_" + YYYYMMDD + "_" + 20 hex characters. */
export function newConversationId(date: Date): string {
  const p = eatParts(date);
  return `AG_${p.yyyy}${p.MM}${p.dd}_${randomFrom(HEX, 20)}`;
}

/** Originator conversation ids in the register-URL sample look like "6e86-45dd-91ac-fd5d4178ab523408729". */
export function newOriginatorConversationId(): string {
  return `${randomFrom(HEX, 4)}-${randomFrom(HEX, 4)}-${randomFrom(HEX, 4)}-${randomFrom(HEX, 12)}${randomDigits(7, 7)}`;
}

/**
 * M-Pesa receipts: 10 upper-case alphanumerics. Real ones start with a year letter (A = 2006,
 * so 2025 = T) and a month letter (A = January); the rest is random here.
 */
export function newReceipt(date: Date): string {
  const p = eatParts(date);
  const yearLetter = UPPER_ALNUM[Math.min(25, Math.max(0, p.year - 2006))] ?? "T";
  const monthLetter = UPPER_ALNUM[p.month - 1] ?? "A";
  return `${yearLetter}${monthLetter}${randomFrom(UPPER_ALNUM, 8)}`;
}

export function newAccessToken(): string {
  return randomFrom(ALNUM, 28);
}

/** ResultDesc texts for the codes of reference §3.4. */
export const STK_RESULT_DESCRIPTIONS: Record<string, string> = {
  "0": "The service request is processed successfully.",
  "1": "The balance is insufficient for the transaction.",
  "2": "Declined due to limit rule: less than the minimum transaction amount.",
  "3": "Declined due to limit rule: greater than the maximum transaction amount.",
  "4": "Declined due to limit rule: would exceed daily transfer limit.",
  "8": "Declined due to limit rule: would exceed the maximum balance.",
  "17": "Rule limited.",
  "1001": "Unable to lock subscriber, a transaction is already in process for the current subscriber",
  "1019": "Transaction has expired.",
  "1025": "An error occurred while sending a push request.",
  "1032": "Request cancelled by user",
  "1037": "DS timeout user cannot be reached",
  "2001": "The initiator information is invalid.",
  "2028": "The request is not permitted according to product assignment.",
  "8006": "The security credential is locked.",
  "9999": "Error while sending push request",
  SFC_IC0003: "The operator does not exist.",
};

export function stkResultDescription(code: string): string {
  return STK_RESULT_DESCRIPTIONS[code] ?? "The transaction could not be completed.";
}

/** ResultCode as Daraja types it in callbacks: a number when numeric, else the string (e.g. SFC_IC0003). */
export function callbackResultCode(code: string): number | string {
  return /^\d+$/.test(code) ? Number(code) : code;
}

export type MsisdnMode = "plain" | "masked" | "hashed";

/**
 * How a C2B notification shows the payer. The two doc pages disagree on the mask, so the
 * sim follows the page of the API version the URLs were registered with:
 * v1 "25470****149", v2 "2547 ***** 149". Hashed is sha256 hex of the plain 2547... number.
 */
export function presentMsisdn(plain: string, mode: MsisdnMode, version: "v1" | "v2"): string {
  if (mode === "plain") return plain;
  if (mode === "hashed") return createHash("sha256").update(plain).digest("hex");
  return version === "v2" ? `${plain.slice(0, 4)} ***** ${plain.slice(-3)}` : `${plain.slice(0, 5)}****${plain.slice(-3)}`;
}
