// Vouchers: issuing (one, from a purchase, or a printed batch), finding, and staff changes
// (extend, modify, disable, enable, log a device out), plus what the routers say about a voucher
// now (its live sessions). The time rules are in ./rules; codes are unique across all ISPs (the
// database refuses a taken code; we draw again). Router changes go through the provisioning
// outbox; only the read of live sessions talks to routers directly (read-only, short timeout).
import { z } from "zod";
import { and, asc, desc, eq, sql, type SQL } from "drizzle-orm";
import { hotspotPlans, hotspotSettings, messagingSettings, routerItems, routers, tenants, voucherBatches, vouchers, voucherDevices, messages, payments } from "../../../db/schema";
import type { Tx } from "../../../db/client";
import type { SecretBox } from "../secrets";
import { RouterError, withRouter, type RouterApi } from "../../integrations/routeros";
import { provisioning, type Connect } from "../provisioning";
import { credentialsOf } from "../routers";
import { durationSeconds, generateCode, timesAtPurchase, type DurationUnit } from "./rules";
import { isUniqueViolation } from "../../../db/errors";

export type VoucherRow = typeof vouchers.$inferSelect;

/** The ISP's hotspot rules, with the defaults of a new ISP. */
export async function hotspotRules(tx: Tx, tenantId: string) {
  const [s] = await tx.select().from(hotspotSettings).where(eq(hotspotSettings.tenantId, tenantId));
  return { expiryMode: s?.expiryMode ?? "first_use", lapseDays: s?.lapseDays ?? 30, codeLength: s?.codeLength ?? 6, idleTimeoutMinutes: s?.idleTimeoutMinutes ?? 15 };
}

export async function getPlan(tx: Tx, tenantId: string, planId: string) {
  const [p] = await tx.select().from(hotspotPlans).where(and(eq(hotspotPlans.tenantId, tenantId), eq(hotspotPlans.id, planId)));
  return p ?? null;
}

export type IssueInput = {
  planId: string;
  phone?: string | null;
  paymentId?: string | null;
  customerId?: string | null;
  batchId?: string | null;
  codeLength?: number;
  now?: Date;
  /** Instead of the plan's (a free trial: its own length, one device). */
  durationSeconds?: number;
  devicesAllowed?: number;
};

/**
 * Issues one voucher for a plan, in the caller's transaction. A code already taken (by any ISP)
 * is refused by the database; each attempt runs in a savepoint so the transaction survives, and
 * a fresh code is drawn (at 54^6 codes a clash is rare; five in a row means something is wrong).
 */
export async function issueVoucher(tx: Tx, tenantId: string, input: IssueInput): Promise<VoucherRow> {
  const plan = await getPlan(tx, tenantId, input.planId);
  if (!plan) throw new Error(`plan ${input.planId} not found`);
  return insertVoucher(tx, tenantId, plan, await hotspotRules(tx, tenantId), input);
}

type Plan = NonNullable<Awaited<ReturnType<typeof getPlan>>>;

/** issueVoucher with the plan and rules already read (a batch reads them once). */
async function insertVoucher(tx: Tx, tenantId: string, plan: Plan, rules: Awaited<ReturnType<typeof hotspotRules>>, input: Omit<IssueInput, "planId">): Promise<VoucherRow> {
  const now = input.now ?? new Date();
  const seconds = input.durationSeconds ?? durationSeconds(plan.durationValue, plan.durationUnit as DurationUnit);
  const times = timesAtPurchase({ mode: rules.expiryMode, purchasedAt: now, durationSeconds: seconds, lapseDays: rules.lapseDays });
  for (let attempt = 1; ; attempt++) {
    const code = generateCode(input.codeLength ?? rules.codeLength);
    try {
      return await tx.transaction(async (sp) => {
        const [row] = await sp
          .insert(vouchers)
          .values({
            tenantId,
            code,
            planId: plan.id,
            batchId: input.batchId ?? null,
            paymentId: input.paymentId ?? null,
            customerId: input.customerId ?? null,
            phone: input.phone ?? null,
            durationSeconds: seconds,
            devicesAllowed: input.devicesAllowed ?? plan.devices,
            dataCapMb: plan.dataCapMb,
            purchasedAt: now,
            expiresAt: times.expiresAt,
            lapsesAt: times.lapsesAt,
          })
          .returning();
        return row!;
      });
    } catch (err) {
      if (!isUniqueViolation(err) || attempt >= 5) throw err;
    }
  }
}

/** A batch is 1 to this many vouchers (printing and the one transaction stay quick). */
export const MAX_BATCH = 1000;

