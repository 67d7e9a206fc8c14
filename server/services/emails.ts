import type { Tx } from "../../db/client";
import { brandedEmail } from "../integrations/email/layout";
import { enqueueJob } from "./jobs";

export type OutgoingMail = { to: string; subject: string; text: string; html: string };

/**
 * Queues an email in the caller's transaction: it is sent by the send_email job if and only
 * if the change that wants it commits, and retried with backoff if the SMTP server fails.
 */
export async function queueEmail(tx: Tx, mail: OutgoingMail) {
  await enqueueJob(tx, "send_email", mail, { maxAttempts: 10 });
}

export function verificationEmail(opts: { to: string; businessName: string; link: string }): OutgoingMail {
  const body = brandedEmail({
    title: "Confirm your email address",
    preheader: `One step left to open ${opts.businessName} on mnetifi.`,
    paragraphs: [
      `Welcome to mnetifi! Confirm that this is your email address to open the dashboard of ${opts.businessName}.`,
      "Your free trial starts when you confirm. The link works once and expires in 48 hours.",
    ],
    action: { label: "Confirm my email", url: opts.link },
    footer: "If you did not register on mnetifi, ignore this email: nothing happens without the link.",
  });
  return { to: opts.to, subject: "Confirm your email for mnetifi", ...body };
}

export function passwordResetEmail(opts: { to: string; businessName: string; link: string }): OutgoingMail {
  const body = brandedEmail({
    title: "Reset your password",
    paragraphs: [
      `Someone (hopefully you) asked to reset the password of your ${opts.businessName} account on mnetifi.`,
      "The link works once and expires in 1 hour. Resetting signs you out on every device.",
    ],
    action: { label: "Choose a new password", url: opts.link },
    footer: "If you did not ask for this, ignore this email; your password stays as it is.",
  });
  return { to: opts.to, subject: "Reset your mnetifi password", ...body };
}

export function invitationEmail(opts: { to: string; businessName: string; inviter: string; role: string; link: string }): OutgoingMail {
  const body = brandedEmail({
    title: `Join ${opts.businessName} on mnetifi`,
    paragraphs: [
      `${opts.inviter} invited you to the ${opts.businessName} dashboard as ${opts.role}.`,
      "Choose your password to accept. The invitation expires in 7 days.",
    ],
    action: { label: "Accept the invitation", url: opts.link },
  });
  return { to: opts.to, subject: `You're invited to ${opts.businessName} on mnetifi`, ...body };
}

export function platformInvitationEmail(opts: { to: string; fullName: string; inviter: string; role: string; username: string; link: string }): OutgoingMail {
  const body = brandedEmail({
    title: "Join the mnetifi console",
    preheader: `${opts.inviter} invited you to the mnetifi platform console.`,
    paragraphs: [
      `Hello ${opts.fullName}, ${opts.inviter} invited you to the mnetifi platform console as ${opts.role}.`,
      `Your username is ${opts.username}. Choose your password to accept; then sign in with it. The link works once and expires in 7 days.`,
    ],
    action: { label: "Choose my password", url: opts.link },
    footer: "If you did not expect this, ignore this email: nothing happens without the link.",
  });
  return { to: opts.to, subject: "You're invited to the mnetifi console", ...body };
}
