/**
 * Read replicas (DATABASE_READ_URL): streaming standbys of the primary that answer read-only requests.
 *
 * A monitor asks the primary for its WAL position and each replica for the position it has replayed,
 * every `pollMs`. A replica is in rotation while it answers, is still a standby, and is behind the
 * primary by no more than `maxLagBytes` of WAL and `maxLagSeconds`. The seconds are not
 * `now() - pg_last_xact_replay_timestamp()`, which keeps growing while the primary is idle: they are how
 * long ago the primary had first written what the replica has not replayed yet (from the positions the
 * monitor saw), zero for a replica that has replayed everything.
 *
 * Read-your-writes: after a request commits a write, the primary's WAL position then is kept for the
 * token's subject; that subject's reads go to a replica only once the replica has replayed that far
 * (as last seen by the monitor), to the primary until then.
 */
import type pg from 'pg';
import type { Logger } from '../common/logger';

export interface ReplicaOptions {
  maxLagBytes: number;
  maxLagSeconds: number;
  pollMs: number;
  /** How long the monitor waits for an answer before it counts the replica as gone. */
  timeoutMs: number;
}

export interface ReplicaStatus {
  /** The replica's host:port/database, without credentials. */
  name: string;
  inRotation: boolean;
  /** Why it is out of rotation, in words; null while in rotation. */
  reason: string | null;
  lagBytes: number | null;
  lagSeconds: number | null;
  replayedLsn: string | null;
}

interface Replica {
  name: string;
  pool: pg.Pool;
  status: ReplicaStatus;
  replayed: bigint | null;
}

/** A WAL position ("16/B374D848") as a number of bytes. */
export function parseLsn(lsn: string): bigint {
  const match = /^([0-9A-F]+)\/([0-9A-F]+)$/i.exec(lsn);
  if (!match) throw new Error(`not a WAL position: ${lsn}`);
  return (BigInt(`0x${match[1]}`) << 32n) + BigInt(`0x${match[2]}`);
}

/** How long the primary's positions are remembered, beyond the lag limit. */
const SAMPLE_MARGIN_MS = 60_000;
/** Subjects' last writes are forgotten after this; a replica that has not caught up by then is out of rotation anyway. */
const WRITE_MEMORY_MS = 10 * 60_000;

export class ReadReplicas {
  private readonly replicas: Replica[];
  /** The primary's WAL positions as the monitor saw them, oldest first. */
  private samples: Array<{ at: number; lsn: bigint }> = [];
  /** Each subject's last committed write: the primary's WAL position after it, and when. */
  private readonly lastWrite = new Map<string, { lsn: bigint; at: number }>();
  private timer: NodeJS.Timeout | null = null;
  private polling: Promise<void> | null = null;
  private next = 0;

  constructor(
    private readonly primary: pg.Pool,
    urls: readonly string[],
    private readonly options: ReplicaOptions,
    private readonly log: Logger,
    createPool: (url: string) => pg.Pool,
    private readonly now: () => number = Date.now,
  ) {
    this.replicas = urls.map((url) => {
      const name = describe(url);
      return {
        name,
        pool: createPool(url),
        replayed: null,
        status: { name, inRotation: false, reason: 'not checked yet', lagBytes: null, lagSeconds: null, replayedLsn: null },
      };
    });
  }

