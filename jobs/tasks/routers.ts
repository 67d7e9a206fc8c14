import type { Task } from "graphile-worker";
import type { Db } from "../../db/client";
import { enterTenant } from "../../db/client";
import { platformTask, tenantSteps } from "../tenant-task";
import { withRouter, RouterError } from "../../server/integrations/routeros";
import { credentialsOf } from "../../server/services/routers";
import type { SecretBox } from "../../server/services/secrets";
import { syncRouter, repairDrift, scheduleDriftRepair, type Connect } from "../../server/services/provisioning";
import { sweepVoucherAccess } from "../../server/services/hotspot/access";
import { pollRouter, schedulePoll, verifiedRouterIds, pruneSamples, tenantsWithRouters, type RouterUrl } from "../../server/services/router-monitoring";

export type RouterJobDeps = { db: Db; secrets: SecretBox; pollSeconds: number; routerUrl: RouterUrl; timeoutSeconds?: number };

const connectWith =
  (deps: RouterJobDeps): Connect =>
  (router, fn) =>
    withRouter({ ...credentialsOf(router, deps.secrets), timeoutSeconds: deps.timeoutSeconds ?? 10 }, fn);

/** Applies the router's pending operations in order (one queue per router). */
export const routerSync = (deps: RouterJobDeps): Task =>
  tenantSteps<{ routerId: string }>(deps.db, async ({ tenantId, payload, inTenant, helpers }) => {
    const r = await syncRouter(inTenant, tenantId, payload.routerId, connectWith(deps), deps.secrets);
    if (r.waiting > 0) helpers.logger.info(`router ${payload.routerId}: ${r.waiting} operation(s) wait: ${r.error}`);
  });

/** Compares the router with the desired state and fixes it; on the router's queue, after its operations. */
export const routerDriftRepair = (deps: RouterJobDeps): Task =>
  tenantSteps<{ routerId: string }>(deps.db, async ({ tenantId, payload, inTenant, helpers }) => {
    try {
      const r = await repairDrift(inTenant, tenantId, payload.routerId, connectWith(deps), deps.secrets);
      if (r.changes.length > 0) helpers.logger.info(`router ${payload.routerId}: drift repair made ${r.changes.length} change(s)`);
    } catch (err) {
      // An unreachable router is monitoring's news (status, alert); repair runs again next sweep.
      if (!(err instanceof RouterError)) throw err;
      helpers.logger.info(`router ${payload.routerId}: drift repair skipped: ${err.message}`);
    }
  });

/** Polls one router, then schedules its next poll (a router has at most one poll scheduled). */
export const routerPoll = (deps: RouterJobDeps): Task =>
  tenantSteps<{ routerId: string }>(deps.db, async ({ tenantId, payload, inTenant }) => {
    const outcome = await pollRouter(inTenant, tenantId, payload.routerId, connectWith({ ...deps, timeoutSeconds: Math.min(deps.timeoutSeconds ?? 10, 8) }), { routerUrl: deps.routerUrl });
    if (outcome.status === "skipped") return;
    await inTenant((tx) => schedulePoll(tx, payload.routerId, new Date(Date.now() + deps.pollSeconds * 1000)));
  });

/**
 * Every minute, for every ISP with verified routers: make sure each router has a poll
 * scheduled (the polls reschedule themselves; this is the safety net after a restart or a
 * failed job), and every `driftEveryMinutes` queue drift repair on each router's queue.
 * Crosses tenants only through app_public.tenants_with_verified_routers (ids only).
 */
export const routersSweep = (deps: RouterJobDeps & { driftEveryMinutes?: number }): Task =>
  platformTask<{ drift?: boolean }>(deps.db, async ({ tx, payload, helpers }) => {
    const tenantIds = await tenantsWithRouters(tx);
    const minute = new Date().getUTCMinutes();
    const drift = payload.drift ?? minute % (deps.driftEveryMinutes ?? 15) === 0;
    let polls = 0;
    for (const tenantId of tenantIds) {
      // The platform transaction enters each tenant in turn; enqueue_job stamps that tenant.
      await enterTenant(tx, tenantId);
      const ids = await verifiedRouterIds(tx, tenantId);
      for (const id of ids) {
        await schedulePoll(tx, id, undefined, "preserve_run_at");
        if (drift) await scheduleDriftRepair(tx, id);
      }
      polls += ids.length;
      if (minute === 7) await pruneSamples(tx, tenantId);
      // The voucher sweeper: whatever the exact-time expiry jobs missed is taken off the routers.
      if (minute % 5 === 0 || payload.drift) await sweepVoucherAccess(tx, tenantId, deps.secrets);
    }
    helpers.logger.info(`routers sweep: ${tenantIds.length} ISP(s), ${polls} router(s) polled${drift ? ", drift repair queued" : ""}`);
  });
