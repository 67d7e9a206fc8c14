// Pure, defensive parsers for what Daraja sends us, plus the small pure helpers the client
// needs. Daraja's types drift (reference §7.8): every number may come as a string and the
// other way round, so fields are read as number-or-string and converted here. Nothing throws.
import { z } from "zod";

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

export type StkCallback = {
  merchantRequestId: string;
  checkoutRequestId: string;
  /** Always a string ("0", "1032", "SFC_IC0003"). */
  resultCode: string;
  resultDesc: string;
  amount?: number;
  receipt?: string;
  phone?: string;
  transactionDate?: Date;
};

export type C2bPayload = {
  transactionType: string;
  transId: string;
  transTime?: Date;
  /** Whole shillings. */
  amount: number;
  shortcode: string;
  /** Trimmed and upper-cased; "" when the customer typed none (always for tills). */
  billRefNumber: string;
  invoiceNumber: string;
  /** Empty in validation requests; the new utility balance in confirmations. */
  orgAccountBalance?: number;
  thirdPartyTransId: string;
  /** Opaque: plain, masked or hashed depending on Safaricom's mood (reference §4.3). Never a reliable phone. */
  msisdn: string;
  firstName: string;
  middleName: string;
  lastName: string;
};

export type TransactionStatusResult = {
  resultType?: number;
  resultCode: string;
  resultDesc: string;
  /** Id of the status query itself (not the receipt asked about). */
  transactionId?: string;
  receipt?: string;
  amount?: number;
  /** TransactionStatus, e.g. "Completed". */
  status?: string;
  /** "2547XXXXXXXX - NAME". */
  debitParty?: string;
  creditParty?: string;
  conversationId?: string;
  originatorConversationId?: string;
  initiatedTime?: Date;
  finalisedTime?: Date;
  /** Every ResultParameter that has a Value (first occurrence wins; keys can repeat). */
  parameters: Record<string, string | number>;
};

export type StkResultStatus = "paid" | "failed" | "cancelled" | "timeout";

const EAT_OFFSET_MS = 3 * 60 * 60 * 1000;
const numberOrString = z.union([z.number(), z.string()]);
const optionalText = numberOrString.nullish();

const stkCallbackSchema = z.object({
  Body: z.object({
    stkCallback: z.object({
      MerchantRequestID: numberOrString,
      CheckoutRequestID: z.string().trim().min(1),
      ResultCode: numberOrString,
      ResultDesc: optionalText,
      CallbackMetadata: z.object({ Item: z.unknown() }).nullish(),
    }),
  }),
});

const c2bSchema = z.object({
  TransactionType: optionalText,
  TransID: numberOrString,
  TransTime: optionalText,
  TransAmount: numberOrString,
  BusinessShortCode: numberOrString,
  BillRefNumber: optionalText,
  InvoiceNumber: optionalText,
  OrgAccountBalance: optionalText,
  ThirdPartyTransID: optionalText,
  MSISDN: optionalText,
  FirstName: optionalText,
  MiddleName: optionalText,
  LastName: optionalText,
});

const transactionStatusSchema = z.object({
  Result: z.object({
    ResultType: optionalText,
    ResultCode: numberOrString,
    ResultDesc: optionalText,
    OriginatorConversationID: optionalText,
    ConversationID: optionalText,
    TransactionID: optionalText,
    ResultParameters: z.object({ ResultParameter: z.unknown() }).nullish(),
  }),
});

/** The STK callback POSTed to CallBackURL (reference §3.3). Accepts the raw JSON text too. */
export function parseStkCallback(body: unknown): ParseResult<StkCallback> {
  return guarded(() => {
    const parsed = stkCallbackSchema.safeParse(jsonValue(body));
    if (!parsed.success) return { ok: false, error: `Not an STK callback: ${describeIssues(parsed.error)}` };
    const cb = parsed.data.Body.stkCallback;
    const items = nameValueList(cb.CallbackMetadata?.Item, "Name");
    const value: StkCallback = {
      merchantRequestId: text(cb.MerchantRequestID),
      checkoutRequestId: cb.CheckoutRequestID,
      resultCode: text(cb.ResultCode),
      resultDesc: cb.ResultDesc == null ? "" : text(cb.ResultDesc),
    };
    const amount = decimal(items.get("Amount"));
    if (amount !== undefined) value.amount = amount;
    const receipt = loose(items.get("MpesaReceiptNumber"));
    if (receipt) value.receipt = receipt.toUpperCase();
    const phone = loose(items.get("PhoneNumber"));
    if (phone) value.phone = phone;
    const transactionDate = parseDarajaTimestamp(items.get("TransactionDate"));
    if (transactionDate) value.transactionDate = transactionDate;
    return { ok: true, value };
  });
}

