// The captive portal's server side: the device context the router sends, the page's data
// (branding, plans), purchases (STK push → voucher → device logged in), redeeming a code or a
// phone's voucher, checking a code, and a phone's vouchers (masked) with "send my codes by SMS".
import crypto from "node:crypto";
import { z } from "zod";
import { and, asc, desc, eq } from "drizzle-orm";
import { hotspotPlans, hotspotSettings, hotspotPurchases, routers, tenants, vouchers, payments, customers } from "../../../db/schema";
import type { Tx } from "../../../db/client";
import { withTenant } from "../../../db/client";
import type { SecretBox } from "../secrets";
import { normalizeKenyanPhone } from "../phones";
import { startStkPayment, type PaymentDeps } from "../payments";
import { registerPaymentPurpose, type PaymentRow } from "../payments/purposes";
import { ensureMessagingSettings } from "../messaging/settings";
import { notify } from "../messaging/notify";
import { queueMessage } from "../messaging/outbox";
import { tickets } from "../../../db/schema";
import { issueVoucher } from "./vouchers";
import { useVoucher, normalizeMac, type UseResult } from "./access";
import { describeDuration, secondsLeft, voucherState, type DurationUnit } from "./rules";
import { formatDateTime } from "../../../app/lib/format";
import { enqueueJob } from "../jobs";

// ---------- the device context ----------

/** What the router's login.html posts (and the portal carries from page to page). */
export type DeviceContext = { mac: string; ip: string; routerId: string | null; identity: string; linkLoginOnly: string; linkOrig: string; error: string };

const MAC = /^[0-9A-F]{2}(:[0-9A-F]{2}){5}$/;
const IPV4 = /^(\d{1,3})(\.\d{1,3}){3}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Reads the router's fields (names as in login.html); anything malformed is dropped, not trusted. */
/** The fields a router's login.html sends about the device (MikroTik's $(mac), $(ip), … plus ours). */
export const DEVICE_FIELDS = ["mac", "ip", "router", "link-login-only", "link-orig", "identity", "error"] as const;

