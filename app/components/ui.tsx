import type { ComponentProps, ReactNode } from "react";

export function cx(...parts: Array<string | false | null | undefined>) {
  return parts.filter(Boolean).join(" ");
}

export function Button({ variant = "primary", className, ...props }: ComponentProps<"button"> & { variant?: "primary" | "secondary" | "danger" }) {
  const styles = {
    primary: "bg-brand-600 text-white hover:bg-brand-700 focus-visible:outline-brand-600",
    secondary: "bg-white text-slate-800 ring-1 ring-slate-300 hover:bg-slate-50 focus-visible:outline-slate-400",
    danger: "bg-white text-red-700 ring-1 ring-red-200 hover:bg-red-50 focus-visible:outline-red-600",
  }[variant];
  return (
    <button
      className={cx(
        "inline-flex items-center justify-center gap-2 rounded-lg px-4 py-2 text-sm font-semibold shadow-sm transition focus-visible:outline-2 focus-visible:outline-offset-2 disabled:cursor-not-allowed disabled:opacity-60",
        styles,
        className,
      )}
      {...props}
    />
  );
}

const control = "mt-1 block w-full rounded-lg border bg-white px-3 py-2 text-base shadow-sm outline-none focus:ring-2 sm:text-sm";
const controlBorder = (error?: string) => (error ? "border-red-400 focus:ring-red-200" : "border-slate-300 focus:border-brand-500 focus:ring-brand-100");

function FieldMessage({ id, error, hint }: { id: string; error?: string; hint?: string }) {
  return error ? (
    <p id={`${id}-error`} className="mt-1 text-sm text-red-600">
      {error}
    </p>
  ) : hint ? (
    <p id={`${id}-hint`} className="mt-1 text-sm text-slate-500">
      {hint}
    </p>
  ) : null;
}

/** The props that tie a control to its label, error and hint (ids, aria, border colour). */
function controlProps(fieldId: string, name: string, error?: string, hint?: string) {
  return {
    id: fieldId,
    name,
    "aria-invalid": error ? true : undefined,
    "aria-describedby": error ? `${fieldId}-error` : hint ? `${fieldId}-hint` : undefined,
    className: cx(control, controlBorder(error)),
  } as const;
}

function Labelled({ fieldId, label, error, hint, className, children }: { fieldId: string; label: string; error?: string; hint?: string; className?: string; children: ReactNode }) {
  return (
    <div className={className}>
      <label htmlFor={fieldId} className="block text-sm font-medium text-slate-700">
        {label}
      </label>
      {children}
      <FieldMessage id={fieldId} error={error} hint={hint} />
    </div>
  );
}

type FieldProps = { label: string; name: string; error?: string; hint?: string };

/** A labelled input with its error or hint. Pass `id` when a page has several forms with the same field name. */
export function Field({ label, name, id, error, hint, className, ...props }: ComponentProps<"input"> & FieldProps) {
  const fieldId = id ?? `f-${name}`;
  return (
    <Labelled fieldId={fieldId} label={label} error={error} hint={hint} className={className}>
      <input {...controlProps(fieldId, name, error, hint)} {...props} />
    </Labelled>
  );
}

/** A labelled select, styled and wired like Field. */
export function SelectField({ label, name, id, error, hint, children, ...props }: ComponentProps<"select"> & FieldProps) {
  const fieldId = id ?? `f-${name}`;
  return (
    <Labelled fieldId={fieldId} label={label} error={error} hint={hint}>
      <select {...controlProps(fieldId, name, error, hint)} {...props}>
        {children}
      </select>
    </Labelled>
  );
}

/** A labelled textarea, styled and wired like Field. */
export function TextAreaField({ label, name, id, error, hint, ...props }: ComponentProps<"textarea"> & FieldProps) {
  const fieldId = id ?? `f-${name}`;
  return (
    <Labelled fieldId={fieldId} label={label} error={error} hint={hint}>
      <textarea {...controlProps(fieldId, name, error, hint)} {...props} />
    </Labelled>
  );
}

export function Alert({ tone = "error", children }: { tone?: "error" | "info" | "success"; children: ReactNode }) {
  const styles = { error: "bg-red-50 text-red-800 ring-red-200", info: "bg-sky-50 text-sky-800 ring-sky-200", success: "bg-emerald-50 text-emerald-800 ring-emerald-200" }[tone];
  return (
    <div role={tone === "error" ? "alert" : "status"} className={cx("rounded-lg px-4 py-3 text-sm ring-1", styles)}>
      {children}
    </div>
  );
}

export function Card({ className, ...props }: ComponentProps<"div">) {
  return <div className={cx("rounded-xl bg-white shadow-sm ring-1 ring-slate-200", className)} {...props} />;
}

export function PageHeader({ title, description, actions }: { title: string; description?: string; actions?: ReactNode }) {
  return (
    <div className="flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
      <div>
        <h1 className="text-2xl font-bold tracking-tight">{title}</h1>
        {description ? <p className="mt-1 text-sm text-slate-600">{description}</p> : null}
      </div>
      {actions}
    </div>
  );
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="rounded-xl border-2 border-dashed border-slate-200 px-6 py-10 text-center">
      <p className="font-semibold text-slate-800">{title}</p>
      {children ? <div className="mt-1 text-sm text-slate-600">{children}</div> : null}
    </div>
  );
}

export function Logo({ className }: { className?: string }) {
  return (
    <span className={cx("inline-flex items-center gap-2 font-bold tracking-tight", className)}>
      <img src="/favicon.svg" alt="" className="h-7 w-7" />
      mnetifi
    </span>
  );
}

/** New password + confirmation, with the policy explained; errors keyed by field name. */
export function NewPasswordFields({ errors, labels = ["Password", "Confirm password"], meter }: { errors?: Record<string, string[] | undefined>; labels?: [string, string]; meter?: ReactNode }) {
  return (
    <>
      <div>
        <Field label={labels[0]} name="password" type="password" autoComplete="new-password" error={errors?.password?.join(" ")} hint="At least 12 characters. Not a common password, and not your name or email." />
        {meter}
      </div>
      <Field label={labels[1]} name="confirmPassword" type="password" autoComplete="new-password" error={errors?.confirmPassword?.[0]} />
    </>
  );
}
