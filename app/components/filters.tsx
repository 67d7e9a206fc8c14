import type { ReactNode } from "react";
import { Form, useSearchParams } from "react-router";
import { Button } from "./ui";

const input = "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-base sm:text-sm";

/** A GET filter bar: the fields keep the values in the URL, so filters can be shared and exported. */
export function FilterBar({ children, columns = 5 }: { children: ReactNode; columns?: number }) {
  return (
    <Form method="get" className={`grid gap-3 sm:items-end ${columns === 6 ? "sm:grid-cols-6" : "sm:grid-cols-5"}`}>
      {children}
      <Button type="submit" variant="secondary">Filter</Button>
    </Form>
  );
}

export function FilterSelect({ label, name, options }: { label: string; name: string; options: Array<[string, string]> }) {
  const [params] = useSearchParams();
  return (
    <label className="text-sm font-medium text-slate-700">
      {label}
      <select name={name} defaultValue={params.get(name) ?? ""} className={input}>
        {options.map(([v, l]) => (
          <option key={v} value={v}>{l}</option>
        ))}
      </select>
    </label>
  );
}

export function FilterInput({ label, name, type = "text", placeholder }: { label: string; name: string; type?: "text" | "date"; placeholder?: string }) {
  const [params] = useSearchParams();
  return (
    <label className="text-sm font-medium text-slate-700">
      {label}
      <input type={type} name={name} placeholder={placeholder} defaultValue={params.get(name) ?? ""} className={input} />
    </label>
  );
}

/** "Export CSV" and "Export Excel" links for the current filters. */
export function ExportLinks({ path }: { path: string }) {
  const [params] = useSearchParams();
  return (
    <>
      {(["csv", "xlsx"] as const).map((f) => (
        <a
          key={f}
          href={`${path}?${new URLSearchParams([...[...params.entries()].filter(([k]) => k !== "format"), ["format", f]]).toString()}`}
          className="rounded-lg bg-white px-4 py-2 text-sm font-semibold text-slate-800 shadow-sm ring-1 ring-slate-300 hover:bg-slate-50"
        >
          {f === "csv" ? "Export CSV" : "Export Excel"}
        </a>
      ))}
    </>
  );
}
