import crypto from "node:crypto";
import { and, eq, isNull, type SQL } from "drizzle-orm";
import { createTOTPKeyURI, verifyHOTP } from "@oslojs/otp";
import { encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";
import QRCode from "qrcode";
import { recoveryCodes, platformRecoveryCodes } from "../../db/schema";
import type { Tx } from "../../db/client";
import type { SecretBox } from "./secrets";
import { sessionIdFromToken } from "./sessions";
import { enqueueJob } from "./jobs";

export const TOTP_PERIOD = 30;
export const TOTP_DIGITS = 6;
export const RECOVERY_CODE_COUNT = 10;

export function newTotpKey(): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(20));
}

/** What the authenticator app needs: the otpauth URI as a QR code, and the key to type in. */
export async function totpEnrolment(key: Uint8Array, issuer: string, account: string) {
  const uri = createTOTPKeyURI(issuer, account, key, TOTP_PERIOD, TOTP_DIGITS);
  return { uri, qrSvg: await QRCode.toString(uri, { type: "svg", margin: 1, width: 200 }), manualKey: encodeBase32UpperCaseNoPadding(key).replace(/(.{4})/g, "$1 ").trim() };
}

/**
 * The 30-second step a code from the authenticator app belongs to, or null when it matches none.
 * One step of grace each way for phone clocks that drift. Callers accept a step only once per
 * account (`totp_last_step`), so an overheard code cannot be replayed within its window.
 */
export function totpStep(key: Uint8Array, code: string, now = Date.now()): number | null {
  const digits = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(digits)) return null;
  const current = Math.floor(now / 1000 / TOTP_PERIOD);
  for (const step of [current, current - 1, current + 1]) if (verifyHOTP(key, BigInt(step), TOTP_DIGITS, digits)) return step;
  return null;
}

export function sealTotpKey(box: SecretBox, key: Uint8Array) {
  return box.encrypt(Buffer.from(key).toString("base64"));
}

export function openTotpKey(box: SecretBox, sealed: string): Uint8Array {
  return new Uint8Array(Buffer.from(box.decrypt(sealed), "base64"));
}

/** A 6-digit code for SMS, and its hash to keep. */
export function newSmsCode() {
  const code = crypto.randomInt(0, 1_000_000).toString().padStart(6, "0");
  return { code, hash: sessionIdFromToken(`sms:${code}`) };
}

export function smsCodeMatches(hash: unknown, code: string) {
  const digits = code.replace(/\s+/g, "");
  if (typeof hash !== "string" || !/^\d{6}$/.test(digits)) return false;
  return crypto.timingSafeEqual(Buffer.from(hash), Buffer.from(sessionIdFromToken(`sms:${digits}`)));
}

/** Sends a one-time code by the platform's own SMS sender, through a job in this transaction. */
export async function queueSmsCode(tx: Tx, phone: string, code: string, businessName: string) {
  await enqueueJob(tx, "send_platform_sms", { to: phone, message: `${code} is your ${businessName} sign-in code on mnetifi. It expires in 10 minutes. Never share it.` }, { maxAttempts: 5 });
}

/**
 * The recovery codes of one kind of account: ISP users (`recovery_codes`, one tenant) or console
 * users (`platform_recovery_codes`), stored the same way: SHA-256 hashes, each usable once.
 */
export type RecoveryCodeStore = {
  /** Replaces the user's recovery codes with fresh ones; returns them (shown once). */
  regenerate(tx: Tx, userId: string): Promise<string[]>;
  /** Uses up a recovery code; true if it was valid and unused. */
  use(tx: Tx, userId: string, code: string): Promise<boolean>;
  remaining(tx: Tx, userId: string): Promise<number>;
  clear(tx: Tx, userId: string): Promise<void>;
};

/** "abcde-12345" from what the person typed, or null when it cannot be a recovery code. */
function normalizeRecoveryCode(code: string) {
  const normalized = code.trim().toLowerCase().replace(/[^0-9a-f]/g, "");
  return normalized.length === 10 ? `${normalized.slice(0, 5)}-${normalized.slice(5)}` : null;
}

/** True when the typed code looks like a recovery code (10 hex digits) rather than a 6-digit one. */
export function looksLikeRecoveryCode(code: string) {
  return /^[0-9a-f]{5}-?[0-9a-f]{5}$/i.test(code.trim());
}

// Both tables have the same columns but tenant_id (in `scope` and `extra`): the queries are
// written once against the ISP table's column names.
function recoveryCodeStore(table: typeof recoveryCodes | typeof platformRecoveryCodes, scope: SQL | undefined, extra: Record<string, unknown>): RecoveryCodeStore {
  const t = table as typeof recoveryCodes;
  const clear = async (tx: Tx, userId: string) => {
    await tx.delete(t).where(and(scope, eq(t.userId, userId)));
  };
  return {
    clear,
    async regenerate(tx, userId) {
      await clear(tx, userId);
      const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
        const raw = crypto.randomBytes(5).toString("hex"); // 10 hex characters
        return `${raw.slice(0, 5)}-${raw.slice(5)}`;
      });
      await tx.insert(t).values(codes.map((c) => ({ ...extra, userId, codeHash: sessionIdFromToken(`rc:${c}`) }) as typeof recoveryCodes.$inferInsert));
      return codes;
    },
    async use(tx, userId, code) {
      const formatted = normalizeRecoveryCode(code);
      if (!formatted) return false;
      const rows = await tx
        .update(t)
        .set({ usedAt: new Date() })
        .where(and(scope, eq(t.userId, userId), eq(t.codeHash, sessionIdFromToken(`rc:${formatted}`)), isNull(t.usedAt)))
        .returning({ id: t.id });
      return rows.length === 1;
    },
    async remaining(tx, userId) {
      const rows = await tx
        .select({ id: t.id })
        .from(t)
        .where(and(scope, eq(t.userId, userId), isNull(t.usedAt)));
      return rows.length;
    },
  };
}

/** Recovery codes of one ISP's users (tenant context). */
export function ispRecoveryCodes(tenantId: string): RecoveryCodeStore {
  return recoveryCodeStore(recoveryCodes, eq(recoveryCodes.tenantId, tenantId), { tenantId });
}

/** Recovery codes of console users (platform context). */
export const platformRecoveryCodeStore: RecoveryCodeStore = recoveryCodeStore(platformRecoveryCodes, undefined, {});

/** Replaces the user's recovery codes with fresh ones; returns them (shown once). */
export async function regenerateRecoveryCodes(tx: Tx, tenantId: string, userId: string): Promise<string[]> {
  return ispRecoveryCodes(tenantId).regenerate(tx, userId);
}


