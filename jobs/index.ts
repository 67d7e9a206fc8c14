import type { TaskList } from "graphile-worker";
import { sql } from "drizzle-orm";
import type { Db } from "../db/client";
import type { Integrations } from "../server/integrations";
import { sessionsSweep } from "./tasks/sessions-sweep";
import { sendEmail, sendPlatformSms } from "./tasks/send-email";
import { platformTask } from "./tenant-task";
import { applyMpesaCallback, queryStk, verifyReceipt } from "./tasks/payments";
import type { SecretBox } from "../server/services/secrets";
import { routerSync, routerDriftRepair, routerPoll, routersSweep, type RouterJobDeps } from "./tasks/routers";
import type { RouterUrl } from "../server/services/router-monitoring";
import { sendMessage, broadcastSend } from "./tasks/messaging";
import { voucherExpire, voucherIssued, voucherWarn } from "./tasks/vouchers";
import { applyBillingCallbackTask, queryBillingStkTask, billingSweepTask } from "./tasks/billing";
import { defaultBillingLinks, type BillingLinks } from "../server/services/billing/subscriptions";
import { impersonationsSweep } from "./tasks/impersonations";
import { mailFromInUse, mpesaInUse, platformSenderNow, smsInUse } from "../server/services/platform-senders";

/** Every task the worker runs. Tenant tasks are wrapped in tenantTask(), platform ones in platformTask(). */
export type JobDeps = {
  secrets: SecretBox;
  publicBaseUrl: string;
  queryDelaysS?: number[];
  /** Seconds between polls of one router (ROUTER_POLL_SECONDS). */
  routerPollSeconds?: number;
  /** A router's page in its ISP's dashboard, for alerts. */
  routerUrl?: RouterUrl;
  /** An ISP's billing page, for payment emails and reminders. */
  billingLinks?: BillingLinks;
};

export function buildTaskList(db: Db, integrations: Integrations, deps: JobDeps): TaskList {
  const payments = { db, daraja: integrations.daraja, ...deps };
  const messaging = { secrets: deps.secrets, endpoints: integrations.messagingEndpoints, publicBaseUrl: deps.publicBaseUrl };
  const routerDeps: RouterJobDeps = {
    db,
    secrets: deps.secrets,
    pollSeconds: deps.routerPollSeconds ?? 60,
    routerUrl: deps.routerUrl ?? ((slug, id) => `${deps.publicBaseUrl}/dashboard/routers/${id}?isp=${slug}`),
  };
  const billingLinks = deps.billingLinks ?? defaultBillingLinks(deps.publicBaseUrl);
  const billing = { db, daraja: integrations.daraja, credentials: integrations.platformMpesa ?? null, publicBaseUrl: deps.publicBaseUrl, links: billingLinks, queryDelaysS: deps.queryDelaysS };
  return {
    apply_mpesa_callback: applyMpesaCallback(db),
    apply_billing_callback: applyBillingCallbackTask(db, billingLinks),
    // The platform's senders are resolved on every run: saved in the console, else the environment's.
    billing_query_stk: async (payload, helpers) => {
      const { mpesa } = await platformSenderNow(db, (row) => mpesaInUse(row, deps.secrets, integrations));
      return queryBillingStkTask({ ...billing, credentials: mpesa })(payload, helpers);
    },
    billing_sweep: billingSweepTask(db, billingLinks),
    query_stk_payment: queryStk(payments),
    verify_mpesa_receipt: verifyReceipt(payments),
    sessions_sweep: sessionsSweep(db),
    rate_limits_sweep: platformTask(db, async ({ tx, helpers }) => {
      const res = await tx.execute<{ n: number }>(sql`select app_public.rate_limit_sweep() as n`);
      helpers.logger.info(`forgot ${res.rows[0]?.n ?? 0} idle rate-limit counters`);
    }),
    router_sync: routerSync(routerDeps),
    router_drift_repair: routerDriftRepair(routerDeps),
    router_poll: routerPoll(routerDeps),
    routers_sweep: routersSweep(routerDeps),
    voucher_expire: voucherExpire(db, deps.secrets),
    voucher_warn: voucherWarn(db),
    voucher_issued: voucherIssued(db),
    send_message: sendMessage(db, messaging),
    broadcast_send: broadcastSend(db, messaging),
    send_email: sendEmail(integrations, async () => (await platformSenderNow(db, mailFromInUse)).mailFrom),
    send_platform_sms: sendPlatformSms(async () => (await platformSenderNow(db, (row) => smsInUse(row, deps.secrets, integrations))).sms),
    impersonations_sweep: impersonationsSweep(db),
  };
}

/** Recurring sweepers (graphile-worker crontab syntax). */
export const CRONTAB = ["*/15 * * * * sessions_sweep ?max=1", "17 * * * * rate_limits_sweep ?max=1", "* * * * * routers_sweep ?max=1", "*/10 * * * * billing_sweep ?max=1", "* * * * * impersonations_sweep ?max=1"].join("\n");
