import { z } from "zod";
import { eq } from "drizzle-orm";
import { platformSettings } from "../../../db/schema";
import { createTRPCRouter, platformPermissionProcedure, fail, type TrpcContext } from "../init";
import { requestMeta, type Viewer } from "../../context";
import { normalizeKenyanPhone } from "../../services/phones";
import { recordEvent } from "../../services/audit";
import { clearPlatformSender, platformSenderIn, smsInUse, mpesaInUse, savePlatformEmail, savePlatformMpesa, savePlatformSms, viewPlatformSenders, type SaveResult, type SenderActor } from "../../services/platform-senders";

type PlatformCtx = TrpcContext & { viewer: Extract<Viewer, { kind: "platform_user" }> };
const actorOf = (ctx: PlatformCtx): SenderActor => ({ actorKind: "platform_user", actorId: ctx.viewer.user.id, ...requestMeta(ctx) });
const form = z.record(z.string(), z.unknown());
const saved = (r: SaveResult) => {
  if (!r.ok) fail({ status: 400, fieldErrors: r.fieldErrors });
  return { ok: true as const, changed: r.changed };
};
const str = (v: unknown) => (typeof v === "string" ? v : v == null ? undefined : String(v));

/**
 * The console's Settings page (super admin): trial and reminders (saved through
 * platformBilling.saveSettings) and the platform's own senders: M-Pesa account, SMS, email From.
 */
export const platformSettingsRouter = createTRPCRouter({
  get: platformPermissionProcedure("settings.manage").query(async ({ ctx }) => {
    const [s] = await ctx.tx.select({ trialHours: platformSettings.trialHours, reminderDays: platformSettings.reminderDays, paymentInstructions: platformSettings.paymentInstructions }).from(platformSettings).where(eq(platformSettings.id, 1));
    return { general: s ?? null, senders: await viewPlatformSenders(ctx.tx, ctx.secrets, ctx.env, ctx.integrations) };
  }),

  saveMpesa: platformPermissionProcedure("settings.manage")
    .input(form)
    .mutation(async ({ ctx, input }) =>
      saved(
        await savePlatformMpesa(ctx.tx, ctx.secrets, actorOf(ctx), {
          environment: str(input.environment) as "sandbox",
          accountType: str(input.accountType) as "paybill",
          shortcode: str(input.shortcode) ?? "",
          tillNumber: str(input.tillNumber),
          consumerKey: str(input.consumerKey),
          consumerSecret: str(input.consumerSecret),
          passkey: str(input.passkey),
        }),
      ),
    ),

  saveSms: platformPermissionProcedure("settings.manage")
    .input(form)
    .mutation(async ({ ctx, input }) => saved(await savePlatformSms(ctx.tx, ctx.secrets, actorOf(ctx), { username: str(input.username) ?? "", apiKey: str(input.apiKey), senderId: str(input.senderId) }))),

  saveEmail: platformPermissionProcedure("settings.manage")
    .input(form)
    .mutation(async ({ ctx, input }) => saved(await savePlatformEmail(ctx.tx, actorOf(ctx), { fromName: str(input.fromName) ?? "", fromAddress: str(input.fromAddress) ?? "" }))),

  /** Forget the console's sender: the server environment's is used again. */
  clearSender: platformPermissionProcedure("settings.manage")
    .input(z.object({ sender: z.enum(["mpesa", "sms", "email"]) }))
    .mutation(async ({ ctx, input }) => {
      await clearPlatformSender(ctx.tx, actorOf(ctx), input.sender);
      return { ok: true as const };
    }),

  /** Asks Daraja for an OAuth token with the account in use (saved in the console, else the environment's). */
  testMpesa: platformPermissionProcedure("settings.manage").mutation(async ({ ctx }) => {
    const { mpesa, source } = await platformSenderIn(ctx.tx, (row) => mpesaInUse(row, ctx.secrets, ctx.integrations));
    if (!mpesa) return { ok: false as const, reason: "No M-Pesa account is configured: save one first.", source };
    const result = await ctx.integrations.daraja.testCredentials(mpesa);
    await recordEvent(ctx.tx, { ...actorOf(ctx), action: "platform.senders_tested", details: { sender: "mpesa", source, shortcode: mpesa.shortcode, ok: result.ok } });
    return { ...result, source, shortcode: mpesa.shortcode };
  }),

  /** Sends a test SMS with the sender in use to a number the admin typed. */
  testSms: platformPermissionProcedure("settings.manage")
    .input(z.object({ phone: z.string().max(30) }))
    .mutation(async ({ ctx, input }) => {
      const phone = normalizeKenyanPhone(input.phone);
      if (!phone) fail({ status: 400, fieldErrors: { phone: ["Enter a Kenyan mobile number, e.g. 0712 345 678."] } });
      const now = await platformSenderIn(ctx.tx, (row) => smsInUse(row, ctx.secrets, ctx.integrations));
      let ok = false;
      let reason: string | undefined;
      try {
        const r = await now.sms.send(phone!, "mnetifi: this is a test message from the platform's SMS sender. It works.");
        ok = r.status === "sent";
        if (!ok) reason = `The provider refused the message: ${r.error ?? "no reason given"}.`;
      } catch (err) {
        reason = err instanceof Error ? err.message : "The SMS provider could not be reached.";
      }
      await recordEvent(ctx.tx, { ...actorOf(ctx), action: "platform.senders_tested", details: { sender: "sms", source: now.source, phone: `${phone.slice(0, 6)}…${phone.slice(-3)}`, ok } });
      return ok ? { ok: true as const, source: now.source } : { ok: false as const, reason: reason!, source: now.source };
    }),
});
