import { Form, useActionData, useLoaderData, useNavigation } from "react-router";
import { useEffect, useRef, useState, type ReactNode } from "react";
import type { Route } from "./+types/dashboard.zones";
import { Alert, Button, Card, EmptyState, Field, PageHeader, SelectField, cx } from "../components/ui";
import { requireIspUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { ispCan } from "../../policies/permissions";

export function meta() {
  return [{ title: "Zones · mnetifi" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, viewer } = await requireIspUser(context, request, { permission: "zones.view" });
  return { tree: await caller.zones.tree(), canEdit: ispCan(viewer.user.role, "zones.manage") };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { caller } = await requireIspUser(context, request, { permission: "zones.manage" });
  const values = formValues(await readForm(request));
  const { intent = "", id = "" } = values;
  const done = (message: string) => ({ ok: true as const, intent, id, message });
  try {
    switch (intent) {
      case "create-region": {
        const r = await caller.zones.regions.create({ name: values.name ?? "" });
        return done(`Region “${r.name}” added. Now add an area in it.`);
      }
      case "rename-region": {
        const r = await caller.zones.regions.rename({ id, name: values.name ?? "" });
        return done(`Region renamed to “${r.name}”.`);
      }
      case "delete-region": {
        const r = await caller.zones.regions.delete({ id });
        return done(`Region “${r.name}” deleted.`);
      }
      case "create-area": {
        const a = await caller.zones.areas.create({ regionId: values.regionId ?? "", name: values.name ?? "" });
        return done(`Area “${a.name}” added to ${a.regionName}.`);
      }
      case "update-area": {
        const a = await caller.zones.areas.update({ id, name: values.name ?? "", regionId: values.regionId || undefined });
        return done(`Area “${a.name}” saved.`);
      }
      case "delete-area": {
        const a = await caller.zones.areas.delete({ id });
        return done(`Area “${a.name}” deleted.`);
      }
      case "create-zone": {
        const z = await caller.zones.create({ name: values.name ?? "", description: values.description ?? "", areaId: values.areaId ?? "" });
        return done(`Zone “${z.name}” added.`);
      }
      case "update-zone": {
        const z = await caller.zones.update({ id, name: values.name ?? "", description: values.description ?? "", areaId: values.areaId ?? "" });
        return done(`Zone “${z.name}” saved.`);
      }
      case "delete-zone":
        const z = await caller.zones.delete({ id });
        return done(`Zone “${z.name}” deleted.`);
    }
    return { ok: false as const, fieldErrors: {}, formError: "Unknown action.", values };
  } catch (err) {
    return formFailure(err, values);
  }
}

type Tree = Awaited<ReturnType<typeof loader>>["tree"];
type Result = ReturnType<typeof useActionData<typeof action>>;

function plural(n: number, word: string) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** "2 areas · 3 zones · 1 router", wrapping between the parts only. */
function Counts({ parts, className }: { parts: Array<[number, string]>; className?: string }) {
  return (
    <p className={cx("text-sm text-slate-600", className)}>
      {parts.map(([n, word], i) => (
        <span key={word}>
          {i ? " · " : ""}
          <span className="whitespace-nowrap">{plural(n, word)}</span>
        </span>
      ))}
    </p>
  );
}

/** The action's answer if it was for this intent (and item), else null. */
function resultFor(r: Result, intent: string, id?: string) {
  if (!r) return null;
  const [i, rid] = r.ok ? [r.intent, r.id] : [r.values.intent, r.values.id];
  return i === intent && (id === undefined || rid === id) ? r : null;
}

/** Areas to choose from, grouped by region (two regions may each have a "Central"). */
function AreaOptions({ tree }: { tree: Tree }) {
  return (
    <>
      <option value="">Not in an area (place it later)</option>
      {tree.regions.map((r) =>
        r.areas.length ? (
          <optgroup key={r.id} label={r.name}>
            {r.areas.map((a) => (
              <option key={a.id} value={a.id}>{a.name}</option>
            ))}
          </optgroup>
        ) : null,
      )}
    </>
  );
}

const small = "px-2.5 py-1 text-xs";

/** Delete with a confirmation; the server refuses (with the reason) while something is still inside. */
function DeleteButton({ intent, id, label, question }: { intent: string; id: string; label: string; question: string }) {
  return (
    <Form method="post" preventScrollReset onSubmit={(e) => { if (!confirm(question)) e.preventDefault(); }}>
      <input type="hidden" name="intent" value={intent} />
      <input type="hidden" name="id" value={id} />
      <Button variant="danger" className={small} aria-label={label}>Delete</Button>
    </Form>
  );
}

type Fields = (keep: Record<string, string>, errors: Record<string, string[] | undefined>) => ReactNode;

/**
 * The top of one region, area or zone: what it is on the left, Rename/Edit and Delete on the right.
 * Rename opens a small form underneath, which opens by itself again when the server refused what
 * was typed (field errors shown, values kept) and closes once saved. A refused delete (something
 * is still inside) is explained right here too.
 */
function ItemHeader({ id, canEdit, result, children, edit, del }: {
  id: string;
  canEdit: boolean;
  result: Result;
  children: ReactNode;
  edit: { intent: string; text: string; label: string; fields: Fields };
  del: { intent: string; label: string; question: string };
}) {
  const mine = resultFor(result, edit.intent, id);
  const failed = mine && !mine.ok ? mine : null;
  const [open, setOpen] = useState(Boolean(failed));
  const nav = useNavigation();
  const saving = nav.state !== "idle" && nav.formData?.get("intent") === edit.intent && nav.formData?.get("id") === id;
  useEffect(() => {
    if (failed) setOpen(true);
    else if (mine?.ok) setOpen(false);
  }, [result]); // eslint-disable-line react-hooks/exhaustive-deps
  const deleteRefused = resultFor(result, del.intent, id);
  return (
    <>
      <div className="flex items-start justify-between gap-3">
        <div className="min-w-0 flex-1">{children}</div>
        {canEdit ? (
          <div className="flex shrink-0 gap-2">
            {open ? null : (
              <Button type="button" variant="secondary" className={small} aria-label={edit.label} aria-expanded={false} onClick={() => setOpen(true)}>
                {edit.text}
              </Button>
            )}
            <DeleteButton intent={del.intent} id={id} label={del.label} question={del.question} />
          </div>
        ) : null}
      </div>
      {canEdit && open ? (
        <Form method="post" preventScrollReset className="mt-3 grid gap-3 rounded-lg bg-white p-3 ring-1 ring-slate-300" noValidate aria-label={edit.label}>
          <input type="hidden" name="intent" value={edit.intent} />
          <input type="hidden" name="id" value={id} />
          {edit.fields(failed?.values ?? {}, failed?.fieldErrors ?? {})}
          {failed?.formError ? <Alert>{failed.formError}</Alert> : null}
          <div className="flex gap-2">
            <Button type="submit" className={small} disabled={saving}>{saving ? "Saving…" : "Save"}</Button>
            <Button type="button" variant="secondary" className={small} onClick={() => setOpen(false)}>Cancel</Button>
          </div>
        </Form>
      ) : null}
      {deleteRefused && !deleteRefused.ok && deleteRefused.formError ? (
        <div className="mt-3">
          <Alert>{deleteRefused.formError}</Alert>
        </div>
      ) : null}
    </>
  );
}

function Routers({ n }: { n: number }) {
  return (
    <span className={cx("inline-block whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium", n ? "bg-sky-50 text-sky-800 ring-1 ring-sky-200" : "bg-slate-100 text-slate-500")}>
      {n ? plural(n, "router") : "No routers"}
    </span>
  );
}

function ZoneRow({ zone, tree, canEdit, result }: { zone: Tree["unplaced"][number]; tree: Tree; canEdit: boolean; result: Result }) {
  return (
    <li className="rounded-lg bg-slate-50 px-3 py-2.5 ring-1 ring-slate-200/70">
      <ItemHeader
        id={zone.id}
        canEdit={canEdit}
        result={result}
        edit={{
          intent: "update-zone",
          text: "Edit",
          label: `Edit zone ${zone.name}`,
          fields: (keep, errors) => (
            <>
              <Field id={`zone-${zone.id}-name`} name="name" label="Zone name" defaultValue={keep.name ?? zone.name} error={errors.name?.[0]} />
              <Field id={`zone-${zone.id}-description`} name="description" label="Description (optional)" defaultValue={keep.description ?? zone.description} error={errors.description?.[0]} />
              <SelectField id={`zone-${zone.id}-area`} name="areaId" label="Area" defaultValue={keep.areaId ?? zone.areaId ?? ""} error={errors.areaId?.[0]}>
                <AreaOptions tree={tree} />
              </SelectField>
            </>
          ),
        }}
        del={{ intent: "delete-zone", label: `Delete zone ${zone.name}`, question: `Delete zone “${zone.name}”? This cannot be undone.` }}
      >
        <p className="font-semibold text-slate-900">{zone.name}</p>
        {zone.description ? <p className="text-sm text-slate-600">{zone.description}</p> : null}
        <p className="mt-1">
          <Routers n={zone.routerCount} />
        </p>
      </ItemHeader>
    </li>
  );
}

function ZoneList({ zones, tree, canEdit, result }: { zones: Tree["unplaced"]; tree: Tree; canEdit: boolean; result: Result }) {
  return (
    <ul className="grid gap-2">
      {zones.map((z) => (
        <ZoneRow key={z.id} zone={z} tree={tree} canEdit={canEdit} result={result} />
      ))}
    </ul>
  );
}

function Level({ children }: { children: ReactNode }) {
  return <span className="text-xs font-semibold uppercase tracking-wide text-slate-500">{children}</span>;
}

function AreaItem({ area: a, region, tree, canEdit, result }: { area: Tree["regions"][number]["areas"][number]; region: Tree["regions"][number]; tree: Tree; canEdit: boolean; result: Result }) {
  return (
    <li className="px-4 py-4 sm:px-5">
      <section aria-label={`Area ${a.name}`}>
        <ItemHeader
          id={a.id}
          canEdit={canEdit}
          result={result}
          edit={{
            intent: "update-area",
            text: "Rename",
            label: `Rename area ${a.name}`,
            fields: (keep, errors) => (
              <>
                <Field id={`area-${a.id}-name`} name="name" label="Area name" defaultValue={keep.name ?? a.name} error={errors.name?.[0]} />
                {tree.regions.length > 1 ? (
                  <SelectField id={`area-${a.id}-region`} name="regionId" label="Region" defaultValue={keep.regionId ?? region.id} error={errors.regionId?.[0]}>
                    {tree.regions.map((r) => (
                      <option key={r.id} value={r.id}>{r.name}</option>
                    ))}
                  </SelectField>
                ) : null}
              </>
            ),
          }}
          del={{ intent: "delete-area", label: `Delete area ${a.name}`, question: `Delete area “${a.name}” in ${region.name}?` }}
        >
          <Level>Area</Level>
          <h3 className="font-semibold leading-tight">{a.name}</h3>
          <Counts className="mt-0.5" parts={[[a.zones.length, "zone"], [a.routerCount, "router"]]} />
        </ItemHeader>
        <div className="mt-3 border-l-2 border-slate-200 pl-3 sm:pl-4">
          {a.zones.length === 0 ? <p className="text-sm text-slate-500">No zones in {a.name} yet.</p> : <ZoneList zones={a.zones} tree={tree} canEdit={canEdit} result={result} />}
        </div>
      </section>
    </li>
  );
}

function RegionCard({ region, tree, canEdit, result }: { region: Tree["regions"][number]; tree: Tree; canEdit: boolean; result: Result }) {
  return (
    <Card className="overflow-hidden">
      <section aria-label={`Region ${region.name}`}>
        <div className="border-b border-slate-200 bg-slate-50 px-4 py-4 sm:px-5">
          <ItemHeader
            id={region.id}
            canEdit={canEdit}
            result={result}
            edit={{
              intent: "rename-region",
              text: "Rename",
              label: `Rename region ${region.name}`,
              fields: (keep, errors) => <Field id={`region-${region.id}-name`} name="name" label="Region name" defaultValue={keep.name ?? region.name} error={errors.name?.[0]} />,
            }}
            del={{ intent: "delete-region", label: `Delete region ${region.name}`, question: `Delete region “${region.name}”?` }}
          >
            <Level>Region</Level>
            <h2 className="text-lg font-bold leading-tight">{region.name}</h2>
            <Counts className="mt-0.5" parts={[[region.areas.length, "area"], [region.zoneCount, "zone"], [region.routerCount, "router"]]} />
          </ItemHeader>
        </div>
        {region.areas.length === 0 ? (
          <p className="px-4 py-4 text-sm text-slate-600 sm:px-5">No areas in {region.name} yet.{canEdit ? " Add one with “Add an area”." : ""}</p>
        ) : (
          <ul className="divide-y divide-slate-100">
            {region.areas.map((a) => (
              <AreaItem key={a.id} area={a} region={region} tree={tree} canEdit={canEdit} result={result} />
            ))}
          </ul>
        )}
      </section>
    </Card>
  );
}

/** Region → area → zone, with a Kenyan example. */
function HowItWorks() {
  const steps: Array<[string, string, string]> = [
    ["Region", "Nairobi", "A county or large part of the country you serve."],
    ["Area", "Kasarani", "A part of a region, e.g. a sub-county or ward."],
    ["Zone", "Mwiki", "The estate or neighbourhood your routers serve."],
  ];
  return (
    <ol className="mt-4 grid gap-2 text-left sm:grid-cols-3 sm:gap-3">
      {steps.map(([level, example, text], i) => (
        <li key={level} className="relative rounded-lg bg-white p-3 ring-1 ring-slate-200">
          <Level>{i + 1}. {level}</Level>
          <p className="font-semibold text-slate-900">e.g. {example}</p>
          <p className="mt-0.5 text-sm text-slate-600">{text}</p>
        </li>
      ))}
    </ol>
  );
}

/** One "Add ..." card: its own success or error message, values kept on error, reset once added. */
function AddCard({ id, title, intro, intent, result, submit, busy, disabled, children }: { id: string; title: string; intro: string; intent: string; result: Result; submit: string; busy: string; disabled?: boolean; children: (keep: Record<string, string>, errors: Record<string, string[] | undefined>) => ReactNode }) {
  const mine = resultFor(result, intent);
  const failed = mine && !mine.ok ? mine : null;
  const nav = useNavigation();
  const working = nav.state !== "idle" && nav.formData?.get("intent") === intent;
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (mine?.ok) form.current?.reset();
  }, [result]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <Card className="scroll-mt-4 p-4 sm:p-5" id={id}>
      <h2 className="font-semibold">{title}</h2>
      <p className="mt-1 text-sm text-slate-600">{intro}</p>
      <Form method="post" preventScrollReset ref={form} className="mt-4 grid gap-4" noValidate>
        <input type="hidden" name="intent" value={intent} />
        {children(failed?.values ?? {}, failed?.fieldErrors ?? {})}
        {mine?.ok ? <Alert tone="success">{mine.message}</Alert> : null}
        {failed?.formError ? <Alert>{failed.formError}</Alert> : null}
        <Button type="submit" disabled={working || disabled}>{working ? busy : submit}</Button>
      </Form>
    </Card>
  );
}

