import type { Logger } from "pino";
import type { Env } from "../env";
import { createSmtpMailer, type Mailer } from "./email";
import { createAfricasTalkingSender } from "./sms/africastalking";
import type { SmsSender } from "./sms";
import type { SmtpSim } from "../../sim/smtp";
import type { SmsSim } from "../../sim/sms";
import type { DarajaSim } from "../../sim/daraja";
import type { RouterSim } from "../../sim/routeros";
import { createDarajaClient, type DarajaClient } from "./mpesa";
import { REAL_ENDPOINTS, type Channel, type ProviderEndpoints } from "./messaging";
import type { ActiveProvider } from "../services/messaging/settings";

/** The outside systems the product talks to, each behind a small interface. */
export type Integrations = {
  mailer: Mailer;
  /** The platform's own SMS sender (one-time codes, reminders), not an ISP's. */
  platformSms: SmsSender;
  /** Safaricom Daraja (M-Pesa), for every ISP's own credentials and the platform's. */
  daraja: DarajaClient;
  /** Roots of the SMS/WhatsApp providers' APIs (the simulators when SIMULATORS=true). */
  messagingEndpoints: ProviderEndpoints;
  /**
   * Simulators only: an ISP saved a provider, so the simulated provider account learns its
   * credentials and where to post delivery reports (a real ISP does this in its provider's dashboard).
   */
  onMessagingProviderSaved?(tenantId: string, channel: Channel, provider: ActiveProvider | null, webhookUrl: string): Promise<void>;
  /** Present when the local simulators run in-process (development, demo, e2e). */
  sims?: { smtp: SmtpSim; sms: SmsSim; daraja: DarajaSim; routers: RouterSim[] };
  close(): Promise<void>;
};

const SMS_SIM_KEY = "sim-at-key";
/** The API user on the demo's simulated routers. */
export const SIM_ROUTER_USER = { name: "mnetifi-api", password: "Demo-Router-Api-1", group: "full" as const };

/** Real providers from the environment, or the simulators when SIMULATORS is on. */
export async function createIntegrations(env: Env, log: Logger): Promise<Integrations> {
  if (env.SIMULATORS) {
    // Loaded only when wanted: a production image need not run (or even ship) the simulators.
    const [{ startSmtpSim }, { startSmsSim }, { startDarajaSim }, { startRouterSim }] = await Promise.all([
      import("../../sim/smtp"),
      import("../../sim/sms"),
      import("../../sim/daraja"),
      import("../../sim/routeros"),
    ]);
    const smtp = await startSmtpSim({ smtpPort: env.SMTP_SIM_PORT, httpPort: env.SMTP_SIM_HTTP_PORT });
    const sms = await startSmsSim({ port: env.SMS_SIM_PORT, apiKey: SMS_SIM_KEY, username: "sandbox" });
    const daraja = await startDarajaSim({ port: env.DARAJA_SIM_PORT });
    const [portA, portB] = env.ROUTEROS_SIM_PORTS.split(",").map(Number);
    const [controlA, controlB] = env.ROUTEROS_SIM_CONTROL_PORTS.split(",").map(Number);
    const routers = [
      await startRouterSim({ port: portA, controlPort: controlA, version: "7.16.2", identity: "Demo-Kasarani-hAP", board: "hAP ax2", users: [SIM_ROUTER_USER] }),
      await startRouterSim({ port: portB, controlPort: controlB, version: "7.18", identity: "Demo-Roysambu-CCR", board: "CCR2004-16G-2S+", users: [SIM_ROUTER_USER] }),
    ];
    log.info({ smtp: smtp.url, inbox: smtp.inboxUrl, sms: sms.baseUrl, daraja: daraja.baseUrl, routers: routers.map((r) => `api ${r.port}, control http://127.0.0.1:${r.controlPort}`) }, "simulators started");
    const mailer = createSmtpMailer({ url: smtp.url, from: env.MAIL_FROM });
    return {
      mailer,
      platformSms: createAfricasTalkingSender({ baseUrl: sms.baseUrl, apiKey: SMS_SIM_KEY, username: "sandbox", from: "MNETIFI" }),
      // Both Daraja environments point at the simulator.
      daraja: createDarajaClient({ baseUrlFor: () => daraja.baseUrl }),
      messagingEndpoints: REAL_ENDPOINTS,
      sims: { smtp, sms, daraja, routers },
      async close() {
        mailer.close();
        await Promise.all([smtp.stop(), sms.stop(), daraja.stop(), ...routers.map((r) => r.stop())]);
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
  return { mailer, platformSms, daraja: createDarajaClient({}), messagingEndpoints: REAL_ENDPOINTS, async close() { mailer.close(); } };
}
