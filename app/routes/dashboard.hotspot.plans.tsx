import { Form, useActionData, useLoaderData, useNavigation } from "react-router";
import { useEffect, useState, type ReactNode } from "react";
import type { Route } from "./+types/dashboard.hotspot.plans";
import { Alert, Button, Card, EmptyState, PageHeader, cx } from "../components/ui";
import { AvailabilityBadge, PlanFacts, SUGGESTED_PLANS, kes, type PlanView } from "../components/plan-card";
import { PlanFields, availabilityFields, planFormValues } from "../components/plan-form";
import { requireIspUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { ispCan } from "../../policies/permissions";

export function meta() {
  return [{ title: "Plans · Hotspot · mnetifi" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, viewer } = await requireIspUser(context, request, { permission: "vouchers.manage" });
  return { ...(await caller.hotspotPlans.plans()), canEdit: ispCan(viewer.user.role, "hotspot.manage") };
}

/** The form's strings as the procedure's input (availability → active/hidden). */
function planFromForm(values: Record<string, string>) {
  const { intent: _i, id: _id, availability, ...rest } = values;
  return { ...rest, ...availabilityFields(availability) };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { caller } = await requireIspUser(context, request, { permission: "hotspot.manage" });
  const values = formValues(await readForm(request));
  const { intent = "", id = "" } = values;
  const done = (message: string) => ({ ok: true as const, intent, id, message });
  try {
    switch (intent) {
      case "create": {
        const p = await caller.hotspotPlans.createPlan(planFromForm(values));
        return done(`Plan “${p.name}” added. Its profile is on its way to your routers.`);
      }
      case "update": {
        const p = await caller.hotspotPlans.updatePlan({ ...planFromForm(values), id });
        return done(`Plan “${p.name}” saved. Vouchers already sold keep what they bought.`);
      }
      case "delete": {
        const r = await caller.hotspotPlans.deletePlan({ id });
        return done(`Plan “${r.name}” deleted.`);
      }
      case "stop-selling":
      case "start-selling": {
        const p = await caller.hotspotPlans.setPlanAvailability({ id, active: intent === "start-selling" });
        return done(p.active ? `“${p.name}” is on sale again.` : `“${p.name}” is no longer sold. Vouchers already sold keep working.`);
      }
      case "move-up":
      case "move-down": {
        const ids = (await caller.hotspotPlans.plans()).plans.map((p) => p.id);
        const i = ids.indexOf(id);
        const j = intent === "move-up" ? i - 1 : i + 1;
        if (i < 0 || j < 0 || j >= ids.length) return done("");
        [ids[i], ids[j]] = [ids[j]!, ids[i]!];
        await caller.hotspotPlans.reorderPlans({ ids });
        return done("");
      }
      case "add-suggested": {
        const existing = new Set((await caller.hotspotPlans.plans()).plans.map((p) => p.name.toLowerCase()));
        const added: string[] = [];
        for (const s of SUGGESTED_PLANS) {
          if (existing.has(s.name.toLowerCase())) continue;
          added.push((await caller.hotspotPlans.createPlan({ ...s, active: true, hidden: false })).name);
        }
        return done(added.length ? `Added ${added.join(", ")}. Change any price or speed with Edit.` : "You already have these plans.");
      }
    }
    return { ok: false as const, fieldErrors: {}, formError: "Unknown action.", values };
  } catch (err) {
    return formFailure(err, values);
  }
}

type Result = ReturnType<typeof useActionData<typeof action>>;

/** The action's answer if it was for this intent (and plan), else null. */
function resultFor(r: Result, intents: string[], id?: string) {
  if (!r) return null;
  const [i, rid] = r.ok ? [r.intent, r.id] : [r.values.intent ?? "", r.values.id ?? ""];
  return intents.includes(i) && (id === undefined || rid === id) ? r : null;
}

const small = "px-2.5 py-1 text-xs";

function IntentButton({ intent, id, label, children, variant = "secondary", confirmText, className }: { intent: string; id: string; label: string; children: ReactNode; variant?: "primary" | "secondary" | "danger"; confirmText?: string; className?: string }) {
  const nav = useNavigation();
  const busy = nav.state !== "idle" && nav.formData?.get("intent") === intent && nav.formData?.get("id") === id;
  return (
    <Form method="post" preventScrollReset onSubmit={(e) => { if (confirmText && !confirm(confirmText)) e.preventDefault(); }}>
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="id" value={id} />
      <Button variant={variant} className={cx(small, className)} aria-label={label} disabled={busy}>
        {children}
      </Button>
    </Form>
  );
}

function PlanCard({ plan, index, count, canEdit, result }: { plan: PlanView; index: number; count: number; canEdit: boolean; result: Result }) {
  const mine = resultFor(result, ["update"], plan.id);
  const failed = mine && !mine.ok ? mine : null;
  const [editing, setEditing] = useState(Boolean(failed));
  const nav = useNavigation();
  const saving = nav.state !== "idle" && nav.formData?.get("intent") === "update" && nav.formData?.get("id") === plan.id;
  useEffect(() => {
    if (failed) setEditing(true);
    else if (mine?.ok) setEditing(false);
  }, [result]); // eslint-disable-line react-hooks/exhaustive-deps
  const refused = resultFor(result, ["delete", "stop-selling", "start-selling"], plan.id);
  const deleteRefused = refused && !refused.ok && refused.values.intent === "delete" ? refused.formError : null;
  const done = resultFor(result, ["update", "stop-selling", "start-selling"], plan.id);

  return (
    <li>
      <Card className={cx("p-4 sm:p-5", !plan.active && "bg-slate-50")}>
        <section aria-label={`Plan ${plan.name}`}>
          <div className="flex items-start justify-between gap-3">
            <h2 className="min-w-0 text-lg font-bold leading-tight text-slate-900">{plan.name}</h2>
            <p className="shrink-0 text-right text-lg font-bold tabular-nums text-slate-900">{kes(plan.priceCents)}</p>
          </div>
          <div className="mt-1.5 flex flex-wrap items-center gap-2">
            <AvailabilityBadge plan={plan} />
            <span className="text-xs text-slate-500">{plan.vouchers === 0 ? "No vouchers yet" : plan.vouchers === 1 ? "1 voucher sold or printed" : `${plan.vouchers.toLocaleString("en-KE")} vouchers sold or printed`}</span>
          </div>

          {editing && canEdit ? (
            <Form method="post" preventScrollReset noValidate className="mt-4 grid gap-4 rounded-lg bg-white p-3 ring-1 ring-slate-300 sm:p-4" aria-label={`Edit plan ${plan.name}`}>
              <input type="hidden" name="intent" value="update" />
              <input type="hidden" name="id" value={plan.id} />
              <PlanFields idPrefix={`plan-${plan.id}`} values={failed?.values ?? planFormValues(plan)} errors={failed?.fieldErrors ?? {}} />
              {failed?.formError ? <Alert>{failed.formError}</Alert> : null}
              <div className="flex gap-2">
                <Button type="submit" disabled={saving}>{saving ? "Saving…" : "Save plan"}</Button>
                <Button type="button" variant="secondary" onClick={() => setEditing(false)}>Cancel</Button>
              </div>
            </Form>
          ) : (
            <div className="mt-3">
              <PlanFacts plan={plan} />
            </div>
          )}

          {done?.ok && done.message ? (
            <div className="mt-3">
              <Alert tone="success">{done.message}</Alert>
            </div>
          ) : null}
          {deleteRefused ? (
            <div className="mt-3 grid gap-2">
              <Alert>{deleteRefused}</Alert>
              {plan.active ? (
                <IntentButton intent="stop-selling" id={plan.id} label={`Stop selling ${plan.name}`} variant="primary" className="justify-self-start">
                  Stop selling it instead
                </IntentButton>
              ) : null}
            </div>
          ) : null}

          {canEdit && !editing ? (
            <div className="mt-4 flex flex-wrap items-center gap-2 border-t border-slate-100 pt-3">
              <Button type="button" variant="secondary" className={small} aria-label={`Edit plan ${plan.name}`} onClick={() => setEditing(true)}>
                Edit
              </Button>
              {plan.active ? (
                <IntentButton intent="stop-selling" id={plan.id} label={`Stop selling ${plan.name}`}>Stop selling</IntentButton>
              ) : (
                <IntentButton intent="start-selling" id={plan.id} label={`Start selling ${plan.name}`}>Sell again</IntentButton>
              )}
              <IntentButton intent="delete" id={plan.id} label={`Delete plan ${plan.name}`} variant="danger" confirmText={`Delete plan “${plan.name}”? This cannot be undone.`}>
                Delete
              </IntentButton>
              <span className="ml-auto flex gap-1">
                {index > 0 ? (
                  <IntentButton intent="move-up" id={plan.id} label={`Move ${plan.name} up`}>↑</IntentButton>
                ) : null}
                {index < count - 1 ? (
                  <IntentButton intent="move-down" id={plan.id} label={`Move ${plan.name} down`}>↓</IntentButton>
                ) : null}
              </span>
            </div>
          ) : null}
        </section>
      </Card>
    </li>
  );
}

function AddPlanCard({ result }: { result: Result }) {
  const mine = resultFor(result, ["create"]);
  const failed = mine && !mine.ok ? mine : null;
  const nav = useNavigation();
  const adding = nav.state !== "idle" && nav.formData?.get("intent") === "create";
  // A new key after a successful add empties the form (and its "unlimited" switch).
  const [formKey, setFormKey] = useState(0);
  useEffect(() => {
    if (mine?.ok) setFormKey((k) => k + 1);
  }, [result]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <Card className="scroll-mt-4 p-4 sm:p-5" id="add-plan">
      <h2 className="font-semibold">Add a plan</h2>
      <p className="mt-1 text-sm text-slate-600">Customers pick it on your hotspot portal and pay by M-Pesa.</p>
      <Form key={formKey} method="post" preventScrollReset noValidate className="mt-4 grid gap-4" aria-label="Add a plan">
        <input type="hidden" name="intent" value="create" />
        <PlanFields idPrefix="new-plan" values={failed?.values ?? {}} errors={failed?.fieldErrors ?? {}} />
        {failed?.formError ? <Alert>{failed.formError}</Alert> : null}
        {mine?.ok ? <Alert tone="success">{mine.message}</Alert> : null}
        <Button type="submit" disabled={adding}>{adding ? "Adding…" : "Add plan"}</Button>
      </Form>
    </Card>
  );
}

function Suggestions({ canEdit }: { canEdit: boolean }) {
  const nav = useNavigation();
  const busy = nav.state !== "idle" && nav.formData?.get("intent") === "add-suggested";
  return (
    <EmptyState title="No plans yet">
      <p>Most hotspots in Kenya start with a few short, cheap plans and a monthly one, for example:</p>
      <ul className="mx-auto mt-4 grid max-w-md grid-cols-2 gap-2 text-left">
        {SUGGESTED_PLANS.map((s) => (
          <li key={s.name} className="rounded-lg bg-white p-3 ring-1 ring-slate-200">
            <p className="font-semibold text-slate-900">{s.name}</p>
            <p className="text-sm text-slate-700">KES {Number(s.price).toLocaleString("en-KE")}</p>
            <p className="text-xs text-slate-500">
              {s.downloadMbps}/{s.uploadMbps} Mbps · {s.devices === "1" ? "1 device" : `${s.devices} devices`}
            </p>
          </li>
        ))}
      </ul>
      {canEdit ? (
        <Form method="post" className="mt-4">
          <input type="hidden" name="intent" value="add-suggested" />
          <Button type="submit" disabled={busy}>{busy ? "Adding…" : "Add these four plans"}</Button>
          <p className="mt-2 text-xs text-slate-500">You can change prices and speeds afterwards, or add your own plan instead.</p>
        </Form>
      ) : null}
    </EmptyState>
  );
}

export default function Plans() {
  const { plans, routers, canEdit } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const shown = new Set(plans.map((p) => p.id));
  // Answers about a plan show on its card, the add form's in the add card; the rest here.
  const rid = result ? (result.ok ? result.id : (result.values.id ?? "")) : "";
  const rintent = result ? (result.ok ? result.intent : (result.values.intent ?? "")) : "";
  const elsewhere = rintent === "create" || (shown.has(rid) && rintent !== "move-up" && rintent !== "move-down");
  const top = result && !elsewhere ? (result.ok ? (result.message ? { tone: "success" as const, text: result.message } : null) : result.formError ? { tone: "error" as const, text: result.formError } : null) : null;
  const unlimited = plans.filter((p) => p.active && !p.downloadKbps && !p.uploadKbps).length;

  return (
    <div className="grid gap-6">
      <PageHeader
        title="Plans"
        description="What customers can buy on your hotspot. Each plan becomes a speed profile on every one of your routers."
        actions={
          canEdit && plans.length > 0 ? (
            <a href="#add-plan" className="self-start rounded-lg bg-white px-3 py-1.5 text-sm font-semibold text-slate-800 shadow-sm ring-1 ring-slate-300 hover:bg-slate-50 xl:hidden">
              + Add a plan
            </a>
          ) : null
        }
      />
      {top ? <Alert tone={top.tone}>{top.text}</Alert> : null}
      {plans.length > 0 && routers === 0 ? (
        <Alert tone="info">You have no routers yet. When you add one, every plan's profile is set up on it.</Alert>
      ) : null}
      <div className="grid gap-6 xl:grid-cols-[1fr_26rem]">
        <div className="grid content-start gap-4">
          {plans.length === 0 ? (
            <Suggestions canEdit={canEdit} />
          ) : (
            <>
              <p className="text-sm text-slate-600">
                {plans.length === 1 ? "1 plan" : `${plans.length} plans`}, in the order the portal shows them
                {routers > 0 ? ` · on ${routers === 1 ? "1 router" : `${routers} routers`}` : ""}
                {unlimited > 0 ? ` · ${unlimited} unlimited` : ""}
              </p>
              <ul className="grid gap-4">
                {plans.map((p, i) => (
                  <PlanCard key={p.id} plan={p} index={i} count={plans.length} canEdit={canEdit} result={result} />
                ))}
              </ul>
            </>
          )}
        </div>
        {canEdit ? (
          <div className="grid content-start gap-4">
            <AddPlanCard result={result} />
          </div>
        ) : null}
      </div>
    </div>
  );
}