export function readDeviceContext(fields: Record<string, string | undefined>): DeviceContext {
  const mac = normalizeMac(fields.mac ?? "");
  const ip = (fields.ip ?? "").trim();
  const link = (fields["link-login-only"] ?? fields.linkLoginOnly ?? "").trim();
  return {
    mac: MAC.test(mac) ? mac : "",
    ip: IPV4.test(ip) ? ip : "",
    routerId: UUID.test(fields.router ?? "") ? fields.router! : null,
    identity: (fields.identity ?? "").slice(0, 64),
    // Only the router's own http(s) login URL: never an arbitrary redirect target.
    linkLoginOnly: /^https?:\/\/[^\s"'<>]+\/login$/.test(link) ? link : "",
    linkOrig: /^https?:\/\/[^\s"'<>]+$/.test(fields["link-orig"] ?? "") ? fields["link-orig"]!.slice(0, 500) : "",
    error: (fields.error ?? "").slice(0, 200),
  };
}

/**
 * The context travels through the portal's forms as one signed token, so a device cannot claim
 * another device's MAC or router halfway through (HMAC-SHA256 with a key derived from the secret box).
 */
export function sealContext(ctx: DeviceContext, key: string): string {
  const body = Buffer.from(JSON.stringify(ctx)).toString("base64url");
  const mac = crypto.createHmac("sha256", key).update(body).digest("base64url");
  return `${body}.${mac}`;
}

export function openContext(token: string | undefined, key: string): DeviceContext | null {
  if (!token) return null;
  const [body, mac] = token.split(".");
  if (!body || !mac) return null;
  const want = crypto.createHmac("sha256", key).update(body).digest("base64url");
  if (mac.length !== want.length || !crypto.timingSafeEqual(Buffer.from(mac), Buffer.from(want))) return null;
  try {
    return JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as DeviceContext;
  } catch {
    return null;
  }
}

// ---------- the page ----------

export async function portalPage(tx: Tx, tenantId: string) {
  const [t] = await tx.select({ businessName: tenants.businessName, timezone: tenants.timezone }).from(tenants).where(eq(tenants.id, tenantId));
  const [s] = await tx.select().from(hotspotSettings).where(eq(hotspotSettings.tenantId, tenantId));
  const ms = await ensureMessagingSettings(tx, tenantId);
  const plans = await tx
    .select()
    .from(hotspotPlans)
    .where(and(eq(hotspotPlans.tenantId, tenantId), eq(hotspotPlans.active, true), eq(hotspotPlans.hidden, false)))
    .orderBy(asc(hotspotPlans.displayOrder), asc(hotspotPlans.priceCents));
  return {
    branding: {
      businessName: t?.businessName ?? "",
      tagline: s?.portalTagline || ms.tagline,
      terms: s?.portalTerms ?? "",
      contactPhone: ms.contactPhone,
      colors: { background: s?.colorBackground ?? "#f8fafc", text: s?.colorText ?? "#0f172a", button: s?.colorButton ?? "#059669" },
      logoDataUrl: s?.logoDataUrl ?? null,
    },
    timezone: t?.timezone ?? "Africa/Nairobi",
    plans: plans.map((p) => ({
      id: p.id,
      name: p.name,
      shillings: Math.round(p.priceCents / 100),
      duration: describeDuration(p.durationValue, p.durationUnit as DurationUnit),
      speed: p.downloadKbps ? `${Math.round((p.downloadKbps / 1024) * 10) / 10} Mbps` : "Unlimited speed",
      // Data caps in the words customers use: whole GB from 1 GB, MB below.
      cap: p.dataCapMb ? (p.dataCapMb >= 1024 ? `${Math.round((p.dataCapMb / 1024) * 10) / 10} GB` : `${p.dataCapMb} MB`) : null,
      devices: p.devices,
    })),
  };
}

// ---------- buying ----------

export const purchaseInput = z.object({
  planId: z.uuid("Choose a plan."),
  phone: z.string().trim().min(1, "Enter your M-Pesa number."),
});

/**
 * Starts a purchase: records which device wants which plan, then the STK push with the ISP's
 * own Daraja credentials (purpose "voucher", reference = the purchase). The voucher is issued by
 * the payment's own transaction when M-Pesa confirms (see the purpose handler below).
 */
export async function startPurchase(deps: PaymentDeps, tenantId: string, input: { planId: string; phone: string; device: DeviceContext }) {
  const phone = normalizeKenyanPhone(input.phone);
  if (!phone) return { ok: false as const, fieldErrors: { phone: ["Enter a Safaricom number, e.g. 0712 345 678."] } };
  const created = await withTenant(deps.db, tenantId, { actorKind: "anonymous" }, async (tx) => {
    const [plan] = await tx.select().from(hotspotPlans).where(and(eq(hotspotPlans.tenantId, tenantId), eq(hotspotPlans.id, input.planId), eq(hotspotPlans.active, true)));
    if (!plan) return null;
    const routerId = input.device.routerId ? ((await tx.select({ id: routers.id }).from(routers).where(and(eq(routers.tenantId, tenantId), eq(routers.id, input.device.routerId))))[0]?.id ?? null) : null;
    const [purchase] = await tx
      .insert(hotspotPurchases)
      .values({ tenantId, planId: plan.id, phone, mac: input.device.mac || null, ip: input.device.ip || null, routerId, linkLoginOnly: input.device.linkLoginOnly || null })
      .returning();
    return { plan, purchase: purchase! };
  });
  if (!created) return { ok: false as const, fieldErrors: { planId: ["That plan is no longer on sale. Choose another."] } };
  const r = await startStkPayment(deps, tenantId, { actorKind: "anonymous" }, {
    phone,
    amountShillings: Math.round(created.plan.priceCents / 100),
    purpose: "voucher",
    purposeRef: created.purchase.id,
    accountReference: "WIFI",
    description: created.plan.name.slice(0, 13),
  });
  if (!r.ok) {
    await withTenant(deps.db, tenantId, { actorKind: "anonymous" }, (tx) => tx.update(hotspotPurchases).set({ status: "failed", error: r.error }).where(and(eq(hotspotPurchases.tenantId, tenantId), eq(hotspotPurchases.id, created.purchase.id))));
    return { ok: false as const, formError: r.error };
  }
  await withTenant(deps.db, tenantId, { actorKind: "anonymous" }, (tx) => tx.update(hotspotPurchases).set({ paymentId: r.payment.id }).where(and(eq(hotspotPurchases.tenantId, tenantId), eq(hotspotPurchases.id, created.purchase.id))));
  return { ok: true as const, purchaseId: created.purchase.id };
}

export type PurchaseState = "waiting" | "paid" | "cancelled" | "timeout" | "failed" | "unfulfilled";

/** Where a purchase is, in words a customer understands; with the code once paid. */
export async function purchaseStatus(tx: Tx, tenantId: string, purchaseId: string) {
  const [p] = await tx.select().from(hotspotPurchases).where(and(eq(hotspotPurchases.tenantId, tenantId), eq(hotspotPurchases.id, purchaseId)));
  if (!p) return null;
  const [pay] = p.paymentId ? await tx.select().from(payments).where(and(eq(payments.tenantId, tenantId), eq(payments.id, p.paymentId))) : [];
  const [v] = p.voucherId ? await tx.select().from(vouchers).where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.id, p.voucherId))) : [];
  const [plan] = await tx.select().from(hotspotPlans).where(and(eq(hotspotPlans.tenantId, tenantId), eq(hotspotPlans.id, p.planId)));
  const [t] = await tx.select({ timezone: tenants.timezone }).from(tenants).where(eq(tenants.id, tenantId));
  let state: PurchaseState = "waiting";
  let message = "Check your phone and enter your M-Pesa PIN.";
  if (p.status === "issued" && v) {
    state = "paid";
    message = "Paid. You are connected.";
  } else if (p.status === "unfulfilled") {
    state = "unfulfilled";
    message = "We received your payment but could not create your code. We have been told and will fix it; you can also call us.";
  } else if (p.status === "failed" || (pay && (pay.status === "failed" || pay.status === "cancelled"))) {
    state = pay?.status === "cancelled" ? "cancelled" : "failed";
    message = pay?.failureReason ?? p.error ?? "The payment did not go through.";
  } else if (pay?.status === "timeout") {
    state = "timeout";
    message = "M-Pesa did not confirm in time. If money left your account, your code will still come by SMS.";
  }
  return {
    state,
    message,
    phone: p.phone,
    plan: plan ? { name: plan.name, shillings: Math.round(plan.priceCents / 100) } : null,
    linkLoginOnly: p.linkLoginOnly,
    voucher: v ? { code: v.code, expiresAt: v.expiresAt, expiresText: v.expiresAt ? formatDateTime(v.expiresAt, t?.timezone) : null } : null,
  };
}

