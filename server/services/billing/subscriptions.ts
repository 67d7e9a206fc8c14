// The platform billing an ISP: invoices for a tier, payments against them, and the activation
// rules. Every write runs in the platform context entered into the ISP (withBilling), never in
// the ISP's own context: an ISP can read its billing, not write it (design §4, policies/95-billing.sql).
//
// Rules (issue 8, docs/decisions/0016-saas-billing.md):
// - A tier becomes the ISP's only when its invoice is paid in full (payments add up).
// - The paid month runs from the payment that completed the invoice; a tier change restarts the
//   billing date from that payment day. A renewal of the same tier paid before the due date
//   continues from the due date (paying early never shortens the month already paid for).
// - The registration fee is charged once, on the ISP's first paid subscription.
import { z } from "zod";
import { and, desc, eq, sql } from "drizzle-orm";
import { billingInvoices, billingPayments, tenants, users } from "../../../db/schema";
import { withPlatform, enterTenant, type Actor, type Db, type Tx } from "../../../db/client";
import { recordEvent } from "../audit";
import { enqueueJob, type EnqueueOptions } from "../jobs";
import { queueEmail } from "../emails";
import { getTier, listTiers, entitlements, FEATURE_LABELS } from "./tiers";
import { billingStatus, formatDay } from "./state";
import { paymentReceivedEmail } from "./emails";

export type Invoice = typeof billingInvoices.$inferSelect;
export type BillingPayment = typeof billingPayments.$inferSelect;

/** Who acts, for the audit trail. */
export type BillingActor = { kind: "user" | "platform_user" | "system"; id: string | null; requestId?: string | null; ip?: string | null; userAgent?: string | null };

/** Where an ISP's billing page is (for emails and SMS). */
export type BillingLinks = { billingUrl(slug: string): string };
export const defaultBillingLinks = (publicBaseUrl: string): BillingLinks => ({ billingUrl: (slug) => `${publicBaseUrl.replace(/\/+$/, "")}/dashboard/billing?isp=${slug}` });

export type BillingTx = Tx & { readonly __billing?: true };
type BillingHelpers = {
  /** Enqueues a platform job (no tenant stamped, so only platformTask runs it) in this transaction. */
  platformJob(task: string, payload?: Record<string, unknown>, opts?: EnqueueOptions): Promise<unknown>;
};

function dbActor(a: BillingActor): Actor {
  return { userId: a.id, actorKind: a.kind, requestId: a.requestId ?? null, ip: a.ip ?? null, userAgent: a.userAgent ?? null };
}

/** One transaction in the platform context, entered into one ISP: the only way billing is written. */
export async function withBilling<T>(db: Db, tenantId: string, actor: BillingActor, fn: (tx: Tx, h: BillingHelpers) => Promise<T>): Promise<T> {
  if (!/^[0-9a-f-]{36}$/i.test(tenantId)) throw new Error("withBilling: tenantId must be a uuid");
  return withPlatform(db, dbActor(actor), async (tx) => {
    await enterTenant(tx, tenantId);
    const platformJob = async (task: string, payload: Record<string, unknown> = {}, opts: EnqueueOptions = {}) => {
      await enterTenant(tx, "");
      try {
        return await enqueueJob(tx, task, payload, opts);
      } finally {
        await enterTenant(tx, tenantId);
      }
    };
    return fn(tx, { platformJob });
  });
}

export async function nextDocumentNumber(tx: Tx, prefix: "INV" | "RCT") {
  const res = await tx.execute<{ n: string }>(sql`select nextval('billing_document_number_seq')::text as n`);
  return `${prefix}-${res.rows[0]!.n.padStart(6, "0")}`;
}

/** `at` plus one calendar month as the ISP's clock reads it (31 Jan → 28/29 Feb). */
export async function addMonth(tx: Tx, at: Date, timeZone: string): Promise<Date> {
  const res = await tx.execute<{ end: Date | string }>(sql`select ((${at.toISOString()}::timestamptz at time zone ${timeZone}) + interval '1 month') at time zone ${timeZone} as end`);
  return new Date(res.rows[0]!.end);
}

function audit(tx: Tx, tenantId: string, actor: BillingActor, action: string, details: Record<string, unknown>) {
  return recordEvent(tx, {
    action,
    tenantId,
    actorKind: actor.kind,
    actorId: actor.id,
    details,
    requestId: actor.requestId ?? null,
    ip: actor.ip ?? null,
    userAgent: actor.userAgent ?? null,
  });
}

