import type { Tx } from "../../db/client";
import { recordEvent } from "./audit";
import { verifyPassword } from "./passwords";
import { LIMITS, clearLimit, lockedUntil, recordFailure, take, waitInWords } from "./rate-limits";
import { newTotpKey, totpEnrolment, totpStep, sealTotpKey, openTotpKey, smsCodeMatches } from "./two-factor";
import { secondFactorMatches, twoFactorLimitKey, type RequestMeta } from "./auth";
import type { Realm } from "./account-realm";
import type { SecretBox } from "./secrets";

/**
 * A signed-in person's own sign-in security, the same for ISP users (My account in the
 * dashboard) and console users (My account on the console): two-step verification set up,
 * confirmed, turned off, recovery codes, sign out everywhere. Each function runs in the
 * caller's transaction, in the realm's context (account-realm.ts), and audits what it did.
 * A refusal is returned as data, not thrown, so its attempt count and audit record commit.
 */

type Who = { realm: Realm; userId: string; meta: RequestMeta };
/** Refused outright, nothing to commit: the router throws it. Other refusals are data, shown on the form. */
type Failure = { ok: false; status: 400; error: string };

function m(meta: RequestMeta) {
  return { ip: meta.ip ?? null, userAgent: meta.userAgent ?? null, requestId: meta.requestId ?? null };
}

async function audit(tx: Tx, who: Who, action: string, details?: Record<string, unknown>) {
  await recordEvent(tx, { action, tenantId: who.realm.tenantId, actorKind: who.realm.memberKind, actorId: who.userId, details, ...m(who.meta) });
}

/** What the account page shows: the method, the masked phone, recovery codes left, the last password change. */
export async function securityStatus(tx: Tx, realm: Realm, userId: string) {
  const u = await realm.findById(tx, userId);
  return {
    method: u?.twoFactorMethod ?? null,
    phone: u?.phone ? `+${u.phone.slice(0, 6)}•••${u.phone.slice(-3)}` : null,
    recoveryCodesLeft: u?.twoFactorMethod ? await realm.recovery.remaining(tx, userId) : 0,
    passwordChangedAt: u?.passwordChangedAt ?? null,
    methods: realm.methods,
    codeToDisable: realm.codeToDisable,
  };
}

/** Ends the user's sessions: all of them, or all but `keep` (this browser's session token). */
export async function signOutEverywhere(tx: Tx, who: Who, keep?: string) {
  const ended = await who.realm.endSessions(tx, who.userId, keep);
  await audit(tx, who, "auth.signed_out_everywhere", { sessions: ended, ...(keep ? { keptThisSession: true } : {}) });
  return { ended };
}

/** Step 1 of TOTP: a new key, shown as a QR code; nothing changes until a code confirms it. */
export async function beginTotp(tx: Tx, realm: Realm, secrets: SecretBox, user: { id: string; username: string }) {
  const key = newTotpKey();
  const { token } = await realm.tokens.issue(tx, user.id, "setup_2fa", { method: "totp", keyEnc: sealTotpKey(secrets, key) });
  const enrolment = await totpEnrolment(key, realm.totpIssuer, user.username);
  return { setupToken: token, qrSvg: enrolment.qrSvg, manualKey: enrolment.manualKey };
}

const SETUP_EXPIRED = { ok: false as const, status: 400 as const, error: "This setup has expired. Start again." };

