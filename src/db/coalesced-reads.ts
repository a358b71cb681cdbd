/**
 * One read many requests make at the same moment (a bank's counters looking people up), sent as one
 * statement when they would otherwise queue. While fewer than `inFlight` statements of the read are
 * running on a pool, a request's read leaves at once, alone, as it always did. Past that, requests
 * for the same statement and the same other values (the tenant, the year) wait together, and leave as
 * one statement over all their keys as soon as one of those running ends. Each statement costs
 * PostgreSQL and the API a round trip, a portal and a transaction whatever it reads: at a rate the
 * running statements cannot keep up with, a batch pays those once for all its requests.
 *
 * A request waits for the statement running and the batches queued before its own, but never more
 * than COALESCED_WAIT_MAX_MS: a batch that has waited that long leaves beside the running ones, so that
 * one slow statement (a connection the pool is slow to give, a replica gone, a cold read) does not hold
 * every tenant's lookups behind it. Every request keeps its own answer; a batch that fails fails each of
 * its requests with the same error (its reads are of rows by their keys: nothing one person's data holds
 * can fail the others'). A request that has ended while it waited (answered at its deadline) is left
 * out of its batch: a database slow to answer is not asked for what nobody waits for any more.
 */
import type { Pool } from 'pg';

/** How one read runs: `one` for a key alone, `each` for several keys (answers in the keys' order). */
export interface CoalescedRead<Answer> {
  one(key: string): Promise<Answer>;
  each(keys: readonly string[]): Promise<Answer[]>;
}

/** The most keys in one statement: a batch past it leaves as several. */
export const COALESCED_KEYS_MAX = 64;

/**
 * The longest a batch waits for a statement to end before it leaves anyway. A lookup statement takes well
 * under a millisecond; at the bench's peak a batch waited about one.
 */
export const COALESCED_WAIT_MAX_MS = 25;

/** A request waiting in a batch: how to answer it, and whether it still wants the answer. */
interface Waiting<Answer> {
  key: string;
  /** How the request reads: the batch is sent through the first request that still waits. */
  read: CoalescedRead<Answer>;
  wanted: () => boolean;
  resolve: (answer: Answer) => void;
  reject: (err: unknown) => void;
}

/** What a request that no longer waits for its answer (past its deadline, answered already) is told. */
export class NoLongerWanted extends Error {
  constructor() {
    super('the request ended before its coalesced read was sent');
  }
}

interface Batch<Answer> {
  group: string;
  waiting: Array<Waiting<Answer>>;
  late: NodeJS.Timeout;
}

/** Reads asked and statements sent for them, over every pool of the process (/metrics). */
export const coalescedTotals = { reads: 0, statements: 0, dropped: 0 };

export class CoalescedReads {
  private running = 0;
  /** Batches waiting, in the order their first request came. */
  private readonly queue: Array<Batch<unknown>> = [];
  /** The batch of each group that still takes requests (the last of the group in the queue, while not full). */
  private readonly open = new Map<string, Batch<unknown>>();
  /** Reads asked and statements sent on this pool; of those, statements for more than one read, and their reads. */
  reads = 0;
  statements = 0;
  /** Reads left out of their batch: their request had ended (NoLongerWanted). */
  dropped = 0;
  batches = 0;
  batchedRequests = 0;

  constructor(
    private readonly inFlight: number,
    private readonly waitMaxMs = COALESCED_WAIT_MAX_MS,
  ) {}

  /**
   * The answer for `key`: read at once when fewer than `inFlight` reads are running and none waits,
   * otherwise with the other requests waiting under the same `group` (the statement and its other values).
   * A request that waits and is no longer `wanted` when its batch leaves (its deadline passed) is left
   * out of the statement and rejected with NoLongerWanted.
   */
  read<Answer>(group: string, key: string, read: CoalescedRead<Answer>, wanted: () => boolean = () => true): Promise<Answer> {
    this.reads += 1;
    coalescedTotals.reads += 1;
    if (this.running < this.inFlight && this.queue.length === 0) return this.run(() => read.one(key));
    return new Promise<Answer>((resolve, reject) => {
      let batch = this.open.get(group) as Batch<Answer> | undefined;
      if (!batch) {
        const late = setTimeout(() => this.sendLate(late), this.waitMaxMs);
        batch = { group, waiting: [], late };
        this.queue.push(batch as Batch<unknown>);
        this.open.set(group, batch as Batch<unknown>);
      }
      batch.waiting.push({ key, read, wanted, resolve, reject });
      // A full batch keeps its place in the queue; the group's next request starts another behind it.
      if (batch.waiting.length >= COALESCED_KEYS_MAX) this.open.delete(group);
    });
  }

  private async run<Answer>(work: () => Promise<Answer>): Promise<Answer> {
    this.running += 1;
    this.statements += 1;
    coalescedTotals.statements += 1;
    try {
      return await work();
    } finally {
      this.running -= 1;
      // Batches sent late may have taken the running ones past the limit: the queue waits for them. A
      // batch whose requests have all ended sends nothing, and the next one goes.
      while (this.running < this.inFlight && this.queue.length > 0) this.send(this.queue.shift()!);
    }
  }

  /** A batch that has waited COALESCED_WAIT_MAX_MS, if it still waits: sent now, beside the running ones. */
  private sendLate(late: NodeJS.Timeout): void {
    const at = this.queue.findIndex((b) => b.late === late);
    if (at >= 0) this.send(this.queue.splice(at, 1)[0]);
  }

  private send(batch: Batch<unknown>): void {
    clearTimeout(batch.late);
    if (this.open.get(batch.group) === batch) this.open.delete(batch.group);
    const settle = batch.waiting.filter((w) => {
      if (stillWanted(w)) return true;
      this.dropped += 1;
      coalescedTotals.dropped += 1;
      w.reject(new NoLongerWanted());
      return false;
    });
    if (settle.length === 0) return;
    const { read } = settle[0];
    const keys = settle.map((w) => w.key);
    if (keys.length > 1) {
      this.batches += 1;
      this.batchedRequests += keys.length;
    }
    void this.run(async () => (keys.length === 1 ? [await read.one(keys[0])] : read.each(keys))).then(
      (answers) => settle.forEach((s, i) => s.resolve(answers[i])),
      (err: unknown) => settle.forEach((s) => s.reject(err)),
    );
  }
}

/** Whether a waiting request still wants its answer; one whose check fails is sent all the same. */
function stillWanted(waiting: Waiting<unknown>): boolean {
  try {
    return waiting.wanted();
  } catch {
    return true;
  }
}

/** Each pool's coalesced reads: the statements in flight are counted per pool (a replica's, the primary's). */
const byPool = new WeakMap<Pool, CoalescedReads>();

/** Gives the pool its coalesced reads, at most `inFlight` statements of them running at once. */
export function coalesceReads(pool: Pool, inFlight: number): void {
  byPool.set(pool, new CoalescedReads(inFlight));
}

/**
 * The coalesced reads of a pool; one statement at a time for a pool not given its own (coalesceReads).
 * One at a time is the default: on a machine shared with PostgreSQL, one backend busy with the lookups
 * leaves the other cores to the API and the rest of PostgreSQL's work, and the batches are larger. Where
 * PostgreSQL has cores of its own, more statements in flight (LOOKUP_STATEMENTS_IN_FLIGHT) use them.
 */
export function coalescedReadsOf(pool: Pool): CoalescedReads {
  let reads = byPool.get(pool);
  if (!reads) {
    reads = new CoalescedReads(1);
    byPool.set(pool, reads);
  }
  return reads;
}
