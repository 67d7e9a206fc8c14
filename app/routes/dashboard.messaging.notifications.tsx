import { Form, Link, useActionData, useLoaderData, useNavigation } from "react-router";
import type { Route } from "./+types/dashboard.messaging.notifications";
import { Alert, Button, Card, Field, PageHeader, cx } from "../components/ui";
import { requireIspUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { ispCan } from "../../policies/permissions";

export function meta() {
  return [{ title: "Notifications · Messaging · mnetifi" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, viewer } = await requireIspUser(context, request, { permission: "messaging.view" });
  return { ...(await caller.messaging.notifications()), canManage: ispCan(viewer.user.role, "messaging.manage") };
}

const DELIVERY = [
  { value: "off", label: "Off" },
  { value: "sms", label: "SMS" },
  { value: "whatsapp", label: "WhatsApp" },
  { value: "both", label: "Both" },
] as const;

export async function action({ request, context }: Route.ActionArgs) {
  const { caller } = await requireIspUser(context, request, { permission: "messaging.manage" });
  const values = formValues(await readForm(request));
  const current = await caller.messaging.notifications();
  try {
    const events = current.events.map((e) => {
      const delivery = DELIVERY.find((d) => d.value === values[`delivery.${e.event}`])?.value ?? e.delivery;
      const reminderDays =
        e.event === "expiry_reminder" && values.reminderDays !== undefined
          ? values.reminderDays
              .split(/[,\s]+/)
              .filter(Boolean)
              .map(Number)
          : undefined;
      return { event: e.event, delivery, reminderDays };
    });
    if (events.some((e) => e.reminderDays?.some((d) => !Number.isInteger(d) || d < 1 || d > 60))) {
      return { ok: false, message: null, fieldErrors: { reminderDays: ["Whole days between 1 and 60, e.g. 7, 3, 1."] }, values };
    }
    await caller.messaging.saveNotifications({ contactPhone: values.contactPhone ?? "", tagline: values.tagline ?? "", signOff: values.signOff ?? "", events });
    return { ok: true, message: "Saved. New messages use these settings at once.", fieldErrors: {}, values: {} as Record<string, string> };
  } catch (err) {
    const f = formFailure(err, values).data;
    return { ok: false, message: f.formError, fieldErrors: f.fieldErrors, values: f.values };
  }
}

export default function Notifications() {
  const d = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>();
  const nav = useNavigation();
  const fe = (r?.fieldErrors ?? {}) as Record<string, string[] | undefined>;
  const typed = r && !r.ok ? r.values : null;
  const missing = (delivery: string) => (delivery === "sms" || delivery === "both" ? !d.providers.sms : false) || (delivery === "whatsapp" || delivery === "both" ? !d.providers.whatsapp : false);
  return (
    <div className="grid gap-6">
      <PageHeader title="Notifications" description="Which automatic messages your customers get, on which channel, and the branding every message carries." />
      {r?.message ? <Alert tone={r.ok ? "success" : "error"}>{r.message}</Alert> : null}
      <Form method="post" className="grid gap-6" noValidate>
        <Card className="p-5">
          <h2 className="font-semibold">Branding</h2>
          <p className="mt-1 text-sm text-slate-600">
            Every template can use <code>{"{{business}}"}</code> ({d.branding.business}), <code>{"{{contact}}"}</code>, <code>{"{{tagline}}"}</code> and <code>{"{{signoff}}"}</code>.
          </p>
          <div className="mt-4 grid gap-4 sm:grid-cols-3">
            <Field label="Contact phone" name="contactPhone" inputMode="tel" placeholder="0712 345 678" defaultValue={typed?.contactPhone ?? d.branding.contactPhone} error={fe.contactPhone?.[0]} disabled={!d.canManage} />
            <Field label="Tagline" name="tagline" placeholder="Fast Wi-Fi for everyone" defaultValue={typed?.tagline ?? d.branding.tagline} error={fe.tagline?.[0]} disabled={!d.canManage} />
            <Field label="Sign-off" name="signOff" placeholder="Asante!" defaultValue={typed?.signOff ?? d.branding.signOff} error={fe.signOff?.[0]} disabled={!d.canManage} />
          </div>
        </Card>
        <Card className="p-5">
          <h2 className="font-semibold">Automatic messages</h2>
          <p className="mt-1 text-sm text-slate-600">
            Choose per event. Edit the wording under{" "}
            <Link to="/dashboard/messaging/sms" className="font-medium text-brand-700 hover:underline">
              SMS
            </Link>{" "}
            and{" "}
            <Link to="/dashboard/messaging/whatsapp" className="font-medium text-brand-700 hover:underline">
              WhatsApp
            </Link>
            .
          </p>
          <ul className="mt-4 divide-y divide-slate-100">
            {d.events.map((e) => {
              const chosen = typed?.[`delivery.${e.event}`] ?? e.delivery;
              return (
                <li key={e.event} className="grid gap-3 py-4 sm:grid-cols-[1fr_auto] sm:items-center">
                  <div>
                    <p className="font-medium">{e.label}</p>
                    <p className="text-sm text-slate-600">{e.description}</p>
                    {missing(e.delivery) ? <p className="mt-1 text-xs text-amber-700">The chosen channel has no provider yet: these messages will fail until you add one.</p> : null}
                    {e.reminderDays ? (
                      <div className="mt-2 max-w-xs">
                        <Field label="Days before expiry" name="reminderDays" defaultValue={typed?.reminderDays ?? e.reminderDays.join(", ")} error={fe.reminderDays?.[0]} hint="Comma-separated, e.g. 7, 3, 1" disabled={!d.canManage} />
                      </div>
                    ) : null}
                  </div>
                  <fieldset className="flex overflow-hidden rounded-lg ring-1 ring-slate-300" aria-label={`${e.label}: channel`}>
                    {DELIVERY.map((o) => (
                      <label key={o.value} className={cx("cursor-pointer px-3 py-1.5 text-sm has-[:checked]:bg-brand-600 has-[:checked]:text-white", !d.canManage && "cursor-not-allowed opacity-70")}>
                        <input type="radio" className="sr-only" name={`delivery.${e.event}`} value={o.value} defaultChecked={chosen === o.value} disabled={!d.canManage} />
                        {o.label}
                      </label>
                    ))}
                  </fieldset>
                </li>
              );
            })}
          </ul>
        </Card>
        {d.canManage ? (
          <div>
            <Button disabled={nav.state !== "idle"}>{nav.state !== "idle" ? "Saving…" : "Save notifications"}</Button>
          </div>
        ) : null}
      </Form>
    </div>
  );
}
