import { Form, useActionData, useLoaderData, useNavigation } from "react-router";
import { useEffect, useRef } from "react";
import type { Route } from "./+types/dashboard.staff";
import { Alert, Button, Card, EmptyState, Field, PageHeader } from "../components/ui";
import { DataTable, Td } from "../components/table";
import { requireIspUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { formatDateTime } from "../lib/format";
import { assignableRoles, ispCan } from "../../policies/permissions";

export function meta() {
  return [{ title: "Team · mnetifi" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, viewer, tenant } = await requireIspUser(context, request, { permission: "staff.view" });
  return { staff: await caller.staff.list(), me: { id: viewer.user.id, role: viewer.user.role }, canManage: ispCan(viewer.user.role, "staff.manage"), timezone: tenant.timezone };
}

export async function action({ request, context }: Route.ActionArgs) {
  const { caller } = await requireIspUser(context, request);
  const values = formValues(await readForm(request));
  try {
    switch (values.intent) {
      case "invite":
        await caller.staff.invite({ fullName: values.fullName ?? "", email: values.email ?? "", role: values.role ?? "" });
        return { ok: true as const, message: `Invitation sent to ${values.email}.` };
      case "role":
        await caller.staff.changeRole({ userId: values.userId ?? "", role: values.role ?? "" });
        return { ok: true as const, message: "Role changed." };
      case "deactivate":
      case "reactivate":
        await caller.staff.setActive({ userId: values.userId ?? "", active: values.intent === "reactivate" });
        return { ok: true as const, message: values.intent === "reactivate" ? "Account reactivated." : "Account deactivated; its sessions have ended." };
      case "resend":
        await caller.staff.resendInvite({ userId: values.userId ?? "" });
        return { ok: true as const, message: "Invitation sent again." };
    }
    return { ok: false as const, fieldErrors: {}, formError: "Unknown action.", values };
  } catch (err) {
    return formFailure(err, values);
  }
}

export default function Staff() {
  const { staff, me, canManage, timezone } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const nav = useNavigation();
  const inviting = nav.state !== "idle" && nav.formData?.get("intent") === "invite";
  const failed = result && !result.ok ? result : null;
  const fe = (failed?.fieldErrors ?? {}) as Record<string, string[] | undefined>;
  const keep = failed?.values.intent === "invite" ? failed.values : {};
  const roles = assignableRoles(me.role);
  const inviteForm = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (result?.ok) inviteForm.current?.reset();
  }, [result]);
  const manageable = (p: { id: string; role: string }) => canManage && p.id !== me.id && p.role !== "owner" && (me.role === "owner" || roles.includes(p.role as never));

  return (
    <div className="grid gap-6">
      <PageHeader title="Team" description="Everyone who can sign in to your dashboard, and what they may do." />
      {result?.ok ? <Alert tone="success">{result.message}</Alert> : null}
      {failed?.formError ? <Alert>{failed.formError}</Alert> : null}
      <div className="grid gap-6 xl:grid-cols-[1fr_20rem]">
        <Card className="overflow-x-auto">
          {staff.length === 0 ? (
            <EmptyState title="Nobody here yet" />
          ) : (
            <DataTable columns={["Person", "Role", "Status", "Last sign-in", ""]}>
              {staff.map((p) => (
                <tr key={p.id}>
                  <Td>
                    <p className="font-medium">{p.fullName || p.username}</p>
                    <p className="text-xs text-slate-500">
                      {p.email} · @{p.username}
                    </p>
                  </Td>
                  <Td>
                    {manageable(p) ? (
                      <Form method="post" className="flex items-center gap-2">
                        <input type="hidden" name="intent" value="role" />
                        <input type="hidden" name="userId" value={p.id} />
                        <label className="sr-only" htmlFor={`role-${p.id}`}>Role of {p.fullName}</label>
                        <select id={`role-${p.id}`} name="role" defaultValue={p.role} className="rounded-md border border-slate-300 bg-white px-2 py-1 text-sm">
                          {roles.map((r) => (
                            <option key={r} value={r}>{r}</option>
                          ))}
                        </select>
                        <Button variant="secondary" className="px-2 py-1 text-xs">Save</Button>
                      </Form>
                    ) : (
                      <span className="capitalize">{p.role}</span>
                    )}
                  </Td>
                  <Td>
                    {p.disabledAt ? (
                      <span className="rounded bg-slate-100 px-2 py-0.5 text-xs font-medium text-slate-600">Deactivated</span>
                    ) : p.invited ? (
                      <span className="rounded bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-800">Invited</span>
                    ) : (
                      <span className="rounded bg-emerald-100 px-2 py-0.5 text-xs font-medium text-emerald-800">Active{p.twoFactorMethod ? " · 2FA" : ""}</span>
                    )}
                  </Td>
                  <Td className="whitespace-nowrap text-slate-600">{p.lastLoginAt ? formatDateTime(p.lastLoginAt, timezone) : "Never"}</Td>
                  <Td>
                    {manageable(p) ? (
                      <div className="flex justify-end gap-2">
                        {p.invited && !p.disabledAt ? (
                          <Form method="post">
                            <input type="hidden" name="intent" value="resend" />
                            <input type="hidden" name="userId" value={p.id} />
                            <Button variant="secondary" className="px-2 py-1 text-xs">Resend</Button>
                          </Form>
                        ) : null}
                        <Form method="post">
                          <input type="hidden" name="intent" value={p.disabledAt ? "reactivate" : "deactivate"} />
                          <input type="hidden" name="userId" value={p.id} />
                          <Button variant={p.disabledAt ? "secondary" : "danger"} className="px-2 py-1 text-xs">
                            {p.disabledAt ? "Reactivate" : "Deactivate"}
                          </Button>
                        </Form>
                      </div>
                    ) : null}
                  </Td>
                </tr>
              ))}
            </DataTable>
          )}
        </Card>
        {canManage ? (
          <Card className="p-5">
            <h2 className="font-semibold">Invite someone</h2>
            <p className="mt-1 text-sm text-slate-600">They get an email with a link to choose their password.</p>
            <Form method="post" ref={inviteForm} className="mt-4 grid gap-4" noValidate>
              <input type="hidden" name="intent" value="invite" />
              <Field label="Full name" name="fullName" defaultValue={keep.fullName ?? ""} error={fe.fullName?.[0]} />
              <Field label="Email" name="email" type="email" defaultValue={keep.email ?? ""} error={fe.email?.[0]} />
              <div>
                <label htmlFor="invite-role" className="block text-sm font-medium text-slate-700">Role</label>
                <select id="invite-role" name="role" defaultValue={keep.role ?? "staff"} className="mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-base sm:text-sm">
                  {roles.map((r) => (
                    <option key={r} value={r}>{r}</option>
                  ))}
                </select>
                {fe.role?.[0] ? <p className="mt-1 text-sm text-red-600">{fe.role[0]}</p> : null}
              </div>
              <Button type="submit" disabled={inviting}>{inviting ? "Sending…" : "Send invitation"}</Button>
            </Form>
          </Card>
        ) : null}
      </div>
    </div>
  );
}
