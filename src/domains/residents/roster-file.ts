/**
 * A 参保登记表 as townships actually keep it: an .xlsx, an old .xls, or a .csv saved from either (UTF-8
 * with or without BOM, or GBK/GB18030 as Excel on a Chinese Windows saves it), often with a title row or
 * two above the header. Read into rows that keep the file's own row numbers, so that every message names
 * the row the clerk sees.
 *
 * .xlsx is read with exceljs (which also writes the error file, keeping the clerk's formatting); .xls with
 * SheetJS (@e965/xlsx, the upstream release republished on npm); .csv with iconv-lite and csv-parse.
 */
import ExcelJS from 'exceljs';
import * as XLS from '@e965/xlsx';
import iconv from 'iconv-lite';
import { parse } from 'csv-parse/sync';
import { badInput } from '../../common/errors';
import { text as bilingual } from '../../common/i18n';

export type RosterFormat = 'XLSX' | 'XLS' | 'CSV';

export interface RosterFileRow {
  /** The row's number in the file (1 is the first row), as Excel shows it. */
  row: number;
  /** Cell values from column A on, as stored: text, numbers, rich text or formulas (xlsx). */
  cells: unknown[];
}

export interface RosterFile {
  format: RosterFormat;
  /** The text encoding of a CSV file. */
  encoding: 'UTF-8' | 'GB18030' | null;
  sheetName: string;
  /** The non-empty rows, in file order. */
  rows: RosterFileRow[];
  /** The workbook itself for an .xlsx file, so that the error file is the clerk's own workbook. */
  workbook: ExcelJS.Workbook | null;
}

const ZIP = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const OLE2 = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]);
const UTF8_BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/** What the bytes are, by their signature, whatever the file was called. */
export function rosterFormat(bytes: Buffer): RosterFormat {
  if (bytes.subarray(0, 4).equals(ZIP)) return 'XLSX';
  if (bytes.subarray(0, 8).equals(OLE2)) return 'XLS';
  // Many systems export an "xls" that is an HTML table or Excel 2003 XML: SheetJS reads those too.
  if (/^(\xef\xbb\xbf)?\s*<(\?xml|html|table|!doctype)/i.test(bytes.subarray(0, 64).toString('latin1'))) return 'XLS';
  return 'CSV';
}

export async function readRosterFile(bytes: Buffer): Promise<RosterFile> {
  if (bytes.length === 0)
    throw badInput(bilingual('文件是空的：请上传参保登记表（.xlsx、.xls 或 .csv）', 'the file is empty: upload the roster (.xlsx, .xls or .csv)'), 'workbook');
  const format = rosterFormat(bytes);
  if (format === 'XLSX') return readXlsx(bytes);
  if (format === 'XLS') return readXls(bytes);
  return readCsv(bytes);
}

async function readXlsx(bytes: Buffer): Promise<RosterFile> {
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  } catch {
    throw badInput(
      bilingual(
        '文件不是有效的 Excel 工作簿（.xlsx）：请在 Excel 中打开后另存为 .xlsx 再上传',
        'the file is not a valid Excel workbook (.xlsx): open it in Excel, save it as .xlsx and upload it again',
      ),
      'workbook',
    );
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw badInput(bilingual('工作簿中没有工作表', 'the workbook has no sheet'), 'workbook');
  const rows: RosterFileRow[] = [];
  sheet.eachRow((row, number) => {
    const cells = (row.values as unknown[]).slice(1); // values[] is 1-based with an empty first slot
    if (cells.some((c) => cellText(c) !== '')) rows.push({ row: number, cells });
  });
  return { format: 'XLSX', encoding: null, sheetName: sheet.name, rows, workbook };
}

function readXls(bytes: Buffer): RosterFile {
  let book: XLS.WorkBook;
  try {
    book = XLS.read(bytes, { type: 'buffer', dense: false, cellFormula: false, cellHTML: false });
  } catch {
    throw badInput(
      bilingual(
        '文件不是有效的 Excel 97-2003 工作簿（.xls）：请在 Excel 中打开后另存为 .xlsx 再上传',
        'the file is not a valid Excel 97-2003 workbook (.xls): open it in Excel, save it as .xlsx and upload it again',
      ),
      'workbook',
    );
  }
  const sheetName = book.SheetNames[0];
  const sheet = sheetName === undefined ? undefined : book.Sheets[sheetName];
  if (!sheet) throw badInput(bilingual('工作簿中没有工作表', 'the workbook has no sheet'), 'workbook');
  const rows: RosterFileRow[] = [];
  if (sheet['!ref']) {
    const range = XLS.utils.decode_range(sheet['!ref']);
    for (let r = range.s.r; r <= range.e.r; r += 1) {
      const cells: unknown[] = [];
      for (let c = 0; c <= range.e.c; c += 1) {
        const cell = sheet[XLS.utils.encode_cell({ r, c })] as XLS.CellObject | undefined;
        // A date stays as Excel shows it; text and numbers as stored (an ID number typed as a number too).
        cells.push(cell === undefined || cell.v === undefined ? null : cell.t === 'd' || (cell.t === 'n' && cell.w && /[/年-]/.test(cell.w)) ? cell.w : cell.v);
      }
      if (cells.some((c) => cellText(c) !== '')) rows.push({ row: r + 1, cells });
    }
  }
  return { format: 'XLS', encoding: null, sheetName, rows, workbook: null };
}