export const batchInput = z.object({
  planId: z.uuid("Choose a plan."),
  count: z.coerce.number({ error: "How many vouchers?" }).int("A whole number.").min(1, "At least 1.").max(MAX_BATCH, "At most 1,000 at a time."),
  // "" (the form's default) means the ISP's default length.
  codeLength: z.preprocess((v) => (v === "" || v === null ? undefined : v), z.coerce.number({ error: "6 to 8 characters." }).int("6 to 8 characters.").min(6, "6 to 8 characters.").max(8, "6 to 8 characters.").optional()),
  name: z.string({ error: "Name the batch, e.g. “Shop cards December”." }).trim().min(2, "Name the batch, e.g. “Shop cards December”.").max(80, "Keep the name under 80 characters."),
  notes: z.string().trim().max(500, "Keep the notes under 500 characters.").default(""),
});

/**
 * A printed batch: the batch row and its vouchers, all unused, in one transaction. Only for a
 * plan that is on sale: a retired plan's router profile is removed once its last vouchers are
 * over, so new cards for it would not work. (Hidden plans are fine: staff may sell them.)
 */
export async function generateBatch(tx: Tx, tenantId: string, userId: string | null, input: z.infer<typeof batchInput>) {
  const plan = await getPlan(tx, tenantId, input.planId);
  if (!plan) return { ok: false as const, fieldErrors: { planId: ["Choose one of your plans."] } };
  if (!plan.active) return { ok: false as const, fieldErrors: { planId: [`“${plan.name}” is not on sale. Put it back on sale under Plans, or choose another plan.`] } };
  const rules = await hotspotRules(tx, tenantId);
  const codeLength = input.codeLength ?? rules.codeLength;
  const [batch] = await tx
    .insert(voucherBatches)
    .values({ tenantId, name: input.name, notes: input.notes, planId: plan.id, count: input.count, codeLength, createdBy: userId })
    .returning();
  for (let i = 0; i < input.count; i++) await insertVoucher(tx, tenantId, plan, rules, { batchId: batch!.id, codeLength });
  return { ok: true as const, batch: batch! };
}

/** The state a voucher is in now, computed in SQL so lists and filters agree with rules.voucherState. */
export const stateSql = sql<"unused" | "active" | "expired" | "lapsed" | "disabled">`case
  when ${vouchers.disabledAt} is not null then 'disabled'
  when ${vouchers.expiresAt} is not null and ${vouchers.expiresAt} <= now() then 'expired'
  when ${vouchers.firstUsedAt} is null and ${vouchers.lapsesAt} <= now() then 'lapsed'
  when ${vouchers.firstUsedAt} is null then 'unused'
  else 'active' end`;

export const voucherFilter = z.object({
  state: z.enum(["unused", "active", "expired", "lapsed", "disabled"]).optional(),
  /** Code (exact or start), or phone digits. */
  search: z.string().trim().max(40).optional(),
  batchId: z.uuid().optional(),
  limit: z.coerce.number().int().min(1).max(5000).default(100),
  /** Rows to skip (pages of the list). */
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});

/**
 * The vouchers matching the filters, newest first, one page at a time. The counts per state
 * (the tabs) are of everything the search and batch select, so each tab's number is what that
 * tab lists; `total` is how many rows the current filters match in all (for paging).
 */
export async function listVouchers(tx: Tx, tenantId: string, f: z.infer<typeof voucherFilter>) {
  const base: SQL[] = [eq(vouchers.tenantId, tenantId)];
  if (f.batchId) base.push(eq(vouchers.batchId, f.batchId));
  if (f.search) {
    const digits = f.search.replace(/\D/g, "").replace(/^0/, "");
    base.push(sql`(${vouchers.code} like ${`${f.search.replace(/[%_\\]/g, "")}%`}${digits.length >= 6 ? sql` or ${vouchers.phone} like ${`%${digits}%`}` : sql``})`);
  }
  const where = f.state ? [...base, sql`${stateSql} = ${f.state}`] : base;
  const rows = await tx
    .select({
      id: vouchers.id,
      code: vouchers.code,
      state: stateSql,
      planId: vouchers.planId,
      planName: hotspotPlans.name,
      phone: vouchers.phone,
      batchId: vouchers.batchId,
      purchasedAt: vouchers.purchasedAt,
      firstUsedAt: vouchers.firstUsedAt,
      expiresAt: vouchers.expiresAt,
      lapsesAt: vouchers.lapsesAt,
      devicesAllowed: vouchers.devicesAllowed,
      notes: vouchers.notes,
      devices: sql<number>`(select count(*)::int from ${voucherDevices} d where d.tenant_id = ${vouchers.tenantId} and d.voucher_id = ${vouchers.id})`,
    })
    .from(vouchers)
    .innerJoin(hotspotPlans, and(eq(hotspotPlans.tenantId, vouchers.tenantId), eq(hotspotPlans.id, vouchers.planId)))
    .where(and(...where))
    .orderBy(desc(vouchers.purchasedAt), desc(vouchers.code))
    .limit(f.limit)
    .offset(f.offset);
  const byState = await tx
    .select({ state: stateSql, n: sql<number>`count(*)::int` })
    .from(vouchers)
    .where(and(...base))
    .groupBy(sql`1`);
  const counts = Object.fromEntries(byState.map((c) => [c.state, c.n])) as Partial<Record<string, number>>;
  const total = f.state ? (counts[f.state] ?? 0) : byState.reduce((a, c) => a + c.n, 0);
  return { rows, counts, total, limit: f.limit, offset: f.offset };
}

