import { Form, Link, data, isRouteErrorResponse, useActionData, useLoaderData, useNavigation } from "react-router";
import { useEffect, useRef, useState } from "react";
import type { Route } from "./+types/console.admins";
import { Alert, Button, Card, EmptyState, Field, PageHeader, SelectField, cx } from "../components/ui";
import { requirePlatformUser } from "../lib/session.server";
import { formFailure, formValues, readForm } from "../lib/forms.server";
import { formatDateTime } from "../lib/format";
import { PLATFORM_ROLES, PLATFORM_ROLE_INFO, platformCan, platformRoleAbilities, type PlatformRole } from "../../policies/permissions";

export function meta() {
  return [{ title: "Admins · mnetifi console" }];
}

export async function loader({ request, context }: Route.LoaderArgs) {
  const { caller, viewer } = await requirePlatformUser(context, request);
  if (!platformCan(viewer.user.role, "admins.manage")) throw data({ reason: "forbidden" }, { status: 403 });
  const { admins, me } = await caller.platformAdmins.list();
  return { admins, me, now: Date.now() };
}

type Done = { ok: true; message: string; intent: string };

export async function action({ request, context }: Route.ActionArgs) {
  const { caller } = await requirePlatformUser(context, request);
  const values = formValues(await readForm(request));
  // `name` is only for the confirmation sentence; the procedures act on the id.
  const who = values.name || "The admin";
  try {
    switch (values.intent) {
      case "invite": {
        await caller.platformAdmins.invite({ fullName: values.fullName ?? "", username: values.username ?? "", email: values.email ?? "", role: values.role ?? "" });
        return { ok: true, intent: "invite", message: `Invitation sent to ${values.email?.trim()}. The link works once, for 7 days.` } satisfies Done;
      }
      case "role": {
        const r = await caller.platformAdmins.changeRole({ adminId: values.adminId ?? "", role: values.role ?? "" });
        const roleName = PLATFORM_ROLE_INFO[values.role as PlatformRole]?.name ?? values.role;
        return { ok: true, intent: "role", message: r.changed ? `${who} is now ${roleName}.` : `${who} already has the ${roleName} role.` } satisfies Done;
      }
      case "disable":
      case "enable": {
        const r = await caller.platformAdmins.setActive({ adminId: values.adminId ?? "", active: values.intent === "enable" });
        const message =
          values.intent === "enable"
            ? `${who} can sign in again.`
            : `${who} is disabled and cannot sign in${r.sessionsEnded ? `; ${r.sessionsEnded === 1 ? "their open session was" : `${r.sessionsEnded} open sessions were`} ended` : ""}.`;
        return { ok: true, intent: values.intent, message } satisfies Done;
      }
      case "reset_2fa": {
        const r = await caller.platformAdmins.resetTwoFactor({ adminId: values.adminId ?? "" });
        return { ok: true, intent: "reset_2fa", message: r.changed ? `${who}'s two-step sign-in is off${r.sessionsEnded ? " and their sessions ended" : ""}: they sign in with their password and turn it on again from My account.` : `${who} had no two-step sign-in.` } satisfies Done;
      }
      case "resend": {
        await caller.platformAdmins.resendInvite({ adminId: values.adminId ?? "" });
        return { ok: true, intent: "resend", message: `A new invitation went to ${who}; the earlier link no longer works.` } satisfies Done;
      }
    }
    return data({ ok: false as const, fieldErrors: {}, formError: "Unknown action.", values }, { status: 400 });
  } catch (err) {
    return formFailure(err, values);
  }
}

const STATUS: Record<string, { label: string; className: string }> = {
  active: { label: "Active", className: "bg-emerald-100 text-emerald-800" },
  invited: { label: "Invited", className: "bg-amber-100 text-amber-800" },
  disabled: { label: "Disabled", className: "bg-slate-200 text-slate-700" },
};

function roleName(role: string) {
  return PLATFORM_ROLE_INFO[role as PlatformRole]?.name ?? role;
}