async function tenantRow(tx: Tx, tenantId: string) {
  const [t] = await tx.select().from(tenants).where(eq(tenants.id, tenantId));
  if (!t) throw new Error(`no tenant ${tenantId}`);
  return t;
}

export async function openInvoice(tx: Tx, tenantId: string, lock = false) {
  const q = tx.select().from(billingInvoices).where(and(eq(billingInvoices.tenantId, tenantId), eq(billingInvoices.status, "open")));
  const [inv] = lock ? await q.for("update") : await q;
  return inv ?? null;
}

// ---------------------------------------------------------------- choosing a tier (issuing an invoice)

export const chooseTierInput = z.object({
  tierId: z.string({ error: "Choose a plan." }).trim().min(1, "Choose a plan."),
  service: z.enum(["hotspot", "pppoe"], "Choose hotspot or PPPoE/static.").nullish(),
});
export type ChooseTierInput = z.input<typeof chooseTierInput>;
export type ChooseTierResult = { ok: true; invoice: Invoice } | { ok: false; status: 400; fieldErrors: Record<string, string[]> };

/**
 * The ISP (or the super admin for it) picks a tier: an invoice for it is issued, replacing any
 * open invoice for another tier (money already paid on that one moves to the new invoice).
 * Nothing changes for the ISP's current tier until the new invoice is paid in full.
 */
export async function chooseTier(tx: Tx, tenantId: string, actor: BillingActor, input: ChooseTierInput, now: Date, links?: BillingLinks): Promise<ChooseTierResult> {
  const parsed = chooseTierInput.safeParse(input);
  if (!parsed.success) return { ok: false, status: 400, fieldErrors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]> };
  const t = await tenantRow(tx, tenantId);
  const tier = await getTier(tx, parsed.data.tierId);
  if (!tier || (!tier.active && tier.id !== t.tierId)) return { ok: false, status: 400, fieldErrors: { tierId: ["Choose one of the plans shown."] } };
  const service = tier.singleService ? (parsed.data.service ?? null) : null;
  if (tier.singleService && !service) return { ok: false, status: 400, fieldErrors: { service: [`${tier.name} runs hotspot or PPPoE/static: choose one.`] } };

  const open = await openInvoice(tx, tenantId, true);
  if (open && open.tierId === tier.id && open.service === service) return { ok: true, invoice: open };

  const number = await nextDocumentNumber(tx, "INV");
  const carried = open?.paidCents ?? 0;
  if (open) {
    await tx
      .update(billingInvoices)
      .set({ status: "void", voidReason: `Replaced by ${number} (${tier.name})${carried ? `; KES ${carried / 100} paid moved to it` : ""}.` })
      .where(and(eq(billingInvoices.tenantId, tenantId), eq(billingInvoices.id, open.id)));
    // Its payments stay on it for the record; the money they brought counts on the new invoice.
  }
  const sameTier = t.tierId === tier.id && t.service === service;
  const kind = t.tierId === null ? "subscription" : sameTier ? "renewal" : "change";
  const registration = t.registrationPaidAt ? 0 : tier.registrationFeeCents;
  const dueAt = kind === "renewal" && t.paidUntil && t.paidUntil > now ? t.paidUntil : now;
  const [invoice] = await tx
    .insert(billingInvoices)
    .values({
      tenantId,
      number,
      kind,
      tierId: tier.id,
      tierName: tier.name,
      service,
      registrationFeeCents: registration,
      monthlyCents: tier.monthlyCents,
      amountCents: tier.monthlyCents + registration,
      paidCents: carried,
      issuedAt: now,
      dueAt,
    })
    .returning();
  await audit(tx, tenantId, actor, "billing.invoice_issued", { invoice: number, kind, tier: tier.id, service, amountCents: invoice!.amountCents, carriedCents: carried, replaced: open?.number ?? null });
  if (carried >= invoice!.amountCents) return { ok: true, invoice: await settleInvoice(tx, tenantId, actor, invoice!, now, now, links) };
  return { ok: true, invoice: invoice! };
}

// ---------------------------------------------------------------- payments → invoice → activation

/**
 * A payment just became paid: add it to its invoice and activate the tier when the invoice is
 * paid in full. A payment for an invoice that was replaced in the meantime counts towards the
 * open one. Runs inside the transaction that marked the payment paid.
 */
