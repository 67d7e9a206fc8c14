import { z } from "zod";
import { createTRPCRouter, tenantProcedure, ownAccountProcedure, fail } from "../init";
import { requestMeta, siteUrl, type AppContext } from "../../context";
import { changePassword, type FieldResult } from "../../services/auth";
import { ispRealm, type Realm } from "../../services/account-realm";
import { securityStatus, signOutEverywhere, beginTotp, confirmTwoFactor, disableTwoFactor, newRecoveryCodes } from "../../services/account-security";
import { resendVerification } from "../../services/registration";
import { LIMITS, take, waitInWords } from "../../services/rate-limits";
import { normalizeKenyanPhone } from "../../services/phones";
import { newSmsCode, queueSmsCode } from "../../services/two-factor";

// Shared with the console's own account router (console-account.ts): inputs, and how the
// services' answers (services/account-security.ts) become tRPC answers.
export const accountInputs = {
  changePassword: z.object({ currentPassword: z.string().min(1, "Enter your current password."), newPassword: z.string().max(256), confirmPassword: z.string() }),
  confirm: z.object({ setupToken: z.string().min(1).max(100), code: z.string().trim().regex(/^\d{6}$/, "Enter the 6-digit code.") }),
  password: z.object({ password: z.string().min(1, "Enter your password.").max(1024) }),
};

/** The signed-in person, in the realm of their accounts, for the account services. */
export const who = (realm: Realm, ctx: AppContext & { viewer: { user: { id: string } } }) => ({ realm, userId: ctx.viewer.user.id, meta: requestMeta(ctx) });

/** A refusal with a status is thrown (nothing to keep); any other answer is data, so its attempt count and audit record commit. */
export function answer<T extends { ok: boolean }>(r: T): Exclude<T, { status: number }> {
  if ("status" in r) fail(r as unknown as Parameters<typeof fail>[0]);
  return r as Exclude<T, { status: number }>;
}

/** A password change: the two new passwords must match; a refusal is returned, not thrown, so its audit record commits. */
export async function changePasswordAnswer(input: z.infer<typeof accountInputs.changePassword>, change: () => Promise<FieldResult>) {
  if (input.newPassword !== input.confirmPassword) return { ok: false as const, fieldErrors: { confirmPassword: ["The two passwords are not the same."] } as Record<string, string[]>, error: undefined };
  const r = await change();
  return r.ok ? { ok: true as const } : { ok: false as const, fieldErrors: r.fieldErrors ?? {}, error: r.error };
}

/** The signed-in ISP user's own account: password, sessions, two-step verification (logic in services/account-security.ts). */
export const accountRouter = createTRPCRouter({
  resendVerification: ownAccountProcedure.mutation(({ ctx }) =>
    resendVerification(ctx.tx, ctx.tenant, ctx.viewer.user.id, requestMeta(ctx), siteUrl(ctx.env, ctx.tenant.slug)),
  ),

  changePassword: ownAccountProcedure
    .input(accountInputs.changePassword)
    .mutation(({ ctx, input }) => changePasswordAnswer(input, () => changePassword(ctx.tx, ispRealm(ctx.tenant), ctx.viewer.user.id, input.currentPassword, input.newPassword, ctx.viewer.token, requestMeta(ctx)))),

  /** Every session ends, this one too. */
  signOutEverywhere: ownAccountProcedure.mutation(({ ctx }) => signOutEverywhere(ctx.tx, who(ispRealm(ctx.tenant), ctx))),

  security: tenantProcedure.query(({ ctx }) => securityStatus(ctx.tx, ispRealm(ctx.tenant), ctx.viewer.user.id)),

  /** Step 1 of TOTP: a new key, shown as a QR code; nothing changes until a code confirms it. */
  beginTotp: ownAccountProcedure.mutation(({ ctx }) => beginTotp(ctx.tx, ispRealm(ctx.tenant), ctx.secrets, ctx.viewer.user)),

  /** Step 1 of SMS: a code sent to the phone; nothing changes until it is typed back. */
  beginSms: ownAccountProcedure.input(z.object({ phone: z.string().trim().max(20) })).mutation(async ({ ctx, input }) => {
    const phone = normalizeKenyanPhone(input.phone);
    if (!phone) fail({ status: 400, fieldErrors: { phone: ["Enter a Kenyan mobile number, e.g. 0712 345 678."] } });
    const limit = await take(ctx.tx, `sms-code:${ctx.tenant.id}:${ctx.viewer.user.id}`, LIMITS.smsCode);
    if (!limit.allowed) fail({ status: 429, error: `Too many codes sent. Try again in ${waitInWords(limit.retryAfterSeconds)}.` });
    const sms = newSmsCode();
    await queueSmsCode(ctx.tx, phone, sms.code, ctx.tenant.businessName);
    const { token } = await ispRealm(ctx.tenant).tokens.issue(ctx.tx, ctx.viewer.user.id, "setup_2fa", { method: "sms", phone, codeHash: sms.hash });
    return { setupToken: token, phone: `+${phone}` };
  }),

  /** Step 2: the first code proves the setup works; then it is on, with fresh recovery codes. */
  confirmTwoFactor: ownAccountProcedure
    .input(accountInputs.confirm)
    .mutation(async ({ ctx, input }) => answer(await confirmTwoFactor(ctx.tx, who(ispRealm(ctx.tenant), ctx), ctx.secrets, input.setupToken, input.code))),

  /** Turning it off asks for the password again. */
  disableTwoFactor: ownAccountProcedure
    .input(accountInputs.password)
    .mutation(({ ctx, input }) => disableTwoFactor(ctx.tx, who(ispRealm(ctx.tenant), ctx), ctx.secrets, input.password, undefined)),

  newRecoveryCodes: ownAccountProcedure
    .input(accountInputs.password)
    .mutation(async ({ ctx, input }) => answer(await newRecoveryCodes(ctx.tx, who(ispRealm(ctx.tenant), ctx), input.password))),
});
