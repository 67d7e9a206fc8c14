import type { Task } from "graphile-worker";
import type { Db } from "../../db/client";
import { tenantTask, tenantSteps } from "../tenant-task";
import { applyCallback, queryStkPayment, verifyManualPayment, type PaymentDeps } from "../../server/services/payments";

/** Applies one stored Daraja callback; a callback that may be racing its push is retried. */
export const applyMpesaCallback = (db: Db): Task =>
  tenantTask<{ callbackId: string }>(db, async ({ tx, tenantId, payload }) => {
    const result = await applyCallback(tx, tenantId, payload.callbackId);
    if (result === "retry") throw new Error(`callback ${payload.callbackId}: its CheckoutRequestID is not known yet; will look again`);
  });

export const queryStk = (deps: PaymentDeps): Task =>
  tenantSteps<{ paymentId: string; attempt: number }>(deps.db, ({ tenantId, payload, inTenant }) => queryStkPayment(deps, inTenant, tenantId, payload.paymentId, payload.attempt ?? 0));

export const verifyReceipt = (deps: PaymentDeps): Task =>
  tenantSteps<{ paymentId: string }>(deps.db, async ({ tenantId, payload, inTenant }) => {
    await verifyManualPayment(deps, inTenant, tenantId, payload.paymentId);
  });