/**
 * The "voucher" payment purpose: in the payment's own transaction, issue the voucher, record the
 * customer, log the device in on its router, and queue the SMS/WhatsApp with the code. If the
 * voucher cannot be issued, the payment stays paid and a ticket tells the ISP (never silence).
 */
/**
 * The voucher_issued job: the buyer gets the code, plan, start and end times by SMS/WhatsApp (as
 * the ISP chose; critical, so a final failure opens a ticket).
 */
export async function sendVoucherIssued(tx: Tx, tenantId: string, voucherId: string) {
  const [row] = await tx
    .select({ v: vouchers, plan: hotspotPlans, timezone: tenants.timezone, name: customers.name })
    .from(vouchers)
    .innerJoin(hotspotPlans, and(eq(hotspotPlans.tenantId, vouchers.tenantId), eq(hotspotPlans.id, vouchers.planId)))
    .innerJoin(tenants, eq(tenants.id, vouchers.tenantId))
    .leftJoin(customers, and(eq(customers.tenantId, vouchers.tenantId), eq(customers.id, vouchers.customerId)))
    .where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.id, voucherId)));
  if (!row?.v.phone) return "skipped" as const;
  const { v, plan, timezone } = row;
  await notify(tx, tenantId, "voucher_issued", {
    phone: v.phone!,
    customerId: v.customerId,
    vars: {
      name: (row.name ?? "").trim().split(/\s+/)[0] ?? "",
      code: v.code,
      plan: plan.name,
      start: formatDateTime(v.firstUsedAt ?? v.purchasedAt, timezone),
      end: v.expiresAt ? formatDateTime(v.expiresAt, timezone) : `first use + ${describeDuration(plan.durationValue, plan.durationUnit as DurationUnit)}`,
    },
    ref: `voucher:${v.id}`,
    critical: true,
  });
  return "sent" as const;
}

