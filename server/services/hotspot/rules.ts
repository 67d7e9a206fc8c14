// The voucher rules of design §7, as pure functions: code generation, plan durations, and when a
// voucher starts, expires and lapses. Everything that decides whether a code still gives
// internet goes through here, so the rules live in one place and are tested on their own.
import crypto from "node:crypto";

/**
 * Letters and digits a person reads back without mistakes: no 0/O, 1/l/I. Case-sensitive, so a
 * 6-character code still has 54^6 ≈ 2.4 × 10^10 values.
 */
export const CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

/** A cryptographically random code of 6–8 characters (rejection sampling: no modulo bias). */
export function generateCode(length: number): string {
  if (!Number.isInteger(length) || length < 6 || length > 8) throw new Error("voucher codes are 6 to 8 characters");
  const out: string[] = [];
  const limit = 256 - (256 % CODE_ALPHABET.length);
  while (out.length < length) {
    for (const byte of crypto.randomBytes(length * 2)) {
      if (byte < limit && out.length < length) out.push(CODE_ALPHABET[byte % CODE_ALPHABET.length]!);
    }
  }
  return out.join("");
}

export type DurationUnit = "minutes" | "hours" | "days" | "weeks" | "months";

const UNIT_SECONDS: Record<Exclude<DurationUnit, "months">, number> = { minutes: 60, hours: 3600, days: 86_400, weeks: 604_800 };

/** A plan's length in seconds; a month is 30 days (what "1 month" of Wi-Fi means to customers). */
export function durationSeconds(value: number, unit: DurationUnit): number {
  return unit === "months" ? value * 30 * 86_400 : value * UNIT_SECONDS[unit];
}

export function describeDuration(value: number, unit: DurationUnit): string {
  const singular = { minutes: "minute", hours: "hour", days: "day", weeks: "week", months: "month" }[unit];
  return `${value} ${value === 1 ? singular : unit}`;
}

export type ExpiryMode = "first_use" | "purchase";

/** The times a new voucher gets when it is bought (or generated). */
export function timesAtPurchase(input: { mode: ExpiryMode; purchasedAt: Date; durationSeconds: number; lapseDays: number }) {
  return {
    // Purchase mode: the clock starts now. First-use mode: at the first login.
    expiresAt: input.mode === "purchase" ? new Date(input.purchasedAt.getTime() + input.durationSeconds * 1000) : null,
    lapsesAt: new Date(input.purchasedAt.getTime() + input.lapseDays * 86_400_000),
  };
}

/** The expiry a voucher gets at its first use (first-use mode; purchase mode already has one). */
export function expiryAtFirstUse(input: { expiresAt: Date | null; firstUsedAt: Date; durationSeconds: number }) {
  return input.expiresAt ?? new Date(input.firstUsedAt.getTime() + input.durationSeconds * 1000);
}

export type VoucherState = "unused" | "active" | "expired" | "lapsed" | "disabled";

/**
 * What a voucher is at `now`: disabled by staff; lapsed when never used and past its lapse time;
 * expired when its time is over; active while running; unused otherwise. In purchase mode a
 * never-used voucher expires with its time (it was running since purchase).
 */
export function voucherState(v: { disabledAt: Date | null; firstUsedAt: Date | null; expiresAt: Date | null; lapsesAt: Date }, now: Date): VoucherState {
  if (v.disabledAt) return "disabled";
  if (v.expiresAt && v.expiresAt <= now) return "expired";
  if (!v.firstUsedAt) return v.lapsesAt <= now ? "lapsed" : "unused";
  return "active";
}

/** Seconds left on a voucher (for the router's limit-uptime and the portal), 0 when over. */
export function secondsLeft(v: { expiresAt: Date | null; durationSeconds: number }, now: Date): number {
  if (!v.expiresAt) return v.durationSeconds;
  return Math.max(0, Math.floor((v.expiresAt.getTime() - now.getTime()) / 1000));
}

/** When the 90% warning is due (null when the voucher has no running clock). */
export function warningAt(v: { expiresAt: Date | null; durationSeconds: number }): Date | null {
  if (!v.expiresAt) return null;
  return new Date(v.expiresAt.getTime() - v.durationSeconds * 100);
}

/** RouterOS rate-limit for a plan: "rx/tx [burst-rx/burst-tx [threshold-rx/threshold-tx [time-rx/time-tx]]]", customer's upload first. */
export function planRateLimit(p: {
  downloadKbps: number | null;
  uploadKbps: number | null;
  burstDownloadKbps?: number | null;
  burstUploadKbps?: number | null;
  burstThresholdDownloadKbps?: number | null;
  burstThresholdUploadKbps?: number | null;
  burstTimeSeconds?: number | null;
}): string {
  const k = (n: number | null | undefined) => (n ? (n % 1024 === 0 ? `${n / 1024}M` : `${n}k`) : "0");
  if (!p.downloadKbps && !p.uploadKbps) return "";
  const base = `${k(p.uploadKbps)}/${k(p.downloadKbps)}`;
  if (!p.burstDownloadKbps && !p.burstUploadKbps) return base;
  const t = p.burstTimeSeconds ?? 8;
  return `${base} ${k(p.burstUploadKbps)}/${k(p.burstDownloadKbps)} ${k(p.burstThresholdUploadKbps)}/${k(p.burstThresholdDownloadKbps)} ${t}/${t}`;
}

/** The hotspot user profile on routers for a plan (one per plan, on every router). */
export function planProfileName(planId: string) {
  return `mnetifi-${planId.slice(0, 8)}`;
}
