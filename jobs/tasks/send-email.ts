import type { Task } from "graphile-worker";
import type { Integrations } from "../../server/integrations";
import type { OutgoingMail } from "../../server/services/emails";
import type { SmsSender } from "../../server/integrations/sms";

/**
 * Sends one queued email. A failure throws, so graphile-worker retries with backoff. `mailFrom`
 * gives the From saved in the console (undefined: the mailer's MAIL_FROM).
 */
export const sendEmail =
  (integrations: Pick<Integrations, "mailer">, mailFrom: () => Promise<string | undefined> = async () => undefined): Task =>
  async (raw, helpers) => {
    const mail = raw as OutgoingMail;
    if (!mail?.to || !mail.subject) throw new Error(`send_email job ${helpers.job.id} has no recipient or subject`);
    const { messageId } = await integrations.mailer.send({ to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, from: await mailFrom() });
    helpers.logger.info(`email "${mail.subject}" sent (${messageId})`);
  };

/** Sends one SMS through the platform's own sender in use (one-time codes, billing reminders). */
export const sendPlatformSms =
  (sender: () => Promise<SmsSender>): Task =>
  async (raw, helpers) => {
    const { to, message } = raw as { to: string; message: string };
    const result = await (await sender()).send(to, message);
    if (result.status === "failed") throw new Error(`SMS to ${to.slice(0, 6)}… failed: ${result.error ?? "unknown"}`);
    helpers.logger.info(`platform SMS sent (${result.providerMessageId}, ${result.parts} part(s))`);
  };
