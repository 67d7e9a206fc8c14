import { Field, SelectField } from "./ui";

export type RouterFormValues = Partial<Record<"name" | "host" | "apiPort" | "tls" | "username" | "zoneId" | "location" | "notes", string>>;

/**
 * The router's fields, shared by "Add a router" and "Edit". When editing, the password may be
 * left empty to keep the saved one (it is never shown again).
 */
export function RouterFields({ values, errors, zones, editing }: { values: RouterFormValues; errors: Record<string, string[] | undefined>; zones: Array<{ id: string; name: string }>; editing?: boolean }) {
  return (
    <>
      <Field label="Name" name="name" placeholder="e.g. Kasarani tower" defaultValue={values.name} error={errors.name?.[0]} />
      <Field label="Address (IP or host)" name="host" placeholder="10.10.0.1" defaultValue={values.host} error={errors.host?.[0]} />
      <Field label="API port" name="apiPort" inputMode="numeric" defaultValue={values.apiPort ?? "8728"} error={errors.apiPort?.[0]} hint="8728, or 8729 with TLS (api-ssl)" />
      <label className="flex items-center gap-2 text-sm text-slate-700">
        <input type="checkbox" name="tls" defaultChecked={values.tls === "on" || values.tls === "true"} /> Use TLS (api-ssl)
      </label>
      <Field label="API user" name="username" autoComplete="off" defaultValue={values.username} error={errors.username?.[0]} />
      <Field
        label="API password"
        name="password"
        type="password"
        autoComplete="new-password"
        error={errors.password?.[0]}
        hint={editing ? "Leave empty to keep the saved password." : undefined}
      />
      <SelectField label="Zone" name="zoneId" defaultValue={values.zoneId ?? ""} error={errors.zoneId?.[0]}>
        <option value="">No zone</option>
        {zones.map((z) => (
          <option key={z.id} value={z.id}>
            {z.name}
          </option>
        ))}
      </SelectField>
      <Field label="Location (optional)" name="location" placeholder="e.g. Roof, block C" defaultValue={values.location} />
      {editing ? <Field label="Notes (optional)" name="notes" defaultValue={values.notes} /> : null}
    </>
  );
}
