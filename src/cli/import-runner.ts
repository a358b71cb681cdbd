/** The command line around runCsvImport: arguments, a development token, progress bar and tally. */
import { statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { parseArgs } from 'node:util';
import { type Role, signToken } from '../context/tokens';
import { loadConfig } from '../common/config';
import { progressBar } from './csv';
import { type CsvImportKind, runCsvImport } from './csv-import';

export async function runImportCommand(command: string, kind: CsvImportKind, role: Role): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      tenant: { type: 'string' },
      url: { type: 'string', default: `http://localhost:${process.env.PORT ?? 4000}/graphql` },
      token: { type: 'string' },
      'batch-size': { type: 'string', default: '5000' },
      concurrency: { type: 'string', default: '2' },
      'batch-prefix': { type: 'string' },
      errors: { type: 'string' },
    },
  });
  const file = positionals[0];
  const batchSize = Number(values['batch-size']);
  const concurrency = Number(values.concurrency);
  if (!values.tenant || !file || !(batchSize >= 1 && batchSize <= 10_000) || !(Number.isInteger(concurrency) && concurrency >= 1 && concurrency <= 8)) {
    process.stderr.write(`usage: npm run ${command} -- --tenant <code> [--url URL] [--token T] [--batch-size 1..10000] [--concurrency 1..8] [--errors out.csv] file.csv\n`);
    process.exit(2);
  }
  // Without --token: a short-lived token from the local development secret, as `npm run token` makes.
  const token = values.token ?? signToken({ sub: command, role, tenants: [values.tenant] }, loadConfig().jwtSecret, '1h');
  const bar = progressBar(basename(file), statSync(file).size);
  const started = Date.now();
  const tally = await runCsvImport(kind, {
    file,
    url: values.url!,
    token,
    tenant: values.tenant,
    batchSize,
    concurrency,
    batchPrefix: values['batch-prefix'] ?? basename(file).replace(/\.csv$/i, ''),
    onProgress: (bytes, _total, t) => bar.update(bytes, `${t.accepted + t.duplicates + t.rejected} rows`),
  });
  bar.finish();
  if (values.errors) {
    const quote = (text: string) => `"${text.replace(/"/g, '""')}"`;
    writeFileSync(values.errors, ['line,row,code,error', ...tally.rejections.map((r) => [r.line, quote(r.label), r.code ?? '', quote(r.error)].join(','))].join('\n') + '\n');
  } else {
    for (const r of tally.rejections.slice(0, 20)) process.stderr.write(`line ${r.line} ${r.label}: ${r.code} ${r.error}\n`);
    if (tally.rejections.length > 20) process.stderr.write(`… ${tally.rejections.length - 20} more rejected rows (use --errors FILE)\n`);
  }
  console.log(`${tally.rows} rows: ${tally.accepted} accepted, ${tally.duplicates} duplicates, ${tally.rejected} rejected in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

export function runMain(main: () => Promise<void>): void {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
