/** The command line around runCsvImport: arguments, a development token, progress bar and tally. */
import { existsSync, statSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Role } from '../context/tokens';
import { clientFor, command, EXIT_FAILED, integerIn, run, type ServerOptions, withServerOptions } from './command';
import { Option } from 'commander';
import { progressBar } from './csv';
import { ENCODINGS, type EncodingOption, encodingName } from './encoding';
import { type CsvImportKind, ImportInterrupted, runCsvImport, type Tally } from './csv-import';

export interface ImportCommand {
  /** The npm script, e.g. import:payments. */
  script: string;
  /** The role of the development token signed when --token is not given. */
  role: Role;
  description: string;
  examples: string[];
}

interface ImportOptions extends ServerOptions {
  encoding: EncodingOption;
  batchSize: number;
  concurrency: number;
  batchPrefix?: string;
  errors?: string;
  language: 'zh-CN' | 'en';
}

export function runImportCommand<Input>(kind: CsvImportKind<Input>, spec: ImportCommand): void {
  const cmd = withServerOptions(command(spec.script, spec.description, spec.examples), spec.role)
    .argument('<file>', 'the CSV file (comma-separated, header on row 1)')
    .addOption(
      new Option('--encoding <name>', "the file's encoding; auto detects UTF-8 (with or without BOM) or GBK/GB18030").choices(ENCODINGS).default('auto'),
    )
    .option('--batch-size <rows>', 'rows per request', integerIn(1, 10_000), 5000)
    .option('--concurrency <n>', 'requests in flight at once', integerIn(1, 8), 2)
    .option('--batch-prefix <prefix>', "the batch ids' prefix (default: the file's name)")
    .option('--errors <file.csv>', 'write every rejected row there (line, column, row, code, error) instead of the first 20 on stderr')
    .addOption(
      new Option('--language <tag>', "the language of the rejected rows' reasons and of the --errors file (Chinese for clerks; en for scripts)")
        .choices(['zh-CN', 'en'])
        .default('zh-CN'),
    );
  run(cmd, async () => {
    const [file] = cmd.processedArgs as [string];
    const options = cmd.opts<ImportOptions>();
    if (!existsSync(file) || !statSync(file).isFile()) throw new Error(`cannot read ${file}: there is no such file`);
    const client = clientFor(options, spec.script, spec.role);
    const bar = progressBar(basename(file), statSync(file).size);
    const started = Date.now();
    let tally: Tally;
    try {
      tally = await runCsvImport(kind, {
        ...client.options,
        language: options.language,
        file,
        encoding: options.encoding,
        batchSize: options.batchSize,
        concurrency: options.concurrency,
        batchPrefix: options.batchPrefix ?? basename(file).replace(/\.csv$/i, ''),
        onProgress: (bytes, _total, t) => bar.update(bytes, `${t.accepted + t.duplicates + t.rejected} rows`),
        onRetry: (batchId, attempt, err, delayMs) =>
          process.stderr.write(
            `batch ${batchId}: ${err.message}; nothing of it was written, sending it again in ${delayMs / 1000} s (attempt ${attempt + 1})\n`,
          ),
      });
    } catch (err) {
      bar.finish();
      if (err instanceof ImportInterrupted) {
        report(file, err.tally, options.errors, options.language);
        process.stderr.write(
          `before it stopped: ${summary(err.tally)}; running the same command again sends the rest (rows already imported count as duplicates)\n`,
        );
      }
      throw err;
    }
    bar.finish();
    report(file, tally, options.errors, options.language);
    console.log(
      `${tally.rows} rows (${tally.encoding ? encodingName(tally.encoding) : ''}): ${summary(tally)} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return tally.rejected > 0 ? EXIT_FAILED : 0;
  });
}

function summary(tally: Tally): string {
  return `${tally.accepted} accepted${tally.held ? ` (${tally.held} held in suspense)` : ''}, ${tally.duplicates} duplicates, ${tally.rejected} rejected`;
}

/** The rejected rows: all into --errors, or the first 20 on stderr, each naming its line and column. */
function report(file: string, tally: Tally, errorsFile: string | undefined, language: 'zh-CN' | 'en'): void {
  const zh = language === 'zh-CN';
  if (errorsFile) {
    const quote = (text: string) => `"${text.replace(/"/g, '""')}"`;
    const lines = tally.rejections.map((r) => [r.line, quote(r.column ?? ''), quote(r.label), r.code ?? '', quote(r.error)].join(','));
    // A clerk opens it in Excel: Chinese headers, and a BOM so that Excel reads it as UTF-8.
    const header = zh ? '\uFEFF行号,列,行,错误代码,原因' : 'line,column,row,code,error';
    writeFileSync(errorsFile, [header, ...lines].join('\n') + '\n');
    if (tally.rejections.length)
      process.stderr.write(
        zh
          ? `${tally.rejections.length} 行被拒绝，原因逐行写在 ${errorsFile}\n`
          : `${tally.rejections.length} rejected rows, each with its reason: ${errorsFile}\n`,
      );
    return;
  }
  for (const r of tally.rejections.slice(0, 20)) {
    const where = zh
      ? `${file} 第 ${r.line} 行${r.column ? `「${r.column}」列` : ''}（${r.label}）：`
      : `${file} row ${r.line}${r.column ? `, column ${r.column}` : ''} (${r.label}): `;
    process.stderr.write(`${where}${r.code ?? 'REJECTED'} ${r.error}\n`);
  }
  if (tally.rejections.length > 20) {
    const more = tally.rejections.length - 20;
    process.stderr.write(zh ? `…… 另有 ${more} 行被拒绝（--errors 文件可写出全部）\n` : `… ${more} more rejected rows (--errors FILE writes them all)\n`);
  }
}
