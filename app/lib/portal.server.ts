// The captive portal's glue between the routes and server/services/hotspot/portal.ts: which ISP
// (from the host), the signing key for the device context, small signed values carried in URLs,
// rate limits for anything a phone number can trigger, and M-Pesa outcomes in a customer's words.
import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { data, type AppLoadContext } from "react-router";
import { and, eq } from "drizzle-orm";
import { withTenant, type Tx } from "../../db/client";
import { hotspotPurchases } from "../../db/schema";
import type { AppContext } from "../../server/context";
import type { Env } from "../../server/env";
import type { PaymentDeps } from "../../server/services/payments";
import { DEVICE_FIELDS, openContext, readDeviceContext, sealContext, type DeviceContext, type PurchaseState } from "../../server/services/hotspot/portal";
import { take, waitInWords } from "../../server/services/rate-limits";

export type PortalSite = { app: AppContext; tenantId: string; businessName: string };

/** The ISP this portal belongs to (from the host); anything else is a 404. */
export function portalSite(context: AppLoadContext): PortalSite {
  const { app } = context;
  if (app.site.kind !== "tenant") throw data(null, { status: 404 });
  return { app, tenantId: app.site.tenant.id, businessName: app.site.tenant.businessName };
}

/** A transaction for an anonymous visitor of this ISP's portal (audited with ip/user agent). */
export function inPortal<T>(site: PortalSite, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const { app } = site;
  return withTenant(app.db, site.tenantId, { actorKind: "anonymous", ip: app.ip, userAgent: app.userAgent, requestId: app.requestId }, fn);
}

/** The payment deps for a purchase (the "voucher" purpose is registered at start, see server/main.ts). */
export function paymentDeps(app: AppContext): PaymentDeps {
  return { db: app.db, daraja: app.integrations.daraja, secrets: app.secrets, publicBaseUrl: app.env.PUBLIC_BASE_URL };
}

// ---------- signing ----------

let cachedKey: string | undefined;
let devSecret: Buffer | undefined;

/**
 * The HMAC key for the portal's signed values: HKDF-SHA256 of the deployment's ENCRYPTION_KEY
 * (required in production, the same on every web instance) with a label of its own, so the
 * encryption key itself is never used for anything else. Without ENCRYPTION_KEY (local runs)
 * the same local secret the server derives its encryption key from (DATA_DIR/local-secret),
 * else a random key for this process (tokens then do not survive a restart: acceptable locally).
 */
export function portalKey(env: Pick<Env, "ENCRYPTION_KEY" | "DATA_DIR">): string {
  if (cachedKey) return cachedKey;
  let ikm: Buffer;
  if (env.ENCRYPTION_KEY) ikm = Buffer.from(env.ENCRYPTION_KEY, "base64");
  else {
    try {
      ikm = fs.readFileSync(path.resolve(env.DATA_DIR, "local-secret"));
    } catch {
      ikm = devSecret ??= crypto.randomBytes(32);
    }
  }
  cachedKey = Buffer.from(crypto.hkdfSync("sha256", ikm, "mnetifi-hotspot-portal", "device-context-v1", 32)).toString("base64url");
  return cachedKey;
}

/** The router's fields (POST from login.html or GET) as a signed token, or null when none came. */
export function contextFromFields(fields: Record<string, string | undefined>, env: AppContext["env"]): string | null {
  const present = DEVICE_FIELDS.some((k) => (fields[k] ?? "") !== "");
  if (!present) return null;
  return sealContext(readDeviceContext(fields), portalKey(env));
}

/** The device context from a token (null when missing or tampered with). */
export function deviceFrom(token: string | null | undefined, env: AppContext["env"]): DeviceContext | null {
  return openContext(token ?? undefined, portalKey(env));
}

/** A small value signed for one purpose (a "connected" receipt, say); not secret, only unforgeable. */
export function sealValue(purpose: string, value: unknown, env: AppContext["env"]): string {
  const body = Buffer.from(JSON.stringify(value)).toString("base64url");
  const mac = crypto.createHmac("sha256", `${portalKey(env)}:${purpose}`).update(body).digest("base64url");
  return `${body}.${mac}`;
}

export function openValue<T>(purpose: string, token: string | null | undefined, env: AppContext["env"]): T | null {
  if (!token) return null;
  const [body, mac] = token.split(".");
  if (!body || !mac) return null;
  const want = crypto.createHmac("sha256", `${portalKey(env)}:${purpose}`).update(body).digest("base64url");
  if (mac.length !== want.length || !crypto.timingSafeEqual(Buffer.from(mac), Buffer.from(want))) return null;
  try {
    return JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as T;
  } catch {
    return null;
  }
}

// ---------- rate limits ----------

/**
 * Everything a phone number or a code can trigger is counted. Per-IP budgets are generous: all
 * of an ISP's customers reach us from the ISP's few public addresses (NAT).
 */
export const PORTAL_LIMITS = {
  /** Looking up a phone's vouchers (check, "you already have…"). */
  lookupPhone: { max: 20, windowSeconds: 15 * 60 },
  lookupIp: { max: 600, windowSeconds: 15 * 60 },
  /** "Send my codes by SMS". */
  smsPhone: { max: 3, windowSeconds: 60 * 60 },
  smsIp: { max: 60, windowSeconds: 60 * 60 },
  /** M-Pesa prompts to one phone (nobody can flood someone's phone with prompts). */
  stkPhone: { max: 5, windowSeconds: 10 * 60 },
  /** Free trials asked for from one address (each device gets one anyway; this stops scripted farming). */
  trialIp: { max: 30, windowSeconds: 60 * 60 },
  /** Codes tried (check or connect): guessing codes is slow. */
  codeIp: { max: 300, windowSeconds: 15 * 60 },
} as const;

