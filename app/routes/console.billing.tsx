import { Form, Link, useActionData, useLoaderData, useNavigation } from "react-router";
import type { Route } from "./+types/console.billing";
import { Alert, Button, Card, Field, PageHeader, SelectField, cx } from "../components/ui";
import { Stat } from "../components/console-ui";
import { DataTable, Td } from "../components/table";
import { requirePlatformUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { formatDateTime } from "../lib/format";
import { kes } from "../lib/money";
import { platformCan } from "../../policies/permissions";

export function meta() {
  return [{ title: "Billing · mnetifi console" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, viewer } = await requirePlatformUser(context, request);
  const summary = await caller.platformBilling.summary();
  const role = viewer.user.role;
  return { summary, canManage: platformCan(role, "billing.manage"), canSettings: platformCan(role, "settings.manage") };
}

type Result = { intent: string; key?: string; ok: boolean; message?: string; fieldErrors?: Record<string, string[] | undefined>; formError?: string | null; values?: Record<string, string> };

/** A datetime-local value typed in Nairobi time (EAT, UTC+3 all year) → an instant. */
function fromNairobiLocal(v: string | undefined) {
  if (!v) return "";
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(v) ? `${v}:00+03:00` : v;
}

export async function action({ request, context }: Route.ActionArgs): Promise<Result> {
  const { caller } = await requirePlatformUser(context, request);
  const form = await readForm(request);
  const values = formValues(form);
  const intent = values.intent ?? "";
  try {
    if (intent === "tier") {
      await caller.platformBilling.saveTier({
        id: values.id,
        name: values.name,
        description: values.description ?? "",
        registrationFeeKes: values.registrationFeeKes,
        monthlyKes: values.monthlyKes,
        features: form.getAll("features").map(String),
        maxTechnicians: values.maxTechnicians ?? "",
        singleService: values.singleService === "on",
        sortOrder: values.sortOrder || "0",
        active: values.active === "on",
      });
      return { intent, key: values.key, ok: true, message: `Saved. New invoices use these prices.` };
    }
    if (intent === "payment") {
      const r = await caller.platformBilling.recordPayment({
        tenantId: values.tenantId,
        method: values.method,
        reference: values.reference,
        amountKes: values.amountKes,
        paidAt: fromNairobiLocal(values.paidAt),
        tierId: values.tierId || undefined,
        service: values.service || null,
        note: values.note || undefined,
      });
      return {
        intent,
        ok: true,
        message: r.activated
          ? `Recorded as ${r.receipt}. Invoice ${r.invoice} is paid: the plan runs until ${r.paidUntil ? formatDateTime(r.paidUntil) : "—"}.`
          : `Recorded as ${r.receipt} against invoice ${r.invoice}. The plan starts once the invoice is paid in full.`,
      };
    }
    return { intent, ok: false, formError: "Unknown action." };
  } catch (err) {
    const f = formFailure(err, values).data;
    return { intent, key: values.key, ok: false, fieldErrors: f.fieldErrors, formError: f.formError, values };
  }
}

const PHASE_LABEL: Record<string, string> = { paid: "paid", trial: "trial", lapsed: "lapsed", unbilled: "not billed", pending: "unconfirmed", suspended: "suspended", blocked: "blocked" };
const PHASE_STYLE: Record<string, string> = {
  paid: "bg-emerald-100 text-emerald-800",
  trial: "bg-sky-100 text-sky-800",
  lapsed: "bg-amber-100 text-amber-800",
  unbilled: "bg-slate-100 text-slate-700",
  pending: "bg-slate-100 text-slate-600",
  suspended: "bg-red-100 text-red-800",
  blocked: "bg-red-100 text-red-800",
};

export default function ConsoleBilling() {
  const { summary: s, canManage, canSettings } = useLoaderData<typeof loader>();
  const r = useActionData<typeof action>();
  const nav = useNavigation();
  const busy = (intent: string, key?: string) => nav.state !== "idle" && nav.formData?.get("intent") === intent && (!key || nav.formData?.get("key") === key);
  const note = (intent: string, key?: string) => (r?.intent === intent && (!key || r.key === key) && (r.message || r.formError) ? <Alert tone={r.ok ? "success" : "error"}>{r.message ?? r.formError}</Alert> : null);
  const fe = (intent: string, key?: string) => (r?.intent === intent && (!key || r.key === key) && !r.ok ? (r.fieldErrors ?? {}) : {});
  const vals = (intent: string, key?: string) => (r?.intent === intent && (!key || r.key === key) && !r.ok ? (r.values ?? {}) : {});
  const pay = vals("payment");
  const pe = fe("payment");
  return (
    <div className="grid gap-6">
        <PageHeader title="Billing" description="What ISPs pay mnetifi: recurring revenue, plans and prices, payments recorded by hand. Times in East Africa Time." />
        {!s.platformMpesa ? (
          <Alert tone="info">
            <span data-testid="mpesa-not-configured">
              M-Pesa payments to mnetifi are not configured: ISPs can only pay by bank or PayPal.{" "}
              {canSettings ? (
                <Link to="/settings" className="font-semibold underline">
                  Set up the platform's M-Pesa account in Settings
                </Link>
              ) : (
                "A super admin can set up the platform's M-Pesa account in Settings."
              )}
            </span>
          </Alert>
        ) : null}
        <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
          <Stat label="Monthly recurring revenue" value={kes(s.mrrCents)} hint="ISPs inside a paid month, at their plan's price" testId="mrr" />
          <Stat label="Paying ISPs" value={String(s.counts.paying)} testId="paying" />
          <Stat label="In the free trial" value={String(s.counts.trial)} />
          <Stat label="Dashboard closed, unpaid" value={String(s.counts.lapsed)} hint="Their customers are not affected" />
        </div>

        <div className="grid items-start gap-6 lg:grid-cols-[1fr_24rem]">
          <Card className="overflow-x-auto">
            <h2 className="px-4 pt-4 font-semibold">ISPs</h2>
            <div className="mt-3">
              <DataTable columns={["ISP", "Billing", "Plan", "Due"]}>
                {s.isps.map((i) => (
                  <tr key={i.id}>
                    <Td className="font-medium">
                      <Link to={`/tenants/${i.id}`} className="hover:text-brand-700 hover:underline">
                        {i.businessName}
                      </Link>
                      <span className="block font-mono text-xs font-normal text-slate-500">{i.slug}</span>
                    </Td>
                    <Td>
                      <span className={cx("rounded px-2 py-0.5 text-xs font-medium", PHASE_STYLE[i.phase])}>{PHASE_LABEL[i.phase] ?? i.phase}</span>
                    </Td>
                    <Td>
                      {i.tierName ?? "—"}
                      {i.service ? <span className="block text-xs text-slate-500">{i.service === "pppoe" ? "PPPoE/static" : "hotspot"}</span> : null}
                    </Td>
                    <Td className="whitespace-nowrap text-slate-600">{i.paidUntil ? formatDateTime(i.paidUntil) : i.trialEndsAt ? formatDateTime(i.trialEndsAt) : "—"}</Td>
                  </tr>
                ))}
              </DataTable>
            </div>
          </Card>
          <div className="grid content-start gap-6">
            <Card className="overflow-x-auto">
              <h2 className="px-4 pt-4 font-semibold">MRR by plan</h2>
              <div className="mt-3">
                <DataTable columns={["Plan", "ISPs", "MRR"]}>
                  {s.byTier.map((b) => (
                    <tr key={b.id}>
                      <Td>{b.name}</Td>
                      <Td>{b.isps}</Td>
                      <Td className="whitespace-nowrap">{kes(b.mrrCents)}</Td>
                    </tr>
                  ))}
                </DataTable>
              </div>
            </Card>
            {canManage ? (
              <Card className="p-5">
                <h2 className="font-semibold">Record a payment</h2>
                <p className="mt-1 text-sm text-slate-600">A bank transfer, PayPal payment or M-Pesa code paid outside the dashboard. Recorded with its reference and audited.</p>
                <Form method="post" className="mt-4 grid gap-3" noValidate>
                  <input type="hidden" name="intent" value="payment" />
                  {note("payment")}
                  <SelectField label="ISP" name="tenantId" id="pay-tenant" defaultValue={pay.tenantId ?? ""} error={pe.tenantId?.[0]}>
                    <option value="">Choose…</option>
                    {s.isps.map((i) => (
                      <option key={i.id} value={i.id}>
                        {i.businessName} ({i.slug})
                      </option>
                    ))}
                  </SelectField>
                  <SelectField label="Paid by" name="method" id="pay-method" defaultValue={pay.method ?? "bank"} error={pe.method?.[0]}>
                    <option value="bank">Bank transfer</option>
                    <option value="paypal">PayPal</option>
                    <option value="mpesa">M-Pesa (code)</option>
                  </SelectField>
                  <Field label="Reference" name="reference" id="pay-reference" defaultValue={pay.reference ?? ""} error={pe.reference?.[0]} hint="Bank slip number, PayPal transaction id or M-Pesa code" />
                  <Field label="Amount (KES)" name="amountKes" id="pay-amount" inputMode="numeric" defaultValue={pay.amountKes ?? ""} error={pe.amountKes?.[0]} />
                  <Field label="Received on (EAT)" name="paidAt" id="pay-at" type="datetime-local" defaultValue={pay.paidAt?.slice(0, 16) ?? ""} error={pe.paidAt?.[0]} />
                  <SelectField label="For plan" name="tierId" id="pay-tier" defaultValue={pay.tierId ?? ""} error={pe.tierId?.[0]} hint="Leave as is to pay the ISP's open invoice (or renew its plan)">
                    <option value="">Open invoice / current plan</option>
                    {s.tiers.map((t) => (
                      <option key={t.id} value={t.id}>
                        {t.name}
                      </option>
                    ))}
                  </SelectField>
                  <SelectField label="Runs (hotspot-or-PPPoE plans)" name="service" id="pay-service" defaultValue={pay.service ?? ""} error={pe.service?.[0]}>
                    <option value="">—</option>
                    <option value="hotspot">Hotspot</option>
                    <option value="pppoe">PPPoE / static</option>
                  </SelectField>
                  <Field label="Note (optional)" name="note" id="pay-note" defaultValue={pay.note ?? ""} error={pe.note?.[0]} />
                  <Button type="submit" disabled={busy("payment")}>
                    {busy("payment") ? "Recording…" : "Record payment"}
                  </Button>
                </Form>
              </Card>
            ) : null}
          </div>
        </div>

        <div>
          <h2 className="text-lg font-semibold">Plans and prices</h2>
          <p className="mt-1 text-sm text-slate-600">Whole shillings. Changes apply to invoices issued from now on; every feature check in the product reads these.</p>
          <div className="mt-4 grid gap-4 lg:grid-cols-2">
            {[...s.tiers.map((t) => ({ key: t.id, tier: t })), ...(canManage ? [{ key: "__new", tier: null }] : [])].map(({ key, tier }) => {
              const v = vals("tier", key);
              const e = fe("tier", key);
              const features = tier?.features ?? [];
              return (
                <Card key={key} className="p-5">
                  <h3 className="font-semibold">{tier ? tier.name : "Add a plan"}</h3>
                  <Form method="post" className="mt-3 grid gap-3 sm:grid-cols-2" noValidate>
                    <input type="hidden" name="intent" value="tier" />
                    <input type="hidden" name="key" value={key} />
                    <div className="sm:col-span-2">{note("tier", key)}</div>
                    {tier ? <input type="hidden" name="id" value={tier.id} /> : <Field label="Code" name="id" id={`tier-${key}-id`} defaultValue={v.id ?? ""} error={e.id?.[0]} hint="e.g. business (cannot change later)" />}
                    <Field label="Name" name="name" id={`tier-${key}-name`} defaultValue={v.name ?? tier?.name ?? ""} error={e.name?.[0]} />
                    <Field className="sm:col-span-2" label="Description" name="description" id={`tier-${key}-description`} defaultValue={v.description ?? tier?.description ?? ""} error={e.description?.[0]} />
                    <Field label="Registration fee (KES, once)" name="registrationFeeKes" id={`tier-${key}-reg`} inputMode="numeric" defaultValue={v.registrationFeeKes ?? (tier ? String(tier.registrationFeeCents / 100) : "0")} error={e.registrationFeeKes?.[0]} />
                    <Field label="Monthly price (KES)" name="monthlyKes" id={`tier-${key}-monthly`} inputMode="numeric" defaultValue={v.monthlyKes ?? (tier ? String(tier.monthlyCents / 100) : "")} error={e.monthlyKes?.[0]} />
                    <fieldset className="sm:col-span-2">
                      <legend className="text-sm font-medium text-slate-700">Features</legend>
                      <div className="mt-1 grid gap-1 sm:grid-cols-2">
                        {s.features.map((f) => (
                          <label key={f} className="flex items-center gap-2 text-sm">
                            <input type="checkbox" name="features" value={f} defaultChecked={features.includes(f)} className="accent-brand-600" /> {s.featureLabels[f]}
                          </label>
                        ))}
                      </div>
                      {e.features ? <p className="mt-1 text-sm text-red-600">{e.features[0]}</p> : null}
                    </fieldset>
                    <Field label="Technician accounts" name="maxTechnicians" id={`tier-${key}-tech`} inputMode="numeric" defaultValue={v.maxTechnicians ?? (tier?.maxTechnicians == null ? "" : String(tier.maxTechnicians))} error={e.maxTechnicians?.[0]} hint="Empty = unlimited" />
                    <Field label="Order on the payment page" name="sortOrder" id={`tier-${key}-sort`} inputMode="numeric" defaultValue={v.sortOrder ?? String(tier?.sortOrder ?? 30)} error={e.sortOrder?.[0]} />
                    <label className="flex items-center gap-2 text-sm sm:col-span-2">
                      <input type="checkbox" name="singleService" defaultChecked={tier?.singleService ?? false} className="accent-brand-600" /> The ISP runs hotspot <strong>or</strong> PPPoE/static (chosen when it pays)
                    </label>
                    {e.singleService ? <p className="text-sm text-red-600 sm:col-span-2">{e.singleService[0]}</p> : null}
                    <label className="flex items-center gap-2 text-sm sm:col-span-2">
                      <input type="checkbox" name="active" defaultChecked={tier?.active ?? true} className="accent-brand-600" /> Offered to ISPs
                    </label>
                    {canManage ? (
                      <div className="sm:col-span-2">
                        <Button type="submit" variant={tier ? "secondary" : "primary"} disabled={busy("tier", key)}>
                          {busy("tier", key) ? "Saving…" : tier ? `Save ${tier.name}` : "Add plan"}
                        </Button>
                      </div>
                    ) : null}
                  </Form>
                </Card>
              );
            })}
          </div>
        </div>

      </div>
  );
}
