// An ISP's standing as the console shows it, and the platform's hand on it: suspend, block and
// restore, each with a reason; rename. A hold closes the ISP's dashboard only; the captive portal, M-Pesa
// callbacks, router jobs and messaging never look at it, so customers are not touched.
import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { tenants } from "../../db/schema";
import { enterTenant, type Tx } from "../../db/client";
import { brandedEmail } from "../integrations/email/layout";
import { billingStatus, formatWhen, type BillingPhase } from "./billing/state";
import { ownerContact } from "./billing/subscriptions";
import { recordEvent } from "./audit";
import { queueEmail } from "./emails";
import { businessNameField } from "./tenants";

/**
 * What the console calls an ISP's state: the billing phase in the words of the issue (trial,
 * active, suspended, blocked), with "unpaid" for a dashboard closed because a trial or paid month
 * ran out, apart from a suspension by hand.
 */
export const CONSOLE_STATUSES = ["trial", "active", "unpaid", "suspended", "blocked", "pending"] as const;
export type ConsoleStatus = (typeof CONSOLE_STATUSES)[number];

const FROM_PHASE: Record<BillingPhase, ConsoleStatus> = { pending: "pending", trial: "trial", paid: "active", unbilled: "active", lapsed: "unpaid", suspended: "suspended", blocked: "blocked" };

export function consoleStatus(row: Parameters<typeof billingStatus>[0], now: Date): ConsoleStatus {
  return FROM_PHASE[billingStatus(row, now).phase];
}

/** consoleStatus() in SQL over `tenants t`, for filtering and counting in one query (tests keep the two equal). */
export function consoleStatusSql(now: Date) {
  const at = sql`${now.toISOString()}::timestamptz`;
  return sql<ConsoleStatus>`(case
    when t.status in ('pending', 'suspended', 'blocked') then t.status
    when t.paid_until is not null then case when t.paid_until > ${at} then 'active' else 'unpaid' end
    when t.status = 'trial' then case when t.trial_ends_at is null or t.trial_ends_at > ${at} then 'trial' else 'unpaid' end
    else 'active' end)`;
}

export type HoldKind = "suspend" | "block" | "restore";
const HOLD_STATUS = { suspend: "suspended", block: "blocked" } as const;

const holdInput = z.object({
  tenantId: z.uuid(),
  kind: z.enum(["suspend", "block", "restore"], { error: "Choose suspend, block or restore." }),
  reason: z.string({ error: "Say why." }).trim().min(5, "Say why in a few words (at least 5 characters): the ISP's owner reads it.").max(500, "Keep the reason under 500 characters."),
});

type Actor = { id: string; requestId?: string | null; ip?: string | null; userAgent?: string | null };
export type HoldResult = { ok: true; status: string } | { ok: false; status: 400 | 404 | 409; fieldErrors?: Record<string, string[]>; error?: string };

/**
 * Suspends, blocks or restores an ISP's dashboard (platform context). The tenants row keeps why,
 * when, who and what it was before; the ISP's owner gets an email; the event lands in both the
 * console's audit trail and the ISP's own activity log.
 */