/** A voucher's detail: plan, payment, devices, the messages about it and its router changes. */
export async function voucherDetail(tx: Tx, tenantId: string, id: string) {
  const [v] = await tx.select({ voucher: vouchers, state: stateSql, plan: hotspotPlans }).from(vouchers).innerJoin(hotspotPlans, and(eq(hotspotPlans.tenantId, vouchers.tenantId), eq(hotspotPlans.id, vouchers.planId))).where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.id, id)));
  if (!v) return null;
  const [payment] = v.voucher.paymentId ? await tx.select().from(payments).where(and(eq(payments.tenantId, tenantId), eq(payments.id, v.voucher.paymentId))) : [];
  const devices = await tx.select().from(voucherDevices).where(and(eq(voucherDevices.tenantId, tenantId), eq(voucherDevices.voucherId, id))).orderBy(voucherDevices.firstSeenAt);
  const msgs = await tx.select().from(messages).where(and(eq(messages.tenantId, tenantId), eq(messages.ref, `voucher:${id}`))).orderBy(desc(messages.createdAt)).limit(20);
  const [batch] = v.voucher.batchId ? await tx.select().from(voucherBatches).where(and(eq(voucherBatches.tenantId, tenantId), eq(voucherBatches.id, v.voucher.batchId))) : [];
  return { ...v, payment: payment ?? null, devices, messages: msgs, batch: batch ?? null };
}

/**
 * Adds time: a running voucher's end moves later; one not started yet gets a longer duration.
 * An expired voucher becomes usable again (its end moves from now).
 */
export async function extendVoucher(tx: Tx, tenantId: string, id: string, extraSeconds: number, now = new Date()) {
  const [v] = await tx.select().from(vouchers).where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.id, id))).for("update");
  if (!v) return null;
  const from = v.expiresAt && v.expiresAt > now ? v.expiresAt : v.expiresAt ? now : null;
  const [row] = await tx
    .update(vouchers)
    .set(from ? { expiresAt: new Date(from.getTime() + extraSeconds * 1000), warnedAt: null } : { durationSeconds: v.durationSeconds + extraSeconds })
    .where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.id, id)))
    .returning();
  return row!;
}

export async function setVoucherDisabled(tx: Tx, tenantId: string, id: string, disabled: boolean) {
  const [row] = await tx
    .update(vouchers)
    // The status column follows; what a voucher *is* now is always computed (stateSql, rules.voucherState).
    .set({ disabledAt: disabled ? new Date() : null, status: disabled ? "disabled" : sql`case when ${vouchers.firstUsedAt} is null then 'unused' else 'active' end` })
    .where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.id, id)))
    .returning();
  return row ?? null;
}

export function listBatches(tx: Tx, tenantId: string) {
  return tx
    .select({ id: voucherBatches.id, name: voucherBatches.name, notes: voucherBatches.notes, count: voucherBatches.count, createdAt: voucherBatches.createdAt, planName: hotspotPlans.name })
    .from(voucherBatches)
    .innerJoin(hotspotPlans, and(eq(hotspotPlans.tenantId, voucherBatches.tenantId), eq(hotspotPlans.id, voucherBatches.planId)))
    .where(eq(voucherBatches.tenantId, tenantId))
    .orderBy(desc(voucherBatches.createdAt))
    .limit(50);
}


// ---------- modify ----------

export const modifyInput = z.object({
  id: z.uuid("Not a valid voucher."),
  devicesAllowed: z.coerce.number({ error: "How many devices?" }).int("A whole number.").min(1, "At least 1.").max(100, "At most 100."),
  notes: z.string().trim().max(500, "Keep the notes under 500 characters.").default(""),
});

