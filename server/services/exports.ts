import ExcelJS from "exceljs";

/** One column of an export: its header and how to read it from a row. */
export type ExportColumn<T> = { header: string; value: (row: T) => string | number | Date | null | undefined; width?: number };

function csvCell(v: unknown) {
  const s = v == null ? "" : v instanceof Date ? v.toISOString() : String(v);
  // Quote everything, double inner quotes, and defuse text that a spreadsheet would run as a
  // formula (=, +, -, @); numbers stay numbers.
  const defused = typeof v === "string" && /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return `"${defused.replace(/"/g, '""')}"`;
}

/** CSV with a BOM so Excel opens UTF-8 (names with accents, emoji) correctly. */
export function toCsv<T>(rows: T[], columns: ExportColumn<T>[]): string {
  const lines = [columns.map((c) => csvCell(c.header)).join(","), ...rows.map((r) => columns.map((c) => csvCell(c.value(r))).join(","))];
  return "\uFEFF" + lines.join("\r\n");
}

/** A real .xlsx workbook (exceljs): typed cells, dates as dates, a frozen, bold header row. */
export async function toXlsx<T>(rows: T[], columns: ExportColumn<T>[], sheetName: string): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "mnetifi";
  const ws = wb.addWorksheet(sheetName.slice(0, 31), { views: [{ state: "frozen", ySplit: 1 }] });
  ws.columns = columns.map((c) => ({ header: c.header, width: c.width ?? 20 }));
  ws.getRow(1).font = { bold: true };
  for (const r of rows) {
    // Text that looks like a formula stays text.
    ws.addRow(columns.map((c) => {
      const v = c.value(r);
      return typeof v === "string" && /^[=+\-@]/.test(v) ? `'${v}` : (v ?? null);
    }));
  }
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export const CONTENT_TYPES = {
  csv: "text/csv; charset=utf-8",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
} as const;

/** The download response for an export, named {slug}-{what}-{date}.{csv|xlsx}. */
export async function exportResponse<T>(rows: T[], columns: ExportColumn<T>[], opts: { format: "csv" | "xlsx"; slug: string; what: string; sheet: string }) {
  const body = opts.format === "xlsx" ? new Uint8Array(await toXlsx(rows, columns, opts.sheet)) : toCsv(rows, columns);
  return new Response(body, {
    headers: {
      "content-type": CONTENT_TYPES[opts.format],
      "content-disposition": `attachment; filename="${opts.slug}-${opts.what}-${new Date().toISOString().slice(0, 10)}.${opts.format}"`,
      "cache-control": "no-store",
    },
  });
}

export function exportFormat(url: URL): "csv" | "xlsx" {
  return url.searchParams.get("format") === "xlsx" ? "xlsx" : "csv";
}
