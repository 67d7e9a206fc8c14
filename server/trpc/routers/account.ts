import { z } from "zod";
import { TRPCError } from "@trpc/server";
import { and, eq } from "drizzle-orm";
import { users } from "../../../db/schema";
import { createTRPCRouter, tenantProcedure, ownAccountProcedure, fail } from "../init";
import { requestMeta, siteUrl } from "../../context";
import { changePassword, endAllSessions } from "../../services/auth";
import { resendVerification } from "../../services/registration";
import { recordEvent } from "../../services/audit";
import { verifyPassword } from "../../services/passwords";
import { issueToken, findToken, consumeToken } from "../../services/tokens";
import { LIMITS, take, waitInWords } from "../../services/rate-limits";
import { normalizeKenyanPhone } from "../../services/phones";
import {
  newTotpKey,
  totpEnrolment,
  verifyTotp,
  sealTotpKey,
  openTotpKey,
  newSmsCode,
  queueSmsCode,
  smsCodeMatches,
  regenerateRecoveryCodes,
  remainingRecoveryCodes,
  setTwoFactor,
} from "../../services/two-factor";

const code = z.string().trim().regex(/^\d{6}$/, "Enter the 6-digit code.");

/** The signed-in ISP user's own account: password, sessions, two-step verification. */
export const accountRouter = createTRPCRouter({
  resendVerification: ownAccountProcedure.mutation(({ ctx }) =>
    resendVerification(ctx.tx, ctx.tenant, ctx.viewer.user.id, requestMeta(ctx), siteUrl(ctx.env, ctx.tenant.slug)),
  ),

  changePassword: ownAccountProcedure
    .input(z.object({ currentPassword: z.string().min(1, "Enter your current password."), newPassword: z.string().max(256), confirmPassword: z.string() }))
    .mutation(async ({ ctx, input }) => {
      if (input.newPassword !== input.confirmPassword) return { ok: false as const, fieldErrors: { confirmPassword: ["The two passwords are not the same."] } };
      // A refusal is returned, not thrown, so its audit record commits.
      const r = await changePassword(ctx.tx, ctx.tenant, ctx.viewer.user.id, input.currentPassword, input.newPassword, ctx.viewer.token, requestMeta(ctx));
      return r.ok ? { ok: true as const } : { ok: false as const, fieldErrors: r.fieldErrors ?? {}, error: r.error };
    }),

  signOutEverywhere: ownAccountProcedure.mutation(async ({ ctx }) => {
    const ended = await endAllSessions(ctx.tx, ctx.tenant.id, ctx.viewer.user.id);
    await recordEvent(ctx.tx, { action: "auth.signed_out_everywhere", tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, details: { sessions: ended }, ...requestMeta(ctx) });
    return { ended };
  }),

  security: tenantProcedure.query(async ({ ctx }) => {
    const [u] = await ctx.tx.select().from(users).where(and(eq(users.tenantId, ctx.tenant.id), eq(users.id, ctx.viewer.user.id)));
    return {
      method: u?.twoFactorMethod ?? null,
      phone: u?.phone ? `+${u.phone.slice(0, 6)}•••${u.phone.slice(-3)}` : null,
      recoveryCodesLeft: u?.twoFactorMethod ? await remainingRecoveryCodes(ctx.tx, ctx.tenant.id, ctx.viewer.user.id) : 0,
      passwordChangedAt: u?.passwordChangedAt ?? null,
    };
  }),

  /** Step 1 of TOTP: a new key, shown as a QR code; nothing changes until a code confirms it. */
  beginTotp: ownAccountProcedure.mutation(async ({ ctx }) => {
    const key = newTotpKey();
    const { token } = await issueToken(ctx.tx, ctx.tenant.id, ctx.viewer.user.id, "setup_2fa", { method: "totp", keyEnc: sealTotpKey(ctx.secrets, key) });
    const enrolment = await totpEnrolment(key, `mnetifi ${ctx.tenant.businessName}`, ctx.viewer.user.username);
    return { setupToken: token, qrSvg: enrolment.qrSvg, manualKey: enrolment.manualKey };
  }),

  /** Step 1 of SMS: a code sent to the phone; nothing changes until it is typed back. */
  beginSms: ownAccountProcedure.input(z.object({ phone: z.string().trim().max(20) })).mutation(async ({ ctx, input }) => {
    const phone = normalizeKenyanPhone(input.phone);
    if (!phone) fail({ status: 400, fieldErrors: { phone: ["Enter a Kenyan mobile number, e.g. 0712 345 678."] } });
    const limit = await take(ctx.tx, `sms-code:${ctx.tenant.id}:${ctx.viewer.user.id}`, LIMITS.smsCode);
    if (!limit.allowed) fail({ status: 429, error: `Too many codes sent. Try again in ${waitInWords(limit.retryAfterSeconds)}.` });
    const sms = newSmsCode();
    await queueSmsCode(ctx.tx, phone, sms.code, ctx.tenant.businessName);
    const { token } = await issueToken(ctx.tx, ctx.tenant.id, ctx.viewer.user.id, "setup_2fa", { method: "sms", phone, codeHash: sms.hash });
    return { setupToken: token, phone: `+${phone}` };
  }),

  /** Step 2: the first code proves the setup works; then it is on, with fresh recovery codes. */
  confirmTwoFactor: ownAccountProcedure.input(z.object({ setupToken: z.string().min(1).max(100), code })).mutation(async ({ ctx, input }) => {
    const row = await findToken(ctx.tx, ctx.tenant.id, "setup_2fa", input.setupToken);
    if (!row || row.userId !== ctx.viewer.user.id) fail({ status: 400, error: "This setup has expired. Start again." });
    const key = `2fa-setup:${ctx.tenant.id}:${ctx.viewer.user.id}`;
    const data = row.data as { method: "totp" | "sms"; keyEnc?: string; phone?: string; codeHash?: string };
    const ok = data.method === "totp" ? verifyTotp(openTotpKey(ctx.secrets, data.keyEnc!), input.code) : smsCodeMatches(data.codeHash, input.code);
    if (!ok) {
      const limit = await take(ctx.tx, key, { max: 5, windowSeconds: 900 });
      if (!limit.allowed) await consumeToken(ctx.tx, ctx.tenant.id, row.id);
      // Commit the attempt count: return the refusal as data instead of throwing (a throw rolls back).
      return { ok: false as const, error: limit.allowed ? "That code is not right. Check the time on your phone and try the newest code." : "Too many wrong codes. Start the setup again." };
    }
    await consumeToken(ctx.tx, ctx.tenant.id, row.id);
    if (data.method === "totp") await setTwoFactor(ctx.tx, ctx.tenant.id, ctx.viewer.user.id, "totp", data.keyEnc!);
    else {
      await ctx.tx.update(users).set({ phone: data.phone! }).where(and(eq(users.tenantId, ctx.tenant.id), eq(users.id, ctx.viewer.user.id)));
      await setTwoFactor(ctx.tx, ctx.tenant.id, ctx.viewer.user.id, "sms", null);
    }
    const recoveryCodes = await regenerateRecoveryCodes(ctx.tx, ctx.tenant.id, ctx.viewer.user.id);
    await recordEvent(ctx.tx, { action: "auth.2fa_enabled", tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, details: { method: data.method }, ...requestMeta(ctx) });
    return { ok: true as const, method: data.method, recoveryCodes };
  }),

  /** Turning it off asks for the password again. */
  disableTwoFactor: ownAccountProcedure.input(z.object({ password: z.string().min(1, "Enter your password.").max(1024) })).mutation(async ({ ctx, input }) => {
    const [u] = await ctx.tx.select().from(users).where(and(eq(users.tenantId, ctx.tenant.id), eq(users.id, ctx.viewer.user.id)));
    if (!u?.passwordHash || !(await verifyPassword(u.passwordHash, input.password))) {
      await recordEvent(ctx.tx, { action: "auth.2fa_disable_failed", tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, ...requestMeta(ctx) });
      return { ok: false as const, fieldErrors: { password: ["That is not your password."] } };
    }
    await setTwoFactor(ctx.tx, ctx.tenant.id, ctx.viewer.user.id, null, null);
    await recordEvent(ctx.tx, { action: "auth.2fa_disabled", tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, details: { method: u.twoFactorMethod }, ...requestMeta(ctx) });
    return { ok: true as const };
  }),

  newRecoveryCodes: ownAccountProcedure.input(z.object({ password: z.string().min(1).max(1024) })).mutation(async ({ ctx, input }) => {
    const [u] = await ctx.tx.select().from(users).where(and(eq(users.tenantId, ctx.tenant.id), eq(users.id, ctx.viewer.user.id)));
    if (!u?.twoFactorMethod) throw new TRPCError({ code: "BAD_REQUEST", message: "Turn on two-step verification first." });
    if (!u.passwordHash || !(await verifyPassword(u.passwordHash, input.password))) return { ok: false as const, fieldErrors: { password: ["That is not your password."] } };
    const codes = await regenerateRecoveryCodes(ctx.tx, ctx.tenant.id, ctx.viewer.user.id);
    await recordEvent(ctx.tx, { action: "auth.recovery_codes_regenerated", tenantId: ctx.tenant.id, actorKind: "user", actorId: ctx.viewer.user.id, ...requestMeta(ctx) });
    return { ok: true as const, recoveryCodes: codes };
  }),
});