export type ModifyResult =
  | { ok: true; voucher: VoucherRow; changed: Array<"devicesAllowed" | "notes">; before: { devicesAllowed: number }; devicesUsed: number }
  | { ok: false; fieldErrors: Record<string, string[]> };

/**
 * Changes a voucher's device limit and notes. A lower limit only stops new devices: the ones
 * already on it keep working (useVoucher lets a known device back in). A higher limit is capped
 * at the plan's devices, because every router lets that many online at once per code (the
 * plan's profile, shared-users): more would be refused by the router, not by mnetifi.
 */
export async function modifyVoucher(tx: Tx, tenantId: string, input: z.infer<typeof modifyInput>): Promise<ModifyResult | null> {
  const [row] = await tx
    .select({ voucher: vouchers, planDevices: hotspotPlans.devices })
    .from(vouchers)
    .innerJoin(hotspotPlans, and(eq(hotspotPlans.tenantId, vouchers.tenantId), eq(hotspotPlans.id, vouchers.planId)))
    .where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.id, input.id)))
    .for("update", { of: vouchers });
  if (!row) return null;
  const v = row.voucher;
  const max = Math.max(row.planDevices, v.devicesAllowed);
  if (input.devicesAllowed !== v.devicesAllowed && input.devicesAllowed > max) {
    return { ok: false, fieldErrors: { devicesAllowed: [`At most ${max}: the plan's routers let ${max} ${max === 1 ? "device" : "devices"} online at once with one code.`] } };
  }
  const changed: Array<"devicesAllowed" | "notes"> = [];
  if (input.devicesAllowed !== v.devicesAllowed) changed.push("devicesAllowed");
  if (input.notes !== v.notes) changed.push("notes");
  const [{ n: devicesUsed }] = (await tx
    .select({ n: sql<number>`count(*)::int` })
    .from(voucherDevices)
    .where(and(eq(voucherDevices.tenantId, tenantId), eq(voucherDevices.voucherId, v.id)))) as [{ n: number }];
  if (changed.length === 0) return { ok: true, voucher: v, changed, before: { devicesAllowed: v.devicesAllowed }, devicesUsed };
  const [updated] = await tx
    .update(vouchers)
    .set({ devicesAllowed: input.devicesAllowed, notes: input.notes })
    .where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.id, v.id)))
    .returning();
  return { ok: true, voucher: updated!, changed, before: { devicesAllowed: v.devicesAllowed }, devicesUsed };
}

// ---------- the routers a voucher is on, its live sessions, logging a device out ----------

const voucherRef = (id: string) => `voucher:${id}`;

/** The ISP's routers a voucher's devices used or its hotspot user is on, by name. */
export function voucherRouters(tx: Tx, tenantId: string, voucherId: string) {
  return tx
    .select()
    .from(routers)
    .where(
      and(
        eq(routers.tenantId, tenantId),
        sql`${routers.id} in (
          select d.router_id from ${voucherDevices} d where d.tenant_id = ${tenantId} and d.voucher_id = ${voucherId} and d.router_id is not null
          union
          select i.router_id from ${routerItems} i where i.tenant_id = ${tenantId} and i.kind = 'hotspot_user' and i.ref = ${voucherRef(voucherId)})`,
      ),
    )
    .orderBy(asc(routers.name));
}

export type LiveSession = { mac: string; ip: string; loginBy: string; uptimeSeconds: number; bytesIn: number; bytesOut: number };
export type RouterSessions = { routerId: string; routerName: string } & ({ status: "ok"; sessions: LiveSession[] } | { status: "unreachable"; reason: string });

/** What the live-sessions read needs from the router API (RouterApi.hotspotSessions). */
type SessionsApi = { hotspotSessions(filter: { user: string }): Promise<Array<{ address: string; macAddress: string; loginBy: string; uptimeSeconds: number; bytesIn: number; bytesOut: number }>> };
const readsSessions = (api: RouterApi): api is RouterApi & SessionsApi => typeof (api as Partial<SessionsApi>).hotspotSessions === "function";

/** Per router: connecting and each command. */
export const SESSIONS_TIMEOUT_SECONDS = 2;
/** For one router in all (connect, read, close), so the page never waits longer than this. */
export const SESSIONS_DEADLINE_MS = 4000;

function within<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RouterError("timeout", message)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
}

/**
 * Asks each router the voucher is on, at the same time, who is logged in with its code now
 * (`/ip/hotspot/active` where user = the code; read-only). A router that does not answer in time
 * is reported as not reachable with the reason; it never fails the whole answer.
 */
