import type { Logger } from "pino";
import type { Env } from "../env";
import { createSmtpMailer, type Mailer } from "./email";
import { createAfricasTalkingSender } from "./sms/africastalking";
import type { SmsSender } from "./sms";
import type { SmtpSim } from "../../sim/smtp";
import type { SmsSim } from "../../sim/sms";
import type { DarajaSim } from "../../sim/daraja";
import type { RouterSim } from "../../sim/routeros";
import type { AdvantaSim } from "../../sim/sms/advanta";
import type { HttpGatewaySim } from "../../sim/sms/http-gateway";
import type { WhatsAppCloudSim, UltraMsgSim } from "../../sim/whatsapp";
import { createDarajaClient, type DarajaClient, type DarajaCredentials } from "./mpesa";
import { REAL_ENDPOINTS, type Channel, type ProviderEndpoints } from "./messaging";
import type { ActiveProvider } from "../services/messaging/settings";

/** The outside systems the product talks to, each behind a small interface. */
export type Integrations = {
  mailer: Mailer;
  /**
   * The platform's own SMS sender (one-time codes, reminders), not an ISP's: the environment's.
   * An account saved in the console takes precedence (server/services/platform-senders.ts).
   */
  platformSms: SmsSender;
  /** Safaricom Daraja (M-Pesa), for every ISP's own credentials and the platform's. */
  daraja: DarajaClient;
  /**
   * The platform's own Daraja account from the environment (ISPs pay their subscription into it).
   * An account saved in the console takes precedence; neither = manual payments only.
   */
  platformMpesa?: DarajaCredentials | null;
  /** Roots of the SMS/WhatsApp providers' APIs (the simulators when SIMULATORS=true). */
  messagingEndpoints: ProviderEndpoints;
  /**
   * Simulators only: an ISP saved a provider, so the simulated provider account learns its
   * credentials and where to post delivery reports (a real ISP does this in its provider's dashboard).
   */
  onMessagingProviderSaved?(tenantId: string, channel: Channel, provider: ActiveProvider | null, webhookUrl: string): Promise<void>;
  /** Present when the local simulators run in-process (development, demo, e2e). */
  sims?: { smtp: SmtpSim; sms: SmsSim; daraja: DarajaSim; routers: RouterSim[]; advanta: AdvantaSim; smsGateway: HttpGatewaySim; whatsappCloud: WhatsAppCloudSim; ultramsg: UltraMsgSim };
  close(): Promise<void>;
};

const SMS_SIM_KEY = "sim-at-key";
/** The platform's own paybill in the Daraja simulator (ISPs pay their mnetifi subscription into it). */
export const SIM_PLATFORM_MPESA = {
  consumerKey: "sim-mnetifi-platform-key",
  consumerSecret: "sim-mnetifi-platform-secret",
  shortcode: "4070701",
  passkey: "5a1f0c3e8b7d4a2f9e6c1b8d3a7f0e4c2b9d6a1f8e3c7b0d5a2f9e6c1b8d3a7f",
  name: "MNETIFI LTD",
} as const;

/** The platform's Daraja credentials from the environment (the simulator's when SIMULATORS is on and none are set). */
export function platformMpesaFromEnv(env: Env): DarajaCredentials | null {
  if (env.PLATFORM_MPESA_SHORTCODE && env.PLATFORM_MPESA_CONSUMER_KEY && env.PLATFORM_MPESA_CONSUMER_SECRET && env.PLATFORM_MPESA_PASSKEY) {
    return {
      environment: env.PLATFORM_MPESA_ENVIRONMENT,
      accountType: env.PLATFORM_MPESA_ACCOUNT_TYPE,
      shortcode: env.PLATFORM_MPESA_SHORTCODE,
      tillNumber: env.PLATFORM_MPESA_TILL_NUMBER,
      consumerKey: env.PLATFORM_MPESA_CONSUMER_KEY,
      consumerSecret: env.PLATFORM_MPESA_CONSUMER_SECRET,
      passkey: env.PLATFORM_MPESA_PASSKEY,
    };
  }
  if (!env.SIMULATORS) return null;
  const { name: _name, ...sim } = SIM_PLATFORM_MPESA;
  return { environment: "sandbox", accountType: "paybill", ...sim };
}

/** The API user on the demo's simulated routers. */
export const SIM_ROUTER_USER = { name: "mnetifi-api", password: "Demo-Router-Api-1", group: "full" as const };