export type Throttled = { ok: false; message: string };

/** Takes one from each budget; the first exhausted one answers in words. */
export async function throttle(tx: Tx, tenantId: string, checks: Array<[keyof typeof PORTAL_LIMITS, string]>, what: string): Promise<Throttled | null> {
  let wait = 0;
  for (const [limit, id] of checks) {
    const r = await take(tx, `portal:${tenantId}:${limit}:${id}`, PORTAL_LIMITS[limit]);
    if (!r.allowed) wait = Math.max(wait, r.retryAfterSeconds);
  }
  return wait > 0 ? { ok: false, message: `Too many ${what} for now. Try again in ${waitInWords(wait)}.` } : null;
}

// ---------- purchases ----------

/** The plan and phone of a purchase, for "Try again". */
export async function purchaseRetry(tx: Tx, tenantId: string, purchaseId: string) {
  const [p] = await tx.select({ planId: hotspotPurchases.planId, phone: hotspotPurchases.phone }).from(hotspotPurchases).where(and(eq(hotspotPurchases.tenantId, tenantId), eq(hotspotPurchases.id, purchaseId)));
  return p ?? null;
}

/**
 * The payment outcome in a customer's words (the service's messages are written for the ISP's
 * staff: "The customer cancelled…"). Unknown messages fall back to a plain sentence per state.
 */
export function customerWords(state: PurchaseState, message: string): { title: string; text: string } {
  const m = message.toLowerCase();
  switch (state) {
    case "waiting":
      return { title: "Check your phone", text: "Enter your M-Pesa PIN on the prompt to pay." };
    case "paid":
      return { title: "Paid. You are connected!", text: "" };
    case "cancelled":
      return { title: "Payment cancelled", text: "You cancelled the M-Pesa request, so no money was taken." };
    case "timeout":
      return { title: "M-Pesa did not answer in time", text: "The request was not completed. If money left your account, your code will still come by SMS; otherwise try again." };
    case "unfulfilled":
      return { title: "We received your payment", text: "But we could not create your code. We have been told and will fix it quickly; you can also call us." };
    case "failed":
      if (m.includes("wrong m-pesa pin")) return { title: "Wrong M-Pesa PIN", text: "The PIN entered was not correct, so no money was taken." };
      if (m.includes("pin is locked")) return { title: "M-Pesa PIN locked", text: "Your M-Pesa PIN is locked. Call Safaricom on 100 to unlock it, then try again." };
      if (m.includes("not enough money")) return { title: "Not enough money in M-Pesa", text: "Your M-Pesa balance is too low for this package. Top up, or choose a cheaper package." };
      if (m.includes("daily m-pesa limit")) return { title: "M-Pesa daily limit reached", text: "This number has reached its M-Pesa limit for today." };
      if (m.includes("already has an m-pesa prompt")) return { title: "A prompt is already open", text: "Your phone already has an M-Pesa request open. Wait a minute, then try again." };
      if (m.includes("repeat of the same payment")) return { title: "Wait a moment", text: "M-Pesa stopped a repeat of the same payment. Wait two minutes, then try again." };
      if (m.includes("not set up")) return { title: "Payments are not available", text: "M-Pesa payments are not available right now. Please call us." };
      return { title: "The payment did not go through", text: "No money was taken. Please try again." };
  }
}

/** A customer-facing line for a refused start of a purchase. */
export function startErrorWords(formError: string): string {
  if (/not set up/i.test(formError)) return "M-Pesa payments are not available right now. Please call us.";
  return formError;
}

// ---------- words ----------

/** "2 days 3 hours", "5 hours 12 minutes", "12 minutes", "less than a minute". */
export function timeLeftWords(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const unit = (n: number, w: string) => `${n} ${w}${n === 1 ? "" : "s"}`;
  if (d > 0) return h > 0 ? `${unit(d, "day")} ${unit(h, "hour")}` : unit(d, "day");
  if (h > 0) return m > 0 ? `${unit(h, "hour")} ${unit(m, "minute")}` : unit(h, "hour");
  if (m > 0) return unit(m, "minute");
  return "less than a minute";
}

const HEX = /^#[0-9a-f]{6}$/i;
// Only the raster types the branding upload accepts (server/services/hotspot/branding.ts); never SVG.
const LOGO = /^data:image\/(png|jpeg|webp);base64,[A-Za-z0-9+/]+={0,2}$/;

/** Branding safe to put in a style attribute and an <img>: colours only as #rrggbb, logos only as image data URLs. */
export function safeBranding<B extends { colors: { background: string; text: string; button: string }; logoDataUrl: string | null }>(b: B): B {
  return {
    ...b,
    colors: {
      background: HEX.test(b.colors.background) ? b.colors.background : "#f8fafc",
      text: HEX.test(b.colors.text) ? b.colors.text : "#0f172a",
      button: HEX.test(b.colors.button) ? b.colors.button : "#059669",
    },
    logoDataUrl: b.logoDataUrl && LOGO.test(b.logoDataUrl) ? b.logoDataUrl : null,
  };
}

export const NO_STORE = { "Cache-Control": "no-store" };
