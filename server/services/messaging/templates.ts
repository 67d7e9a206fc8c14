// The events mnetifi tells customers about, their pre-written wording per channel, and the
// placeholders that carry the ISP's branding and the event's data.
import type { NotificationEvent } from "../../../db/schema";

export type Delivery = "off" | "sms" | "whatsapp" | "both";

/** Every placeholder a template may use, with what it becomes and a sample for previews. */
export const PLACEHOLDERS = {
  business: { label: "Your business name", sample: "Demo Networks" },
  contact: { label: "Your contact phone", sample: "0712 345 678" },
  tagline: { label: "Your tagline", sample: "Fast Wi-Fi for everyone" },
  signoff: { label: "Your sign-off", sample: "Asante!" },
  name: { label: "Customer's first name", sample: "Wanjiku" },
  code: { label: "Voucher code", sample: "Xk7Tq2" },
  plan: { label: "Plan name", sample: "1 Day Unlimited" },
  start: { label: "Start time", sample: "30 Nov, 16:00" },
  end: { label: "End time", sample: "1 Dec, 16:00" },
  amount: { label: "Amount paid", sample: "KES 50" },
  receipt: { label: "M-Pesa code", sample: "TKL9ABC123" },
  days: { label: "Days left", sample: "3" },
  expiry: { label: "Expiry date", sample: "3 Dec 2026" },
  otp: { label: "One-time code", sample: "482913" },
  minutes: { label: "Minutes left", sample: "144" },
} as const;
export type Placeholder = keyof typeof PLACEHOLDERS;
export type TemplateVars = Partial<Record<Placeholder, string>>;

type EventInfo = {
  label: string;
  description: string;
  defaultDelivery: Delivery;
  /** Placeholders that make sense for this event (beyond branding). */
  uses: Placeholder[];
  sms: string;
  whatsapp: string;
  /** Customers get it whatever they replied: it is the service they paid for, not marketing. */
  transactional: boolean;
};

const BRAND: Placeholder[] = ["business", "contact", "tagline", "signoff"];

