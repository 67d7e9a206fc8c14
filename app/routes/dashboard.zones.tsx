import { Form, useActionData, useLoaderData, useNavigation } from "react-router";
import { useEffect, useRef } from "react";
import type { Route } from "./+types/dashboard.zones";
import { Alert, Button, Card, EmptyState, Field, PageHeader } from "../components/ui";
import { requireIspUser } from "../lib/session.server";
import { formFailure, formValues } from "../lib/forms.server";

export function meta() {
  return [{ title: "Zones · mnetifi" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, viewer } = await requireIspUser(context, request, { permission: "zones.view" });
  return { zones: await caller.zones.list(), canEdit: viewer.user.role === "owner" || viewer.user.role === "admin" };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { caller } = await requireIspUser(context, request);
  const form = await request.formData();
  const values = formValues(form);
  try {
    if (values.intent === "delete") {
      await caller.zones.delete({ id: values.id ?? "" });
      return { ok: true as const, message: "Zone deleted." };
    }
    const zone = await caller.zones.create({ name: values.name ?? "", description: values.description ?? "" });
    return { ok: true as const, message: `Zone “${zone.name}” added.` };
  } catch (err) {
    return formFailure(err, values);
  }
}

export default function Zones() {
  const { zones, canEdit } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const nav = useNavigation();
  const creating = nav.state !== "idle" && nav.formData?.get("intent") === "create";
  const formRef = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (result?.ok) formRef.current?.reset();
  }, [result]);
  const failed = result && !result.ok ? result : null;
  const keep = failed?.values.intent === "create" ? failed.values : {};
  return (
    <div className="grid gap-6">
      <PageHeader title="Zones" description="Areas of your network. Routers, technicians and customers belong to a zone." />
      {result?.ok ? <Alert tone="success">{result.message}</Alert> : null}
      {failed?.formError ? <Alert>{failed.formError}</Alert> : null}
      <div className="grid gap-6 lg:grid-cols-3">
        <Card className="lg:col-span-2">
          {zones.length === 0 ? (
            <EmptyState title="No zones yet">Add your first zone, e.g. the estate or town a router serves.</EmptyState>
          ) : (
            <ul className="divide-y divide-slate-100">
              {zones.map((z) => (
                <li key={z.id} className="flex items-center justify-between gap-4 px-5 py-4">
                  <div>
                    <p className="font-medium">{z.name}</p>
                    {z.description ? <p className="text-sm text-slate-600">{z.description}</p> : null}
                  </div>
                  {canEdit ? (
                    <Form method="post" onSubmit={(e) => { if (!confirm(`Delete zone “${z.name}”?`)) e.preventDefault(); }}>
                      <input type="hidden" name="intent" value="delete" />
                      <input type="hidden" name="id" value={z.id} />
                      <Button variant="danger" className="px-3 py-1.5 text-xs">Delete</Button>
                    </Form>
                  ) : null}
                </li>
              ))}
            </ul>
          )}
        </Card>
        {canEdit ? (
          <Card className="p-5">
            <h2 className="font-semibold">Add a zone</h2>
            <Form method="post" ref={formRef} className="mt-4 grid gap-4" noValidate>
              <input type="hidden" name="intent" value="create" />
              <Field label="Name" name="name" defaultValue={keep.name ?? ""} error={failed?.fieldErrors.name?.[0]} placeholder="e.g. Kasarani" />
              <Field label="Description (optional)" name="description" defaultValue={keep.description ?? ""} error={failed?.fieldErrors.description?.[0]} />
              <Button type="submit" disabled={creating}>{creating ? "Adding…" : "Add zone"}</Button>
            </Form>
          </Card>
        ) : null}
      </div>
    </div>
  );
}
