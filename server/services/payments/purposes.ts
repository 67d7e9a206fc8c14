import type { Tx } from "../../../db/client";
import type { payments } from "../../../db/schema";

export type PaymentRow = typeof payments.$inferSelect;

/**
 * What a payment is for. The feature that owns a purpose (vouchers, subscriptions, the
 * platform's own billing) registers a handler; the payments service runs it inside the same
 * transaction that marks the payment paid, so "paid" and "delivered" commit together. Side
 * effects (router, SMS) must be enqueued as jobs from the handler, never done inline.
 */
export type PurposeHandler = {
  /** Shown in the dashboard, e.g. "Hotspot voucher". */
  label: string;
  /** Runs once, when the payment becomes paid (in the same transaction). */
  onPaid(tx: Tx, payment: PaymentRow): Promise<void>;
  /**
   * For C2B: does this account number (BillRefNumber, already trimmed and upper-cased) belong
   * to this purpose? Returns the purpose reference, or null.
   */
  matchAccount?(tx: Tx, tenantId: string, account: string): Promise<string | null>;
};

// One registry per process: the server entry and the React Router build each load their own
// copy of this module, so the map lives on globalThis and both see the same handlers.
const REGISTRY = Symbol.for("mnetifi.paymentPurposes");
const handlers: Map<string, PurposeHandler> = ((globalThis as Record<symbol, unknown>)[REGISTRY] as Map<string, PurposeHandler> | undefined) ??
  ((globalThis as Record<symbol, unknown>)[REGISTRY] = new Map<string, PurposeHandler>());

export function registerPaymentPurpose(name: string, handler: PurposeHandler) {
  handlers.set(name, handler);
}

export function paymentPurpose(name: string | null | undefined): PurposeHandler | undefined {
  return name ? handlers.get(name) : undefined;
}

export function paymentPurposes(): Array<[string, PurposeHandler]> {
  return [...handlers.entries()];
}

// Built in: a test payment the ISP sends to its own phone from the M-Pesa settings page.
registerPaymentPurpose("test", { label: "Test payment", onPaid: async () => {} });

// Built in: money the ISP assigns by hand from the reconciliation queue (with a note).
registerPaymentPurpose("other", { label: "Other (assigned by hand)", onPaid: async () => {} });
