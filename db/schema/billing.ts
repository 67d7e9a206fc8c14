import { sql } from "drizzle-orm";
import { pgTable, pgSequence, uuid, text, timestamp, integer, primaryKey, uniqueIndex, index, foreignKey, check } from "drizzle-orm/pg-core";
import { tenants } from "./tenancy";
import { timestamps } from "./columns";

/**
 * The platform billing its ISPs (SaaS subscription). Tenant tables: each ISP reads its own
 * invoices, payments and reminders; every change is made in the platform context entered into
 * that ISP (server/services/billing), so an ISP's own requests never write billing state.
 */

/** Invoice and receipt numbers (INV-001001, RCT-001002): one sequence, unique across ISPs. */
export const billingDocumentNumberSeq = pgSequence("billing_document_number_seq", { startWith: 1001 });

/**
 * What an ISP owes for one tier: the first month (with the registration fee on its first paid
 * subscription) or a renewal. Prices are copied in when it is issued. At most one is open.
 */
export const billingInvoices = pgTable(
  "billing_invoices",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    number: text("number").notNull(),
    kind: text("kind", { enum: ["subscription", "renewal", "change"] }).notNull(),
    tierId: text("tier_id").notNull(),
    tierName: text("tier_name").notNull(),
    /** hotspot | pppoe on a single-service tier. */
    service: text("service", { enum: ["hotspot", "pppoe"] }),
    registrationFeeCents: integer("registration_fee_cents").notNull().default(0),
    monthlyCents: integer("monthly_cents").notNull(),
    amountCents: integer("amount_cents").notNull(),
    /** Sum of the paid payments applied to it (may include money carried from a replaced invoice). */
    paidCents: integer("paid_cents").notNull().default(0),
    status: text("status", { enum: ["open", "paid", "void"] }).notNull().default("open"),
    issuedAt: timestamp("issued_at", { withTimezone: true }).notNull(),
    dueAt: timestamp("due_at", { withTimezone: true }).notNull(),
    paidAt: timestamp("paid_at", { withTimezone: true }),
    /** The month it paid for, set when it is paid in full. */
    periodStart: timestamp("period_start", { withTimezone: true }),
    periodEnd: timestamp("period_end", { withTimezone: true }),
    voidReason: text("void_reason"),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    uniqueIndex("billing_invoices_number_key").on(t.tenantId, t.number),
    uniqueIndex("billing_invoices_one_open").on(t.tenantId).where(sql`${t.status} = 'open'`),
    index("billing_invoices_issued_idx").on(t.tenantId, t.issuedAt),
    check("billing_invoices_money", sql`${t.amountCents} > 0 and ${t.paidCents} >= 0 and ${t.registrationFeeCents} >= 0 and ${t.monthlyCents} > 0`),
  ],
);

/**
 * Money an ISP paid the platform: an STK push to the platform's paybill, or a bank transfer,
 * PayPal payment or M-Pesa code recorded by a super admin with its reference.
 */
export const billingPayments = pgTable(
  "billing_payments",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    invoiceId: uuid("invoice_id").notNull(),
    method: text("method", { enum: ["mpesa_stk", "mpesa", "bank", "paypal"] }).notNull(),
    status: text("status", { enum: ["pending", "paid", "failed", "cancelled", "timeout"] }).notNull(),
    amountCents: integer("amount_cents").notNull(),
    paidCents: integer("paid_cents"),
    phone: text("phone"),
    checkoutRequestId: text("checkout_request_id"),
    merchantRequestId: text("merchant_request_id"),
    mpesaReceipt: text("mpesa_receipt"),
    /** Bank transfer reference, PayPal transaction id or M-Pesa code typed by the super admin. */
    reference: text("reference"),
    /** RCT-… once paid. */
    receiptNumber: text("receipt_number"),
    resultCode: text("result_code"),
    resultDesc: text("result_desc"),
    failureReason: text("failure_reason"),
    queryAttempts: integer("query_attempts").notNull().default(0),
    paidAt: timestamp("paid_at", { withTimezone: true }),
    /** The ISP user who started an STK push. */
    createdBy: uuid("created_by"),
    /** The platform user who recorded a manual payment. */
    recordedBy: uuid("recorded_by"),
    note: text("note"),
    ...timestamps(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.id] }),
    foreignKey({ columns: [t.tenantId, t.invoiceId], foreignColumns: [billingInvoices.tenantId, billingInvoices.id] }),
    uniqueIndex("billing_payments_checkout_key").on(t.tenantId, t.checkoutRequestId),
    uniqueIndex("billing_payments_receipt_key").on(t.tenantId, t.mpesaReceipt),
    uniqueIndex("billing_payments_reference_key").on(t.tenantId, t.method, t.reference),
    uniqueIndex("billing_payments_receipt_number_key").on(t.tenantId, t.receiptNumber),
    index("billing_payments_invoice_idx").on(t.tenantId, t.invoiceId),
    check("billing_payments_money", sql`${t.amountCents} > 0 and (${t.paidCents} is null or ${t.paidCents} >= 0)`),
  ],
);

/** Reminders sent before a due date: one per (due date, stage), so a sweep never sends twice. */
export const billingReminders = pgTable(
  "billing_reminders",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    id: uuid("id").notNull().defaultRandom(),
    kind: text("kind", { enum: ["trial", "renewal"] }).notNull(),
    dueAt: timestamp("due_at", { withTimezone: true }).notNull(),
    /** Days before the due date this reminder stands for (3, 1…). */
    daysBefore: integer("days_before").notNull(),
    email: text("email"),
    phone: text("phone"),
    sentAt: timestamp("sent_at", { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.id] }), uniqueIndex("billing_reminders_once").on(t.tenantId, t.dueAt, t.daysBefore)],
);
