import { lt, or } from "drizzle-orm";
import { platformSessions } from "../../db/schema";
import { sql } from "drizzle-orm";
import type { Db } from "../../db/client";
import { platformTask } from "../tenant-task";

/**
 * Deletes expired sessions. Platform sessions directly; tenant sessions through a definer
 * function (a sweep must cross tenants, and it only ever deletes rows that are already dead).
 */
export const sessionsSweep = (db: Db) =>
  platformTask(db, async ({ tx, helpers }) => {
    const now = new Date();
    const platform = await tx
      .delete(platformSessions)
      .where(or(lt(platformSessions.idleExpiresAt, now), lt(platformSessions.absoluteExpiresAt, now)))
      .returning({ id: platformSessions.id });
    const tenant = await tx.execute<{ n: number }>(sql`select app_public.sweep_expired_user_sessions() as n`);
    helpers.logger.info(`removed ${platform.length} platform and ${tenant.rows[0]?.n ?? 0} ISP sessions`);
  });
