// Internet access for vouchers: using a code on a device (first use starts the clock, the device
// limit is enforced, the router gets the user with the time left and logs the device in), and
// taking access away again at expiry, on disable, or when the sweeper finds something missed.
// Router changes go through the provisioning outbox, in the same transaction as the change.
import { and, eq, inArray, lte, isNotNull, or, sql } from "drizzle-orm";
import { hotspotSettings, routerItems, routers, tenants, voucherDevices, vouchers } from "../../../db/schema";
import type { Tx } from "../../../db/client";
import type { SecretBox } from "../secrets";
import { enqueueJob } from "../jobs";
import { provisioning } from "../provisioning";
import { notify } from "../messaging/notify";
import { expiryAtFirstUse, planProfileName, secondsLeft, voucherState, warningAt } from "./rules";
import { formatDateTime } from "../../../app/lib/format";

export type UseInput = { code: string; mac: string; ip: string; routerId: string; now?: Date };
export type UseRefusal = "invalid" | "expired" | "lapsed" | "disabled" | "device_limit";
export type UseResult =
  | { ok: true; voucherId: string; code: string; expiresAt: Date; secondsLeft: number; firstUse: boolean }
  | { ok: false; reason: UseRefusal; message: string };

const MESSAGES: Record<UseRefusal, string> = {
  invalid: "That code is not valid. Check it (capital and small letters matter) and try again.",
  expired: "This code has expired. Buy a new one to keep browsing.",
  lapsed: "This code was not used in time and is no longer valid.",
  disabled: "This code has been disabled. Please contact us.",
  device_limit: "This code is already in use on another device.",
};

export const normalizeMac = (mac: string) => mac.trim().toUpperCase().replace(/-/g, ":");
const VOUCHER_REF = (id: string) => `voucher:${id}`;

/**
 * A device uses a code on a router. Case-sensitive code; the same device may come back any
 * time; another device beyond the plan's limit is refused. The router is told the time left.
 */
/**
 * The router enforces a plan's data cap itself (limit-bytes-total on the voucher's user). It counts
 * on each router separately, so a voucher used on two routers can use the cap on each.
 */
const capBytes = (v: { dataCapMb: number | null }) => (v.dataCapMb ? v.dataCapMb * 1024 * 1024 : null);

export async function useVoucher(tx: Tx, tenantId: string, box: SecretBox, input: UseInput): Promise<UseResult> {
  const now = input.now ?? new Date();
  const mac = normalizeMac(input.mac);
  if (!/^[A-Za-z0-9]{6,8}$/.test(input.code)) return { ok: false, reason: "invalid", message: MESSAGES.invalid };
  const [v] = await tx.select().from(vouchers).where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.code, input.code))).for("update");
  if (!v) return { ok: false, reason: "invalid", message: MESSAGES.invalid };
  const state = voucherState(v, now);
  if (state === "expired" || state === "lapsed" || state === "disabled") return { ok: false, reason: state, message: MESSAGES[state] };

  const devices = await tx.select({ mac: voucherDevices.mac }).from(voucherDevices).where(and(eq(voucherDevices.tenantId, tenantId), eq(voucherDevices.voucherId, v.id)));
  if (!devices.some((d) => d.mac === mac) && devices.length >= v.devicesAllowed) return { ok: false, reason: "device_limit", message: MESSAGES.device_limit };
  await tx
    .insert(voucherDevices)
    .values({ tenantId, voucherId: v.id, mac, routerId: input.routerId, lastIp: input.ip, firstSeenAt: now, lastSeenAt: now })
    .onConflictDoUpdate({ target: [voucherDevices.tenantId, voucherDevices.voucherId, voucherDevices.mac], set: { routerId: input.routerId, lastIp: input.ip, lastSeenAt: now } });

  const firstUse = !v.firstUsedAt;
  const expiresAt = expiryAtFirstUse({ expiresAt: v.expiresAt, firstUsedAt: now, durationSeconds: v.durationSeconds });
  if (firstUse) {
    await tx.update(vouchers).set({ firstUsedAt: now, expiresAt, status: "active" }).where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.id, v.id)));
    await scheduleLifecycle(tx, tenantId, v.id, expiresAt, v.durationSeconds);
  }
  const left = secondsLeft({ expiresAt, durationSeconds: v.durationSeconds }, now);
  const p = provisioning(tx, tenantId, input.routerId, box);
  await p.ensureHotspotUser({ name: v.code, password: v.code, profile: planProfileName(v.planId), limitUptime: left, limitBytesTotal: capBytes(v), ref: VOUCHER_REF(v.id), expiresAt });
  await p.loginDevice({ user: v.code, password: v.code, mac, ip: input.ip }, { ref: VOUCHER_REF(v.id) });
  return { ok: true, voucherId: v.id, code: v.code, expiresAt, secondsLeft: left, firstUse };
}

/** The exact-time expiry job and the 90% warning (job keys: a later extension reschedules them). */
export async function scheduleLifecycle(tx: Tx, tenantId: string, voucherId: string, expiresAt: Date, durationSeconds: number) {
  await enqueueJob(tx, "voucher_expire", { voucherId }, { runAt: expiresAt, jobKey: `voucher_expire:${voucherId}` });
  const [s] = await tx.select({ warn: hotspotSettings.warnAt90 }).from(hotspotSettings).where(eq(hotspotSettings.tenantId, tenantId));
  const warnAt = warningAt({ expiresAt, durationSeconds });
  if ((s?.warn ?? true) && warnAt && warnAt > new Date()) await enqueueJob(tx, "voucher_warn", { voucherId }, { runAt: warnAt, jobKey: `voucher_warn:${voucherId}` });
}

