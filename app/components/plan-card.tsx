// How a hotspot plan reads on the dashboard: price, length in words, speeds in Mbps, burst,
// data cap, devices, and whether it is on sale. Client-safe (no server imports).
import { cx } from "./ui";
import { kes } from "../lib/money";

/** 1 Mbps in the Kbit/s the plans store (the "M" RouterOS gets; server/services/hotspot/plans.ts). */
export const KBPS_PER_MBPS = 1024;

export type PlanView = {
  id: string;
  name: string;
  priceCents: number;
  durationValue: number;
  durationUnit: string;
  downloadKbps: number | null;
  uploadKbps: number | null;
  burstDownloadKbps: number | null;
  burstUploadKbps: number | null;
  burstThresholdDownloadKbps: number | null;
  burstThresholdUploadKbps: number | null;
  burstTimeSeconds: number | null;
  dataCapMb: number | null;
  devices: number;
  active: boolean;
  hidden: boolean;
  displayOrder: number;
  vouchers: number;
  profileName: string;
};

/** 5120 → "5", 512 → "0.5", 7680 → "7.5" (Mbps, at most 2 decimals). */
export function mbpsNumber(kbps: number) {
  return String(Math.round((kbps / KBPS_PER_MBPS) * 100) / 100);
}
export const mbpsText = (kbps: number) => `${mbpsNumber(kbps)} Mbps`;

/** "1 hour", "3 days" (as server/services/hotspot/rules.ts describeDuration). */
export function durationText(value: number, unit: string) {
  const singular: Record<string, string> = { minutes: "minute", hours: "hour", days: "day", weeks: "week", months: "month" };
  return `${value} ${value === 1 ? (singular[unit] ?? unit) : unit}`;
}

/** 500 → "500 MB", 10240 → "10 GB", 1536 → "1.5 GB". */
export function dataText(mb: number) {
  if (mb < 1024) return `${mb.toLocaleString("en-KE")} MB`;
  return `${(Math.round((mb / 1024) * 10) / 10).toLocaleString("en-KE")} GB`;
}

export const isUnlimited = (p: Pick<PlanView, "downloadKbps" | "uploadKbps">) => !p.downloadKbps && !p.uploadKbps;

export function speedText(p: Pick<PlanView, "downloadKbps" | "uploadKbps">) {
  if (isUnlimited(p)) return "Unlimited";
  return `${p.downloadKbps ? mbpsText(p.downloadKbps) : "—"} down / ${p.uploadKbps ? mbpsText(p.uploadKbps) : "—"} up`;
}

export function burstText(p: PlanView) {
  if (!p.burstDownloadKbps && !p.burstUploadKbps) return null;
  return `${mbpsText(p.burstDownloadKbps ?? 0)} down / ${mbpsText(p.burstUploadKbps ?? 0)} up for ${p.burstTimeSeconds ?? 8} s while under ${mbpsNumber(p.burstThresholdDownloadKbps ?? 0)} / ${mbpsNumber(p.burstThresholdUploadKbps ?? 0)} Mbps`;
}

/** The plans an ISP in Kenya usually starts with (shown when it has none). */
export const SUGGESTED_PLANS = [
  { name: "1 hour", price: "10", durationValue: "1", durationUnit: "hours", downloadMbps: "2", uploadMbps: "1", devices: "1", displayOrder: "10" },
  { name: "1 day", price: "50", durationValue: "1", durationUnit: "days", downloadMbps: "5", uploadMbps: "2", devices: "1", displayOrder: "20" },
  { name: "1 week", price: "250", durationValue: "1", durationUnit: "weeks", downloadMbps: "5", uploadMbps: "2", devices: "2", displayOrder: "30" },
  { name: "1 month", price: "800", durationValue: "1", durationUnit: "months", downloadMbps: "10", uploadMbps: "5", devices: "3", displayOrder: "40" },
];

export type Availability = "on_sale" | "hidden" | "off";
export const availabilityOf = (p: Pick<PlanView, "active" | "hidden">): Availability => (!p.active ? "off" : p.hidden ? "hidden" : "on_sale");
export const AVAILABILITY: Record<Availability, { label: string; option: string; style: string }> = {
  on_sale: { label: "On sale", option: "On sale", style: "bg-emerald-100 text-emerald-800" },
  hidden: { label: "Hidden from portal", option: "Hidden from the portal", style: "bg-slate-200 text-slate-700" },
  off: { label: "Not sold", option: "Not sold", style: "bg-amber-100 text-amber-800" },
};

export function AvailabilityBadge({ plan }: { plan: Pick<PlanView, "active" | "hidden"> }) {
  const a = AVAILABILITY[availabilityOf(plan)];
  return <span className={cx("inline-block whitespace-nowrap rounded-full px-2.5 py-0.5 text-xs font-medium", a.style)}>{a.label}</span>;
}

/** The amber note every unlimited plan carries. */
export function UnlimitedWarning({ className }: { className?: string }) {
  return (
    <p className={cx("rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-200", className)}>
      <strong>Unlimited plans can use all your bandwidth:</strong> one customer downloading can slow down everyone on that router.
    </p>
  );
}

/** The plan's facts under its name: length and speed, devices and data cap, burst, and the amber note for unlimited. */
export function PlanFacts({ plan }: { plan: PlanView }) {
  const burst = burstText(plan);
  return (
    <div className="grid gap-1 text-sm">
      <p className="text-slate-800">
        {durationText(plan.durationValue, plan.durationUnit)} ·{" "}
        {isUnlimited(plan) ? <span className="font-semibold text-amber-800">Unlimited speed</span> : speedText(plan)}
      </p>
      <p className="text-slate-600">
        {plan.devices === 1 ? "1 device" : `${plan.devices} devices`} per voucher · {plan.dataCapMb ? `${dataText(plan.dataCapMb)} data cap` : "No data cap"}
      </p>
      {burst ? (
        <p className="text-slate-600">
          <span className="font-medium text-slate-700">Burst:</span> {burst}
        </p>
      ) : null}
      {isUnlimited(plan) ? <UnlimitedWarning className="mt-2" /> : null}
    </div>
  );
}

export { kes };
