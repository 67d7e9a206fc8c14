import { describe, it, expect } from "vitest";
import ExcelJS from "exceljs";
import { toCsv, toXlsx, type ExportColumn } from "../server/services/exports";

type Row = { name: string; amount: number; at: Date };
const columns: ExportColumn<Row>[] = [
  { header: "Name", value: (r) => r.name },
  { header: "Amount", value: (r) => r.amount },
  { header: "At", value: (r) => r.at },
];
const rows: Row[] = [
  { name: 'Wanjiru "Shiro" Kamau', amount: 1500, at: new Date("2026-11-24T06:00:00Z") },
  { name: "=HYPERLINK(\"http://evil\")", amount: -20, at: new Date("2026-11-24T07:00:00Z") },
];

describe("exports", () => {
  it("CSV: BOM, quoted cells, doubled quotes, formulas defused", () => {
    const csv = toCsv(rows, columns);
    expect(csv.startsWith("\uFEFF")).toBe(true);
    const lines = csv.slice(1).split("\r\n");
    expect(lines[0]).toBe('"Name","Amount","At"');
    expect(lines[1]).toBe('"Wanjiru ""Shiro"" Kamau","1500","2026-11-24T06:00:00.000Z"');
    expect(lines[2]).toBe(`"'=HYPERLINK(""http://evil"")","-20","2026-11-24T07:00:00.000Z"`);
  });

  it("Excel: a real workbook with typed cells that reads back", async () => {
    const buf = await toXlsx(rows, columns, "Activity");
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(buf as unknown as ArrayBuffer);
    const ws = wb.getWorksheet("Activity")!;
    expect(ws.getRow(1).values).toEqual([undefined, "Name", "Amount", "At"]);
    expect(ws.getCell("A2").value).toBe('Wanjiru "Shiro" Kamau');
    expect(ws.getCell("B2").value).toBe(1500);
    expect(ws.getCell("C2").value).toEqual(new Date("2026-11-24T06:00:00Z"));
    expect(ws.getCell("A3").value).toBe(`'=HYPERLINK("http://evil")`);
  });
});