  /** Checks every replica once, then keeps checking every pollMs. */
  async start(): Promise<void> {
    await this.poll();
    this.timer = setInterval(() => void this.poll(), this.options.pollMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.polling;
    await Promise.all(this.replicas.map((r) => r.pool.end().catch(() => {})));
  }

  /** Checks the replicas now (the monitor does it every pollMs). */
  poll(): Promise<void> {
    this.polling ??= this.check().finally(() => {
      this.polling = null;
    });
    return this.polling;
  }

  status(): ReplicaStatus[] {
    return this.replicas.map((r) => ({ ...r.status }));
  }

  /**
   * A replica's pool for a read by `subject`: one in rotation that has replayed the subject's last
   * write, taken in turn; null when there is none (the read goes to the primary).
   */
  choose(subject: string | null): pg.Pool | null {
    const write = subject ? this.lastWrite.get(subject) : undefined;
    if (write && this.now() - write.at > WRITE_MEMORY_MS) this.lastWrite.delete(subject!);
    const candidates = this.replicas.filter((r) => r.status.inRotation && r.replayed !== null && (!write || r.replayed >= write.lsn));
    if (candidates.length === 0) return null;
    this.next = (this.next + 1) % candidates.length;
    return candidates[this.next].pool;
  }

  /** `subject` committed a write; the primary's WAL position was `lsn` after it. */
  wrote(subject: string, lsn: string): void {
    const position = parseLsn(lsn);
    const known = this.lastWrite.get(subject);
    if (!known || known.lsn < position) this.lastWrite.set(subject, { lsn: position, at: this.now() });
  }

  /** A replica's pool failed to give a connection: out of rotation until the monitor sees it answer again. */
  unavailable(pool: pg.Pool, err: Error): void {
    const replica = this.replicas.find((r) => r.pool === pool);
    if (!replica || !replica.status.inRotation) return;
    replica.status = { ...replica.status, inRotation: false, reason: `unreachable: ${err.message}` };
    this.log.error('read replica out of rotation', { replica: replica.name, reason: replica.status.reason });
  }

  private async check(): Promise<void> {
    let primary: bigint;
    try {
      const { rows } = await this.primary.query<{ lsn: string }>({
        text: 'SELECT pg_current_wal_lsn()::text AS lsn',
        query_timeout: this.options.timeoutMs,
      } as pg.QueryConfig);
      primary = parseLsn(rows[0].lsn);
    } catch (err) {
      // Without the primary's position no lag can be judged: the replicas stay as they were last seen.
      this.log.error('read replicas not checked: the primary did not answer', { error: (err as Error).message });
      return;
    }
    const at = this.now();
    const horizon = at - this.options.maxLagSeconds * 1000 - SAMPLE_MARGIN_MS;
    this.samples = [...this.samples.filter((s) => s.at >= horizon), { at, lsn: primary }];
    await Promise.all(this.replicas.map((replica) => this.checkReplica(replica, primary, at)));
  }

  private async checkReplica(replica: Replica, primary: bigint, at: number): Promise<void> {
    const before = replica.status;
    try {
      const { rows } = await replica.pool.query<{ recovery: boolean; replayed: string | null }>({
        text: 'SELECT pg_is_in_recovery() AS recovery, pg_last_wal_replay_lsn()::text AS replayed',
        query_timeout: this.options.timeoutMs,
      } as pg.QueryConfig);
      const { recovery, replayed } = rows[0];
      if (!recovery || replayed === null) {
        replica.replayed = null;
        replica.status = {
          ...before,
          inRotation: false,
          reason: 'not a standby (promoted, or not replicating)',
          lagBytes: null,
          lagSeconds: null,
          replayedLsn: replayed,
        };
      } else {
        const position = parseLsn(replayed);
        replica.replayed = position;
        const lagBytes = Number(primary > position ? primary - position : 0n);
        const firstAhead = this.samples.find((s) => s.lsn > position);
        const lagSeconds = firstAhead ? Math.round((at - firstAhead.at) / 100) / 10 : 0;
        const reason =
          lagBytes > this.options.maxLagBytes
            ? `${lagBytes} bytes of WAL behind (limit ${this.options.maxLagBytes})`
            : lagSeconds > this.options.maxLagSeconds
              ? `${lagSeconds} s behind (limit ${this.options.maxLagSeconds})`
              : null;
        replica.status = { name: replica.name, inRotation: reason === null, reason, lagBytes, lagSeconds, replayedLsn: replayed };
      }
    } catch (err) {
      replica.replayed = null;
      replica.status = { ...before, inRotation: false, reason: `unreachable: ${(err as Error).message}`, lagBytes: null, lagSeconds: null };
    }
    if (before.inRotation !== replica.status.inRotation) {
      if (replica.status.inRotation) this.log.info('read replica in rotation', { replica: replica.name, lagBytes: replica.status.lagBytes });
      else this.log.error('read replica out of rotation', { replica: replica.name, reason: replica.status.reason });
    }
  }
}

function describe(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || '5432'}${u.pathname}`;
}
