// Where an ISP stands with its subscription, computed from its tenants row and a clock. Nothing
// flips a status when a trial or a paid month ends: the dashboard closes because `now` passed
// the date, and opens again the moment a payment moves the date. Services take `now` so tests
// (and the console) can ask "and at this time?".
import { eq } from "drizzle-orm";
import { tenants } from "../../../db/schema";
import type { Tx } from "../../../db/client";

/** The billing columns of an ISP's tenants row (readable in its own context). */
export type BillingRow = {
  status: string;
  timezone: string;
  trialEndsAt: Date | null;
  paidUntil: Date | null;
  tierId: string | null;
  service: "hotspot" | "pppoe" | null;
  /** Why the platform suspended or blocked the dashboard (shown to the ISP's users). */
  holdReason?: string | null;
  heldAt?: Date | null;
};

export type BillingPhase =
  /** Email not confirmed yet: no trial, no bill. */
  | "pending"
  /** In the free trial (every feature). */
  | "trial"
  /** Inside a paid month. */
  | "paid"
  /** Active without a bill (set up by the platform: complimentary, or created before billing). */
  | "unbilled"
  /** The trial or the paid month ended unpaid: the dashboard is closed until payment. */
  | "lapsed"
  /** Closed by the platform by hand. */
  | "suspended"
  | "blocked";

export type BillingStatus = {
  phase: BillingPhase;
  /** When the current trial or paid month ends (the next due date). */
  dueAt: Date | null;
  /** For lapsed: what ended, and when. */
  lapsed: { what: "trial" | "month"; at: Date } | null;
};

export async function loadBillingRow(tx: Tx, tenantId: string): Promise<BillingRow | null> {
  const [row] = await tx
    .select({ status: tenants.status, timezone: tenants.timezone, trialEndsAt: tenants.trialEndsAt, paidUntil: tenants.paidUntil, tierId: tenants.tierId, service: tenants.service, holdReason: tenants.holdReason, heldAt: tenants.heldAt })
    .from(tenants)
    .where(eq(tenants.id, tenantId));
  return row ?? null;
}

export function billingStatus(row: Pick<BillingRow, "status" | "trialEndsAt" | "paidUntil">, now: Date): BillingStatus {
  if (row.status === "pending") return { phase: "pending", dueAt: null, lapsed: null };
  if (row.status === "suspended" || row.status === "blocked") return { phase: row.status, dueAt: row.paidUntil ?? row.trialEndsAt, lapsed: null };
  if (row.paidUntil) {
    return now < row.paidUntil ? { phase: "paid", dueAt: row.paidUntil, lapsed: null } : { phase: "lapsed", dueAt: row.paidUntil, lapsed: { what: "month", at: row.paidUntil } };
  }
  if (row.status === "trial") {
    // A trial the platform opened without an end (the demo ISP) stays open.
    if (!row.trialEndsAt) return { phase: "trial", dueAt: null, lapsed: null };
    if (now < row.trialEndsAt) return { phase: "trial", dueAt: row.trialEndsAt, lapsed: null };
    return { phase: "lapsed", dueAt: row.trialEndsAt, lapsed: { what: "trial", at: row.trialEndsAt } };
  }
  return { phase: "unbilled", dueAt: null, lapsed: null };
}

/** "12 Mar 2026, 14:05" in the ISP's timezone (Africa/Nairobi by default). */
export function formatWhen(value: Date, timeZone = "Africa/Nairobi") {
  return new Intl.DateTimeFormat("en-KE", { timeZone, day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", hour12: false }).format(value);
}

export function formatDay(value: Date, timeZone = "Africa/Nairobi") {
  return new Intl.DateTimeFormat("en-KE", { timeZone, day: "numeric", month: "long", year: "numeric" }).format(value);
}

/**
 * Why an ISP's dashboard is closed to its users at `now`, or null when it is open. The captive
 * portal, M-Pesa callbacks, router jobs and messaging never ask: customers are not touched.
 */
export function dashboardBlock(row: BillingRow | null, emailVerified: boolean, now: Date): string | null {
  if (!emailVerified || !row || row.status === "pending") return "Confirm your email address first: open the link we emailed you.";
  const s = billingStatus(row, now);
  if (s.phase === "suspended" || s.phase === "blocked") {
    const since = row.heldAt ? ` on ${formatWhen(row.heldAt, row.timezone)}` : "";
    const why = row.holdReason ? ` Reason: ${row.holdReason}${/[.!?]$/.test(row.holdReason) ? "" : "."}` : "";
    return `mnetifi ${s.phase} this dashboard${since}.${why} Your customers are not affected. Write to mnetifi support to have it restored.`;
  }
  if (s.phase === "lapsed" && s.lapsed) {
    const when = formatWhen(s.lapsed.at, row.timezone);
    return s.lapsed.what === "trial"
      ? `Your free trial ended on ${when}. Choose a plan and pay to open the dashboard again. Your customers are not affected.`
      : `Your paid month ended on ${when}. Pay to open the dashboard again. Your customers are not affected.`;
  }
  return null;
}

/** True when the dashboard is closed for non-payment (the locked page then shows the payment page). */
export function needsPayment(row: BillingRow | null, now: Date) {
  return !!row && billingStatus(row, now).phase === "lapsed";
}
