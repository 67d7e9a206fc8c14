import { sql } from "drizzle-orm";
import type { Tx } from "../../db/client";

/** Limits for each throttled action: failures before a lock, the counting window, the lock. */
export const LIMITS = {
  loginAccount: { max: 5, windowSeconds: 15 * 60, lockSeconds: 15 * 60 },
  loginIp: { max: 30, windowSeconds: 15 * 60, lockSeconds: 15 * 60 },
  twoFactor: { max: 5, windowSeconds: 15 * 60, lockSeconds: 15 * 60 },
  twoFactorIp: { max: 20, windowSeconds: 15 * 60, lockSeconds: 15 * 60 },
  verificationResendIp: { max: 10, windowSeconds: 60 * 60 },
  passwordResetAccount: { max: 3, windowSeconds: 60 * 60 },
  passwordResetIp: { max: 10, windowSeconds: 60 * 60 },
  verificationResend: { max: 3, windowSeconds: 60 * 60 },
  registrationIp: { max: 10, windowSeconds: 60 * 60 },
  smsCode: { max: 5, windowSeconds: 60 * 60 },
} as const;

type LockLimit = { max: number; windowSeconds: number; lockSeconds: number };
type TakeLimit = { max: number; windowSeconds: number };

/** The moment a key's lock ends, or null when it is not locked. */
export async function lockedUntil(tx: Tx, key: string): Promise<Date | null> {
  const res = await tx.execute<{ until: string | null }>(sql`select app_public.rate_limit_locked_until(${key}) as until`);
  const v = res.rows[0]?.until;
  return v ? new Date(v) : null;
}

export async function recordFailure(tx: Tx, key: string, limit: LockLimit) {
  const res = await tx.execute<{ failures: number; remaining: number; locked_until: string | null; just_locked: boolean }>(
    sql`select * from app_public.rate_limit_fail(${key}, ${limit.max}, ${limit.windowSeconds}, ${limit.lockSeconds})`,
  );
  const r = res.rows[0]!;
  return { remaining: r.remaining, lockedUntil: r.locked_until ? new Date(r.locked_until) : null, justLocked: r.just_locked };
}

/** Counts one use; { allowed: false, retryAfterSeconds } once the window's budget is spent. */
export async function take(tx: Tx, key: string, limit: TakeLimit) {
  const res = await tx.execute<{ allowed: boolean; retry_after_seconds: number }>(sql`select * from app_public.rate_limit_take(${key}, ${limit.max}, ${limit.windowSeconds})`);
  const r = res.rows[0]!;
  return { allowed: r.allowed, retryAfterSeconds: r.retry_after_seconds };
}

export async function clearLimit(tx: Tx, key: string) {
  await tx.execute(sql`select app_public.rate_limit_clear(${key})`);
}

/** "14 minutes", "1 minute", "40 seconds": how long to wait, in words. */
export function waitInWords(until: Date | number, now = Date.now()): string {
  const seconds = Math.max(1, Math.ceil(((typeof until === "number" ? now + until * 1000 : until.getTime()) - now) / 1000));
  if (seconds < 60) return `${seconds} second${seconds === 1 ? "" : "s"}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}
