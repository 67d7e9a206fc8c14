import { Form, Link, useActionData, useLoaderData, useNavigation } from "react-router";
import { useState, type ReactNode } from "react";
import type { Route } from "./+types/dashboard.hotspot.settings";
import { Alert, Button, Card, Field, PageHeader, SelectField, cx } from "../components/ui";
import { requireIspUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { ispCan } from "../../policies/permissions";

export function meta() {
  return [{ title: "Hotspot settings · mnetifi" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, viewer } = await requireIspUser(context, request, { permission: "vouchers.manage" });
  return { settings: await caller.hotspotPlans.settings(), canEdit: ispCan(viewer.user.role, "hotspot.manage") };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { caller } = await requireIspUser(context, request, { permission: "hotspot.manage" });
  const values = formValues(await readForm(request));
  try {
    const r = await caller.hotspotPlans.saveSettings(values);
    const message =
      r.changed.length === 0
        ? "Nothing changed."
        : r.routersUpdated > 0
          ? `Saved. The new idle logout is on its way to your ${r.routersUpdated === 1 ? "router" : `${r.routersUpdated} routers`}.`
          : "Saved. New vouchers follow these rules.";
    return { ok: true as const, message };
  } catch (err) {
    return formFailure(err, values);
  }
}

function Section({ title, children, aside }: { title: string; children: ReactNode; aside?: ReactNode }) {
  return (
    <section aria-label={title} className="grid gap-3 px-4 py-5 sm:px-5 lg:grid-cols-[16rem_1fr] lg:gap-6">
      <div>
        <h2 className="font-semibold text-slate-900">{title}</h2>
        {aside ? <div className="mt-1 text-sm text-slate-600">{aside}</div> : null}
      </div>
      <div className="grid content-start gap-3">{children}</div>
    </section>
  );
}

function Choice({ name, value, checked, onChange, title, children }: { name: string; value: string; checked: boolean; onChange: (v: string) => void; title: string; children: ReactNode }) {
  return (
    <label className={cx("flex cursor-pointer gap-3 rounded-lg p-3 ring-1", checked ? "bg-brand-50 ring-brand-500" : "bg-white ring-slate-200 hover:bg-slate-50")}>
      <input type="radio" name={name} value={value} checked={checked} onChange={() => onChange(value)} className="mt-1 h-4 w-4 shrink-0 accent-brand-600" />
      <span>
        <span className="block font-medium text-slate-900">{title}</span>
        <span className="mt-0.5 block text-sm text-slate-600">{children}</span>
      </span>
    </label>
  );
}

function Toggle({ name, checked, onChange, label, children }: { name: string; checked: boolean; onChange: (v: boolean) => void; label: string; children?: ReactNode }) {
  return (
    <label className="flex cursor-pointer items-start gap-3">
      <input type="checkbox" name={name} checked={checked} onChange={(e) => onChange(e.target.checked)} className="mt-0.5 h-5 w-5 shrink-0 accent-brand-600" />
      <span>
        <span className="block font-medium text-slate-900">{label}</span>
        {children ? <span className="mt-0.5 block text-sm text-slate-600">{children}</span> : null}
      </span>
    </label>
  );
}

export default function HotspotSettings() {
  const { settings, canEdit } = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>();
  const nav = useNavigation();
  const saving = nav.state !== "idle" && nav.formMethod === "POST";
  const failed = r && !r.ok ? r : null;
  const fe = (failed?.fieldErrors ?? {}) as Record<string, string[] | undefined>;
  const typed = failed?.values ?? null;
  const initial = (key: keyof typeof settings) => (typed ? (typed[key] ?? "") : String(settings[key]));
  const [expiryMode, setExpiryMode] = useState(typed?.expiryMode ?? settings.expiryMode);
  const [warnAt90, setWarn] = useState(typed ? typed.warnAt90 === "on" : settings.warnAt90);
  const [trial, setTrial] = useState(typed ? typed.freeTrialEnabled === "on" : settings.freeTrialEnabled);

  return (
    <div className="grid gap-6">
      <PageHeader title="Hotspot settings" description="The rules every voucher follows. Changes apply to vouchers sold from now on; a new idle logout goes to your routers at once." />
      {r?.ok ? <Alert tone="success">{r.message}</Alert> : null}
      {failed ? <Alert>{failed.formError ?? "Please correct the highlighted fields."}</Alert> : null}
      {!canEdit ? <Alert tone="info">Only the owner or an admin can change these settings.</Alert> : null}
      <Form method="post" noValidate className="max-w-4xl">
        <fieldset disabled={!canEdit} className="min-w-0">
          <Card className="divide-y divide-slate-100">
            <Section
              title="When a voucher's time starts"
              aside={
                <>
                  Example: a 1-day voucher bought at <strong>06:00</strong> and first used at <strong>16:00</strong>.
                </>
              }
            >
              <Choice name="expiryMode" value="first_use" checked={expiryMode === "first_use"} onChange={setExpiryMode} title="From first use (recommended)">
                The clock starts when the customer first logs in: the example voucher works until <strong>16:00 the next day</strong>.
              </Choice>
              <Choice name="expiryMode" value="purchase" checked={expiryMode === "purchase"} onChange={setExpiryMode} title="From purchase">
                The clock starts at payment: the example voucher works until <strong>06:00 the next day</strong>, used or not.
              </Choice>
              {fe.expiryMode?.[0] ? <p className="text-sm text-red-600">{fe.expiryMode[0]}</p> : null}
            </Section>

            <Section title="Unused vouchers" aside="So old printed or forgotten codes do not work for ever.">
              <Field
                name="lapseDays"
                label="An unused voucher lapses after (days)"
                inputMode="numeric"
                className="max-w-xs"
                defaultValue={initial("lapseDays")}
                error={fe.lapseDays?.[0]}
                hint="Counted from purchase; at least 1 day. A voucher used in time keeps all its time."
              />
            </Section>

            <Section title="Idle logout" aside="Frees the connection of a device that went quiet.">
              <Field
                name="idleTimeoutMinutes"
                label="Log out after this many idle minutes"
                inputMode="numeric"
                className="max-w-xs"
                defaultValue={initial("idleTimeoutMinutes")}
                error={fe.idleTimeoutMinutes?.[0]}
                hint="Default 15. The voucher stays usable: the customer just logs in again. Sent to every router."
              />
            </Section>

            <Section title="90% warning">
              <Toggle name="warnAt90" checked={warnAt90} onChange={setWarn} label="Warn customers when 90% of their time is used">
                Gives them a chance to buy more before they are cut off. Choose SMS or WhatsApp under{" "}
                <Link to="/dashboard/messaging/notifications" className="font-medium text-brand-700 underline">
                  Messaging → Notifications
                </Link>{" "}
                (“Voucher almost used up”).
              </Toggle>
            </Section>

            <Section title="Voucher codes" aside="Capital and small letters and digits, case-sensitive, without look-alikes such as 0/O and 1/l.">
              <div className="max-w-xs">
                <SelectField name="codeLength" label="Code length" defaultValue={initial("codeLength")} error={fe.codeLength?.[0]} hint="6 is quick to type; 8 is harder to guess.">
                <option value="6">6 characters, e.g. Ab3dE9</option>
                <option value="7">7 characters, e.g. Ab3dE9k</option>
                <option value="8">8 characters, e.g. Ab3dE9kM</option>
                </SelectField>
              </div>
            </Section>

            <Section title="Free trial" aside="A short guest pass so people can try your Wi-Fi before paying.">
              <Toggle name="freeTrialEnabled" checked={trial} onChange={setTrial} label="Offer a free trial on the portal">
                Once per device and once per phone number, at the speed of your cheapest package.
              </Toggle>
              <Field
                name="freeTrialMinutes"
                label="Trial length (minutes)"
                inputMode="numeric"
                className={cx("max-w-xs", !trial && "opacity-60")}
                defaultValue={initial("freeTrialMinutes")}
                error={fe.freeTrialMinutes?.[0]}
                hint="1 to 240 minutes."
              />
            </Section>
          </Card>
          {canEdit ? (
            <div className="mt-4 flex justify-end">
              <Button type="submit" disabled={saving} className="w-full sm:w-auto">
                {saving ? "Saving…" : "Save settings"}
              </Button>
            </div>
          ) : null}
        </fieldset>
      </Form>
    </div>
  );
}