/** Real providers from the environment, or the simulators when SIMULATORS is on. */
export async function createIntegrations(env: Env, log: Logger): Promise<Integrations> {
  if (env.SIMULATORS) {
    // Loaded only when wanted: a production image need not run (or even ship) the simulators.
    const [{ startSmtpSim }, { startSmsSim }, { startDarajaSim }, { startRouterSim }, { startAdvantaSim }, { startHttpGatewaySim }, { startWhatsAppCloudSim, startUltraMsgSim }] = await Promise.all([
      import("../../sim/smtp"),
      import("../../sim/sms"),
      import("../../sim/daraja"),
      import("../../sim/routeros"),
      import("../../sim/sms/advanta"),
      import("../../sim/sms/http-gateway"),
      import("../../sim/whatsapp"),
    ]);
    const smtp = await startSmtpSim({ smtpPort: env.SMTP_SIM_PORT, httpPort: env.SMTP_SIM_HTTP_PORT });
    // "open": any account an ISP enters is accepted, as if it existed at the provider.
    const sms = await startSmsSim({ port: env.SMS_SIM_PORT, apiKey: SMS_SIM_KEY, username: "sandbox", open: true });
    const advanta = await startAdvantaSim({ port: env.ADVANTA_SIM_PORT, open: true });
    const smsGateway = await startHttpGatewaySim({ port: env.SMS_GATEWAY_SIM_PORT });
    const whatsappCloud = await startWhatsAppCloudSim({ port: env.WHATSAPP_CLOUD_SIM_PORT });
    const ultramsg = await startUltraMsgSim({ port: env.ULTRAMSG_SIM_PORT });
    const daraja = await startDarajaSim({ port: env.DARAJA_SIM_PORT });
    daraja.addAccount({ ...SIM_PLATFORM_MPESA });
    const [portA, portB] = env.ROUTEROS_SIM_PORTS.split(",").map(Number);
    const [controlA, controlB] = env.ROUTEROS_SIM_CONTROL_PORTS.split(",").map(Number);
    const routers = [
      await startRouterSim({ port: portA, controlPort: controlA, version: "7.16.2", identity: "Demo-Kasarani-hAP", board: "hAP ax2", users: [SIM_ROUTER_USER] }),
      await startRouterSim({ port: portB, controlPort: controlB, version: "7.18", identity: "Demo-Roysambu-CCR", board: "CCR2004-16G-2S+", users: [SIM_ROUTER_USER] }),
    ];
    log.info({ smtp: smtp.url, inbox: smtp.inboxUrl, sms: sms.baseUrl, advanta: advanta.baseUrl, smsGateway: smsGateway.sendUrl, whatsappCloud: whatsappCloud.baseUrl, ultramsg: ultramsg.baseUrl, daraja: daraja.baseUrl, routers: routers.map((r) => `api ${r.port}, control http://127.0.0.1:${r.controlPort}`) }, "simulators started");
    const mailer = createSmtpMailer({ url: smtp.url, from: env.MAIL_FROM });
    return {
      mailer,
      platformSms: createAfricasTalkingSender({ baseUrl: sms.baseUrl, apiKey: SMS_SIM_KEY, username: "sandbox", from: "MNETIFI" }),
      // Both Daraja environments point at the simulator.
      daraja: createDarajaClient({ baseUrlFor: () => daraja.baseUrl }),
      platformMpesa: platformMpesaFromEnv(env),
      messagingEndpoints: { africastalking: sms.baseUrl, advanta: advanta.baseUrl, ultramsg: ultramsg.baseUrl, graph: whatsappCloud.baseUrl },
      onMessagingProviderSaved: async (_tenantId, _channel, provider, webhookUrl) =>
        registerWithSimulators({ sms, advanta, whatsappCloud, ultramsg }, provider, webhookUrl),
      sims: { smtp, sms, daraja, routers, advanta, smsGateway, whatsappCloud, ultramsg },
      async close() {
        mailer.close();
        await Promise.all([smtp.stop(), sms.stop(), daraja.stop(), advanta.stop(), smsGateway.stop(), whatsappCloud.stop(), ultramsg.stop(), ...routers.map((r) => r.stop())]);
      },
    };
  }
  const mailer = createSmtpMailer({ url: env.SMTP_URL ?? "smtp://127.0.0.1:25", from: env.MAIL_FROM });
  const platformSms: SmsSender =
    env.PLATFORM_SMS_API_KEY && env.PLATFORM_SMS_USERNAME
      ? createAfricasTalkingSender({ baseUrl: env.PLATFORM_SMS_BASE_URL, apiKey: env.PLATFORM_SMS_API_KEY, username: env.PLATFORM_SMS_USERNAME, from: env.PLATFORM_SMS_SENDER_ID })
      : {
          async send() {
            throw new Error("The platform SMS sender is not configured (PLATFORM_SMS_API_KEY, PLATFORM_SMS_USERNAME).");
          },
        };
  return { mailer, platformSms, daraja: createDarajaClient({}), platformMpesa: platformMpesaFromEnv(env), messagingEndpoints: REAL_ENDPOINTS, async close() { mailer.close(); } };
}

/**
 * Simulators only: what a real ISP does in its provider's dashboard after saving settings in
 * mnetifi: the account exists with these credentials, and delivery reports and replies go to
 * the ISP's webhook. The demo's Cloud API account has every event's template approved.
 */
async function registerWithSimulators(
  sims: { sms: SmsSim; advanta: AdvantaSim; whatsappCloud: WhatsAppCloudSim; ultramsg: UltraMsgSim },
  provider: ActiveProvider | null,
  webhookUrl: string,
) {
  if (!provider) return;
  const { config, secrets } = provider.settings;
  switch (provider.settings.kind) {
    case "africastalking":
      sims.sms.addAccount(config.username ?? "", secrets.apiKey ?? "");
      sims.sms.configure({ username: config.username, deliveryReportUrl: webhookUrl, incomingUrl: webhookUrl });
      break;
    case "advanta":
      sims.advanta.addPartner({ partnerID: config.partnerId ?? "", apiKey: secrets.apiKey ?? "", shortcodes: config.shortcode ? [config.shortcode] : undefined });
      sims.advanta.configure({ partnerID: config.partnerId, callbackUrl: webhookUrl });
      break;
    case "ultramsg":
      sims.ultramsg.addInstance({ instanceId: config.instanceId ?? "", token: secrets.token ?? "", webhookUrl });
      break;
    case "cloud_api": {
      const { NOTIFICATION_EVENTS } = await import("../../db/schema");
      const { EVENTS, placeholdersIn } = await import("../services/messaging/templates");
      sims.whatsappCloud.addAccount({
        phoneNumberId: config.phoneNumberId ?? "",
        accessToken: secrets.accessToken ?? "",
        appSecret: secrets.appSecret ?? "",
        webhookUrl,
        approvedTemplates: NOTIFICATION_EVENTS.map((e) => ({ name: e, language: config.templateLanguage || "en", bodyParams: placeholdersIn(EVENTS[e].whatsapp).length })),
      });
      break;
    }
  }
}
