/**
 * The audit records of reads that wrote nothing (they began no transaction, ran on a read replica, or
 * their transaction wrote nothing), written a few milliseconds after the answer, many at once. A
 * household read on plain PostgreSQL is one prepared statement in PostgreSQL's implicit transaction;
 * writing its record before the answer would take a transaction around it (BEGIN, the tenant, COMMIT)
 * and an INSERT of its own: in pgbench 545–563 µs of PostgreSQL CPU a read against 234–240 µs alone,
 * where a record written with a hundred others costs 8–9 µs. A resident's read in a transaction: 436–454
 * µs with its record, 324–328 µs with the record left out of its COMMIT.
 *
 * What it gives up (docs/security.md): a record becomes visible about FLUSH_DELAY_MS after the answer
 * while the database takes records (the `auditLog` query writes this server's waiting records first),
 * and a crash of the API server before then loses the records still waiting. A batch is one
 * transaction: all its records or none (only a connection lost between its COMMIT and the answer to it
 * makes the retry write them again). When the database does not take them, records wait and are
 * tried again, each attempt later than the last; past PENDING_MAX waiting (or PENDING_MAX_CHARS of
 * their JSON), reads that need a record are refused until they are written.
 */
import type { Pool } from 'pg';
import type { Logger } from '../../common/logger';
import { TimedOut, withinMs } from '../../common/deadline';
import { withPooledClient } from '../../db/pool';
import { checkedTenantCode, type DatabaseMode } from '../../db/tenant-transaction';
import { type AuditRecord, insertReadRecords, type ReadRecordWrite, readRecordJson } from './audit.repository';

/** How long a record waits for others before it is written. */
export const FLUSH_DELAY_MS = 20;
/** Records written in one transaction at most; that many waiting are written at once. */
const BATCH_MAX = 500;
/** The JSON of one transaction's records at most (at least one record goes, whatever its size). */
const BATCH_MAX_CHARS = 4 * 1024 * 1024;
/** Records waiting at most: past it, reads that need a record are refused (their answers withheld). */
const PENDING_MAX = 20_000;
/** The JSON of the waiting records at most: a read's variables may be large, and memory is bounded too. */
const PENDING_MAX_CHARS = 64 * 1024 * 1024;
/** After a failed attempt, the wait before the next, doubling up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5_000;
/** At shutdown, how long the last records may take to be written. */
const CLOSE_MAX_MS = 10_000;

export interface ReadRecordsOptions {
  /** The database: Citus (the tenant set by SET LOCAL), behind a pooler (no named statements, a statement timeout set in the transaction). */
  mode: Pick<DatabaseMode, 'citus' | 'pooled' | 'statementTimeoutMs'>;
  flushDelayMs?: number;
}

export class ReadRecords {
  private pending: ReadRecordWrite[] = [];
  /** The length of the waiting records' JSON. */
  private pendingChars = 0;
  /** Records taken since the start, and of those, written or dropped (they leave in the order they came). */
  private added = 0;
  private done = 0;
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  /** After a failed attempt: no attempt before this time (Date.now()) but an explicit flush. */
  private backoffUntil = 0;
  private retryMs = RETRY_FIRST_MS;
  /** The error of the last attempt, when it failed. */
  private lastError: Error | null = null;
  private closed = false;
  private readonly flushDelayMs: number;

  constructor(
    private readonly pool: Pool,
    private readonly log: Logger,
    private readonly options: ReadRecordsOptions,
  ) {
    this.flushDelayMs = options.flushDelayMs ?? FLUSH_DELAY_MS;
  }

  /** How many records wait to be written. */
  get waiting(): number {
    return this.pending.length;
  }

  /** Takes a read's record, to be written shortly; false when too many wait already (or the server is stopping). */
  add(tenantCode: string, record: AuditRecord): boolean {
    checkedTenantCode(tenantCode);
    if (this.closed || this.pending.length >= PENDING_MAX) return false;
    const json = readRecordJson(record, new Date().toISOString());
    if (this.pendingChars + json.length > PENDING_MAX_CHARS && this.pending.length > 0) return false;
    this.pending.push({ tenantCode, json });
    this.pendingChars += json.length;
    this.added += 1;
    // A write in flight, or the wait after a failed one, takes it when it ends.
    if (this.writing || Date.now() < this.backoffUntil) return true;
    if (this.pending.length >= BATCH_MAX) this.writeNow();
    else this.schedule(this.flushDelayMs);
    return true;
  }

  /**
   * Writes what waits now, whatever the wait after a failed attempt; resolves when every record taken
   * before the call is written (not those that keep arriving meanwhile), or rejects when the database
   * did not take them (they then wait for the next attempt).
   */
  async flush(): Promise<void> {
    const upTo = this.added;
    while (this.done < upTo) {
      if (!this.writing) this.writeNow();
      await this.writing;
      if (this.done < upTo && this.lastError) throw this.lastError;
    }
  }

  /** flush(), waiting at most `ms`: 'written', 'late' (the write may still go on), or the database's refusal. */
  async flushWithin(ms: number): Promise<'written' | 'late' | Error> {
    try {
      await withinMs(this.flush(), ms);
      return 'written';
    } catch (err) {
      return err instanceof TimedOut ? 'late' : (err as Error);
    }
  }

