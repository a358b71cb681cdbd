/**
 * Streams a CSV file into a bulk-import mutation of the running server, a batch at a time, and tallies
 * the per-row results. Used by `npm run import:payments` (tax system) and `npm run import:assistance`
 * (agencies). The file's encoding (UTF-8 with or without BOM, GBK, GB18030) is detected or named and
 * checked before anything is sent; csv-parse reads records (quoted fields may hold commas and line
 * breaks) one by one, so memory stays flat whatever the file's size. Rows are named by the file's own row
 * numbers: the line a record starts on, the header being row 1.
 */
import { statSync } from 'node:fs';
import { pipeline } from 'node:stream';
import { parse } from 'csv-parse';
import { languageOf, type Localized } from '../common/i18n';
import { ApiClient, ApiError, type ClientOptions } from './client';
import { decodedStream, detectEncoding, type Encoding, type EncodingOption } from './encoding';

export interface CsvImportOptions extends ClientOptions {
  file: string;
  batchSize: number;
  /**
   * Batches in flight at once (default 2): the server checks one batch while the database writes the
   * other. The next batch is read meanwhile, so memory stays bounded by batchSize × (concurrency + 1) rows.
   */
  concurrency?: number;
  /** Batch ids are `${batchPrefix}-00001`…: deterministic, so running the same file again changes nothing. */
  batchPrefix: string;
  /** The file's encoding, or auto (the default) to detect it. */
  encoding?: EncodingOption;
  onProgress?: (bytes: number, totalBytes: number, tally: Tally) => void;
  /**
   * Sends of one batch at most (default 5). A batch that failed transiently (a timeout, a conflict the
   * server marks retryable, HTTP 503 or 429) wrote nothing and is sent again after retryDelayMs, doubled
   * each time: imports are idempotent by receipt, so a batch that did land counts as duplicates.
   */
  attempts?: number;
  /** The first wait before sending a batch again (default 1,000 ms). */
  retryDelayMs?: number;
  onRetry?: (batchId: string, attempt: number, error: ApiError, delayMs: number) => void;
}

export interface CsvImportKind<Input> {
  /** Header names (English or the forms' Chinese) mapped to input fields. */
  columns: Record<string, string>;
  required: string[];
  /** The header names a clerk may write for each input field, for the message when one is missing. */
  names: Record<string, string>;
  toInput(record: Record<string, string>): Input;
  label(record: Record<string, string>): string;
  /**
   * What the server's types would refuse for the whole batch (a malformed amount, date or code): such a
   * row is rejected here, by its line and column, and the rest of the batch goes on.
   */
  invalid(record: Record<string, string>): { field: string; problem: Localized } | null;
  /** Sends one batch through the kind's typed operation (`batchId` for those that take one). */
  send(client: ApiClient, batchId: string, rows: Input[]): Promise<ImportResult>;
}

export interface Tally {
  rows: number;
  /** The encoding the file was read in. */
  encoding?: Encoding;
  accepted: number;
  /** Accepted rows whose money is held in suspense (payments only). */
  held: number;
  duplicates: number;
  rejected: number;
  /** Rejected rows by their line in the file (the header is line 1), with the column when it is known. */
  rejections: Array<{ line: number; column?: string; label: string; code: string | null; error: string }>;
}

type Batch<Input> = Array<{ line: number; label: string; input: Input }>;

/** What importPayments and importAssistance answer alike. */
export interface ImportResult {
  accepted: number;
  held?: number;
  duplicates: number;
  rejected: number;
  rows: Array<{ index: number; status: string; error: string | null; code: string | null }>;
}

