import { z } from "zod";
import { createTRPCRouter, platformProcedure } from "../init";
import { requestMeta } from "../../context";
import { changePassword } from "../../services/auth";
import { consoleRealm } from "../../services/account-realm";
import { securityStatus, signOutEverywhere, beginTotp, confirmTwoFactor, disableTwoFactor, newRecoveryCodes } from "../../services/account-security";
import { accountInputs, answer, changePasswordAnswer, who } from "./account";

/**
 * The signed-in console user's own account (every console role): password, two-step sign-in
 * with an authenticator app, recovery codes, sign out everywhere else. The same services as an
 * ISP user's My account (services/account-security.ts), in the console's realm.
 */
export const consoleAccountRouter = createTRPCRouter({
  security: platformProcedure.query(({ ctx }) => securityStatus(ctx.tx, consoleRealm, ctx.viewer.user.id)),

  changePassword: platformProcedure
    .input(accountInputs.changePassword)
    .mutation(({ ctx, input }) => changePasswordAnswer(input, () => changePassword(ctx.tx, consoleRealm, ctx.viewer.user.id, input.currentPassword, input.newPassword, ctx.viewer.token, requestMeta(ctx)))),

  /** Every other session ends (and the ISP dashboards entered from the console); this one stays. */
  signOutEverywhereElse: platformProcedure.mutation(({ ctx }) => signOutEverywhere(ctx.tx, who(consoleRealm, ctx), ctx.viewer.token)),

  beginTotp: platformProcedure.mutation(({ ctx }) => beginTotp(ctx.tx, consoleRealm, ctx.secrets, ctx.viewer.user)),

  confirmTwoFactor: platformProcedure
    .input(accountInputs.confirm)
    .mutation(async ({ ctx, input }) => answer(await confirmTwoFactor(ctx.tx, who(consoleRealm, ctx), ctx.secrets, input.setupToken, input.code))),

  /** Off only with the password and a current code (or a recovery code). */
  disableTwoFactor: platformProcedure
    .input(accountInputs.password.extend({ code: z.string().trim().max(20) }))
    .mutation(({ ctx, input }) => disableTwoFactor(ctx.tx, who(consoleRealm, ctx), ctx.secrets, input.password, input.code)),

  newRecoveryCodes: platformProcedure
    .input(accountInputs.password)
    .mutation(async ({ ctx, input }) => answer(await newRecoveryCodes(ctx.tx, who(consoleRealm, ctx), input.password))),
});
