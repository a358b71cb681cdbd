/**
 * `npm run import:roster -- --tenant 610926 [--url …] [--token T] [--registered-on YYYY-MM-DD] [--chunk-rows 2000] roster.xlsx`
 *
 * Sends a 参保登记表 workbook to importRoster in chunks of whole households, with a progress bar, and
 * when rows are rejected writes a copy of the workbook with an error column beside it
 * (roster.errors.xlsx). Nothing of a household with a bad row is written.
 */
import { writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import ExcelJS from 'exceljs';
import { signToken } from '../context/tokens';
import { loadConfig } from '../common/config';
import { markErrors } from '../domains/residents/roster.service';
import { progressBar } from './csv';
import { runMain } from './import-runner';

const IMPORT = `mutation($w: String!, $d: Date) { importRoster(workbook: $w, registeredOn: $d) { households accepted rejected rows { row status error } } }`;

export interface RosterTally {
  households: number;
  accepted: number;
  rejected: number;
  errors: Map<number, string>;
}

export async function importRosterFile(options: { file: string; url: string; token: string; tenant: string; registeredOn?: string | null; chunkRows: number; onProgress?: (done: number, total: number) => void }): Promise<RosterTally> {
  const original = new ExcelJS.Workbook();
  await original.xlsx.readFile(options.file);
  const sheet = original.worksheets[0];
  const header = sheet.getRow(1).values as ExcelJS.CellValue[];
  const bookletColumn = header.findIndex((h) => ['户口簿号', 'bookletNo'].includes(String(h ?? '').trim()));
  if (bookletColumn < 1) throw new Error(`${options.file}: no 户口簿号 column`);
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
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}`, 'x-tenant-id': options.tenant },
      body: JSON.stringify({ query: IMPORT, variables: { w: workbook, d: options.registeredOn ?? null } }),
    });
    const body = (await response.json()) as { data?: { importRoster: { households: number; accepted: number; rejected: number; rows: Array<{ row: number; status: string; error: string | null }> } }; errors?: Array<{ message: string }> };
    if (!body.data) throw new Error(`rows ${rows[0]}–${rows.at(-1)}: ${body.errors?.[0]?.message ?? response.status}`);
    const result = body.data.importRoster;
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
  runMain(async () => {
    const { values, positionals } = parseArgs({
      allowPositionals: true,
      options: {
        tenant: { type: 'string' },
        url: { type: 'string', default: `http://localhost:${process.env.PORT ?? 4000}/graphql` },
        token: { type: 'string' },
        'registered-on': { type: 'string' },
        'chunk-rows': { type: 'string', default: '2000' },
      },
    });
    const file = positionals[0];
    if (!values.tenant || !file) {
      process.stderr.write('usage: npm run import:roster -- --tenant <code> [--url URL] [--token T] [--registered-on YYYY-MM-DD] [--chunk-rows 2000] roster.xlsx\n');
      process.exit(2);
    }
    const token = values.token ?? signToken({ sub: 'import:roster', role: 'STAFF', tenants: [values.tenant] }, loadConfig().jwtSecret, '1h');
    let bar: ReturnType<typeof progressBar> | null = null;
    const tally = await importRosterFile({
      file,
      url: values.url!,
      token,
      tenant: values.tenant,
      registeredOn: values['registered-on'] ?? null,
      chunkRows: Number(values['chunk-rows']),
      onProgress: (done, total) => {
        bar ??= progressBar(basename(file), total);
        bar.update(done, `${done}/${total} rows`);
      },
    });
    (bar as ReturnType<typeof progressBar> | null)?.finish();
    if (tally.errors.size > 0) {
      const out = file.replace(/\.xlsx$/i, '') + '.errors.xlsx';
      writeFileSync(out, await annotate(file, tally.errors));
      process.stderr.write(`rows with errors, marked in the 错误 column: ${out}\n`);
    }
    console.log(`${tally.accepted + tally.rejected} rows: ${tally.households} households registered, ${tally.accepted} rows accepted, ${tally.rejected} rejected`);
  });
}
