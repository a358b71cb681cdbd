/**
 * Streams a CSV file into a bulk-import mutation of the running server, a batch at a time, and tallies
 * the per-row results. Used by `npm run import:payments` (tax system) and `npm run import:assistance`
 * (agencies). Lines are read one by one, so memory stays flat whatever the file's size.
 */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { splitCsvLine } from './csv';

export interface CsvImportOptions {
  file: string;
  url: string;
  token: string;
  tenant: string;
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

export interface CsvImportKind {
  /** Header names (English or the forms' Chinese) mapped to input fields. */
  columns: Record<string, string>;
  required: string[];
  /** The GraphQL mutation; its variables are `batchId` (when it takes one) and `rows`. */
  mutation: string;
  field: string;
  toInput(record: Record<string, string>): Record<string, unknown>;
  label(record: Record<string, string>): string;
  /**
   * What the server's types would refuse for the whole batch (a malformed amount, date or code): such a
   * row is rejected here, by its line, and the rest of the batch goes on.
   */
  invalid(record: Record<string, string>): string | null;
}

export interface Tally {
  rows: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  /** Rejected rows by their line in the file (the header is line 1). */
  rejections: Array<{ line: number; label: string; code: string | null; error: string }>;
}

type Batch = Array<{ line: number; label: string; input: Record<string, unknown> }>;

interface ImportResult {
  accepted: number;
  duplicates: number;
  rejected: number;
  rows: Array<{ index: number; status: string; error: string | null; code: string | null }>;
}

export async function runCsvImport(kind: CsvImportKind, options: CsvImportOptions): Promise<Tally> {
  const totalBytes = statSync(options.file).size;
  const lines = createInterface({ input: createReadStream(options.file, { encoding: 'utf8' }), crlfDelay: Infinity });
  const tally: Tally = { rows: 0, accepted: 0, duplicates: 0, rejected: 0, rejections: [] };
  let header: string[] | null = null;
  let lineNo = 0;
  let bytes = 0;
  let batch: Batch = [];
  let batchNo = 0;
  const concurrency = Math.max(1, options.concurrency ?? 2);
  const inFlight = new Set<Promise<void>>();
  let failure: unknown = null;

  const send = async (rows: Batch, batchId: string) => {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}`, 'x-tenant-id': options.tenant },
      body: JSON.stringify({ query: kind.mutation, variables: { batchId, rows: rows.map((b) => b.input) } }),
    });
    const body = (await response.json()) as { data?: Record<string, ImportResult>; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    const result = body.data?.[kind.field];
    if (!result) {
      const error = body.errors?.[0];
      throw new Error(`batch ${batchId} (lines ${rows[0].line}–${rows.at(-1)!.line}) failed: ${error?.extensions?.code ?? response.status} ${error?.message ?? ''}`);
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

  for await (const line of lines) {
    lineNo += 1;
    bytes += Buffer.byteLength(line, 'utf8') + 1;
    if (!line.trim()) continue;
    const fields = splitCsvLine(line.replace(/^\uFEFF/, ''));
    if (!header) {
      header = fields.map((f) => kind.columns[f.replace(/\s/g, '').toLowerCase()] ?? kind.columns[f] ?? f);
      const missing = kind.required.filter((c) => !header!.includes(c));
      if (missing.length) throw new Error(`${options.file}: the header lacks ${missing.join(', ')}`);
      continue;
    }
    const record = Object.fromEntries(header.map((name, i) => [name, fields[i] ?? '']));
    tally.rows += 1;
    const problem = kind.invalid(record);
    if (problem) {
      tally.rejected += 1;
      tally.rejections.push({ line: lineNo, label: kind.label(record), code: 'BAD_USER_INPUT', error: problem });
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
  // Batches finish in any order; the rejections read best by line.
  tally.rejections.sort((a, b) => a.line - b.line);
  options.onProgress?.(totalBytes, totalBytes, tally);
  return tally;
}
