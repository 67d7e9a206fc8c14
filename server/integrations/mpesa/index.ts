// Safaricom Daraja (M-Pesa): the client, the parsers for what Daraja POSTs to us, and their types.
export { createDarajaClient, DarajaError, DARAJA_BASE_URLS } from "./client";
export {
  parseStkCallback,
  parseC2bPayload,
  parseTransactionStatusResult,
  stkResultMeaning,
  stkPassword,
  darajaTimestamp,
  parseDarajaTimestamp,
  toDarajaPhone,
  type ParseResult,
  type StkCallback,
  type C2bPayload,
  type TransactionStatusResult,
  type StkResultStatus,
} from "./parse";
export type * from "./types";