export async function runCsvImport<Input>(kind: CsvImportKind<Input>, options: CsvImportOptions): Promise<Tally> {
  const client = new ApiClient(options);
  const totalBytes = statSync(options.file).size;
  // Refused before anything is sent when the file does not decode.
  const encoding = await detectEncoding(options.file, options.encoding ?? 'auto');
  let bytes = 0;
  // A read or decoding error ends the iteration below with that error (pipeline destroys the parser with it).
  const records = pipeline(
    decodedStream(options.file, encoding, (n) => (bytes += n)),
    parse({ relax_column_count: true, skip_empty_lines: true, trim: true, raw: true }),
    () => {},
  );
  const tally: Tally = { rows: 0, encoding, accepted: 0, held: 0, duplicates: 0, rejected: 0, rejections: [] };
  let header: string[] | null = null;
  /** The file's own header text of each input field, to name a column as the clerk sees it. */
  const headerText = new Map<string, string>();
  let batch: Batch<Input> = [];
  let batchNo = 0;
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;

  const attempts = Math.max(1, options.attempts ?? 5);
  const sendWithRetries = async (batchId: string, inputs: Input[]): Promise<ImportResult> => {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await kind.send(client, batchId, inputs);
      } catch (err) {
        if (!(err instanceof ApiError) || !err.transient || attempt >= attempts) throw err;
        const delay = (options.retryDelayMs ?? 1000) * 2 ** (attempt - 1);
        options.onRetry?.(batchId, attempt, err, delay);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  };

  const send = async (rows: Batch<Input>, batchId: string) => {
    let result: ImportResult;
    try {
      result = await sendWithRetries(
        batchId,
        rows.map((b) => b.input),
      );
    } catch (err) {
      const lines = rows.length > 1 ? `lines ${rows[0].line}–${rows.at(-1)!.line}` : `line ${rows[0].line}`;
      throw new Error(`${options.file} ${lines} (batch ${batchId}) were not imported: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    tally.accepted += result.accepted;
    tally.held += result.held ?? 0;
    tally.duplicates += result.duplicates;
    tally.rejected += result.rejected;
    for (const row of result.rows.filter((r) => r.status === 'REJECTED')) {
      tally.rejections.push({ line: rows[row.index].line, label: rows[row.index].label, code: row.code, error: row.error ?? '' });
    }
  };

  /**
   * Sends the batch so far as soon as fewer than `concurrency` batches are under way. It waits with the
   * batch read, not before reading it: a slot that frees is filled at once, where reading the next
   * batch only then would leave the server one batch to work on meanwhile.
   */
  const dispatch = async () => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    while (inFlight.size >= concurrency && !failure) await Promise.race(inFlight);
    if (failure) throw failure;
    batchNo += 1;
    const batchId = `${options.batchPrefix}-${String(batchNo).padStart(5, '0')}`;
    const sent: Promise<void> = send(rows, batchId)
      .catch((err: unknown) => {
        failure ??= err;
      })
      .finally(() => inFlight.delete(sent));
    inFlight.add(sent);
  };

  /** Reads the records, checks each row and sends full batches; throws on the first failure. */
  const readLines = async (): Promise<void> => {
    /** Line breaks in the file before the record being read. */
    let linesBefore = 0;
    for await (const { record, raw } of records as AsyncIterable<{ record: string[]; raw: string }>) {
      // The row a record starts on: after the line breaks of the records before it and the empty lines before it.
      const breaks = lineBreaks(raw);
      const lineNo = 1 + linesBefore + breaks.before;
      linesBefore += breaks.all;
      const fields = record;
      if (!header) {
        header = fields.map((f) => kind.columns[f.replace(/\s/g, '').toLowerCase()] ?? kind.columns[f.replace(/\s/g, '')] ?? f);
        header.forEach((field, i) => headerText.set(field, fields[i]));
        const missing = kind.required.filter((c) => !header!.includes(c));
        if (missing.length) {
          throw new Error(
            `${options.file} row ${lineNo} (the header, read as ${encoding}): no column for ${missing.map((c) => kind.names[c] ?? c).join('; ')}. Its columns: ${fields.join(', ')}`,
          );
        }
        continue;
      }
      const recordByField: Record<string, string> = {};
      for (let i = 0; i < header.length; i += 1) recordByField[header[i]] = fields[i] ?? '';
      tally.rows += 1;
      const invalid = kind.invalid(recordByField);
      if (invalid) {
        tally.rejected += 1;
        tally.rejections.push({
          line: lineNo,
          column: headerText.get(invalid.field) ?? invalid.field,
          label: kind.label(recordByField),
          code: 'BAD_USER_INPUT',
          error: invalid.problem[languageOf(options.language)],
        });
        continue;
      }
      batch.push({ line: lineNo, label: kind.label(recordByField), input: kind.toInput(recordByField) });
      if (batch.length >= options.batchSize) {
        await dispatch();
        options.onProgress?.(bytes, totalBytes, tally);
      }
    }
    if (!header) throw new Error(`${options.file} has no header row: it is empty`);
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

/**
 * The line breaks of a record's raw text, \r\n, \r or \n each one: those before the record (the empty or
 * blank lines csv-parse skipped) and all of them. csv-parse's own count (`info.lines`) takes a \r\n
 * inside a quoted field for two. Its raw text of a CRLF file ends each record with the \r, and the \n
 * goes with no record: so a break is counted once whichever way the file ends its lines.
 */
function lineBreaks(raw: string): { before: number; all: number } {
  let before = -1;
  let all = 0;
  for (let i = 0; i < raw.length; i += 1) {
    const c = raw.charCodeAt(i);
    if (c === 13 || c === 10) {
      all += 1;
      if (c === 13 && raw.charCodeAt(i + 1) === 10) i += 1;
    } else if (before < 0 && c !== 32 && c !== 9) before = all;
  }
  return { before: before < 0 ? all : before, all };
}

/** Dates already read, as normaliseDate answered them: an export repeats a few days over its rows. */
const normalisedDates = new Map<string, string | null>();

/** A date as the exports write it: 2023-10-02 or 2023/10/02 (or 2023/10/2), as YYYY-MM-DD; null if it is not one. */
export function normaliseDate(text: string): string | null {
  const known = normalisedDates.get(text);
  if (known !== undefined) return known;
  const date = readDate(text);
  if (normalisedDates.size >= 10_000) normalisedDates.clear();
  normalisedDates.set(text, date);
  return date;
}

function readDate(text: string): string | null {
  const m = /^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$/.exec(text.trim());
  if (!m) return null;
  const date = `${m[1]}-${m[2].padStart(2, '0')}-${m[3].padStart(2, '0')}`;
  const d = new Date(`${date}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(date) ? date : null;
}