export async function applyPaidPayment(tx: Tx, tenantId: string, actor: BillingActor, paymentId: string, now: Date, links?: BillingLinks) {
  const [p] = await tx.select().from(billingPayments).where(and(eq(billingPayments.tenantId, tenantId), eq(billingPayments.id, paymentId)));
  if (!p || p.status !== "paid") throw new Error(`billing payment ${paymentId} is not paid`);
  let [inv] = await tx.select().from(billingInvoices).where(and(eq(billingInvoices.tenantId, tenantId), eq(billingInvoices.id, p.invoiceId))).for("update");
  if (!inv) throw new Error(`billing payment ${paymentId} has no invoice`);
  if (inv.status !== "open") {
    const current = await openInvoice(tx, tenantId, true);
    if (!current) {
      await audit(tx, tenantId, actor, "billing.payment_unapplied", { receipt: p.receiptNumber, paidCents: p.paidCents, invoice: inv.number, reason: `Invoice ${inv.number} is already ${inv.status} and nothing else is open.` });
      return { applied: false as const, invoice: inv };
    }
    await tx.update(billingPayments).set({ invoiceId: current.id }).where(and(eq(billingPayments.tenantId, tenantId), eq(billingPayments.id, p.id)));
    inv = current;
  }
  const paid = inv.paidCents + (p.paidCents ?? 0);
  const [updated] = await tx
    .update(billingInvoices)
    .set({ paidCents: paid })
    .where(and(eq(billingInvoices.tenantId, tenantId), eq(billingInvoices.id, inv.id)))
    .returning();
  await audit(tx, tenantId, actor, "billing.payment_applied", { receipt: p.receiptNumber, method: p.method, paidCents: p.paidCents, invoice: inv.number, invoicePaidCents: paid, invoiceAmountCents: inv.amountCents });
  if (paid >= inv.amountCents) return { applied: true as const, invoice: await settleInvoice(tx, tenantId, actor, updated!, p.paidAt ?? now, now, links) };
  return { applied: true as const, invoice: updated! };
}

/** An invoice paid in full: the tier becomes the ISP's and the paid month starts. */
async function settleInvoice(tx: Tx, tenantId: string, actor: BillingActor, inv: Invoice, paidAt: Date, now: Date, links?: BillingLinks) {
  const t = await tenantRow(tx, tenantId);
  const continuing = t.tierId === inv.tierId && t.service === inv.service && t.paidUntil !== null && t.paidUntil > paidAt;
  const periodStart = continuing ? t.paidUntil! : paidAt;
  const periodEnd = await addMonth(tx, periodStart, t.timezone);
  const [settled] = await tx
    .update(billingInvoices)
    .set({ status: "paid", paidAt, periodStart, periodEnd })
    .where(and(eq(billingInvoices.tenantId, tenantId), eq(billingInvoices.id, inv.id)))
    .returning();
  await tx
    .update(tenants)
    .set({
      tierId: inv.tierId,
      service: inv.service,
      paidUntil: periodEnd,
      // A dashboard closed by hand (suspended, blocked) stays closed: that is the platform's call;
      // restoring it then returns to an active (paid) account.
      ...(t.status === "suspended" || t.status === "blocked" ? { statusBeforeHold: "active" as const } : { status: "active" as const }),
      registrationPaidAt: inv.registrationFeeCents > 0 ? (t.registrationPaidAt ?? paidAt) : t.registrationPaidAt,
    })
    .where(eq(tenants.id, tenantId));
  await audit(tx, tenantId, actor, "billing.subscription_activated", {
    invoice: inv.number,
    tier: inv.tierId,
    service: inv.service,
    previousTier: t.tierId,
    previousPaidUntil: t.paidUntil,
    periodStart,
    periodEnd,
    continuing,
  });
  const owner = await ownerContact(tx, tenantId);
  if (owner?.email) {
    await queueEmail(
      tx,
      paymentReceivedEmail({
        to: owner.email,
        businessName: t.businessName,
        tierName: inv.tierName,
        invoiceNumber: inv.number,
        amountCents: inv.amountCents,
        paidUntil: formatDay(periodEnd, t.timezone),
        link: (links ?? defaultBillingLinks("http://127.0.0.1")).billingUrl(t.slug),
      }),
    );
  }
  return settled!;
}

export async function ownerContact(tx: Tx, tenantId: string) {
  const [o] = await tx
    .select({ id: users.id, email: users.email, phone: users.phone, name: users.fullName, username: users.username })
    .from(users)
    .where(and(eq(users.tenantId, tenantId), eq(users.role, "owner")))
    .orderBy(users.createdAt)
    .limit(1);
  return o ?? null;
}

