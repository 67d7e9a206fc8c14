import { brandedEmail } from "../../integrations/email/layout";
import type { OutgoingMail } from "../emails";

const kes = (cents: number) => `KES ${(cents / 100).toLocaleString("en-KE")}`;

export function paymentReceivedEmail(opts: { to: string; businessName: string; tierName: string; invoiceNumber: string; amountCents: number; paidUntil: string; link: string }): OutgoingMail {
  const body = brandedEmail({
    title: "Payment received, thank you",
    preheader: `${opts.businessName} is on ${opts.tierName} until ${opts.paidUntil}.`,
    paragraphs: [
      `We received ${kes(opts.amountCents)} for invoice ${opts.invoiceNumber}. ${opts.businessName} is on the ${opts.tierName} plan until ${opts.paidUntil}.`,
      "The invoice and the receipt are under Billing in your dashboard, ready to download as PDF.",
    ],
    action: { label: "Open Billing", url: opts.link },
  });
  return { to: opts.to, subject: `Payment received: ${opts.tierName} until ${opts.paidUntil}`, ...body };
}

export function reminderEmail(opts: { to: string; businessName: string; what: "trial" | "renewal"; tierName: string | null; when: string; inWords: string; amountCents: number | null; link: string }): OutgoingMail {
  const title = opts.what === "trial" ? `Your free trial ends ${opts.inWords}` : `Your ${opts.tierName ?? ""} plan is due ${opts.inWords}`.replace("  ", " ");
  const body = brandedEmail({
    title,
    preheader: `${opts.businessName}: due ${opts.when}.`,
    paragraphs: [
      opts.what === "trial"
        ? `The free trial of ${opts.businessName} on mnetifi ends on ${opts.when}. Choose a plan and pay by M-Pesa to keep the dashboard open.`
        : `The ${opts.tierName} plan of ${opts.businessName} is paid until ${opts.when}.${opts.amountCents ? ` Pay ${kes(opts.amountCents)} by M-Pesa to keep the dashboard open.` : ""}`,
      "Your customers are never cut off: the captive portal, vouchers and PPPoE keep working. Only the dashboard closes until payment.",
    ],
    action: { label: opts.what === "trial" ? "Choose a plan" : "Pay now", url: opts.link },
  });
  return { to: opts.to, subject: title, ...body };
}

export function reminderSms(opts: { businessName: string; what: "trial" | "renewal"; when: string; amountCents: number | null; link: string }) {
  return opts.what === "trial"
    ? `mnetifi: the free trial of ${opts.businessName} ends ${opts.when}. Choose a plan to keep your dashboard: ${opts.link}`
    : `mnetifi: ${opts.businessName} plan due ${opts.when}${opts.amountCents ? `, KES ${(opts.amountCents / 100).toLocaleString("en-KE")}` : ""}. Pay by M-Pesa: ${opts.link}`;
}