export function registerVoucherPurpose(box: SecretBox) {
  registerPaymentPurpose("voucher", {
    label: "Hotspot voucher",
    async onPaid(tx: Tx, payment: PaymentRow) {
      const tenantId = payment.tenantId;
      const [p] = payment.purposeRef ? await tx.select().from(hotspotPurchases).where(and(eq(hotspotPurchases.tenantId, tenantId), eq(hotspotPurchases.id, payment.purposeRef))).for("update") : [];
      if (p?.voucherId) return;
      try {
        await tx.transaction(async (sp) => {
          if (!p) throw new Error("No purchase matches this payment.");
          const phone = payment.phone ?? p.phone;
          const name = (payment.payerName ?? "").trim();
          // The customer record: phone, the name M-Pesa gave (if any), the device and router used.
          const device = { lastMac: p.mac ?? undefined, lastRouterId: p.routerId ?? undefined };
          const [customer] = await sp
            .insert(customers)
            .values({ tenantId, phone, name, ...device })
            .onConflictDoUpdate({ target: [customers.tenantId, customers.phone], set: { ...(name ? { name } : {}), ...device, updatedAt: new Date() } })
            .returning({ id: customers.id });
          const v = await issueVoucher(sp, tenantId, { planId: p.planId, phone, paymentId: payment.id, customerId: customer!.id });
          await sp.update(hotspotPurchases).set({ status: "issued", voucherId: v.id }).where(and(eq(hotspotPurchases.tenantId, tenantId), eq(hotspotPurchases.id, p.id)));
          if (p.mac && p.ip && p.routerId) await useVoucher(sp, tenantId, box, { code: v.code, mac: p.mac, ip: p.ip, routerId: p.routerId });
          // The code by SMS/WhatsApp is a job of its own, so this transaction (and the device's
          // login behind it) does not wait for templates and providers.
          await enqueueJob(sp, "voucher_issued", { voucherId: v.id }, { priority: 5 });
        });
      } catch (err) {
        const reason = err instanceof Error ? err.message : String(err);
        if (p) await tx.update(hotspotPurchases).set({ status: "unfulfilled", error: reason.slice(0, 300) }).where(and(eq(hotspotPurchases.tenantId, tenantId), eq(hotspotPurchases.id, p.id)));
        await tx.insert(tickets).values({
          tenantId,
          kind: "payment_unfulfilled",
          subject: `Paid KES ${Math.round((payment.paidAmountCents ?? payment.amountCents) / 100)} but no voucher was issued`,
          detail: `M-Pesa ${payment.mpesaReceipt ?? ""} from ${payment.phone ?? "?"}: ${reason}`,
          ref: `payment:${payment.id}`,
          paymentId: payment.id,
        });
      }
    },
  });
}