/** A C2B validation or confirmation request (reference §4.3). */
export function parseC2bPayload(body: unknown): ParseResult<C2bPayload> {
  return guarded(() => {
    const parsed = c2bSchema.safeParse(jsonValue(body));
    if (!parsed.success) return { ok: false, error: `Not a C2B notification: ${describeIssues(parsed.error)}` };
    const p = parsed.data;
    const transId = text(p.TransID).toUpperCase();
    if (!transId) return { ok: false, error: "TransID is empty" };
    const amount = decimal(p.TransAmount);
    if (amount === undefined) return { ok: false, error: `TransAmount ${JSON.stringify(p.TransAmount)} is not an amount` };
    if (!Number.isInteger(amount)) return { ok: false, error: `TransAmount ${JSON.stringify(p.TransAmount)} is not a whole number of shillings` };
    const shortcode = text(p.BusinessShortCode);
    if (!shortcode) return { ok: false, error: "BusinessShortCode is empty" };
    const value: C2bPayload = {
      transactionType: optional(p.TransactionType),
      transId,
      amount,
      shortcode,
      billRefNumber: optional(p.BillRefNumber).toUpperCase(),
      invoiceNumber: optional(p.InvoiceNumber),
      thirdPartyTransId: optional(p.ThirdPartyTransID),
      msisdn: optional(p.MSISDN),
      firstName: optional(p.FirstName),
      middleName: optional(p.MiddleName),
      lastName: optional(p.LastName),
    };
    const transTime = parseDarajaTimestamp(p.TransTime);
    if (transTime) value.transTime = transTime;
    const balance = decimal(p.OrgAccountBalance);
    if (balance !== undefined) value.orgAccountBalance = balance;
    return { ok: true, value };
  });
}

/** The Transaction Status result POSTed to ResultURL (reference §5). */
export function parseTransactionStatusResult(body: unknown): ParseResult<TransactionStatusResult> {
  return guarded(() => {
    const parsed = transactionStatusSchema.safeParse(jsonValue(body));
    if (!parsed.success) return { ok: false, error: `Not a Transaction Status result: ${describeIssues(parsed.error)}` };
    const r = parsed.data.Result;
    const params = nameValueList(r.ResultParameters?.ResultParameter, "Key");
    const parameters: Record<string, string | number> = {};
    for (const [key, v] of params) if (typeof v === "string" || typeof v === "number") parameters[key] = v;

    const value: TransactionStatusResult = { resultCode: text(r.ResultCode), resultDesc: optional(r.ResultDesc), parameters };
    const resultType = decimal(r.ResultType);
    if (resultType !== undefined) value.resultType = resultType;
    setText(value, "transactionId", r.TransactionID);
    setText(value, "conversationId", r.ConversationID ?? params.get("ConversationID"));
    setText(value, "originatorConversationId", r.OriginatorConversationID ?? params.get("OriginatorConversationID"));
    setText(value, "receipt", params.get("ReceiptNo"));
    setText(value, "status", params.get("TransactionStatus"));
    setText(value, "debitParty", params.get("DebitPartyName"));
    setText(value, "creditParty", params.get("CreditPartyName"));
    const amount = decimal(params.get("Amount"));
    if (amount !== undefined) value.amount = amount;
    const initiated = parseDarajaTimestamp(params.get("InitiatedTime"));
    if (initiated) value.initiatedTime = initiated;
    const finalised = parseDarajaTimestamp(params.get("FinalisedTime"));
    if (finalised) value.finalisedTime = finalised;
    return { ok: true, value };
  });
}

const STK_MEANINGS: Record<string, { status: StkResultStatus; message: string }> = {
  "0": { status: "paid", message: "The customer paid." },
  "1": { status: "failed", message: "Not enough money in the customer's M-Pesa." },
  "2": { status: "failed", message: "The amount is below M-Pesa's minimum of KES 1." },
  "3": { status: "failed", message: "The amount is above M-Pesa's maximum for one payment." },
  "4": { status: "failed", message: "The customer has reached their daily M-Pesa limit." },
  "8": { status: "failed", message: "The business's M-Pesa account has reached its maximum balance." },
  "17": { status: "failed", message: "M-Pesa blocked a repeat of the same payment. Wait two minutes and try again." },
  "1001": { status: "failed", message: "The customer already has an M-Pesa prompt open. Wait a minute and try again." },
  "1019": { status: "timeout", message: "The M-Pesa prompt expired before the customer answered." },
  "1025": { status: "failed", message: "M-Pesa could not send the prompt (the account reference may be too long)." },
  "1032": { status: "cancelled", message: "The customer cancelled the M-Pesa prompt." },
  "1037": { status: "timeout", message: "The customer's phone could not be reached, or they did not enter their PIN in time." },
  "2001": { status: "failed", message: "Wrong M-Pesa PIN." },
  "2028": { status: "failed", message: "M-Pesa does not allow this payment type for the shortcode: check the paybill/till settings." },
  "8006": { status: "failed", message: "The customer's M-Pesa PIN is locked." },
  "9999": { status: "failed", message: "M-Pesa could not send the prompt. Try again." },
  SFC_IC0003: { status: "failed", message: "M-Pesa does not know the paybill/till number: check the paybill/till settings." },
};

