import crypto from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import { createTOTPKeyURI, verifyTOTPWithGracePeriod } from "@oslojs/otp";
import { encodeBase32UpperCaseNoPadding } from "@oslojs/encoding";
import QRCode from "qrcode";
import { recoveryCodes, users } from "../../db/schema";
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

export function verifyTotp(key: Uint8Array, code: string): boolean {
  const digits = code.replace(/\s+/g, "");
  if (!/^\d{6}$/.test(digits)) return false;
  // One step of grace each way for phone clocks that drift.
  return verifyTOTPWithGracePeriod(key, TOTP_PERIOD, TOTP_DIGITS, digits, TOTP_PERIOD);
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

/** Replaces the user's recovery codes with fresh ones; returns them (shown once). */
export async function regenerateRecoveryCodes(tx: Tx, tenantId: string, userId: string): Promise<string[]> {
  await tx.delete(recoveryCodes).where(and(eq(recoveryCodes.tenantId, tenantId), eq(recoveryCodes.userId, userId)));
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const raw = crypto.randomBytes(5).toString("hex"); // 10 hex characters
    return `${raw.slice(0, 5)}-${raw.slice(5)}`;
  });
  await tx.insert(recoveryCodes).values(codes.map((c) => ({ tenantId, userId, codeHash: sessionIdFromToken(`rc:${c}`) })));
  return codes;
}

/** Uses up a recovery code; true if it was valid and unused. */
export async function useRecoveryCode(tx: Tx, tenantId: string, userId: string, code: string): Promise<boolean> {
  const normalized = code.trim().toLowerCase().replace(/[^0-9a-f]/g, "");
  if (normalized.length !== 10) return false;
  const formatted = `${normalized.slice(0, 5)}-${normalized.slice(5)}`;
  const rows = await tx
    .update(recoveryCodes)
    .set({ usedAt: new Date() })
    .where(and(eq(recoveryCodes.tenantId, tenantId), eq(recoveryCodes.userId, userId), eq(recoveryCodes.codeHash, sessionIdFromToken(`rc:${formatted}`)), isNull(recoveryCodes.usedAt)))
    .returning({ id: recoveryCodes.id });
  return rows.length === 1;
}

export async function remainingRecoveryCodes(tx: Tx, tenantId: string, userId: string) {
  const rows = await tx
    .select({ id: recoveryCodes.id })
    .from(recoveryCodes)
    .where(and(eq(recoveryCodes.tenantId, tenantId), eq(recoveryCodes.userId, userId), isNull(recoveryCodes.usedAt)));
  return rows.length;
}

export async function setTwoFactor(tx: Tx, tenantId: string, userId: string, method: "totp" | "sms" | null, totpKeyEnc: string | null) {
  await tx.update(users).set({ twoFactorMethod: method, totpKeyEnc }).where(and(eq(users.tenantId, tenantId), eq(users.id, userId)));
  if (!method) await tx.delete(recoveryCodes).where(and(eq(recoveryCodes.tenantId, tenantId), eq(recoveryCodes.userId, userId)));
}
