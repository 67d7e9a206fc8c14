// Reminders before a due date (the end of the trial, the end of a paid month): an email to the
// owner and an SMS through the platform's own sender. A sweep (cron) runs them; each (due date,
// stage) is recorded in billing_reminders under a unique key, so a reminder goes out once
// however often the sweep runs, and a new due date (after a payment) starts afresh.
import { and, desc, eq, inArray, or, isNotNull, isNull, lte, gt, sql } from "drizzle-orm";
import { billingPayments, billingReminders, platformSettings, tenants } from "../../../db/schema";
import { withPlatform, type Db } from "../../../db/client";
import { enqueueJob } from "../jobs";
import { queueEmail } from "../emails";
import { recordEvent } from "../audit";
import { withBilling, ownerContact, openInvoice, chooseTier, type BillingLinks } from "./subscriptions";
import { formatWhen } from "./state";
import { getTier } from "./tiers";
import { reminderEmail, reminderSms } from "./emails";

const DAY_MS = 86_400_000;

/** "in 3 days", "in 20 hours", "in 40 minutes". */
export function inWords(ms: number) {
  if (ms >= 2 * DAY_MS) return `in ${Math.round(ms / DAY_MS)} days`;
  if (ms >= 2 * 3_600_000) return `in ${Math.round(ms / 3_600_000)} hours`;
  return `in ${Math.max(1, Math.round(ms / 60_000))} minutes`;
}

export type ReminderResult = { tenantId: string; dueAt: Date; daysBefore: number; kind: "trial" | "renewal"; email: string | null; phone: string | null };

/**
 * Sends the reminders due at `now`. For a tenant due within the largest reminder window, the
 * tightest stage it is inside is the one sent (a 24-hour trial gets the 1-day reminder only).
 * A renewal reminder issues the renewal invoice if none is open, so the amount is known.
 */
export async function sweepBillingReminders(db: Db, links: BillingLinks, now = new Date()): Promise<ReminderResult[]> {
  const { days, due } = await withPlatform(db, { actorKind: "system", requestId: "billing-reminders" }, async (tx) => {
    const [s] = await tx.select({ days: platformSettings.reminderDays }).from(platformSettings).where(eq(platformSettings.id, 1));
    const days = [...new Set(s?.days ?? [3, 1])].filter((d) => d > 0).sort((a, b) => a - b);
    if (!days.length) return { days, due: [] };
    const horizon = new Date(now.getTime() + days[days.length - 1]! * DAY_MS);
    const dueAt = sql<Date>`coalesce(${tenants.paidUntil}, ${tenants.trialEndsAt})`;
    const due = await tx
      .select({ id: tenants.id, slug: tenants.slug, businessName: tenants.businessName, timezone: tenants.timezone, tierId: tenants.tierId, service: tenants.service, paidUntil: tenants.paidUntil, trialEndsAt: tenants.trialEndsAt })
      .from(tenants)
      .where(
        and(
          inArray(tenants.status, ["trial", "active"]),
          or(and(isNotNull(tenants.paidUntil), gt(tenants.paidUntil, now), lte(tenants.paidUntil, horizon)), and(isNull(tenants.paidUntil), eq(tenants.status, "trial"), gt(tenants.trialEndsAt, now), lte(tenants.trialEndsAt, horizon))),
        ),
      )
      .orderBy(dueAt);
    return { days, due };
  });

  const sent: ReminderResult[] = [];
  for (const t of due) {
    const dueAt = (t.paidUntil ?? t.trialEndsAt)!;
    const left = dueAt.getTime() - now.getTime();
    const stage = days.find((d) => left <= d * DAY_MS);
    if (stage === undefined) continue;
    const kind = t.paidUntil ? ("renewal" as const) : ("trial" as const);
    const result = await withBilling(db, t.id, { kind: "system", id: null, requestId: "billing-reminders" }, async (tx) => {
      const owner = await ownerContact(tx, t.id);
      // No phone on the owner's account: the number the ISP last paid from.
      const phone =
        owner?.phone ??
        (await tx.select({ phone: billingPayments.phone }).from(billingPayments).where(and(eq(billingPayments.tenantId, t.id), isNotNull(billingPayments.phone))).orderBy(desc(billingPayments.createdAt)).limit(1))[0]?.phone ??
        null;
      const [claimed] = await tx
        .insert(billingReminders)
        .values({ tenantId: t.id, kind, dueAt, daysBefore: stage, email: owner?.email ?? null, phone, sentAt: now })
        .onConflictDoNothing()
        .returning({ id: billingReminders.id });
      if (!claimed) return null;
      // A renewal reminder names the amount: the renewal invoice is issued now if none is open.
      let amountCents: number | null = null;
      let tierName: string | null = null;
      if (kind === "renewal" && t.tierId) {
        const tier = await getTier(tx, t.tierId);
        tierName = tier?.name ?? null;
        let open = await openInvoice(tx, t.id);
        if (!open && tier) {
          const issued = await chooseTier(tx, t.id, { kind: "system", id: null, requestId: "billing-reminders" }, { tierId: tier.id, service: t.service }, now, links);
          if (issued.ok) open = issued.invoice;
        }
        amountCents = open ? open.amountCents - open.paidCents : null;
      }
      const when = formatWhen(dueAt, t.timezone);
      const link = links.billingUrl(t.slug);
      if (owner?.email) {
        await queueEmail(tx, reminderEmail({ to: owner.email, businessName: t.businessName, what: kind, tierName, when, inWords: inWords(left), amountCents, link }));
      }
      if (phone) {
        await enqueueJob(tx, "send_platform_sms", { to: phone, message: reminderSms({ businessName: t.businessName, what: kind, when, amountCents, link }) }, { maxAttempts: 5 });
      }
      await recordEvent(tx, { action: "billing.reminder_sent", tenantId: t.id, actorKind: "system", details: { kind, dueAt, daysBefore: stage, email: !!owner?.email, sms: !!phone } });
      return { tenantId: t.id, dueAt, daysBefore: stage, kind, email: owner?.email ?? null, phone };
    });
    if (result) sent.push(result);
  }
  return sent;
}

/** For tests and the console: the reminders recorded for one ISP. */
export async function remindersOf(db: Db, tenantId: string) {
  return withBilling(db, tenantId, { kind: "system", id: null }, (tx) => tx.select().from(billingReminders).where(eq(billingReminders.tenantId, tenantId)).orderBy(billingReminders.sentAt));
}
