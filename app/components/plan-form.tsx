// The fields of the add/edit plan form. Values are the form's strings (what was typed, kept on
// an error); errors are the server's field errors by name.
import { useState } from "react";
import { Field, SelectField, cx } from "./ui";
import { AVAILABILITY, UnlimitedWarning, availabilityOf, isUnlimited, mbpsNumber, type Availability, type PlanView } from "./plan-card";

type Errors = Record<string, string[] | undefined>;

const UNITS = [
  ["minutes", "Minutes"],
  ["hours", "Hours"],
  ["days", "Days"],
  ["weeks", "Weeks"],
  ["months", "Months (30 days)"],
] as const;

const BURST_FIELDS = ["burstDownloadMbps", "burstUploadMbps", "burstThresholdDownloadMbps", "burstThresholdUploadMbps", "burstTimeSeconds"];

/** A saved plan as the form's strings. */
export function planFormValues(p: PlanView): Record<string, string> {
  const m = (kbps: number | null) => (kbps ? mbpsNumber(kbps) : "");
  const cents = p.priceCents % 100;
  return {
    name: p.name,
    price: cents ? (p.priceCents / 100).toFixed(2) : String(p.priceCents / 100),
    durationValue: String(p.durationValue),
    durationUnit: p.durationUnit,
    unlimited: isUnlimited(p) ? "on" : "",
    downloadMbps: m(p.downloadKbps),
    uploadMbps: m(p.uploadKbps),
    burstDownloadMbps: m(p.burstDownloadKbps),
    burstUploadMbps: m(p.burstUploadKbps),
    burstThresholdDownloadMbps: m(p.burstThresholdDownloadKbps),
    burstThresholdUploadMbps: m(p.burstThresholdUploadKbps),
    burstTimeSeconds: p.burstTimeSeconds ? String(p.burstTimeSeconds) : "",
    dataCapMb: p.dataCapMb ? String(p.dataCapMb) : "",
    devices: String(p.devices),
    availability: availabilityOf(p),
    displayOrder: String(p.displayOrder),
  };
}

/** The availability choice as the procedure's active/hidden. */
export function availabilityFields(value: string | undefined) {
  const a = (value ?? "on_sale") as Availability;
  return { active: a !== "off", hidden: a === "hidden" };
}

