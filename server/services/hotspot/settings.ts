// An ISP's hotspot rules (design §7): when a voucher's time starts, when an unused one lapses,
// the idle logout, the 90% warning, the voucher code length and the free trial. The captive
// portal's branding lives in the same row but is changed elsewhere; saving the rules here never
// touches it.
import { z } from "zod";
import { eq } from "drizzle-orm";
import { hotspotSettings } from "../../../db/schema";
import type { Tx } from "../../../db/client";

export const EXPIRY_MODES = ["first_use", "purchase"] as const;

/** What a new ISP gets until it saves its own rules (the table's defaults). */
export const DEFAULT_HOTSPOT_RULES = {
  expiryMode: "first_use" as (typeof EXPIRY_MODES)[number],
  lapseDays: 30,
  idleTimeoutMinutes: 15,
  warnAt90: true,
  codeLength: 6,
  freeTrialEnabled: false,
  freeTrialMinutes: 10,
};
export type HotspotRules = typeof DEFAULT_HOTSPOT_RULES;

/** A whole number from a form ("15") or a caller (15); "" is missing. */
const whole = (missing: string, min: number, max: number, range: string) =>
  z.preprocess(
    (v) => (typeof v === "string" ? (v.trim() === "" ? undefined : Number(v.trim())) : v),
    z.number({ error: missing }).int(`Enter a whole number: ${range}.`).min(min, `Enter ${range}.`).max(max, `Enter ${range}.`),
  );

/** A checkbox: "on"/"true"/true is yes; anything else (an unticked box sends nothing) is no. */
const checkbox = z.preprocess((v) => v === true || v === "on" || v === "true" || v === "1", z.boolean());

const settingsFields = z.object({
  expiryMode: z.enum(EXPIRY_MODES, { error: "Choose when a voucher's time starts." }),
  lapseDays: whole("Enter after how many days an unused voucher lapses.", 1, 365, "1 to 365 days"),
  idleTimeoutMinutes: whole("Enter the idle logout in minutes, e.g. 15.", 1, 1440, "1 to 1440 minutes (24 hours)"),
  warnAt90: checkbox,
  codeLength: whole("Choose the code length.", 6, 8, "6, 7 or 8 characters"),
  freeTrialEnabled: checkbox,
  freeTrialMinutes: whole("Enter the free trial's length in minutes.", 1, 240, "1 to 240 minutes"),
});
export type HotspotRulesInput = z.output<typeof settingsFields>;
/** What the form (strings) or a caller may send: every field is checked. */
export type SettingsFormInput = { [K in keyof z.input<typeof settingsFields>]?: unknown };
export const settingsInput = settingsFields as unknown as z.ZodType<HotspotRulesInput, SettingsFormInput>;

/** The ISP's rules, with the defaults when it has not saved any. */
export async function getHotspotSettings(tx: Tx, tenantId: string): Promise<HotspotRules & { saved: boolean }> {
  const [s] = await tx.select().from(hotspotSettings).where(eq(hotspotSettings.tenantId, tenantId));
  if (!s) return { ...DEFAULT_HOTSPOT_RULES, saved: false };
  return {
    expiryMode: s.expiryMode,
    lapseDays: s.lapseDays,
    idleTimeoutMinutes: s.idleTimeoutMinutes,
    warnAt90: s.warnAt90,
    codeLength: s.codeLength,
    freeTrialEnabled: s.freeTrialEnabled,
    freeTrialMinutes: s.freeTrialMinutes,
    saved: true,
  };
}

/**
 * Saves the rules (only these columns: the portal's branding stays as it is). Returns what
 * changed, by field name, so the caller can audit it and re-sync the router profiles when the
 * idle logout changed.
 */
export async function saveHotspotSettings(tx: Tx, tenantId: string, input: HotspotRulesInput) {
  const before = await getHotspotSettings(tx, tenantId);
  await tx
    .insert(hotspotSettings)
    .values({ tenantId, ...input })
    .onConflictDoUpdate({ target: hotspotSettings.tenantId, set: input });
  const changed = (Object.keys(input) as Array<keyof typeof input>).filter((k) => before[k] !== input[k]);
  return { settings: { ...input, saved: true }, changed };
}

/** RouterOS idle-timeout for the ISP's idle logout, e.g. "15m". */
export const idleTimeoutText = (minutes: number) => `${minutes}m`;