  /**
   * Takes no more and writes what waits, for at most CLOSE_MAX_MS (the server is stopping). Records
   * that could not be written are logged one by one (they are masked): the log is their last trace.
   */
  async close(): Promise<void> {
    this.closed = true;
    const outcome = await this.flushWithin(CLOSE_MAX_MS);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (outcome === 'written') return;
    const error = outcome === 'late' ? `not written within ${CLOSE_MAX_MS} ms` : outcome.message;
    this.log.error('audit records of reads not written at shutdown', { waiting: this.pending.length, error });
    for (const waiting of this.pending) this.log.error('audit record of a read not written at shutdown', recordFields(waiting));
  }

  private schedule(delayMs: number): void {
    this.timer ??= setTimeout(() => {
      this.timer = null;
      if (!this.writing) this.writeNow();
    }, delayMs).unref();
  }

  private writeNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.writing = this.writeBatch().finally(() => {
      this.writing = null;
      if (this.pending.length === 0 || this.closed) return;
      const wait = this.backoffUntil - Date.now();
      if (wait > 0) this.schedule(wait);
      else if (this.pending.length >= BATCH_MAX) this.writeNow();
      else this.schedule(this.flushDelayMs);
    });
  }

  /**
   * Writes the oldest batch. When the database does not take it, every record waits for a later
   * attempt. One batch per call, so that whoever waits for it (flush) sees its progress even while
   * reads keep adding records.
   */
  private async writeBatch(): Promise<void> {
    this.lastError = null;
    const batch = this.nextBatch();
    if (batch.length === 0) return;
    try {
      await this.write(batch);
      this.taken(batch.length);
    } catch (err) {
      const failed = unreachable(err) ? (err as Error) : await this.writeOneByOne(batch);
      if (failed) {
        this.lastError = failed;
        this.backoffUntil = Date.now() + this.retryMs;
        this.log.error('audit records of reads not written; trying again', { waiting: this.pending.length, retryMs: this.retryMs, error: failed.message });
        this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
        return;
      }
    }
    this.backoffUntil = 0;
    this.retryMs = RETRY_FIRST_MS;
  }

  /** The oldest `count` waiting records are written (or dropped). */
  private taken(count: number): void {
    for (const { json } of this.pending.splice(0, count)) this.pendingChars -= json.length;
    this.done += count;
  }

  /** The oldest waiting records, at most BATCH_MAX of them and BATCH_MAX_CHARS of JSON (at least one). */
  private nextBatch(): ReadRecordWrite[] {
    let chars = 0;
    let count = 0;
    while (count < Math.min(BATCH_MAX, this.pending.length)) {
      chars += this.pending[count].json.length;
      if (count > 0 && chars > BATCH_MAX_CHARS) break;
      count += 1;
    }
    return this.pending.slice(0, count);
  }

  /**
   * After the database refused a batch (not for being unreachable): each record in a transaction of its
   * own. One it refuses for a value in it (refusedForItsValue) is logged whole (it is masked) and
   * dropped, so that it cannot hold up every read's record behind it. Returns the error that stopped
   * it, when the database refused a record for anything else (then every record would be), or became
   * unreachable; null when the batch is done.
   */
  private async writeOneByOne(batch: readonly ReadRecordWrite[]): Promise<Error | null> {
    for (const waiting of batch) {
      try {
        await this.write([waiting]);
      } catch (err) {
        if (!refusedForItsValue(err)) return err as Error;
        this.log.error('audit record of a read refused by the database; dropped', { ...recordFields(waiting), error: (err as Error).message });
      }
      // Only one attempt runs at a time: the batch is still at the head of the queue.
      if (this.pending[0] === waiting) this.taken(1);
    }
    return null;
  }

  /** One batch in one transaction, on one connection: all its records or none. */
  private async write(batch: readonly ReadRecordWrite[]): Promise<void> {
    await withPooledClient(
      () => this.pool.connect(),
      (client) => insertReadRecords(client, batch, this.options.mode),
    );
  }
}

/** A waiting record as a log line's fields (its JSON is masked already). */
function recordFields(waiting: ReadRecordWrite): Record<string, unknown> {
  return { tenant: waiting.tenantCode, record: JSON.parse(waiting.json) as unknown };
}

/**
 * The database did not answer for the statement: the connection failed (no SQLSTATE) or was closed,
 * or the server is starting or stopping (classes 08 and 57, but a statement cancelled by its timeout,
 * 57014, which a smaller batch may pass). Trying again later is all there is to do.
 */
function unreachable(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code) || (/^(08|57)/.test(code) && code !== '57014');
}

/**
 * The database refused a record for a value in it (SQLSTATE classes 22, data exceptions; 23, integrity
 * violations; 54, a limit such as jsonb's size exceeded), which trying again would not change. Anything
 * else (a privilege or a function missing) concerns every record alike: they wait and are tried again.
 */
function refusedForItsValue(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23|54)/.test(code);
}

/** Each server's records of reads (tests run several servers in one process). */
const byServer = new WeakMap<object, ReadRecords>();

/** The records of reads of the server whose state `app` is, made at its first read. */
export function readRecordsOf(app: { pool: Pool; log: Logger; connections: { mode: DatabaseMode } }): ReadRecords {
  let records = byServer.get(app);
  if (!records) {
    records = new ReadRecords(app.pool, app.log, { mode: app.connections.mode });
    byServer.set(app, records);
  }
  return records;
}

/** At shutdown, before the pool closes: the records still waiting are written. */
export async function closeReadRecords(app: object): Promise<void> {
  await byServer.get(app)?.close();
}
