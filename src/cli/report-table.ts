/** A report as a table, written as CSV (UTF-8 with BOM, so Excel reads the Chinese) or as an XLSX sheet. */
import ExcelJS from 'exceljs';

export interface Table {
  title: string;
  columns: Array<{ header: string; width?: number }>;
  rows: Array<Array<string | number | null>>;
}

/**
 * A text cell as a spreadsheet must not read it: one starting with = + - @ (or a tab or carriage return)
 * would run as a formula when the file is opened (CSV injection), so it is prefixed with a quote.
 */
export function defuse(value: string | number | null): string | number | null {
  return typeof value === 'string' && /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

export function toCsv(table: Table): string {
  const cell = (raw: string | number | null) => {
    const value = defuse(raw);
    const text = value === null ? '' : String(value);
    return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  };
  return `\uFEFF${[table.columns.map((c) => c.header), ...table.rows].map((r) => r.map(cell).join(',')).join('\n')}\n`;
}

export async function toXlsx(table: Table): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet(table.title.slice(0, 31));
  sheet.columns = table.columns.map((c) => ({ header: c.header, width: c.width ?? Math.max(10, c.header.length * 2 + 2) }));
  sheet.getRow(1).font = { bold: true };
  sheet.views = [{ state: 'frozen', ySplit: 1 }];
  for (const row of table.rows) sheet.addRow(row.map(defuse));
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