/** Marks a payment paid with its receipt number (RCT-…), then applies it. */
export async function markBillingPaymentPaid(
  tx: Tx,
  tenantId: string,
  actor: BillingActor,
  p: BillingPayment,
  fields: { paidCents: number; paidAt: Date; mpesaReceipt?: string | null; phone?: string | null; resultCode?: string | null; resultDesc?: string | null },
  now: Date,
  links?: BillingLinks,
) {
  const receiptNumber = p.receiptNumber ?? (await nextDocumentNumber(tx, "RCT"));
  await tx
    .update(billingPayments)
    .set({
      status: "paid",
      paidCents: fields.paidCents,
      paidAt: fields.paidAt,
      mpesaReceipt: fields.mpesaReceipt ?? p.mpesaReceipt,
      phone: fields.phone ?? p.phone,
      resultCode: fields.resultCode ?? "0",
      resultDesc: fields.resultDesc ?? p.resultDesc,
      failureReason: null,
      receiptNumber,
    })
    .where(and(eq(billingPayments.tenantId, tenantId), eq(billingPayments.id, p.id)));
  return applyPaidPayment(tx, tenantId, actor, p.id, now, links);
}

// ---------------------------------------------------------------- payments recorded by the super admin

export const RECEIPT_PATTERN = /^[A-Z0-9]{10}$/;

export const manualPaymentInput = z.object({
  tenantId: z.uuid("Choose the ISP."),
  method: z.enum(["bank", "paypal", "mpesa"], "Choose how the ISP paid."),
  reference: z.string().trim().min(3, "Enter the transfer's reference (bank slip, PayPal transaction id or M-Pesa code).").max(60, "Keep the reference under 60 characters."),
  amountKes: z.coerce.number({ error: "Enter the amount in shillings." }).int("Enter whole shillings.").min(1, "Enter the amount received.").max(1_000_000, "That is more than any plan costs."),
  paidAt: z.coerce.date({ error: "Enter when the money arrived." }),
  /** The tier it pays for when no invoice is open, or to switch tiers with this payment. */
  tierId: z.string().trim().optional().transform((v) => v || undefined),
  service: z.enum(["hotspot", "pppoe"]).nullish().or(z.literal("").transform(() => null)),
  note: z.string().trim().max(200, "Keep the note under 200 characters.").optional(),
});
export type ManualPaymentInput = z.input<typeof manualPaymentInput>;

export type ManualPaymentResult =
  | { ok: true; payment: BillingPayment; invoice: Invoice; activated: boolean }
  | { ok: false; status: 400 | 404 | 409; fieldErrors?: Record<string, string[]>; error?: string };

/** A bank transfer, PayPal payment or M-Pesa code the super admin records with its reference (audited). */
export async function recordManualPayment(db: Db, actor: BillingActor, input: ManualPaymentInput, now = new Date(), links?: BillingLinks): Promise<ManualPaymentResult> {
  const parsed = manualPaymentInput.safeParse(input);
  if (!parsed.success) return { ok: false, status: 400, fieldErrors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]> };
  const v = parsed.data;
  const reference = v.method === "mpesa" ? v.reference.toUpperCase() : v.reference;
  if (v.method === "mpesa" && !RECEIPT_PATTERN.test(reference)) return { ok: false, status: 400, fieldErrors: { reference: ["An M-Pesa code is 10 letters and digits, e.g. TC14ABCD12."] } };
  if (v.paidAt.getTime() > now.getTime() + 5 * 60_000) return { ok: false, status: 400, fieldErrors: { paidAt: ["That is in the future."] } };
  if (v.paidAt.getTime() < now.getTime() - 400 * 86_400_000) return { ok: false, status: 400, fieldErrors: { paidAt: ["That is more than a year ago."] } };
  const exists = await withPlatform(db, dbActor(actor), async (tx) => (await tx.select({ id: tenants.id }).from(tenants).where(eq(tenants.id, v.tenantId))).length > 0);
  if (!exists) return { ok: false, status: 404, fieldErrors: { tenantId: ["No such ISP."] } };

  return withBilling(db, v.tenantId, actor, async (tx) => {
    const [dupe] = await tx
      .select({ receipt: billingPayments.receiptNumber })
      .from(billingPayments)
      .where(and(eq(billingPayments.tenantId, v.tenantId), eq(billingPayments.method, v.method), eq(billingPayments.reference, reference)));
    if (dupe) return { ok: false as const, status: 409 as const, fieldErrors: { reference: [`This reference is already recorded (${dupe.receipt ?? "pending"}).`] } };
    const t = await tenantRow(tx, v.tenantId);
    let invoice = await openInvoice(tx, v.tenantId, true);
    const wanted = v.tierId ?? (invoice ? undefined : (t.tierId ?? undefined));
    if (wanted && (!invoice || invoice.tierId !== wanted || (v.service && invoice.service !== v.service))) {
      // No service given: keep the one already chosen for this tier (open invoice, then current plan).
      const service = v.service || (invoice?.tierId === wanted ? invoice.service : wanted === t.tierId ? t.service : null);
      const chosen = await chooseTier(tx, v.tenantId, actor, { tierId: wanted, service }, now, links);
      if (!chosen.ok) return { ok: false as const, status: 400 as const, fieldErrors: chosen.fieldErrors };
      invoice = chosen.invoice;
    }
    if (!invoice) return { ok: false as const, status: 400 as const, fieldErrors: { tierId: ["This ISP has no open invoice: choose the plan the money is for."] } };
    if (invoice.status !== "open") return { ok: false as const, status: 409 as const, error: `Invoice ${invoice.number} is already ${invoice.status}.` };
    const [p] = await tx
      .insert(billingPayments)
      .values({
        tenantId: v.tenantId,
        invoiceId: invoice.id,
        method: v.method,
        status: "pending",
        amountCents: v.amountKes * 100,
        reference,
        mpesaReceipt: v.method === "mpesa" ? reference : null,
        recordedBy: actor.id,
        note: v.note || null,
      })
      .returning();
    await audit(tx, v.tenantId, actor, "billing.manual_payment_recorded", { method: v.method, reference, amountCents: v.amountKes * 100, paidAt: v.paidAt, invoice: invoice.number, note: v.note ?? null });
    const applied = await markBillingPaymentPaid(tx, v.tenantId, actor, p!, { paidCents: v.amountKes * 100, paidAt: v.paidAt, mpesaReceipt: v.method === "mpesa" ? reference : null }, now, links);
    const [payment] = await tx.select().from(billingPayments).where(and(eq(billingPayments.tenantId, v.tenantId), eq(billingPayments.id, p!.id)));
    return { ok: true as const, payment: payment!, invoice: applied.invoice, activated: applied.invoice.status === "paid" };
  });
}