export const EVENTS: Record<NotificationEvent, EventInfo> = {
  welcome: {
    label: "Welcome",
    description: "When someone becomes your customer (first purchase or new subscription).",
    defaultDelivery: "off",
    uses: ["name"],
    sms: "Karibu {{name}}! Welcome to {{business}}. {{tagline}}. Help: {{contact}}. {{signoff}}",
    whatsapp: "Karibu {{name}}! 👋 Welcome to *{{business}}*. {{tagline}}.\nNeed help? Call or WhatsApp {{contact}}.\n{{signoff}}",
    transactional: true,
  },
  payment_received: {
    label: "Payment received",
    description: "When an M-Pesa payment is received (receipt to the payer).",
    defaultDelivery: "off",
    uses: ["name", "amount", "receipt"],
    sms: "{{business}}: we received {{amount}} (M-Pesa {{receipt}}). Thank you! Help: {{contact}}",
    whatsapp: "*{{business}}*: we received {{amount}} (M-Pesa {{receipt}}). Thank you! 🙏\nHelp: {{contact}}",
    transactional: true,
  },
  voucher_issued: {
    label: "Voucher issued",
    description: "The voucher code after a purchase, with plan, start and end time.",
    defaultDelivery: "sms",
    uses: ["code", "plan", "start", "end"],
    sms: "{{business}} Wi-Fi code: {{code}} ({{plan}}). Valid {{start}} to {{end}}. Help: {{contact}}",
    whatsapp: "*{{business}}* Wi-Fi\nYour code: *{{code}}*\nPlan: {{plan}}\nValid: {{start}} – {{end}}\nHelp: {{contact}}",
    transactional: true,
  },
  voucher_90pct: {
    label: "Voucher almost used up",
    description: "When 90% of a voucher's time is used.",
    defaultDelivery: "sms",
    uses: ["code", "plan", "end", "minutes"],
    sms: "{{business}}: your {{plan}} ({{code}}) ends at {{end}}, about {{minutes}} min left. Buy more on the Wi-Fi page.",
    whatsapp: "*{{business}}*: your {{plan}} ({{code}}) ends at {{end}} — about {{minutes}} minutes left. Buy more on the Wi-Fi page.",
    transactional: true,
  },
  expiry_reminder: {
    label: "Subscription expiry reminder",
    description: "Before a monthly subscription expires (days before, editable).",
    defaultDelivery: "sms",
    uses: ["name", "plan", "days", "expiry"],
    sms: "Hi {{name}}, your {{business}} {{plan}} expires on {{expiry}} ({{days}} days). Pay early to stay online. Help: {{contact}}",
    whatsapp: "Hi {{name}}, your *{{business}}* {{plan}} expires on {{expiry}} ({{days}} days). Pay early to stay online.\nHelp: {{contact}}",
    transactional: true,
  },
  suspension: {
    label: "Suspension",
    description: "When a subscription is suspended for non-payment.",
    defaultDelivery: "sms",
    uses: ["name", "plan"],
    sms: "Hi {{name}}, your {{business}} {{plan}} is suspended. Pay to reconnect at once. Help: {{contact}}",
    whatsapp: "Hi {{name}}, your *{{business}}* {{plan}} is suspended. Pay to reconnect at once.\nHelp: {{contact}}",
    transactional: true,
  },
  reactivation: {
    label: "Reactivation",
    description: "When a suspended subscription is back on.",
    defaultDelivery: "sms",
    uses: ["name", "plan", "expiry"],
    sms: "Welcome back {{name}}! Your {{business}} {{plan}} is active until {{expiry}}. {{signoff}}",
    whatsapp: "Welcome back {{name}}! ✅ Your *{{business}}* {{plan}} is active until {{expiry}}.\n{{signoff}}",
    transactional: true,
  },
  otp: {
    label: "One-time code",
    description: "Codes customers use to confirm their number.",
    defaultDelivery: "sms",
    uses: ["otp"],
    sms: "{{otp}} is your {{business}} code. It expires in 10 minutes. Do not share it.",
    whatsapp: "*{{otp}}* is your {{business}} code. It expires in 10 minutes. Do not share it.",
    transactional: true,
  },
};

/** Reminder days for subscription expiry, unless the ISP changed them. */
export const DEFAULT_REMINDER_DAYS = [7, 3, 1];

const PLACEHOLDER = /\{\{\s*([a-z]+)\s*\}\}/g;

/** The placeholders a body uses, in order of first appearance (WhatsApp template parameters). */
export function placeholdersIn(body: string): string[] {
  const seen: string[] = [];
  for (const m of body.matchAll(PLACEHOLDER)) if (!seen.includes(m[1]!)) seen.push(m[1]!);
  return seen;
}

/** Placeholders in the body that do not exist (typos), for a field error. */
export function unknownPlaceholders(body: string): string[] {
  return placeholdersIn(body).filter((p) => !(p in PLACEHOLDERS));
}

/**
 * Fills the placeholders. An empty branding value leaves no dangling punctuation behind:
 * "Help: {{contact}}" with no contact becomes "" for that part, and runs of spaces collapse.
 */
export function render(body: string, vars: TemplateVars): string {
  const out = body.replace(PLACEHOLDER, (_m, key: string) => vars[key as Placeholder] ?? "");
  return out
    .replace(/ *\. *\./g, ".")
    .replace(/Help: *(\n|$)/g, "$1")
    .replace(/[ \t]{2,}/g, " ")
    .replace(/ +([.,!?])/g, "$1")
    .replace(/[ \t]+\n/g, "\n")
    .trim();
}

export function sampleVars(branding: Partial<Record<"business" | "contact" | "tagline" | "signoff", string>>): TemplateVars {
  const vars: TemplateVars = {};
  for (const [k, v] of Object.entries(PLACEHOLDERS)) vars[k as Placeholder] = v.sample;
  for (const k of BRAND) if (branding[k as "business"]) vars[k] = branding[k as "business"];
  return vars;
}

export const BRAND_PLACEHOLDERS = BRAND;