function readCsv(bytes: Buffer): RosterFile {
  const { text, encoding } = decodeText(bytes);
  let records: Array<{ record: string[]; info: { lines: number }; raw: string }>;
  try {
    records = parse(text, {
      relax_column_count: true,
      relax_quotes: true,
      skip_empty_lines: true,
      info: true,
      raw: true,
      bom: true,
    }) as unknown as typeof records;
  } catch (err) {
    const line = (err as { lines?: number }).lines;
    throw badInput(
      bilingual(
        `CSV 文件无法读取${line ? `（第 ${line} 行附近）` : ''}：请在 Excel 中打开后另存为 .xlsx 或 CSV 再上传`,
        `the CSV file cannot be read${line ? ` (near line ${line})` : ''}: open it in Excel, save it as .xlsx or CSV and upload it again`,
      ),
      'workbook',
    );
  }
  const rows: RosterFileRow[] = [];
  for (const { record, info, raw } of records) {
    // The row a record starts on: where it ends, less the line breaks inside its quoted fields.
    const inside =
      raw
        .replace(/^(\r?\n)+/, '')
        .replace(/\r?\n$/, '')
        .split('\n').length - 1;
    if (record.some((c) => c.trim() !== '')) rows.push({ row: info.lines - inside, cells: record });
  }
  return { format: 'CSV', encoding, sheetName: '参保登记表', rows, workbook: null };
}

/**
 * UTF-8 when the bytes are valid UTF-8 (a BOM says so at once), else GB18030, which reads every GBK file
 * alike; refused when neither reads them, rather than registered as mojibake.
 */
function decodeText(bytes: Buffer): { text: string; encoding: 'UTF-8' | 'GB18030' } {
  const body = bytes.subarray(0, 3).equals(UTF8_BOM) ? bytes.subarray(3) : bytes;
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(body), encoding: 'UTF-8' };
  } catch {
    if (body !== bytes)
      throw badInput(
        bilingual(
          '文件以 UTF-8 的 BOM 开头，但内容不是有效的 UTF-8：请重新另存为 CSV（UTF-8）',
          'the file starts with a UTF-8 byte order mark but is not valid UTF-8: save it again as CSV (UTF-8)',
        ),
        'workbook',
      );
  }
  // iconv-lite puts U+FFFD where GBK or GB18030 bytes are invalid; no roster holds that character.
  const text = iconv.decode(bytes, 'gb18030');
  if (text.includes('\uFFFD') || text.includes('\u0000')) {
    throw badInput(
      bilingual(
        '文件既不是 Excel 工作簿（.xlsx、.xls），也不是 UTF-8 或 GBK 编码的 CSV 文本：请在 Excel 中打开后另存为 .xlsx 再上传',
        'the file is neither an Excel workbook (.xlsx, .xls) nor CSV text in UTF-8 or GBK: open it in Excel, save it as .xlsx and upload it again',
      ),
      'workbook',
    );
  }
  return { text, encoding: 'GB18030' };
}

/** A cell's text, whatever Excel stored: numbers typed as numbers (ID numbers!), rich text, formulas. */
export function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const v = value as { richText?: Array<{ text: string }>; text?: string; result?: unknown };
    if (v.richText)
      return v.richText
        .map((t) => t.text)
        .join('')
        .trim();
    if (v.text !== undefined) return String(v.text).trim();
    if (v.result !== undefined) return cellText(v.result);
    return '';
  }
  if (typeof value === 'number' && Number.isInteger(value)) return BigInt(value).toString();
  return String(value).trim();
}

/** A number Excel kept with fewer digits than were typed (it keeps 15): the last ones are lost. */
export function digitsLost(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value);
}

export const ERROR_HEADER = '错误';

/**
 * The error file the clerk downloads: the roster with an 错误 column, in red, after the header's last
 * column, on the rows of `errors` (file row numbers). An .xlsx is annotated in place, keeping its
 * formatting; an .xls or .csv becomes an .xlsx with its rows at the same numbers.
 */
export async function errorWorkbook(file: RosterFile, headerRow: number, column: number, errors: ReadonlyMap<number, string>): Promise<Buffer> {
  let sheet: ExcelJS.Worksheet;
  let workbook: ExcelJS.Workbook;
  if (file.workbook) {
    workbook = file.workbook;
    sheet = workbook.worksheets[0];
  } else {
    workbook = new ExcelJS.Workbook();
    sheet = workbook.addWorksheet(file.sheetName.slice(0, 31) || '参保登记表');
    for (const { row, cells } of file.rows) {
      const target = sheet.getRow(row);
      cells.forEach((value, i) => {
        if (value === null || value === undefined || value === '') return;
        const cell = target.getCell(i + 1);
        cell.value = value as ExcelJS.CellValue;
        // Long digit strings stay text, as the clerk typed them (ID and account numbers).
        if (typeof value === 'string' && /^\d{12,}$/.test(value)) cell.numFmt = '@';
      });
    }
  }
  // A roster sent again with the 错误 column of an earlier error file: only this run's errors stay in it.
  for (const { row } of file.rows) if (row > headerRow) sheet.getRow(row).getCell(column).value = null;
  markErrors(sheet, headerRow, column, errors);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** Writes each row's error, in red, into `column`, headed 错误 on the header row. */
export function markErrors(sheet: ExcelJS.Worksheet, headerRow: number, column: number, errors: ReadonlyMap<number, string>): void {
  const head = sheet.getRow(headerRow).getCell(column);
  head.value = ERROR_HEADER;
  head.font = { bold: true, color: { argb: 'FFC00000' } };
  for (const [row, message] of errors) {
    const cell = sheet.getRow(row).getCell(column);
    cell.value = message;
    cell.font = { color: { argb: 'FFC00000' } };
  }
}
