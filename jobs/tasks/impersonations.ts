import type { Db } from "../../db/client";
import { platformTask } from "../tenant-task";
import { sweepExpiredImpersonations } from "../../server/services/impersonation";

/**
 * Closes impersonations whose time is up in every ISP, with their impersonation.end events
 * (app_public.end_expired_impersonations). The ISP-side session already stops at its end time;
 * this records the end of the ones nobody came back to.
 */
export const impersonationsSweep = (db: Db) =>
  platformTask(db, async ({ tx, helpers }) => {
    const n = await sweepExpiredImpersonations(tx);
    if (n) helpers.logger.info(`ended ${n} expired impersonation${n === 1 ? "" : "s"}`);
  });