function daysLeft(until: Date | string, now: number) {
  const days = Math.ceil((new Date(until).getTime() - now) / 86_400_000);
  return days <= 1 ? "expires within a day" : `expires in ${days} days`;
}

function Abilities({ role, className }: { role: string; className?: string }) {
  return (
    <ul className={cx("grid gap-1 text-sm text-slate-600", className)}>
      {platformRoleAbilities(role).map((a) => (
        <li key={a} className="flex gap-2">
          <span aria-hidden className="mt-1.5 h-1.5 w-1.5 shrink-0 rounded-full bg-brand-500" />
          <span>{a}</span>
        </li>
      ))}
    </ul>
  );
}

export default function ConsoleAdmins() {
  const { admins, me, now } = useLoaderData<typeof loader>();
  const result = useActionData<typeof action>();
  const nav = useNavigation();
  const busyIntent = nav.state !== "idle" ? String(nav.formData?.get("intent") ?? "") : "";
  const busyAdmin = nav.state !== "idle" ? String(nav.formData?.get("adminId") ?? "") : "";
  const failed = result && !result.ok ? result : null;
  const inviteFailed = failed?.values.intent === "invite" ? failed : null;
  const fe = (inviteFailed?.fieldErrors ?? {}) as Record<string, string[] | undefined>;
  const keep = inviteFailed?.values ?? {};
  const [inviteRole, setInviteRole] = useState<string>(keep.role && keep.role in PLATFORM_ROLE_INFO ? keep.role : "support");
  const inviteForm = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (result?.ok && result.intent === "invite") {
      inviteForm.current?.reset();
      setInviteRole("support");
    }
  }, [result]);
  const activeSupers = admins.filter((a) => a.role === "super_admin" && a.status === "active").length;

  return (
    <div className="grid gap-6">
      <PageHeader
        title="Admins"
        description="Everyone who can sign in to this console, what their role lets them do, and what they did. Disabling someone ends their sessions at once; their history stays."
        actions={
          <a href="#add-admin" className="inline-flex w-fit items-center rounded-lg bg-brand-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-brand-700 lg:hidden">
            Add an admin
          </a>
        }
      />
      {result?.ok ? <Alert tone="success">{result.message}</Alert> : null}
      {failed && !inviteFailed && !failed.values.adminId && failed.formError ? <Alert>{failed.formError}</Alert> : null}
      <div className="grid items-start gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
        <Card>
          {admins.length === 0 ? (
            <EmptyState title="No console admins yet" />
          ) : (
            <ul className="divide-y divide-slate-100" aria-label="Console admins">
              {admins.map((a) => {
                const self = a.id === me;
                const rowError = failed && failed.values.adminId === a.id ? failed.formError ?? Object.values(failed.fieldErrors).flat().filter(Boolean).join(" ") : null;
                const status = STATUS[a.status]!;
                const lastSuper = a.role === "super_admin" && a.status === "active" && activeSupers <= 1;
                return (
                  <li key={a.id} data-admin={a.username} className="grid gap-x-6 gap-y-3 p-4 sm:p-5 md:grid-cols-[minmax(0,1fr)_minmax(0,15rem)]">
                    <div className="min-w-0">
                      <div className="flex flex-wrap items-center gap-2">
                        <p className="font-semibold text-slate-900">{a.fullName || a.username}</p>
                        {self ? <span className="rounded bg-brand-50 px-1.5 py-0.5 text-xs font-medium text-brand-700 ring-1 ring-brand-200">You</span> : null}
                        <span className={cx("inline-flex rounded-full px-2.5 py-0.5 text-xs font-medium", status.className)} data-testid="admin-status">
                          {status.label}
                        </span>
                      </div>
                      <p className="mt-0.5 text-sm text-slate-500">
                        <span className="break-all">@{a.username}</span>
                        <span className="hidden sm:inline"> · </span>
                        <span className="block break-all sm:inline">{a.email}</span>
                      </p>
                      <p className="mt-2 text-sm text-slate-600">
                        {a.status === "invited" ? (
                          a.invitePending && a.inviteExpiresAt ? (
                            <>Invitation link not used yet ({daysLeft(a.inviteExpiresAt, now)})</>
                          ) : (
                            <span className="text-amber-800">The invitation link has expired: send a new one</span>
                          )
                        ) : (
                          <>
                            Last sign-in: {a.lastLoginAt ? formatDateTime(a.lastLoginAt) : "never"}
                            <span className="block text-xs text-slate-500">Two-step sign-in: {a.twoFactorOn ? "on" : "off"}</span>
                          </>
                        )}
                        {a.status === "disabled" && a.disabledAt ? <span className="block text-slate-500">Disabled {formatDateTime(a.disabledAt)}</span> : null}
                        {a.invitedByName ? <span className="block text-xs text-slate-500">Invited by {a.invitedByName}</span> : null}
                      </p>
                    </div>
                    <div className="min-w-0 rounded-lg bg-slate-50 p-3 md:col-start-2 md:row-span-2 md:row-start-1">
                      {self ? (
                        <>
                          <p className="text-sm font-semibold text-slate-900">{roleName(a.role)}</p>
                          <p className="text-xs text-slate-500">Another super admin can change your role.</p>
                        </>
                      ) : (
                        <Form method="post" className="flex items-end gap-2">
                          <input type="hidden" name="intent" value="role" />
                          <input type="hidden" name="adminId" value={a.id} />
                          <input type="hidden" name="name" value={a.fullName || a.username} />
                          <div className="min-w-0 flex-1">
                            <label htmlFor={`role-${a.id}`} className="block text-xs font-medium uppercase tracking-wide text-slate-500">
                              Role<span className="sr-only"> of {a.fullName || a.username}</span>
                            </label>
                            <select
                              id={`role-${a.id}`}
                              name="role"
                              key={`${a.id}-${a.role}`}
                              defaultValue={a.role}
                              className="mt-1 block w-full rounded-lg border border-slate-300 bg-white px-2 py-2 text-base shadow-sm sm:text-sm"
                            >
                              {PLATFORM_ROLES.map((r) => (
                                <option key={r} value={r}>
                                  {roleName(r)}
                                </option>
                              ))}
                            </select>
                          </div>
                          <Button variant="secondary" className="shrink-0" aria-label={`Save the role of ${a.fullName || a.username}`} disabled={busyIntent === "role" && busyAdmin === a.id}>
                            Save
                          </Button>
                        </Form>
                      )}
                      <p className="mt-2 text-xs text-slate-500">{PLATFORM_ROLE_INFO[a.role as PlatformRole]?.summary}</p>
                      <details className="mt-1 text-sm">
                        <summary className="cursor-pointer text-xs font-medium text-brand-700">What it can do</summary>
                        <Abilities role={a.role} className="mt-2 text-xs" />
                      </details>
                    </div>
                    <div className="min-w-0 md:col-start-1 md:row-start-2">
                      <div className="flex flex-wrap items-center gap-2">
                        <Link to={`/audit?admin=${a.id}`} className="inline-flex items-center rounded-lg bg-white px-4 py-2 text-sm font-semibold text-brand-700 shadow-sm ring-1 ring-brand-200 hover:bg-brand-50">
                          Audit trail
                        </Link>
                        {!self && a.status === "invited" ? (
                          <Form method="post">
                            <input type="hidden" name="intent" value="resend" />
                            <input type="hidden" name="adminId" value={a.id} />
                            <input type="hidden" name="name" value={a.fullName || a.username} />
                            <Button variant="secondary" disabled={busyIntent === "resend" && busyAdmin === a.id}>
                              {busyIntent === "resend" && busyAdmin === a.id ? "Sending…" : "Resend invitation"}
                            </Button>
                          </Form>
                        ) : null}
                        {!self && a.twoFactorOn ? (
                          <Form method="post" onSubmit={(e) => (window.confirm(`Turn off ${a.fullName || a.username}'s two-step sign-in? Do this only when they lost both their phone and their recovery codes.`) ? undefined : e.preventDefault())}>
                            <input type="hidden" name="intent" value="reset_2fa" />
                            <input type="hidden" name="adminId" value={a.id} />
                            <input type="hidden" name="name" value={a.fullName || a.username} />
                            <Button variant="secondary" disabled={busyIntent === "reset_2fa" && busyAdmin === a.id} aria-label={`Reset two-step sign-in of ${a.fullName || a.username}`}>
                              Reset two-step
                            </Button>
                          </Form>
                        ) : null}
                        {!self ? (
                          <Form method="post">
                            <input type="hidden" name="intent" value={a.status === "disabled" ? "enable" : "disable"} />
                            <input type="hidden" name="adminId" value={a.id} />
                            <input type="hidden" name="name" value={a.fullName || a.username} />
                            <Button
                              variant={a.status === "disabled" ? "secondary" : "danger"}
                              disabled={lastSuper}
                              title={lastSuper ? "The last active super admin cannot be disabled." : undefined}
                              aria-label={`${a.status === "disabled" ? "Enable" : "Disable"} ${a.fullName || a.username}`}
                            >
                              {a.status === "disabled" ? "Enable" : "Disable"}
                            </Button>
                          </Form>
                        ) : null}
                      </div>
                      {rowError ? (
                        <p role="alert" className="mt-2 text-sm text-red-600">
                          {rowError}
                        </p>
                      ) : null}
                    </div>
                  </li>
                );
              })}
            </ul>
          )}
        </Card>
        <Card className="p-5" id="add-admin">
          <h2 className="font-semibold">Add an admin</h2>
          <p className="mt-1 text-sm text-slate-600">They get an email with a link to choose their password. It works once, for 7 days.</p>
          {inviteFailed?.formError ? (
            <div className="mt-4">
              <Alert>{inviteFailed.formError}</Alert>
            </div>
          ) : null}
          <Form method="post" ref={inviteForm} className="mt-4 grid gap-4" noValidate>
            <input type="hidden" name="intent" value="invite" />
            <Field label="Full name" name="fullName" defaultValue={keep.fullName ?? ""} error={fe.fullName?.[0]} autoComplete="off" />
            <Field
              label="Username"
              name="username"
              defaultValue={keep.username ?? ""}
              error={fe.username?.[0]}
              hint="What they sign in with: letters, digits, dots, hyphens, underscores."
              autoComplete="off"
              autoCapitalize="none"
              spellCheck={false}
            />
            <Field label="Email" name="email" type="email" defaultValue={keep.email ?? ""} error={fe.email?.[0]} autoComplete="off" />
            <div>
              <SelectField label="Role" name="role" id="invite-role" value={inviteRole} onChange={(e) => setInviteRole(e.target.value)} error={fe.role?.[0]}>
                {PLATFORM_ROLES.map((r) => (
                  <option key={r} value={r}>
                    {roleName(r)}
                  </option>
                ))}
              </SelectField>
              <div className="mt-2 rounded-lg bg-slate-50 p-3" data-testid="invite-role-abilities">
                <p className="text-xs font-medium uppercase tracking-wide text-slate-500">{roleName(inviteRole)} can</p>
                <Abilities role={inviteRole} className="mt-1.5" />
              </div>
            </div>
            <Button type="submit" disabled={busyIntent === "invite"}>
              {busyIntent === "invite" ? "Sending…" : "Send invitation"}
            </Button>
          </Form>
        </Card>
      </div>
    </div>
  );
}

/** A console role without admins.manage that opens /admins: a clear answer inside the console's frame. */
export function ErrorBoundary({ error }: Route.ErrorBoundaryProps) {
  const forbidden = isRouteErrorResponse(error) && error.status === 403;
  return (
    <div className="grid gap-6">
      <PageHeader title="Admins" />
      <Alert>{forbidden ? "Your console role cannot manage admins. Ask a super admin if you need a change to someone's access." : "Something went wrong while loading the admins. Reload the page to try again."}</Alert>
    </div>
  );
}
