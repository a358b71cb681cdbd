/**
 * `npm run import:roster -- --tenant 610926 [--url …] [--token T] [--registered-on YYYY-MM-DD] [--chunk-rows 2000] roster.xlsx`
 *
 * Sends a 参保登记表 (.xlsx, .xls or .csv, title rows above the header allowed) to importRoster in chunks
 * of whole households, with a progress bar, and when rows are rejected writes a copy of the roster with
 * an 错误 column beside it (roster.errors.xlsx). Nothing of a household with a bad row is written. Each
 * chunk keeps the rows at their numbers in the file, so the server's messages name the clerk's rows.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import ExcelJS from 'exceljs';
import { PortalImportRosterDocument } from '../../schema/generated/client';
import { cellText, errorWorkbook, readRosterFile, type RosterFile } from '../domains/residents/roster-file';
import { findRosterHeader } from '../domains/residents/roster.service';
import { ApiClient, type ClientOptions } from './client';
import { clientFor, command, date, EXIT_FAILED, integerIn, run, type ServerOptions, withServerOptions } from './command';
import { progressBar } from './csv';

export interface RosterTally {
  households: number;
  accepted: number;
  rejected: number;
  /** The rejected rows' errors, by their row in the file. */
  errors: Map<number, string>;
}

async function readRoster(file: string): Promise<RosterFile> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new Error(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  try {
    return await readRosterFile(bytes);
  } catch (err) {
    throw new Error(`${file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
}

/** What a chunk carries of a cell: its value, or the text of rich text and formulas (never a formula). */
const plain = (value: unknown): ExcelJS.CellValue =>
  value !== null && typeof value === 'object' && !(value instanceof Date) ? cellText(value) : (value as ExcelJS.CellValue);

export async function importRosterFile(
  options: ClientOptions & { file: string; registeredOn?: string | null; chunkRows: number; onProgress?: (done: number, total: number) => void },
): Promise<RosterTally> {
  // The rows' errors go into the copy of the workbook that township staff correct: in Chinese.
  const client = new ApiClient({ ...options, language: 'zh-CN' });
  const roster = await readRoster(options.file);
  let header: ReturnType<typeof findRosterHeader>;
  try {
    header = findRosterHeader(roster);
  } catch (err) {
    throw new Error(`${options.file}: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const headerCells = roster.rows.find((r) => r.row === header.row)!.cells;
  const bookletColumn = header.fields.indexOf('bookletNo');
  // Households whole, in file order, packed into chunks of about chunkRows rows.
  const households = new Map<string, typeof roster.rows>();
  for (const r of roster.rows) {
    if (r.row <= header.row) continue;
    const booklet = cellText(r.cells[bookletColumn]);
    households.set(booklet, [...(households.get(booklet) ?? []), r]);
  }
  const chunks: Array<typeof roster.rows> = [[]];
  for (const rows of households.values()) {
    if (chunks.at(-1)!.length + rows.length > options.chunkRows && chunks.at(-1)!.length > 0) chunks.push([]);
    chunks.at(-1)!.push(...rows);
  }
  const total = chunks.reduce((s, c) => s + c.length, 0);
  const tally: RosterTally = { households: 0, accepted: 0, rejected: 0, errors: new Map() };
  let done = 0;
  for (const rows of chunks.filter((c) => c.length)) {
    // The header and the rows at their own numbers: the rows between are simply empty.
    const part = new ExcelJS.Workbook();
    const partSheet = part.addWorksheet(roster.sheetName.slice(0, 31) || '参保登记表');
    const put = (row: number, cells: unknown[]) => cells.forEach((value, i) => value != null && (partSheet.getRow(row).getCell(i + 1).value = plain(value)));
    put(header.row, headerCells);
    for (const r of rows) put(r.row, r.cells);
    const workbook = Buffer.from(await part.xlsx.writeBuffer()).toString('base64');
    const sorted = rows.map((r) => r.row).sort((a, b) => a - b);
    let result;
    try {
      ({ importRoster: result } = await client.request(PortalImportRosterDocument, { workbook, registeredOn: options.registeredOn ?? null }));
    } catch (err) {
      // Chunks before this one are registered; a household is never split across chunks.
      throw new Error(
        `${options.file} rows ${sorted[0]}–${sorted.at(-1)} were not imported (${tally.accepted} rows of earlier ones were): ${err instanceof Error ? err.message : String(err)}`,
        { cause: err },
      );
    }
    tally.households += result.households;
    tally.accepted += result.accepted;
    tally.rejected += result.rejected;
    for (const r of result.rows) if (r.error) tally.errors.set(r.row, r.error);
    done += rows.length;
    options.onProgress?.(done, total);
  }
  return tally;
}

/** The roster with an 错误 column on the rejected rows, as an .xlsx whatever the original's format. */
export async function annotate(file: string, errors: Map<number, string>): Promise<Buffer> {
  const roster = await readRoster(file);
  const header = findRosterHeader(roster);
  return errorWorkbook(roster, header.row, header.errorColumn, errors);
}

/** roster.xls → roster.errors.xlsx beside it. */
export const errorFileFor = (file: string) => file.replace(/\.(xlsx|xls|csv)$/i, '') + '.errors.xlsx';

if (require.main === module) {
  const cmd = withServerOptions(
    command(
      'import:roster',
      "Imports a township's 参保登记表 (.xlsx, .xls or .csv in UTF-8 or GBK; first sheet; title rows above the header are passed over) into the running server, whole households at a time, with a progress bar. Nothing of a household with a bad row is written; the rejected rows come back marked, in Chinese and by their row in the file, in an 错误 column of a copy, <file>.errors.xlsx. Exits 1 when any row was rejected.",
      [
        'npm run import:roster -- --tenant 610926 pingli-2021.xlsx',
        'npm run import:roster -- --tenant 610926 chengguan-2021.xls',
        'npm run import:roster -- --tenant 610926 --registered-on 2021-09-01 --chunk-rows 500 roster.csv',
      ],
    ),
    'STAFF',
  )
    .argument('<file>', 'the roster (.xlsx, .xls or .csv)')
    .option('--registered-on <date>', 'the registration date of every row (YYYY-MM-DD); default: today, China time', date)
    .option('--chunk-rows <rows>', 'about this many rows per request, whole households', integerIn(1, 10_000), 2000);
  run(cmd, async () => {
    const [file] = cmd.processedArgs as [string];
    const options = cmd.opts<ServerOptions & { registeredOn?: string; chunkRows: number }>();
    if (!existsSync(file)) throw new Error(`cannot read ${file}: there is no such file`);
    const client = clientFor(options, 'import:roster', 'STAFF');
    let bar: ReturnType<typeof progressBar> | null = null;
    const tally = await importRosterFile({
      ...client.options,
      file,
      registeredOn: options.registeredOn ?? null,
      chunkRows: options.chunkRows,
      onProgress: (done, total) => {
        bar ??= progressBar(basename(file), total);
        bar.update(done, `${done}/${total} rows`);
      },
    });
    (bar as ReturnType<typeof progressBar> | null)?.finish();
    if (tally.errors.size > 0) {
      for (const [row, error] of [...tally.errors].sort(([a], [b]) => a - b).slice(0, 20)) process.stderr.write(`${file} row ${row}: ${error}\n`);
      if (tally.errors.size > 20) process.stderr.write(`… ${tally.errors.size - 20} more rejected rows\n`);
      const out = errorFileFor(file);
      writeFileSync(out, await annotate(file, tally.errors));
      process.stderr.write(`the rejected rows are marked in the 错误 column of ${out}\n`);
    }
    console.log(
      `${tally.accepted + tally.rejected} rows: ${tally.households} households registered, ${tally.accepted} rows accepted, ${tally.rejected} rejected`,
    );
    return tally.rejected > 0 ? EXIT_FAILED : 0;
  });
}