// ---------------------------------------------------------------- what the ISP sees

/** The ISP's billing page: where it stands, the plans, the open invoice, its history (own context). */
export async function billingOverview(tx: Tx, tenantId: string, now: Date) {
  const [t] = await tx.select().from(tenants).where(eq(tenants.id, tenantId));
  if (!t) throw new Error("no tenant");
  const ent = await entitlements(tx, tenantId, now);
  const tiers = (await listTiers(tx)).filter((x) => x.active || x.id === t.tierId);
  const open = await openInvoice(tx, tenantId);
  const invoices = await tx.select().from(billingInvoices).where(eq(billingInvoices.tenantId, tenantId)).orderBy(desc(billingInvoices.issuedAt), desc(billingInvoices.number)).limit(24);
  const payments = await tx.select().from(billingPayments).where(eq(billingPayments.tenantId, tenantId)).orderBy(desc(billingPayments.createdAt)).limit(24);
  const status = billingStatus(t, now);
  return {
    phase: status.phase,
    dueAt: status.dueAt,
    lapsed: status.lapsed,
    timezone: t.timezone,
    tier: ent.tier ? { id: ent.tier.id, name: ent.tier.name } : null,
    service: t.service,
    trialEndsAt: t.trialEndsAt,
    paidUntil: t.paidUntil,
    registrationPaid: t.registrationPaidAt !== null,
    features: [...ent.features].map((f) => ({ id: f, label: FEATURE_LABELS[f] })),
    tiers: tiers.map((x) => ({
      id: x.id,
      name: x.name,
      description: x.description,
      monthlyCents: x.monthlyCents,
      registrationFeeCents: t.registrationPaidAt ? 0 : x.registrationFeeCents,
      features: x.features.filter((f): f is keyof typeof FEATURE_LABELS => f in FEATURE_LABELS).map((f) => FEATURE_LABELS[f]),
      maxTechnicians: x.maxTechnicians,
      singleService: x.singleService,
      current: x.id === t.tierId,
    })),
    openInvoice: open ? { ...open, outstandingCents: Math.max(0, open.amountCents - open.paidCents) } : null,
    invoices,
    payments,
  };
}

export async function getInvoice(tx: Tx, tenantId: string, id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const [inv] = await tx.select().from(billingInvoices).where(and(eq(billingInvoices.tenantId, tenantId), eq(billingInvoices.id, id)));
  return inv ?? null;
}

export async function getPayment(tx: Tx, tenantId: string, id: string) {
  if (!/^[0-9a-f-]{36}$/i.test(id)) return null;
  const [p] = await tx.select().from(billingPayments).where(and(eq(billingPayments.tenantId, tenantId), eq(billingPayments.id, id)));
  return p ?? null;
}