/** What an STK ResultCode (callback or query; number or string) means for the payment, in words for people. */
export function stkResultMeaning(code: string | number): { status: StkResultStatus; message: string } {
  const key = String(code).trim();
  return STK_MEANINGS[key] ?? { status: "failed", message: `M-Pesa declined the payment (code ${key || "unknown"}).` };
}

/** base64(BusinessShortCode + Passkey + Timestamp) (reference §3.1). */
export function stkPassword(shortcode: string, passkey: string, timestamp: string): string {
  return Buffer.from(`${shortcode}${passkey}${timestamp}`, "utf8").toString("base64");
}

/** YYYYMMDDHHmmss as a clock in Nairobi shows it (EAT is UTC+3 all year). */
export function darajaTimestamp(date: Date): string {
  const d = new Date(date.getTime() + EAT_OFFSET_MS);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}`;
}

/** A YYYYMMDDHHmmss value (number or string) read as EAT; undefined unless it is a real date-time. */
export function parseDarajaTimestamp(value: unknown): Date | undefined {
  if (typeof value !== "string" && typeof value !== "number") return undefined;
  const match = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(text(value));
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(utc);
  // Date.UTC rolls 31 February over into March; such a value is not a timestamp.
  if (check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) return undefined;
  return new Date(utc - EAT_OFFSET_MS);
}

/** "0712345678", "+254712345678", "254 712 345 678", "712345678" → "254712345678"; null unless a Safaricom-style mobile. */
export function toDarajaPhone(phone: string): string | null {
  const digits = phone.replace(/[\s\-()]/g, "").replace(/^\+/, "");
  const full = /^0[17]\d{8}$/.test(digits) ? `254${digits.slice(1)}` : /^[17]\d{8}$/.test(digits) ? `254${digits}` : digits;
  return /^254[17]\d{8}$/.test(full) ? full : null;
}

// ---- helpers ----

function guarded<T>(fn: () => ParseResult<T>): ParseResult<T> {
  try {
    return fn();
  } catch (err) {
    return { ok: false, error: `Unreadable payload: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** Stored raw bodies arrive as text; anything else is taken as already parsed. */
function jsonValue(body: unknown): unknown {
  if (typeof body !== "string") return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join(".") || "body"}: ${issue.message}`)
    .join("; ");
}

/** Numbers in plain notation (254712345678, not 2.5e11); strings trimmed. */
function text(value: string | number): string {
  if (typeof value === "string") return value.trim();
  return Number.isSafeInteger(value) ? value.toFixed(0) : String(value);
}

/** Text of a number-or-string of unknown origin; "" for anything else. */
function loose(value: unknown): string {
  return typeof value === "string" || typeof value === "number" ? text(value) : "";
}

function optional(value: string | number | null | undefined): string {
  return value == null ? "" : text(value);
}

/** A number from 50, 50.0, "50", "50.00" or "1,000.00"; undefined for anything else. */
function decimal(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string") return undefined;
  const compact = value.trim().replace(/,/g, "");
  if (!/^-?\d+(\.\d+)?$/.test(compact)) return undefined;
  return Number(compact);
}

/**
 * Daraja's [{Name, Value}] / [{Key, Value}] lists as a map, first occurrence with a Value winning.
 * A single object instead of an array is tolerated; malformed entries are skipped.
 */
function nameValueList(list: unknown, nameKey: "Name" | "Key"): Map<string, unknown> {
  const entries = Array.isArray(list) ? list : list && typeof list === "object" ? [list] : [];
  const map = new Map<string, unknown>();
  for (const entry of entries) {
    if (!entry || typeof entry !== "object") continue;
    const record = entry as Record<string, unknown>;
    const name = record[nameKey];
    if (typeof name !== "string" || !("Value" in record) || record.Value == null || map.has(name)) continue;
    map.set(name, record.Value);
  }
  return map;
}

function setText<K extends "transactionId" | "conversationId" | "originatorConversationId" | "receipt" | "status" | "debitParty" | "creditParty">(
  target: TransactionStatusResult,
  key: K,
  value: unknown,
) {
  const found = loose(value);
  if (found) target[key] = found;
}
