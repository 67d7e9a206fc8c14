// Invoices and receipts as PDF (pdfkit: docs/decisions/0016-saas-billing.md). Built on request
// from the stored rows, so a document always matches the database. Times in the ISP's timezone
// (East Africa Time by default), money in KES.
import PDFDocument from "pdfkit";
import type { Invoice, BillingPayment } from "./subscriptions";
import { formatWhen, formatDay } from "./state";

export type BillingDocument = {
  kind: "invoice" | "receipt";
  isp: { businessName: string; slug: string; timezone: string };
  /** How to pay by bank transfer or PayPal (platform setting). */
  instructions: string;
  invoice: Invoice;
  payment: BillingPayment | null;
  /** The ISP's dashboard address, printed on the document. */
  ispAddress: string;
};

const BRAND = "#059669";
const INK = "#0f172a";
const MUTED = "#64748b";
const LINE = "#e2e8f0";

const kes = (cents: number) => `KES ${(cents / 100).toLocaleString("en-KE", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const METHOD: Record<string, string> = { mpesa_stk: "M-Pesa (STK push)", mpesa: "M-Pesa", bank: "Bank transfer", paypal: "PayPal" };

export function billingDocumentFilename(d: Pick<BillingDocument, "kind" | "invoice" | "payment">) {
  return `${d.kind === "invoice" ? d.invoice.number : (d.payment?.receiptNumber ?? "receipt")}.pdf`;
}

export function renderBillingPdf(d: BillingDocument): Promise<Buffer> {
  const tz = d.isp.timezone || "Africa/Nairobi";
  const number = d.kind === "invoice" ? d.invoice.number : (d.payment?.receiptNumber ?? "");
  const doc = new PDFDocument({ size: "A4", margin: 50, info: { Title: `${d.kind === "invoice" ? "Invoice" : "Receipt"} ${number}`, Author: "mnetifi", Subject: d.isp.businessName } });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on("data", (c: Buffer) => chunks.push(c));
    doc.on("end", () => resolve(Buffer.concat(chunks)));
    doc.on("error", reject);
  });
  const left = 50;
  const right = doc.page.width - 50;
  const width = right - left;

  // Header: the platform, and what this is.
  doc.fillColor(BRAND).font("Helvetica-Bold").fontSize(22).text("mnetifi", left, 50);
  doc.fillColor(MUTED).font("Helvetica").fontSize(9).text("ISP management for Kenya", left, 76);
  doc.fillColor(INK).font("Helvetica-Bold").fontSize(18).text(d.kind === "invoice" ? "INVOICE" : "RECEIPT", left, 50, { width, align: "right" });
  doc.font("Helvetica").fontSize(10).fillColor(MUTED).text(number, left, 72, { width, align: "right" });
  doc.moveTo(left, 100).lineTo(right, 100).strokeColor(LINE).stroke();

  // Who, and when.
  const y0 = 115;
  doc.fillColor(MUTED).fontSize(9).text(d.kind === "invoice" ? "BILLED TO" : "RECEIVED FROM", left, y0);
  doc.fillColor(INK).font("Helvetica-Bold").fontSize(12).text(d.isp.businessName, left, y0 + 14);
  doc.font("Helvetica").fontSize(10).fillColor(MUTED).text(d.ispAddress, left, y0 + 31);

  const facts: Array<[string, string]> =
    d.kind === "invoice"
      ? [
          ["Issued", formatWhen(d.invoice.issuedAt, tz)],
          ["Due", formatWhen(d.invoice.dueAt, tz)],
          ["Status", d.invoice.status === "paid" ? `Paid ${d.invoice.paidAt ? formatWhen(d.invoice.paidAt, tz) : ""}`.trim() : d.invoice.status === "void" ? "Void" : "Open"],
        ]
      : [
          ["Paid", d.payment?.paidAt ? formatWhen(d.payment.paidAt, tz) : ""],
          ["Method", METHOD[d.payment?.method ?? ""] ?? d.payment?.method ?? ""],
          [d.payment?.mpesaReceipt ? "M-Pesa receipt" : "Reference", d.payment?.mpesaReceipt ?? d.payment?.reference ?? ""],
          ["For invoice", d.invoice.number],
        ];
  let fy = y0;
  for (const [k, v] of facts) {
    doc.fillColor(MUTED).fontSize(9).text(k.toUpperCase(), left + width / 2, fy, { width: width / 4 });
    doc.fillColor(INK).fontSize(10).text(v, left + (3 * width) / 4 - 40, fy, { width: width / 4 + 40, align: "right" });
    fy += 18;
  }

  // The lines.
  let y = Math.max(fy, y0 + 60) + 25;
  const amountX = right - 130;
  doc.rect(left, y, width, 22).fill("#f1f5f9");
  doc.fillColor(MUTED).font("Helvetica-Bold").fontSize(9).text("DESCRIPTION", left + 10, y + 7).text("AMOUNT", amountX, y + 7, { width: 120, align: "right" });
  y += 30;
  const service = d.invoice.service === "pppoe" ? " (PPPoE/static)" : d.invoice.service === "hotspot" ? " (hotspot)" : "";
  const period =
    d.invoice.periodStart && d.invoice.periodEnd ? `${formatDay(d.invoice.periodStart, tz)} to ${formatDay(d.invoice.periodEnd, tz)}` : "one month from the day it is paid in full";
  const lines: Array<[string, string, number]> = [];
  if (d.invoice.registrationFeeCents > 0) lines.push(["Registration fee", "Charged once", d.invoice.registrationFeeCents]);
  lines.push([`${d.invoice.tierName} plan${service}`, period, d.invoice.monthlyCents]);
  doc.font("Helvetica");
  for (const [title, sub, cents] of lines) {
    doc.fillColor(INK).fontSize(11).text(title, left + 10, y, { width: amountX - left - 20 });
    doc.fillColor(MUTED).fontSize(9).text(sub, left + 10, y + 15, { width: amountX - left - 20 });
    doc.fillColor(INK).fontSize(11).text(kes(cents), amountX, y, { width: 120, align: "right" });
    y += 38;
    doc.moveTo(left, y - 8).lineTo(right, y - 8).strokeColor(LINE).stroke();
  }

  // Totals.
  const total = (label: string, value: string, bold = false) => {
    doc.font(bold ? "Helvetica-Bold" : "Helvetica").fillColor(bold ? INK : MUTED).fontSize(bold ? 12 : 10);
    doc.text(label, amountX - 160, y, { width: 150, align: "right" }).text(value, amountX, y, { width: 120, align: "right" });
    y += bold ? 22 : 18;
  };
  if (d.kind === "invoice") {
    total("Total", kes(d.invoice.amountCents));
    total("Paid", kes(Math.min(d.invoice.paidCents, d.invoice.amountCents)));
    total(d.invoice.status === "paid" ? "Balance" : "Balance due", kes(Math.max(0, d.invoice.amountCents - d.invoice.paidCents)), true);
  } else {
    total("Invoice total", kes(d.invoice.amountCents));
    total("Amount received", kes(d.payment?.paidCents ?? 0), true);
  }

  // Stamp.
  const stamp = d.kind === "receipt" || d.invoice.status === "paid" ? "PAID" : d.invoice.status === "void" ? "VOID" : null;
  if (stamp) {
    doc.save();
    doc.rotate(-12, { origin: [left + 110, y + 10] });
    doc.roundedRect(left + 30, y - 8, 150, 40, 6).lineWidth(2).strokeColor(stamp === "PAID" ? BRAND : "#b91c1c").stroke();
    doc.fillColor(stamp === "PAID" ? BRAND : "#b91c1c").font("Helvetica-Bold").fontSize(22).text(stamp, left + 30, y + 2, { width: 150, align: "center" });
    doc.restore();
  }
  y += stamp ? 75 : 30;

  // How to pay (invoices) or what it means (receipts).
  doc.font("Helvetica-Bold").fillColor(INK).fontSize(10).text(d.kind === "invoice" ? "How to pay" : "Thank you", left, y);
  y += 15;
  doc.font("Helvetica").fillColor(MUTED).fontSize(9);
  const words =
    d.kind === "invoice"
      ? [
          "By M-Pesa: open Billing in your dashboard and pay from your phone (STK push); the plan activates as soon as M-Pesa confirms.",
          d.instructions ? `By bank transfer or PayPal: ${d.instructions} Quote ${d.invoice.number} as the reference.` : `By bank transfer or PayPal: contact mnetifi support and quote ${d.invoice.number}.`,
          "A plan starts when its invoice is paid in full and runs for one month from that payment.",
        ]
      : [
          d.invoice.status === "paid" && d.invoice.periodEnd
            ? `Invoice ${d.invoice.number} is paid in full: the ${d.invoice.tierName} plan runs until ${formatWhen(d.invoice.periodEnd, tz)}.`
            : `This payment counts towards invoice ${d.invoice.number}; the plan activates once the invoice is paid in full.`,
        ];
  for (const w of words) {
    doc.text(`• ${w}`, left, y, { width });
    y = doc.y + 4;
  }

  doc.fillColor(MUTED).fontSize(8).text("mnetifi · Amounts in Kenyan shillings (KES) · Times in East Africa Time", left, doc.page.height - 70, { width, align: "center" });
  doc.end();
  return done;
}
