import { sql } from "drizzle-orm";
import { pgTable, uuid, text, timestamp, integer, jsonb, primaryKey, uniqueIndex, index, foreignKey, check } from "drizzle-orm/pg-core";
import { tenants } from "./tenancy";
import { timestamps } from "./columns";

/**
 * An ISP's Daraja (M-Pesa) account. One row per ISP. Secrets are sealed with AES-256-GCM
 * (server/services/secrets.ts) and never sent back to the browser.
 */
export const mpesaSettings = pgTable(
  "mpesa_settings",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    environment: text("environment", { enum: ["sandbox", "production"] }).notNull().default("sandbox"),
    accountType: text("account_type", { enum: ["paybill", "till"] }).notNull(),
    /** BusinessShortCode: the paybill number, or for a till the store (head office) number. */
    shortcode: text("shortcode").notNull(),
    tillNumber: text("till_number"),
    consumerKeyEnc: text("consumer_key_enc").notNull(),
    consumerSecretEnc: text("consumer_secret_enc").notNull(),
    passkeyEnc: text("passkey_enc").notNull(),
    initiatorName: text("initiator_name"),
    securityCredentialEnc: text("security_credential_enc"),
    /** Unguessable part of every callback URL: routes Daraja's calls to this ISP. */
    callbackToken: text("callback_token").notNull(),
    lastTestAt: timestamp("last_test_at", { withTimezone: true }),
    lastTestOk: text("last_test_result"),
    c2bRegisteredAt: timestamp("c2b_registered_at", { withTimezone: true }),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex("mpesa_settings_one_per_tenant").on(t.tenantId),
    index("mpesa_settings_callback_token_idx").on(t.callbackToken),
    check("mpesa_settings_till", sql`${t.accountType} <> 'till' or ${t.tillNumber} is not null`),
  ],
);

/**
 * Every M-Pesa payment an ISP receives or expects: STK pushes, C2B paybill/till payments and
 * manually reported codes. Money in cents (design §6); M-Pesa moves whole shillings.
 */
export const payments = pgTable(
  "payments",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    method: text("method", { enum: ["stk", "c2b", "manual"] }).notNull(),
    status: text("status", { enum: ["pending", "paid", "failed", "cancelled", "timeout", "unmatched", "verifying"] }).notNull(),
    /** What the money is for, handled by the feature that registered the purpose. */
    purpose: text("purpose"),
    purposeRef: text("purpose_ref"),
    amountCents: integer("amount_cents").notNull(),
    paidAmountCents: integer("paid_amount_cents"),
    phone: text("phone"),
    /** Opaque customer identifier from C2B (masked or hashed by Safaricom). */
    msisdn: text("msisdn"),
    payerName: text("payer_name"),
    accountReference: text("account_reference"),
    checkoutRequestId: text("checkout_request_id"),
    merchantRequestId: text("merchant_request_id"),
    mpesaReceipt: text("mpesa_receipt"),
    resultCode: text("result_code"),
    resultDesc: text("result_desc"),
    failureReason: text("failure_reason"),
    queryAttempts: integer("query_attempts").notNull().default(0),
    paidAt: timestamp("paid_at", { withTimezone: true }),
    appliedAt: timestamp("applied_at", { withTimezone: true }),
    createdBy: uuid("created_by"),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex("payments_checkout_key").on(t.tenantId, t.checkoutRequestId),
    uniqueIndex("payments_receipt_key").on(t.tenantId, t.mpesaReceipt),
    index("payments_status_idx").on(t.tenantId, t.status, t.createdAt),
    index("payments_phone_idx").on(t.tenantId, t.phone),
    index("payments_purpose_idx").on(t.tenantId, t.purpose, t.purposeRef),
    check("payments_amount_positive", sql`${t.amountCents} >= 0`),
  ],
);

/**
 * The raw inbox of everything Daraja sends: stored before anything else, then applied by a job.
 * Its outcome column is the "exceptions" view (duplicate, unknown request, amount mismatch...).
 */
export const mpesaCallbacks = pgTable(
  "mpesa_callbacks",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    kind: text("kind", { enum: ["stk", "c2b_validation", "c2b_confirmation", "status_result", "status_timeout"] }).notNull(),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    remoteIp: text("remote_ip"),
    contentType: text("content_type"),
    /** Exactly what arrived (text), and its JSON when it parsed. */
    raw: text("raw").notNull(),
    body: jsonb("body"),
    /** The key it is about: CheckoutRequestID, TransID or the transaction-status ConversationID. */
    reference: text("reference"),
    processedAt: timestamp("processed_at", { withTimezone: true }),
    outcome: text("outcome"),
    detail: text("detail"),
    paymentId: uuid("payment_id"),
    resolvedAt: timestamp("resolved_at", { withTimezone: true }),
    resolvedBy: uuid("resolved_by"),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("mpesa_callbacks_reference_idx").on(t.tenantId, t.reference),
    index("mpesa_callbacks_outcome_idx").on(t.tenantId, t.outcome, t.receivedAt),
    foreignKey({ columns: [t.tenantId, t.paymentId], foreignColumns: [payments.tenantId, payments.id] }),
  ],
);

/** Outbound calls to Daraja about a payment (push, query, status), for the payment's detail view. */
export const mpesaExchanges = pgTable(
  "mpesa_exchanges",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    paymentId: uuid("payment_id"),
    kind: text("kind").notNull(),
    request: jsonb("request"),
    response: jsonb("response"),
    httpStatus: integer("http_status"),
    ms: integer("ms"),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    index("mpesa_exchanges_payment_idx").on(t.tenantId, t.paymentId, t.at),
    foreignKey({ columns: [t.tenantId, t.paymentId], foreignColumns: [payments.tenantId, payments.id] }),
  ],
);
