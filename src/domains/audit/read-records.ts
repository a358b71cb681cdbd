/**
 * The audit records of reads that ran without a transaction of their own, written a few milliseconds
 * after the answer, many at once. A household read on plain PostgreSQL is one prepared statement in
 * PostgreSQL's implicit transaction; writing its record before the answer would take a transaction
 * around it (BEGIN, the tenant, COMMIT) and an INSERT of its own: in pgbench 545–563 µs of PostgreSQL
 * CPU a read against 234–240 µs alone, where a record written with a hundred others costs 8–9 µs.
 *
 * What it gives up, besides what a read's record already gave up (docs/security.md): a record becomes
 * visible up to FLUSH_DELAY_MS after the answer (the `auditLog` query writes this server's waiting
 * records first), and a crash of the API server within that time loses the records still waiting, as a
 * crash of the database loses a read's record not yet flushed to disk. A record is never half-written.
 * When records cannot be written (the database refuses them), they wait and are tried again; past
 * PENDING_MAX waiting, reads that need a record are refused until they are written.
 */
import type { Pool } from 'pg';
import type { Logger } from '../../common/logger';
import type { DatabaseMode } from '../../db/tenant-transaction';
import { type AuditRecord, insertReadRecords } from './audit.repository';

/** How long a record waits for others before it is written. */
export const FLUSH_DELAY_MS = 20;
/** Records written in one statement at most; a full batch is written at once. */
const BATCH_MAX = 500;
/** Records waiting at most: past it, reads that need a record are refused (their answers withheld). */
const PENDING_MAX = 20_000;
/** After a failed write, the wait before the next attempt, doubling up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 5_000;

interface Waiting {
  tenantCode: string;
  record: AuditRecord;
  /** When the read was answered (ISO 8601): the record's time. */
  at: string;
}

export interface ReadRecordsOptions {
  /** The database: Citus (the tenant set by SET LOCAL), behind a pooler (no named statements). */
  mode: Pick<DatabaseMode, 'citus' | 'pooled'>;
  flushDelayMs?: number;
  pendingMax?: number;
}

export class ReadRecords {
  private pending: Waiting[] = [];
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> | null = null;
  private retryMs = RETRY_FIRST_MS;
  private closed = false;
  private readonly flushDelayMs: number;
  private readonly pendingMax: number;

  constructor(
    private readonly pool: Pool,
    private readonly log: Logger,
    private readonly options: ReadRecordsOptions,
  ) {
    this.flushDelayMs = options.flushDelayMs ?? FLUSH_DELAY_MS;
    this.pendingMax = options.pendingMax ?? PENDING_MAX;
  }

  /** How many records wait to be written. */
  get waiting(): number {
    return this.pending.length;
  }

  /** Takes a read's record, to be written shortly; false when too many wait already (or the server is stopping). */
  add(tenantCode: string, record: AuditRecord): boolean {
    if (this.closed || this.pending.length >= this.pendingMax) return false;
    this.pending.push({ tenantCode, record, at: new Date().toISOString() });
    if (this.pending.length >= BATCH_MAX) this.writeNow();
    else this.timer ??= setTimeout(() => this.writeNow(), this.flushDelayMs).unref();
    return true;
  }

  /**
   * Writes what waits now; resolves when it is written, or rejects when the database refused it (the
   * records then wait for the next attempt).
   */
  async flush(): Promise<void> {
    while (this.pending.length > 0 || this.writing) {
      this.writeNow();
      await this.writing;
      if (this.lastError) throw this.lastError;
    }
  }

  /** Writes what waits and takes no more (the server is stopping). */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush().catch((err: Error) =>
      this.log.error('audit records of reads not written at shutdown', { waiting: this.pending.length, error: err.message }),
    );
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private lastError: Error | null = null;

  private writeNow(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.writing ??= this.writeAll().finally(() => {
      this.writing = null;
      // Records that came during a failed attempt wait for the retry's timer.
      if (this.pending.length > 0 && !this.lastError) this.timer ??= setTimeout(() => this.writeNow(), this.flushDelayMs).unref();
    });
  }

  /** Writes batches until none waits; on a failure keeps them and tries again later. */
  private async writeAll(): Promise<void> {
    this.lastError = null;
    while (this.pending.length > 0) {
      const batch = this.pending.slice(0, BATCH_MAX);
      try {
        await this.write(batch);
      } catch (err) {
        if (refusedRecord(err) && (await this.writeOneByOne(batch))) continue;
        this.lastError = err as Error;
        this.log.error('audit records of reads not written; trying again', { waiting: this.pending.length, error: (err as Error).message });
        const wait = this.retryMs;
        this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
        if (!this.closed) this.timer ??= setTimeout(() => this.writeNow(), wait).unref();
        return;
      }
      this.pending.splice(0, batch.length);
      this.retryMs = RETRY_FIRST_MS;
    }
  }

  /**
   * After the database refused a batch for what is in it (not for being unreachable): each record
   * alone, and one it refuses alone is logged whole (it is masked) and dropped, so that it cannot hold
   * up every read's record behind it. False when the database became unreachable meanwhile.
   */
  private async writeOneByOne(batch: Waiting[]): Promise<boolean> {
    for (const waiting of batch) {
      try {
        await this.write([waiting]);
      } catch (err) {
        if (!refusedRecord(err)) return false;
        this.log.error('audit record of a read refused by the database; dropped', {
          tenant: waiting.tenantCode,
          at: waiting.at,
          record: waiting.record,
          error: (err as Error).message,
        });
      }
      this.pending.splice(this.pending.indexOf(waiting), 1);
    }
    return true;
  }

  /** One batch: one statement per tenant, each in its own implicit transaction, on one connection. */
  private async write(batch: Waiting[]): Promise<void> {
    const byTenant = new Map<string, Waiting[]>();
    for (const waiting of batch) {
      const same = byTenant.get(waiting.tenantCode);
      if (same) same.push(waiting);
      else byTenant.set(waiting.tenantCode, [waiting]);
    }
    const client = await this.pool.connect();
    try {
      for (const [tenantCode, records] of byTenant) await insertReadRecords(client, tenantCode, records, this.options.mode);
      client.release();
    } catch (err) {
      client.release(err as Error);
      throw err;
    }
  }
}

/**
 * Whether the database refused a statement for a value in it (SQLSTATE classes 22, data exceptions, and
 * 23, integrity violations), which trying again would not change. Anything else (a connection lost,
 * the server stopping, a privilege or a function missing) concerns every record alike: they wait and
 * are tried again.
 */
function refusedRecord(err: unknown): boolean {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && /^(22|23)/.test(code);
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
