// Outgoing email behind a small interface so jobs can be tested against the SMTP simulator.
import nodemailer from "nodemailer";

export type Mail = { to: string; subject: string; text: string; html: string };

export interface Mailer {
  /** `from` overrides the mailer's default From (the platform's From set in the console). */
  send(mail: Mail & { from?: string }): Promise<{ messageId: string }>;
  close(): void;
}

/** A mailer for an SMTP URL (smtp://user:pass@host:port, or smtps:// for implicit TLS). Send errors propagate so the caller's job retries. */
export function createSmtpMailer(opts: { url: string; from: string }): Mailer {
  const transport = nodemailer.createTransport(opts.url);
  return {
    async send(mail) {
      const info = await transport.sendMail({ from: mail.from || opts.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html });
      return { messageId: info.messageId };
    },
    close() {
      transport.close();
    },
  };
}