/** The add/edit form's fields; `idPrefix` keeps ids unique when several forms are on the page. */
export function PlanFields({ idPrefix, values, errors }: { idPrefix: string; values: Record<string, string>; errors: Errors }) {
  const [unlimited, setUnlimited] = useState(values.unlimited === "on" || values.unlimited === "true");
  const id = (name: string) => `${idPrefix}-${name}`;
  const err = (name: string) => errors[name]?.[0];
  const burstOpen = BURST_FIELDS.some((f) => values[f] || errors[f]);
  return (
    <div className="grid gap-4">
      <Field id={id("name")} name="name" label="Plan name" placeholder="e.g. 1 hour" defaultValue={values.name ?? ""} error={err("name")} maxLength={40} />
      <div className="grid gap-4 sm:grid-cols-[1fr_1fr]">
        <Field id={id("price")} name="price" label="Price (KES)" inputMode="decimal" placeholder="e.g. 50" defaultValue={values.price ?? ""} error={err("price")} />
        <fieldset className="min-w-0">
          <legend className="block text-sm font-medium text-slate-700">Lasts</legend>
          <div className="mt-1 grid grid-cols-[5rem_1fr] gap-2">
            <input
              id={id("durationValue")}
              name="durationValue"
              inputMode="numeric"
              aria-label="Duration"
              placeholder="1"
              defaultValue={values.durationValue ?? "1"}
              aria-invalid={err("durationValue") ? true : undefined}
              aria-describedby={err("durationValue") ? `${id("durationValue")}-error` : undefined}
              className={cx("block w-full rounded-lg border bg-white px-3 py-2 text-base shadow-sm outline-none focus:ring-2 sm:text-sm", err("durationValue") ? "border-red-400 focus:ring-red-200" : "border-slate-300 focus:border-brand-500 focus:ring-brand-100")}
            />
            <select
              id={id("durationUnit")}
              name="durationUnit"
              aria-label="Duration unit"
              defaultValue={values.durationUnit ?? "hours"}
              aria-invalid={err("durationUnit") ? true : undefined}
              className={cx("block w-full rounded-lg border bg-white px-3 py-2 text-base shadow-sm outline-none focus:ring-2 sm:text-sm", err("durationUnit") ? "border-red-400 focus:ring-red-200" : "border-slate-300 focus:border-brand-500 focus:ring-brand-100")}
            >
              {UNITS.map(([v, label]) => (
                <option key={v} value={v}>{label}</option>
              ))}
            </select>
          </div>
          {err("durationValue") || err("durationUnit") ? (
            <p id={`${id("durationValue")}-error`} className="mt-1 text-sm text-red-600">{err("durationValue") ?? err("durationUnit")}</p>
          ) : null}
        </fieldset>
      </div>

      <fieldset className="grid gap-3 rounded-lg bg-slate-50 p-3 ring-1 ring-slate-200">
        <legend className="sr-only">Speed</legend>
        <div className="flex items-center justify-between gap-3">
          <span className="text-sm font-medium text-slate-700">Speed</span>
          <label className="flex items-center gap-2 text-sm text-slate-700">
            <input type="checkbox" name="unlimited" checked={unlimited} onChange={(e) => setUnlimited(e.target.checked)} className="h-4 w-4 accent-brand-600" />
            Unlimited speed
          </label>
        </div>
        {unlimited ? (
          <UnlimitedWarning />
        ) : (
          <>
            <div className="grid grid-cols-2 gap-3">
              <Field id={id("downloadMbps")} name="downloadMbps" label="Download (Mbps)" inputMode="decimal" placeholder="e.g. 5" defaultValue={values.downloadMbps ?? ""} error={err("downloadMbps")} />
              <Field id={id("uploadMbps")} name="uploadMbps" label="Upload (Mbps)" inputMode="decimal" placeholder="e.g. 2" defaultValue={values.uploadMbps ?? ""} error={err("uploadMbps")} />
            </div>
            <p className="-mt-1 text-xs text-slate-500">Decimals are fine: 0.5 Mbps is 512 kbps.</p>
            <details className="group rounded-lg bg-white p-3 ring-1 ring-slate-200" open={burstOpen || undefined}>
              <summary className="cursor-pointer text-sm font-medium text-slate-700">Burst (optional)</summary>
              <p className="mt-2 text-sm text-slate-600">
                Lets a customer go faster for a few seconds, so pages open quickly, while their average speed stays under the threshold. Fill in all five, or
                leave them all empty.
              </p>
              <div className="mt-3 grid grid-cols-2 gap-3">
                <Field id={id("burstDownloadMbps")} name="burstDownloadMbps" label="Burst down (Mbps)" inputMode="decimal" placeholder="e.g. 10" defaultValue={values.burstDownloadMbps ?? ""} error={err("burstDownloadMbps")} />
                <Field id={id("burstUploadMbps")} name="burstUploadMbps" label="Burst up (Mbps)" inputMode="decimal" placeholder="e.g. 4" defaultValue={values.burstUploadMbps ?? ""} error={err("burstUploadMbps")} />
                <Field id={id("burstThresholdDownloadMbps")} name="burstThresholdDownloadMbps" label="Threshold down (Mbps)" inputMode="decimal" placeholder="e.g. 4" defaultValue={values.burstThresholdDownloadMbps ?? ""} error={err("burstThresholdDownloadMbps")} />
                <Field id={id("burstThresholdUploadMbps")} name="burstThresholdUploadMbps" label="Threshold up (Mbps)" inputMode="decimal" placeholder="e.g. 1.5" defaultValue={values.burstThresholdUploadMbps ?? ""} error={err("burstThresholdUploadMbps")} />
                <Field id={id("burstTimeSeconds")} name="burstTimeSeconds" label="Burst time (seconds)" inputMode="numeric" placeholder="e.g. 8" defaultValue={values.burstTimeSeconds ?? ""} error={err("burstTimeSeconds")} className="col-span-2 sm:col-span-1" />
              </div>
            </details>
          </>
        )}
      </fieldset>

      <div className="grid grid-cols-2 gap-3">
        <Field id={id("devices")} name="devices" label="Devices per voucher" inputMode="numeric" defaultValue={values.devices ?? "1"} error={err("devices")} hint="Used at the same time" />
        <Field id={id("dataCapMb")} name="dataCapMb" label="Data cap (MB)" inputMode="numeric" placeholder="None" defaultValue={values.dataCapMb ?? ""} error={err("dataCapMb")} hint="Optional; 1024 = 1 GB" />
      </div>
      <SelectField id={id("availability")} name="availability" label="Availability" defaultValue={values.availability ?? "on_sale"} hint="Hidden plans are not on the portal, but staff can still print vouchers for them.">
        {(Object.keys(AVAILABILITY) as Availability[]).map((a) => (
          <option key={a} value={a}>{AVAILABILITY[a].option}</option>
        ))}
      </SelectField>
      <Field id={id("displayOrder")} name="displayOrder" label="Display order" inputMode="numeric" placeholder="After the others" className="max-w-[12rem]" defaultValue={values.displayOrder ?? ""} error={err("displayOrder")} hint="Lower numbers show first." />
    </div>
  );
}