// ---------- redeeming and checking ----------

/** Logs the device in with a code, or with the newest usable voucher bought by a phone number. */
export async function redeem(tx: Tx, tenantId: string, box: SecretBox, input: { code?: string; phone?: string; device: DeviceContext }): Promise<UseResult | { ok: false; reason: "no_device" | "no_voucher"; message: string }> {
  if (!input.device.mac || !input.device.ip || !input.device.routerId) return { ok: false, reason: "no_device", message: "Connect to the Wi-Fi first, then open this page again." };
  let code = input.code?.trim() ?? "";
  if (!code && input.phone) {
    const phone = normalizeKenyanPhone(input.phone);
    const mine = phone ? await phoneVouchers(tx, tenantId, phone) : [];
    const usable = mine.find((v) => v.state === "active" || v.state === "unused");
    if (!usable) return { ok: false, reason: "no_voucher", message: "No valid voucher was bought with that number." };
    code = usable.fullCode;
  }
  return useVoucher(tx, tenantId, box, { code, mac: input.device.mac, ip: input.device.ip, routerId: input.device.routerId });
}

/** Validity and time left of a code, without using it. */
export async function checkCode(tx: Tx, tenantId: string, code: string, now = new Date()) {
  if (!/^[A-Za-z0-9]{6,8}$/.test(code.trim())) return null;
  const [v] = await tx.select({ voucher: vouchers, plan: hotspotPlans }).from(vouchers).innerJoin(hotspotPlans, and(eq(hotspotPlans.tenantId, vouchers.tenantId), eq(hotspotPlans.id, vouchers.planId))).where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.code, code.trim())));
  if (!v) return null;
  return { state: voucherState(v.voucher, now), plan: v.plan.name, secondsLeft: secondsLeft(v.voucher, now), expiresAt: v.voucher.expiresAt, lapsesAt: v.voucher.lapsesAt };
}

const maskCode = (code: string) => `${code.slice(0, 2)}${"•".repeat(code.length - 4)}${code.slice(-2)}`;

/** A phone's vouchers, newest first. `code` is masked for the screen; `fullCode` never leaves the server. */
export async function phoneVouchers(tx: Tx, tenantId: string, phone: string, now = new Date()) {
  const rows = await tx
    .select({ voucher: vouchers, plan: hotspotPlans })
    .from(vouchers)
    .innerJoin(hotspotPlans, and(eq(hotspotPlans.tenantId, vouchers.tenantId), eq(hotspotPlans.id, vouchers.planId)))
    .where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.phone, phone)))
    .orderBy(desc(vouchers.purchasedAt))
    .limit(20);
  return rows.map((r) => ({ id: r.voucher.id, code: maskCode(r.voucher.code), fullCode: r.voucher.code, plan: r.plan.name, state: voucherState(r.voucher, now), purchasedAt: r.voucher.purchasedAt, expiresAt: r.voucher.expiresAt, secondsLeft: secondsLeft(r.voucher, now) }));
}

/** "Send my codes by SMS": the phone's usable codes go to that phone only (never shown on screen). */
export async function sendCodesBySms(tx: Tx, tenantId: string, phone: string) {
  const usable = (await phoneVouchers(tx, tenantId, phone)).filter((v) => v.state === "active" || v.state === "unused");
  if (usable.length === 0) return 0;
  const [t] = await tx.select({ businessName: tenants.businessName }).from(tenants).where(eq(tenants.id, tenantId));
  const body = `${t?.businessName ?? "Wi-Fi"} codes: ${usable.map((v) => `${v.fullCode} (${v.plan})`).join(", ")}`;
  await queueMessage(tx, tenantId, { channel: "sms", phone, body: body.slice(0, 459), event: "codes_resend", ref: `phone:${phone}` });
  return usable.length;
}

