// Types of the Daraja (M-Pesa) integration. Protocol reference: /work/shared/reference/daraja.md.

export type DarajaEnvironment = "sandbox" | "production";

/** One ISP's Daraja app and shortcode. */
export type DarajaCredentials = {
  environment: DarajaEnvironment;
  consumerKey: string;
  consumerSecret: string;
  passkey: string;
  /** BusinessShortCode: the paybill number, or the store/HO number for a till. */
  shortcode: string;
  accountType: "paybill" | "till";
  /** The Buy Goods till number (STK PartyB) when accountType is "till". */
  tillNumber?: string;
  /** API operator with the Transaction Status role. */
  initiatorName?: string;
  /** The initiator password, already RSA-encrypted with Safaricom's certificate, base64. */
  securityCredential?: string;
};

export type StkPushInput = {
  /** 2547XXXXXXXX / 2541XXXXXXXX; 07.., 01.. and +254.. are normalised. */
  phone: string;
  /** Whole shillings, ≥ 1. */
  amount: number;
  /** ≤ 12 characters; becomes the account number the customer sees. */
  accountReference: string;
  /** ≤ 13 characters. */
  description: string;
  callbackUrl: string;
};

export type StkPushResult = { merchantRequestId: string; checkoutRequestId: string; customerMessage: string };

export type StkQueryResult = { state: "pending" } | { state: "final"; resultCode: string; resultDesc: string };

export type RegisterC2bInput = {
  confirmationUrl: string;
  validationUrl: string;
  /** What M-Pesa does when the validation URL does not answer in time; default "Completed". */
  responseType?: "Completed" | "Cancelled";
  /** Sources disagree on the path version (reference §4.1); default "v1". */
  version?: "v1" | "v2";
  /** Default: the credentials' shortcode (the store number for tills). */
  shortcode?: string;
};

export type RegisterC2bResult = { originatorConversationId: string; responseDescription: string };

export type TransactionStatusInput = {
  /** The M-Pesa receipt (MpesaReceiptNumber / TransID). */
  transactionId: string;
  resultUrl: string;
  timeoutUrl: string;
  /** ≤ 100 characters; default "Transaction status". */
  remarks?: string;
  occasion?: string;
  /** Default: the credentials' shortcode with IdentifierType "4" (organisation). */
  partyA?: string;
  identifierType?: "1" | "2" | "4";
};

export type TransactionStatusAck = { conversationId: string; originatorConversationId: string };

export type DarajaExchangeKind = "oauth" | "stk_push" | "stk_query" | "c2b_register" | "transaction_status";

/** One HTTP exchange with Daraja as the app may store it; secrets are masked. status 0 = no HTTP answer. */
export type DarajaExchange = { kind: DarajaExchangeKind; url: string; request: unknown; response: unknown; status: number; ms: number };

export type DarajaClientOptions = {
  /** Default: the sandbox/production hosts of the reference; override to point at the simulator. */
  baseUrlFor?: (environment: DarajaEnvironment) => string;
  fetch?: typeof fetch;
  now?: () => Date;
  /** Per HTTP request; default 15 000 ms. */
  timeoutMs?: number;
  onExchange?: (exchange: DarajaExchange) => void;
};

export type TestCredentialsResult = { ok: true } | { ok: false; reason: string };

export type DarajaClient = {
  getToken(creds: DarajaCredentials): Promise<string>;
  /** Fetches a fresh token: proves the consumer key/secret (not the passkey, which only an STK push can prove). */
  testCredentials(creds: DarajaCredentials): Promise<TestCredentialsResult>;
  stkPush(creds: DarajaCredentials, input: StkPushInput): Promise<StkPushResult>;
  stkQuery(creds: DarajaCredentials, checkoutRequestId: string): Promise<StkQueryResult>;
  registerC2bUrls(creds: DarajaCredentials, input: RegisterC2bInput): Promise<RegisterC2bResult>;
  transactionStatus(creds: DarajaCredentials, input: TransactionStatusInput): Promise<TransactionStatusAck>;
};
