/**
 * `npm run import:payments -- --tenant 620702 [--url http://localhost:4000/graphql] [--token T]
 *   [--batch-size 5000] [--batch-prefix NAME] [--errors rejected.csv] file.csv`
 *
 * Streams a CSV file of the tax system's payments (header: idNumber,coverageYear,amount,paidOn,channel,
 * receiptNo; the Chinese headers 身份证号码,参保年度,金额,缴费日期,缴费渠道,票据号 also work) into the
 * server's importPayments in batches, with a progress bar on stderr, and prints the tally on stdout.
 * Batch ids derive from the file name and position, so running the same file again changes nothing.
 * Without --token it signs a TAX token with the local development secret, as `npm run token` does.
 */
import { createReadStream, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { signToken } from '../auth/tokens';
import { loadConfig } from '../config/config';
import { progressBar, splitCsvLine } from './csv';

const COLUMNS: Record<string, string> = {
  idnumber: 'idNumber',
  身份证号码: 'idNumber',
  coverageyear: 'coverageYear',
  参保年度: 'coverageYear',
  amount: 'amount',
  金额: 'amount',
  paidon: 'paidOn',
  缴费日期: 'paidOn',
  channel: 'channel',
  缴费渠道: 'channel',
  receiptno: 'receiptNo',
  票据号: 'receiptNo',
};
const REQUIRED = ['idNumber', 'coverageYear', 'amount', 'paidOn', 'channel', 'receiptNo'];

const IMPORT = `mutation($batchId: String!, $payments: [PaymentInput!]!) {
  importPayments(batchId: $batchId, payments: $payments) { accepted duplicates rejected rows { index receiptNo status error code } } }`;

export interface ImportOptions {
  file: string;
  url: string;
  token: string;
  tenant: string;
  batchSize: number;
  batchPrefix: string;
  onProgress?: (bytes: number, totalBytes: number, tally: Tally) => void;
}

export interface Tally {
  rows: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Rejected rows by their line in the file (the header is line 1). */
  rejections: Array<{ line: number; receiptNo: string; code: string | null; error: string }>;
}

export async function importPaymentsCsv(options: ImportOptions): Promise<Tally> {
  const totalBytes = statSync(options.file).size;
  const lines = createInterface({ input: createReadStream(options.file, { encoding: 'utf8' }), crlfDelay: Infinity });
  const tally: Tally = { rows: 0, accepted: 0, duplicates: 0, rejected: 0, rejections: [] };
  let header: string[] | null = null;
  let lineNo = 0;
  let bytes = 0;
  let batch: Array<{ line: number; payment: Record<string, unknown> }> = [];
  let batchNo = 0;

  const send = async () => {
    if (batch.length === 0) return;
    batchNo += 1;
    const batchId = `${options.batchPrefix}-${String(batchNo).padStart(5, '0')}`;
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}`, 'x-tenant-id': options.tenant },
      body: JSON.stringify({ query: IMPORT, variables: { batchId, payments: batch.map((b) => b.payment) } }),
    });
    const body = (await response.json()) as { data?: { importPayments: { accepted: number; duplicates: number; rejected: number; rows: Array<{ index: number; receiptNo: string; status: string; error: string | null; code: string | null }> } }; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    if (!body.data?.importPayments) {
      const error = body.errors?.[0];
      throw new Error(`batch ${batchId} (lines ${batch[0].line}–${batch.at(-1)!.line}) failed: ${error?.extensions?.code ?? response.status} ${error?.message ?? ''}`);
    }
    const result = body.data.importPayments;
    tally.accepted += result.accepted;
    tally.duplicates += result.duplicates;
    tally.rejected += result.rejected;
    for (const row of result.rows.filter((r) => r.status === 'REJECTED')) {
      tally.rejections.push({ line: batch[row.index].line, receiptNo: row.receiptNo, code: row.code, error: row.error ?? '' });
    }
    batch = [];
  };

  for await (const line of lines) {
    lineNo += 1;
    bytes += Buffer.byteLength(line, 'utf8') + 1;
    if (!line.trim()) continue;
    const fields = splitCsvLine(line.replace(/^\uFEFF/, ''));
    if (!header) {
      header = fields.map((f) => COLUMNS[f.replace(/\s/g, '').toLowerCase()] ?? COLUMNS[f] ?? f);
      const missing = REQUIRED.filter((c) => !header!.includes(c));
      if (missing.length) throw new Error(`${options.file}: the header lacks ${missing.join(', ')}`);
      continue;
    }
    const record = Object.fromEntries(header.map((name, i) => [name, fields[i] ?? '']));
    tally.rows += 1;
    batch.push({
      line: lineNo,
      payment: {
        idNumber: record.idNumber,
        coverageYear: Number(record.coverageYear),
        amount: record.amount,
        paidOn: record.paidOn,
        channel: record.channel,
        receiptNo: record.receiptNo,
      },
    });
    if (batch.length >= options.batchSize) {
      await send();
      options.onProgress?.(bytes, totalBytes, tally);
    }
  }
  await send();
  options.onProgress?.(totalBytes, totalBytes, tally);
  return tally;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      url: { type: 'string', default: `http://localhost:${process.env.PORT ?? 4000}/graphql` },
      token: { type: 'string' },
      'batch-size': { type: 'string', default: '5000' },
      'batch-prefix': { type: 'string' },
      errors: { type: 'string' },
    },
  });
  const file = positionals[0];
  const batchSize = Number(values['batch-size']);
  if (!values.tenant || !file || !(batchSize >= 1 && batchSize <= 10_000)) {
    process.stderr.write('usage: npm run import:payments -- --tenant <code> [--url URL] [--token T] [--batch-size 1..10000] [--errors out.csv] file.csv\n');
    process.exit(2);
  }
  const token = values.token ?? signToken({ sub: 'csv-importer', role: 'TAX', tenants: [values.tenant] }, loadConfig().jwtSecret, '1h');
  const bar = progressBar(basename(file), statSync(file).size);
  const started = Date.now();
  const tally = await importPaymentsCsv({
    file,
    url: values.url!,
    token,
    tenant: values.tenant,
    batchSize,
    batchPrefix: values['batch-prefix'] ?? basename(file).replace(/\.csv$/i, ''),
    onProgress: (bytes, _total, t) => bar.update(bytes, `${t.accepted + t.duplicates + t.rejected} rows`),
  });
  bar.finish();
  if (values.errors) {
    writeFileSync(values.errors, ['line,receiptNo,code,error', ...tally.rejections.map((r) => [r.line, r.receiptNo, r.code ?? '', `"${r.error.replace(/"/g, '""')}"`].join(','))].join('\n') + '\n');
  } else {
    for (const r of tally.rejections.slice(0, 20)) process.stderr.write(`line ${r.line} ${r.receiptNo}: ${r.code} ${r.error}\n`);
    if (tally.rejections.length > 20) process.stderr.write(`… ${tally.rejections.length - 20} more rejected rows (use --errors FILE)\n`);
  }
  const seconds = (Date.now() - started) / 1000;
  console.log(`${tally.rows} rows: ${tally.accepted} accepted, ${tally.duplicates} duplicates, ${tally.rejected} rejected in ${seconds.toFixed(1)} s`);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
