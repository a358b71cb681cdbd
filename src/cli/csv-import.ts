/**
 * Streams a CSV file into a bulk-import mutation of the running server, a batch at a time, and tallies
 * the per-row results. Used by `npm run import:payments` (tax system) and `npm run import:assistance`
 * (agencies). Lines are read one by one, so memory stays flat whatever the file's size.
 */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { ApiClient, type ClientOptions } from './client';
import { splitCsvLine } from './csv';

export interface CsvImportOptions extends ClientOptions {
  file: string;
  batchSize: number;
  /**
   * Batches in flight at once (default 2): the server checks one batch while the database writes the
   * other. Memory stays bounded by batchSize × concurrency rows.
   */
  concurrency?: number;
  /** Batch ids are `${batchPrefix}-00001`…: deterministic, so running the same file again changes nothing. */
  batchPrefix: string;
  onProgress?: (bytes: number, totalBytes: number, tally: Tally) => void;
}

export interface CsvImportKind<Input> {
  /** Header names (English or the forms' Chinese) mapped to input fields. */
  columns: Record<string, string>;
  required: string[];
  toInput(record: Record<string, string>): Input;
  label(record: Record<string, string>): string;
  /**
   * What the server's types would refuse for the whole batch (a malformed amount, date or code): such a
   * row is rejected here, by its line and column, and the rest of the batch goes on.
   */
  invalid(record: Record<string, string>): { field: string; problem: string } | null;
  /** Sends one batch through the kind's typed operation (`batchId` for those that take one). */
  send(client: ApiClient, batchId: string, rows: Input[]): Promise<ImportResult>;
}

export interface Tally {
  rows: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Rejected rows by their line in the file (the header is line 1), with the column when it is known. */
  rejections: Array<{ line: number; column?: string; label: string; code: string | null; error: string }>;
}

type Batch<Input> = Array<{ line: number; label: string; input: Input }>;

/** What importPayments and importAssistance answer alike. */
export interface ImportResult {
  accepted: number;
  duplicates: number;
  rejected: number;
  rows: Array<{ index: number; status: string; error: string | null; code: string | null }>;
}

export async function runCsvImport<Input>(kind: CsvImportKind<Input>, options: CsvImportOptions): Promise<Tally> {
  const client = new ApiClient(options);
  const totalBytes = statSync(options.file).size;
  const lines = createInterface({ input: createReadStream(options.file, { encoding: 'utf8' }), crlfDelay: Infinity });
  const tally: Tally = { rows: 0, accepted: 0, duplicates: 0, rejected: 0, rejections: [] };
  let header: string[] | null = null;
  /** The file's own header text of each input field, to name a column as the clerk sees it. */
  const headerText = new Map<string, string>();
  let lineNo = 0;
  let bytes = 0;
  let batch: Batch<Input> = [];
  let batchNo = 0;
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;

  const send = async (rows: Batch<Input>, batchId: string) => {
    let result: ImportResult;
    try {
      result = await kind.send(client, batchId, rows.map((b) => b.input));
    } catch (err) {
      const lines = rows.length > 1 ? `lines ${rows[0].line}–${rows.at(-1)!.line}` : `line ${rows[0].line}`;
      throw new Error(`${options.file} ${lines} (batch ${batchId}) were not imported: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    tally.accepted += result.accepted;
    tally.duplicates += result.duplicates;
    tally.rejected += result.rejected;
    for (const row of result.rows.filter((r) => r.status === 'REJECTED')) {
      tally.rejections.push({ line: rows[row.index].line, label: rows[row.index].label, code: row.code, error: row.error ?? '' });
    }
  };

  /** Sends the batch so far, waiting first while `concurrency` batches are under way. */
  const dispatch = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    batchNo += 1;
    const batchId = `${options.batchPrefix}-${String(batchNo).padStart(5, '0')}`;
    const sent: Promise<void> = send(rows, batchId)
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => inFlight.delete(sent));
    inFlight.add(sent);
    while (inFlight.size >= concurrency) await Promise.race(inFlight);
    if (failure) throw failure;
  };

  /** Reads the file, checks each row and sends full batches; throws on the first failure. */
  const readLines = async (): Promise<void> => {
    for await (const line of lines) {
      lineNo += 1;
      bytes += Buffer.byteLength(line, 'utf8') + 1;
      if (!line.trim()) continue;
      const fields = splitCsvLine(line.replace(/^\uFEFF/, ''));
      if (!header) {
        header = fields.map((f) => kind.columns[f.replace(/\s/g, '').toLowerCase()] ?? kind.columns[f] ?? f);
        header.forEach((field, i) => headerText.set(field, fields[i]));
        const missing = kind.required.filter((c) => !header!.includes(c));
        if (missing.length) throw new Error(`${options.file} line ${lineNo}: the header has no column for ${missing.join(', ')} (its columns: ${fields.join(', ')})`);
        continue;
      }
      const record = Object.fromEntries(header.map((name, i) => [name, fields[i] ?? '']));
      tally.rows += 1;
      const invalid = kind.invalid(record);
      if (invalid) {
        tally.rejected += 1;
        tally.rejections.push({ line: lineNo, column: headerText.get(invalid.field) ?? invalid.field, label: kind.label(record), code: 'BAD_USER_INPUT', error: invalid.problem });
        continue;
      }
      batch.push({ line: lineNo, label: kind.label(record), input: kind.toInput(record) });
      if (batch.length >= options.batchSize) {
        await dispatch();
        options.onProgress?.(bytes, totalBytes, tally);
      }
    }
    await dispatch();
    await Promise.all(inFlight);
    if (failure) throw failure;
  };

  try {
    await readLines();
  } catch (err) {
    // What the batches already sent did stays done: say so, with the tally of what came back.
    await Promise.allSettled([...inFlight]);
    tally.rejections.sort((a, b) => a.line - b.line);
    throw new ImportInterrupted(err instanceof Error ? err.message : String(err), tally);
  }
  // Batches finish in any order; the rejections read best by line.
  tally.rejections.sort((a, b) => a.line - b.line);
  options.onProgress?.(totalBytes, totalBytes, tally);
  return tally;
}

/** An import that stopped part way (the server went away, a batch was refused whole), with its tally so far. */
export class ImportInterrupted extends Error {
  constructor(
    message: string,
    readonly tally: Tally,
  ) {
    super(message);
  }
}
