/**
 * `npm run import:roster -- --tenant 610926 [--url …] [--token T] [--registered-on YYYY-MM-DD] [--chunk-rows 2000] roster.xlsx`
 *
 * Sends a 参保登记表 workbook to importRoster in chunks of whole households, with a progress bar, and
 * when rows are rejected writes a copy of the workbook with an error column beside it
 * (roster.errors.xlsx). Nothing of a household with a bad row is written.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import ExcelJS from 'exceljs';
import { PortalImportRosterDocument } from '../../schema/generated/client';
import { markErrors } from '../domains/residents/roster.service';
import { ApiClient, type ClientOptions } from './client';
import { clientFor, command, date, EXIT_FAILED, integerIn, run, type ServerOptions, withServerOptions } from './command';
import { progressBar } from './csv';

export interface RosterTally {
  households: number;
  accepted: number;
  rejected: number;
  errors: Map<number, string>;
}

export async function importRosterFile(options: ClientOptions & { file: string; registeredOn?: string | null; chunkRows: number; onProgress?: (done: number, total: number) => void }): Promise<RosterTally> {
  // The rows' errors go into the copy of the workbook that township staff correct: in Chinese.
  const client = new ApiClient({ ...options, language: 'zh-CN' });
  const original = new ExcelJS.Workbook();
  try {
    await original.xlsx.readFile(options.file);
  } catch (err) {
    throw new Error(`cannot read ${options.file} as an XLSX workbook: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
  }
  const sheet = original.worksheets[0];
  if (!sheet) throw new Error(`${options.file} has no worksheet`);
  const header = sheet.getRow(1).values as ExcelJS.CellValue[];
  const bookletColumn = header.findIndex((h) => ['户口簿号', 'bookletNo'].includes(String(h ?? '').trim()));
  if (bookletColumn < 1) throw new Error(`${options.file} row 1: the header has no 户口簿号 column`);
  // Households whole, in sheet order, packed into chunks of about chunkRows rows.
  const households = new Map<string, number[]>();
  sheet.eachRow((row, n) => {
    if (n === 1) return;
    const booklet = String(row.getCell(bookletColumn).value ?? '');
    households.set(booklet, [...(households.get(booklet) ?? []), n]);
  });
  const chunks: number[][] = [[]];
  for (const rows of households.values()) {
    if (chunks.at(-1)!.length + rows.length > options.chunkRows && chunks.at(-1)!.length > 0) chunks.push([]);
    chunks.at(-1)!.push(...rows);
  }
  const total = chunks.reduce((s, c) => s + c.length, 0);
  const tally: RosterTally = { households: 0, accepted: 0, rejected: 0, errors: new Map() };
  let done = 0;
  for (const rows of chunks.filter((c) => c.length)) {
    const part = new ExcelJS.Workbook();
    const partSheet = part.addWorksheet(sheet.name);
    partSheet.addRow(header.slice(1));
    for (const n of rows) partSheet.addRow((sheet.getRow(n).values as ExcelJS.CellValue[]).slice(1));
    const workbook = Buffer.from(await part.xlsx.writeBuffer()).toString('base64');
    let result;
    try {
      ({ importRoster: result } = await client.request(PortalImportRosterDocument, { workbook, registeredOn: options.registeredOn ?? null }));
    } catch (err) {
      // Chunks before this one are registered; a household is never split across chunks.
      throw new Error(`${options.file} rows ${rows[0]}–${rows.at(-1)} were not imported (${tally.accepted} rows of earlier ones were): ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    tally.households += result.households;
    tally.accepted += result.accepted;
    tally.rejected += result.rejected;
    // Row n of the chunk is row rows[n - 2] of the original.
    for (const r of result.rows) if (r.error) tally.errors.set(rows[r.row - 2], r.error);
    done += rows.length;
    options.onProgress?.(done, total);
  }
  return tally;
}

/** The original workbook with an error column on the rejected rows. */
export async function annotate(file: string, errors: Map<number, string>): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.readFile(file);
  const sheet = workbook.worksheets[0];
  markErrors(sheet, sheet.getRow(1).cellCount + 1, errors);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

if (require.main === module) {
  const cmd = withServerOptions(
    command(
      'import:roster',
      'Imports a township\'s 参保登记表 (XLSX, first sheet, header on row 1 with a 户口簿号 column) into the running server, whole households at a time, with a progress bar. Nothing of a household with a bad row is written; the rejected rows come back marked in an 错误 column of a copy, <file>.errors.xlsx. Exits 1 when any row was rejected.',
      ['npm run import:roster -- --tenant 610926 pingli-2021.xlsx', 'npm run import:roster -- --tenant 610926 --registered-on 2021-09-01 --chunk-rows 500 roster.xlsx'],
    ),
    'STAFF',
  )
    .argument('<file>', 'the workbook (.xlsx)')
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
      const out = file.replace(/\.xlsx$/i, '') + '.errors.xlsx';
      writeFileSync(out, await annotate(file, tally.errors));
      process.stderr.write(`the rejected rows are marked in the 错误 column of ${out}\n`);
    }
    console.log(`${tally.accepted + tally.rejected} rows: ${tally.households} households registered, ${tally.accepted} rows accepted, ${tally.rejected} rejected`);
    return tally.rejected > 0 ? EXIT_FAILED : 0;
  });
}