/** Step 2: the first code proves the setup works; then it is on, with fresh recovery codes. */
export async function confirmTwoFactor(tx: Tx, who: Who, secrets: SecretBox, setupToken: string, code: string): Promise<{ ok: true; method: "totp" | "sms"; recoveryCodes: string[] } | { ok: false; error: string } | Failure> {
  const { realm, userId } = who;
  const row = await realm.tokens.find(tx, "setup_2fa", setupToken);
  if (!row || row.userId !== userId) return SETUP_EXPIRED;
  const data = row.data as { method: "totp" | "sms"; keyEnc?: string; phone?: string; codeHash?: string };
  if (!realm.methods.includes(data.method)) return SETUP_EXPIRED;
  const step = data.method === "totp" ? totpStep(openTotpKey(secrets, data.keyEnc!), code) : null;
  const ok = data.method === "totp" ? step !== null : smsCodeMatches(data.codeHash, code);
  if (!ok) {
    const limit = await take(tx, `2fa-setup:${realm.limitScope}:${userId}`, { max: 5, windowSeconds: 900 });
    if (!limit.allowed) await realm.tokens.consume(tx, row.id);
    return { ok: false, error: limit.allowed ? "That code is not right. Check the time on your phone and try the newest code." : "Too many wrong codes. Start the setup again." };
  }
  await realm.tokens.consume(tx, row.id);
  // The confirming code's step counts as used: it cannot then sign in too.
  if (data.method === "totp") await realm.update(tx, userId, { twoFactorMethod: "totp", totpKeyEnc: data.keyEnc!, totpLastStep: step });
  else await realm.update(tx, userId, { twoFactorMethod: "sms", totpKeyEnc: null, phone: data.phone! });
  const recoveryCodes = await realm.recovery.regenerate(tx, userId);
  await audit(tx, who, "auth.2fa_enabled", { method: data.method });
  return { ok: true, method: data.method, recoveryCodes };
}

const NOT_YOUR_PASSWORD = { ok: false as const, fieldErrors: { password: ["That is not your password."] } };

/**
 * Turning it off asks for the password again, and where the realm says so (the console) a
 * current code too: a stolen session alone cannot take the second step away. Wrong codes count
 * towards the same lock as at sign-in.
 */
export async function disableTwoFactor(tx: Tx, who: Who, secrets: SecretBox, password: string, code: string | undefined): Promise<{ ok: true } | { ok: false; fieldErrors: Record<string, string[]> }> {
  const { realm, userId } = who;
  const u = await realm.findById(tx, userId);
  if (!u?.twoFactorMethod) return { ok: true };
  if (!u.passwordHash || !(await verifyPassword(u.passwordHash, password))) {
    await audit(tx, who, "auth.2fa_disable_failed", { reason: "password" });
    return NOT_YOUR_PASSWORD;
  }
  if (realm.codeToDisable) {
    const key = twoFactorLimitKey(realm, userId);
    if (!code?.trim()) return { ok: false, fieldErrors: { code: ["Enter a code from your authenticator app, or a recovery code."] } };
    const locked = await lockedUntil(tx, key);
    if (locked) return { ok: false, fieldErrors: { code: [`Too many wrong codes. Try again in ${waitInWords(locked)}.`] } };
    const match = await secondFactorMatches(tx, realm, secrets, u, code);
    if (!match.ok) {
      const f = await recordFailure(tx, key, LIMITS.twoFactor);
      await audit(tx, who, "auth.2fa_disable_failed", { reason: "code" });
      return { ok: false, fieldErrors: { code: [f.justLocked ? `Too many wrong codes. Locked for ${LIMITS.twoFactor.lockSeconds / 60} minutes.` : `That code is not right. ${f.remaining} attempt${f.remaining === 1 ? "" : "s"} left.`] } };
    }
    await clearLimit(tx, key);
  }
  await realm.update(tx, userId, { twoFactorMethod: null, totpKeyEnc: null });
  await realm.recovery.clear(tx, userId);
  await audit(tx, who, "auth.2fa_disabled", { method: u.twoFactorMethod });
  return { ok: true };
}

/** New recovery codes (the old ones stop working), after the password. */
export async function newRecoveryCodes(tx: Tx, who: Who, password: string): Promise<{ ok: true; recoveryCodes: string[] } | { ok: false; fieldErrors: Record<string, string[]> } | Failure> {
  const u = await who.realm.findById(tx, who.userId);
  if (!u?.twoFactorMethod) return { ok: false, status: 400, error: "Turn on two-step verification first." };
  if (!u.passwordHash || !(await verifyPassword(u.passwordHash, password))) return NOT_YOUR_PASSWORD;
  const recoveryCodes = await who.realm.recovery.regenerate(tx, who.userId);
  await audit(tx, who, "auth.recovery_codes_regenerated");
  return { ok: true, recoveryCodes };
}