export default function Zones() {
  const { tree, canEdit } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const nothingYet = tree.totals.regions === 0 && tree.totals.zones === 0;
  // Adding shows its answer in its own card, a refused rename or delete under the item; the rest here.
  const [intent, id] = result ? (result.ok ? [result.intent, result.id] : [result.values.intent ?? "", result.values.id ?? ""]) : ["", ""];
  const shown = new Set([...tree.regions.flatMap((r) => [r.id, ...r.areas.flatMap((a) => [a.id, ...a.zones.map((z) => z.id)])]), ...tree.unplaced.map((z) => z.id)]);
  const elsewhere = intent.startsWith("create-") || (result && !result.ok && shown.has(id));
  const top = result && !elsewhere ? (result.ok ? { tone: "success" as const, text: result.message } : result.formError ? { tone: "error" as const, text: result.formError } : null) : null;

  return (
    <div className="grid gap-6">
      <PageHeader
        title="Zones"
        description="Where you operate: regions hold areas, areas hold zones. Each router belongs to a zone."
        actions={
          canEdit ? (
            <nav aria-label="Add" className="flex flex-wrap gap-2 xl:hidden">
              <a href="#add-region" className="rounded-lg bg-white px-3 py-1.5 text-sm font-semibold text-slate-800 shadow-sm ring-1 ring-slate-300 hover:bg-slate-50">+ Region</a>
              <a href="#add-area" className="rounded-lg bg-white px-3 py-1.5 text-sm font-semibold text-slate-800 shadow-sm ring-1 ring-slate-300 hover:bg-slate-50">+ Area</a>
              <a href="#add-zone" className="rounded-lg bg-white px-3 py-1.5 text-sm font-semibold text-slate-800 shadow-sm ring-1 ring-slate-300 hover:bg-slate-50">+ Zone</a>
            </nav>
          ) : null
        }
      />
      {top ? <Alert tone={top.tone}>{top.text}</Alert> : null}
      <div className="grid gap-6 xl:grid-cols-[1fr_22rem]">
        <div className="grid content-start gap-4">
          {nothingYet ? (
            <EmptyState title="Map out where you operate">
              <p>
                Start with a <strong>region</strong>, add <strong>areas</strong> inside it, then the <strong>zones</strong> your routers serve, for example
                Nairobi → Kasarani → Mwiki.
              </p>
              <HowItWorks />
            </EmptyState>
          ) : (
            <>
              {tree.regions.length > 0 ? (
                <Counts parts={[[tree.totals.regions, "region"], [tree.totals.areas, "area"], [tree.totals.zones, "zone"], [tree.totals.routers, "router"]]} />
              ) : null}
              {tree.regions.map((r) => (
                <RegionCard key={r.id} region={r} tree={tree} canEdit={canEdit} result={result} />
              ))}
              {tree.unplaced.length > 0 ? (
                <Card>
                  <section aria-label="Not placed in an area" className="px-4 py-4 sm:px-5">
                    <h2 className="font-semibold">Not placed in an area</h2>
                    {canEdit ? (
                      <p className="mt-0.5 text-sm text-slate-600">
                        {tree.totals.areas > 0 ? "Use Edit to move these zones into an area." : "Add a region and an area, then use Edit to move these zones into it."}
                      </p>
                    ) : null}
                    <div className="mt-3">
                      <ZoneList zones={tree.unplaced} tree={tree} canEdit={canEdit} result={result} />
                    </div>
                  </section>
                </Card>
              ) : null}
              {tree.regions.length === 0 && canEdit ? (
                <Card className="p-4 sm:p-5">
                  <h2 className="font-semibold">Group your zones</h2>
                  <p className="mt-1 text-sm text-slate-600">Add a region, then areas inside it, so zones are easy to find as you grow.</p>
                  <HowItWorks />
                </Card>
              ) : null}
            </>
          )}
        </div>
        {canEdit ? (
          <div className="grid content-start gap-4">
            <AddCard id="add-region" title="Add a region" intro="A county or large part of the country, e.g. Nairobi or Kiambu." intent="create-region" result={result} submit="Add region" busy="Adding…">
              {(keep, errors) => <Field id="new-region-name" name="name" label="Region name" placeholder="e.g. Nairobi" defaultValue={keep.name ?? ""} error={errors.name?.[0]} />}
            </AddCard>
            <AddCard id="add-area" title="Add an area" intro="A part of a region, e.g. Kasarani in Nairobi." intent="create-area" result={result} submit="Add area" busy="Adding…" disabled={tree.regions.length === 0}>
              {(keep, errors) =>
                tree.regions.length === 0 ? (
                  <p className="rounded-lg bg-slate-50 px-3 py-2 text-sm text-slate-600">Add a region first: every area is inside one.</p>
                ) : (
                  <>
                    <SelectField id="new-area-region" name="regionId" label="In region" defaultValue={keep.regionId ?? tree.regions[0]?.id} error={errors.regionId?.[0]}>
                      {tree.regions.map((r) => (
                        <option key={r.id} value={r.id}>{r.name}</option>
                      ))}
                    </SelectField>
                    <Field id="new-area-name" name="name" label="Area name" placeholder="e.g. Kasarani" defaultValue={keep.name ?? ""} error={errors.name?.[0]} />
                  </>
                )
              }
            </AddCard>
            <AddCard id="add-zone" title="Add a zone" intro="The estate or neighbourhood a router serves, e.g. Mwiki." intent="create-zone" result={result} submit="Add zone" busy="Adding…">
              {(keep, errors) => (
                <>
                  <SelectField id="new-zone-area" name="areaId" label="In area" defaultValue={keep.areaId ?? ""} error={errors.areaId?.[0]}>
                    <AreaOptions tree={tree} />
                  </SelectField>
                  <Field id="new-zone-name" name="name" label="Zone name" placeholder="e.g. Mwiki" defaultValue={keep.name ?? ""} error={errors.name?.[0]} />
                  <Field id="new-zone-description" name="description" label="Description (optional)" defaultValue={keep.description ?? ""} error={errors.description?.[0]} />
                </>
              )}
            </AddCard>
          </div>
        ) : null}
      </div>
    </div>
  );
}