export async function voucherLiveSessions(tx: Tx, tenantId: string, box: SecretBox, voucherId: string, opts: { connect?: Connect; deadlineMs?: number } = {}) {
  const [v] = await tx.select({ code: vouchers.code }).from(vouchers).where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.id, voucherId)));
  if (!v) return null;
  const list = await voucherRouters(tx, tenantId, voucherId);
  const connect: Connect = opts.connect ?? ((router, fn) => withRouter({ ...credentialsOf(router, box), timeoutSeconds: SESSIONS_TIMEOUT_SECONDS }, fn));
  const deadline = opts.deadlineMs ?? SESSIONS_DEADLINE_MS;
  const answers = await Promise.all(
    list.map(async (r): Promise<RouterSessions> => {
      const where = { routerId: r.id, routerName: r.name };
      try {
        const read = connect(r, async (api) => {
          // Until the router integration can list sessions (RouterApi.hotspotSessions), say so.
          if (!readsSessions(api)) throw new RouterError("protocol", "This version of mnetifi cannot read live sessions from routers.");
          return api.hotspotSessions({ user: v.code });
        });
        const sessions = await within(read, deadline, `The router did not answer within ${Math.round(deadline / 1000)} s.`);
        return {
          ...where,
          status: "ok",
          sessions: sessions.map((s) => ({ mac: s.macAddress, ip: s.address, loginBy: s.loginBy, uptimeSeconds: s.uptimeSeconds, bytesIn: s.bytesIn, bytesOut: s.bytesOut })),
        };
      } catch (err) {
        // Unreadable saved credentials and the like are this router's problem too, not the page's.
        return { ...where, status: "unreachable", reason: err instanceof RouterError ? err.message : "The router could not be read." };
      }
    }),
  );
  return { code: v.code, routers: answers, checkedAt: new Date() };
}

export const logoutInput = z.object({
  id: z.uuid("Not a valid voucher."),
  routerId: z.uuid("Not a valid router."),
  mac: z
    .string()
    .trim()
    .regex(/^[0-9A-Fa-f]{2}([:-][0-9A-Fa-f]{2}){5}$/, "Not a valid MAC address.")
    .transform((m) => m.toUpperCase().replace(/-/g, ":")),
});

/**
 * Logs one device out on a router: a `kick_hotspot_user` operation for the code and that MAC in
 * the provisioning outbox (the router's sync job ends that session; the code's other devices stay).
 * The code stays valid: the device may log in again while the voucher lasts (disable it to stop that).
 */
export async function logoutVoucherDevice(tx: Tx, tenantId: string, box: SecretBox, input: z.infer<typeof logoutInput>) {
  const [v] = await tx.select({ id: vouchers.id, code: vouchers.code }).from(vouchers).where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.id, input.id)));
  if (!v) return null;
  const router = (await voucherRouters(tx, tenantId, v.id)).find((r) => r.id === input.routerId);
  if (!router) return { ok: false as const, error: "This voucher is not on that router." };
  const operationId = await provisioning(tx, tenantId, router.id, box).kickHotspotUser(v.code, { mac: input.mac });
  return { ok: true as const, operationId, code: v.code, routerName: router.name };
}

// ---------- printable cards ----------

/** A batch as its printed cards need it: the ISP's name and contact, the plan, and every code in the order generated. */
export async function batchCards(tx: Tx, tenantId: string, batchId: string) {
  const [b] = await tx
    .select({ batch: voucherBatches, plan: hotspotPlans })
    .from(voucherBatches)
    .innerJoin(hotspotPlans, and(eq(hotspotPlans.tenantId, voucherBatches.tenantId), eq(hotspotPlans.id, voucherBatches.planId)))
    .where(and(eq(voucherBatches.tenantId, tenantId), eq(voucherBatches.id, batchId)));
  if (!b) return null;
  const [t] = await tx.select({ businessName: tenants.businessName }).from(tenants).where(eq(tenants.id, tenantId));
  const [m] = await tx.select({ contactPhone: messagingSettings.contactPhone }).from(messagingSettings).where(eq(messagingSettings.tenantId, tenantId));
  const cards = await tx
    .select({ id: vouchers.id, code: vouchers.code, state: stateSql, devicesAllowed: vouchers.devicesAllowed })
    .from(vouchers)
    .where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.batchId, batchId)))
    .orderBy(asc(vouchers.purchasedAt), asc(vouchers.code))
    .limit(MAX_BATCH);
  return { business: t?.businessName ?? "", contactPhone: m?.contactPhone ?? "", batch: b.batch, plan: b.plan, cards };
}
