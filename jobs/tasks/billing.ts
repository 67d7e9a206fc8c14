import type { Task } from "graphile-worker";
import type { Db } from "../../db/client";
import { applyBillingCallback, queryBillingStk, type BillingMpesaDeps } from "../../server/services/billing/platform-mpesa";
import { sweepBillingReminders } from "../../server/services/billing/reminders";
import type { BillingLinks } from "../../server/services/billing/subscriptions";

/**
 * Platform billing tasks open their own transactions (a Daraja call must not hold one open).
 * Like platformTask, they refuse a job a tenant enqueued: only the platform context schedules
 * work that runs with platform rights (the job then names the ISP it is about).
 */
function platformSteps<P extends Record<string, unknown>>(fn: (payload: P) => Promise<void>): Task {
  return async (raw, helpers) => {
    if ((raw as { tenant_id?: unknown } | null)?.tenant_id != null) {
      throw new Error(`job ${helpers.job.task_identifier}#${helpers.job.id} was enqueued by a tenant; platform tasks only run for the platform`);
    }
    await fn((raw ?? {}) as P);
  };
}

export const applyBillingCallbackTask = (db: Db, links: BillingLinks): Task =>
  platformSteps<{ callbackId: string }>(async ({ callbackId }) => {
    const result = await applyBillingCallback(db, callbackId, new Date(), links);
    if (result === "retry") throw new Error(`billing callback ${callbackId}: its CheckoutRequestID is not known yet; will look again`);
  });

export const queryBillingStkTask = (deps: BillingMpesaDeps): Task =>
  platformSteps<{ tenantId: string; paymentId: string; attempt?: number }>(({ tenantId, paymentId, attempt }) => queryBillingStk(deps, tenantId, paymentId, attempt ?? 0));

export const billingSweepTask = (db: Db, links: BillingLinks): Task =>
  platformSteps(async () => {
    await sweepBillingReminders(db, links);
  });
