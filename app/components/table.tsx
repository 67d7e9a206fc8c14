import type { ReactNode } from "react";

/** The one table style: header row of labels, then rows of cells (pass <tr> elements). */
export function DataTable({ columns, children }: { columns: string[]; children: ReactNode }) {
  return (
    <table className="min-w-full divide-y divide-slate-200 text-sm">
      <thead className="bg-slate-50 text-left text-xs font-semibold uppercase tracking-wide text-slate-500">
        <tr>
          {columns.map((c) => (
            <th key={c} className="px-4 py-3">
              {c}
            </th>
          ))}
        </tr>
      </thead>
      <tbody className="divide-y divide-slate-100">{children}</tbody>
    </table>
  );
}

export function Td({ children, className = "" }: { children: ReactNode; className?: string }) {
  return <td className={`px-4 py-3 ${className}`}>{children}</td>;
}