export async function setTenantHold(tx: Tx, actor: Actor, input: unknown, now = new Date()): Promise<HoldResult> {
  const parsed = holdInput.safeParse(input);
  if (!parsed.success) return { ok: false, status: 400, fieldErrors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]> };
  const { tenantId, kind, reason } = parsed.data;
  const [t] = await tx.select().from(tenants).where(eq(tenants.id, tenantId)).for("update");
  if (!t) return { ok: false, status: 404, error: "No such ISP." };
  const held = t.status === "suspended" || t.status === "blocked";
  let next: typeof t.status;
  if (kind === "restore") {
    if (!held) return { ok: false, status: 409, error: `${t.businessName} is not suspended or blocked.` };
    next = t.statusBeforeHold ?? "active";
    await tx.update(tenants).set({ status: next, holdReason: null, heldAt: null, heldBy: null, statusBeforeHold: null }).where(eq(tenants.id, tenantId));
  } else {
    next = HOLD_STATUS[kind];
    if (t.status === next) return { ok: false, status: 409, error: `${t.businessName} is already ${next}.` };
    // Blocking a suspended ISP (or the reverse) keeps what restoring returns to.
    const before = held ? t.statusBeforeHold! : (t.status as "pending" | "trial" | "active");
    await tx.update(tenants).set({ status: next, holdReason: reason, heldAt: now, heldBy: actor.id, statusBeforeHold: before }).where(eq(tenants.id, tenantId));
  }
  await enterTenant(tx, tenantId);
  await recordEvent(tx, {
    action: `tenant.${kind === "restore" ? "restored" : next}`,
    tenantId,
    actorKind: "platform_user",
    actorId: actor.id,
    details: { tenantId, slug: t.slug, reason, from: t.status, to: next },
    requestId: actor.requestId,
    ip: actor.ip,
    userAgent: actor.userAgent,
  });
  const owner = await ownerContact(tx, tenantId);
  if (owner?.email) await queueEmail(tx, holdEmail({ to: owner.email, businessName: t.businessName, kind, reason, when: formatWhen(now, t.timezone) }));
  return { ok: true, status: next };
}

const renameInput = z.object({ tenantId: z.uuid(), businessName: businessNameField });

/**
 * Renames an ISP (platform context; ISPs ask support, since the name is on invoices). Audited as
 * the row change and a `tenant.renamed` event in the ISP's own log.
 */
export async function renameTenant(tx: Tx, actor: Actor, input: unknown): Promise<{ ok: true; businessName: string } | { ok: false; status: 400 | 404 | 409; fieldErrors?: Record<string, string[]>; error?: string }> {
  const parsed = renameInput.safeParse(input);
  if (!parsed.success) return { ok: false, status: 400, fieldErrors: z.flattenError(parsed.error).fieldErrors as Record<string, string[]> };
  const { tenantId, businessName } = parsed.data;
  const [t] = await tx.select({ businessName: tenants.businessName, slug: tenants.slug }).from(tenants).where(eq(tenants.id, tenantId)).for("update");
  if (!t) return { ok: false, status: 404, error: "No such ISP." };
  if (t.businessName === businessName) return { ok: false, status: 409, fieldErrors: { businessName: ["That is already its name."] } };
  await tx.update(tenants).set({ businessName }).where(eq(tenants.id, tenantId));
  await enterTenant(tx, tenantId);
  await recordEvent(tx, { action: "tenant.renamed", tenantId, actorKind: "platform_user", actorId: actor.id, details: { tenantId, slug: t.slug, from: t.businessName, to: businessName }, requestId: actor.requestId, ip: actor.ip, userAgent: actor.userAgent });
  return { ok: true, businessName };
}

function holdEmail(o: { to: string; businessName: string; kind: HoldKind; reason: string; when: string }) {
  const customers = "Your customers are not affected: the hotspot keeps selling, vouchers and PPPoE keep working and payments keep being received.";
  const words = {
    suspend: { subject: `${o.businessName}: dashboard suspended`, title: "Your mnetifi dashboard is suspended", lead: `mnetifi suspended the dashboard of ${o.businessName} on ${o.when}.` },
    block: { subject: `${o.businessName}: dashboard blocked`, title: "Your mnetifi dashboard is blocked", lead: `mnetifi blocked the dashboard of ${o.businessName} on ${o.when}.` },
    restore: { subject: `${o.businessName}: dashboard open again`, title: "Your mnetifi dashboard is open again", lead: `mnetifi restored the dashboard of ${o.businessName} on ${o.when}.` },
  }[o.kind];
  const body = brandedEmail({
    title: words.title,
    preheader: words.lead,
    paragraphs: [words.lead, `Reason: ${o.reason}`, o.kind === "restore" ? "You and your team can sign in and work as before." : `${customers} Sign in and write to mnetifi support from the dashboard if you have questions.`],
  });
  return { to: o.to, subject: words.subject, ...body };
}