/** Removes the voucher's user from every router that has it, and ends its sessions. */
export async function revokeAccess(tx: Tx, tenantId: string, box: SecretBox, voucherId: string) {
  const items = await tx
    .select({ routerId: routerItems.routerId, name: routerItems.name })
    .from(routerItems)
    .where(and(eq(routerItems.tenantId, tenantId), eq(routerItems.kind, "hotspot_user"), eq(routerItems.ref, VOUCHER_REF(voucherId))));
  for (const i of items) await provisioning(tx, tenantId, i.routerId, box).removeHotspotUser(i.name);
  return items.length;
}

/**
 * The voucher_expire job: at the exact expiry time, unless the voucher was extended (then it
 * reschedules itself), it is marked expired and removed from every router of the ISP.
 */
export async function expireVoucher(tx: Tx, tenantId: string, box: SecretBox, voucherId: string, now = new Date()) {
  const [v] = await tx.select().from(vouchers).where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.id, voucherId))).for("update");
  if (!v) return "gone" as const;
  if (v.expiresAt && v.expiresAt > now && !v.disabledAt) {
    await enqueueJob(tx, "voucher_expire", { voucherId }, { runAt: v.expiresAt, jobKey: `voucher_expire:${voucherId}` });
    return "rescheduled" as const;
  }
  if (!v.disabledAt) await tx.update(vouchers).set({ status: "expired" }).where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.id, voucherId)));
  await revokeAccess(tx, tenantId, box, voucherId);
  return "expired" as const;
}

/** The voucher_warn job: at 90% of the time, tells the buyer (if the voucher still runs to that end). */
export async function warnVoucher(tx: Tx, tenantId: string, voucherId: string, now = new Date()) {
  const [v] = await tx.select().from(vouchers).where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.id, voucherId))).for("update");
  if (!v || v.warnedAt || !v.phone || !v.expiresAt || voucherState(v, now) !== "active") return "skipped" as const;
  const at = warningAt(v);
  if (at && at > now) return "early" as const;
  const [t] = await tx.select({ timezone: tenants.timezone }).from(tenants).where(eq(tenants.id, tenantId));
  await notify(tx, tenantId, "voucher_90pct", {
    phone: v.phone,
    customerId: v.customerId,
    vars: { code: v.code, end: formatDateTime(v.expiresAt, t?.timezone), minutes: String(Math.max(1, Math.round(secondsLeft(v, now) / 60))) },
    ref: VOUCHER_REF(v.id),
  });
  await tx.update(vouchers).set({ warnedAt: now }).where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.id, v.id)));
  return "warned" as const;
}

/**
 * The sweeper: anything the exact-time jobs missed (worker down, job lost). Vouchers that are
 * over (expired, disabled) but still on a router are removed; their status is brought up to date.
 */
export async function sweepVoucherAccess(tx: Tx, tenantId: string, box: SecretBox, now = new Date()) {
  const over = await tx
    .select({ id: vouchers.id })
    .from(vouchers)
    .where(
      and(
        eq(vouchers.tenantId, tenantId),
        or(isNotNull(vouchers.disabledAt), lte(vouchers.expiresAt, now)),
        sql`exists (select 1 from ${routerItems} i where i.tenant_id = ${vouchers.tenantId} and i.kind = 'hotspot_user' and i.ref = 'voucher:' || ${vouchers.id}::text)`,
      ),
    )
    .limit(500);
  for (const v of over) await revokeAccess(tx, tenantId, box, v.id);
  await tx
    .update(vouchers)
    .set({ status: "expired" })
    .where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.status, "active"), lte(vouchers.expiresAt, now)));
  return over.length;
}

/** After an extension or re-enable: the user goes back on the routers its devices used. */
export async function restoreAccess(tx: Tx, tenantId: string, box: SecretBox, voucherId: string, now = new Date()) {
  const [v] = await tx.select().from(vouchers).where(and(eq(vouchers.tenantId, tenantId), eq(vouchers.id, voucherId)));
  if (!v || voucherState(v, now) !== "active" || !v.expiresAt) return 0;
  await scheduleLifecycle(tx, tenantId, v.id, v.expiresAt, v.durationSeconds);
  const used = await tx.selectDistinct({ routerId: voucherDevices.routerId }).from(voucherDevices).where(and(eq(voucherDevices.tenantId, tenantId), eq(voucherDevices.voucherId, voucherId)));
  const routerIds = used.map((u) => u.routerId).filter((r): r is string => !!r);
  const live = routerIds.length ? await tx.select({ id: routers.id }).from(routers).where(and(eq(routers.tenantId, tenantId), inArray(routers.id, routerIds))) : [];
  for (const r of live) {
    await provisioning(tx, tenantId, r.id, box).ensureHotspotUser({ name: v.code, password: v.code, profile: planProfileName(v.planId), limitUptime: secondsLeft(v, now), limitBytesTotal: capBytes(v), ref: VOUCHER_REF(v.id), expiresAt: v.expiresAt });
  }
  return live.length;
}
