/**
 * Planner statistics that a bulk write has outrun. PostgreSQL keeps the plan of each foreign-key check
 * per connection; one made while the referenced table was nearly empty scans it. After a bulk load the
 * same check scans the whole table once per row written: 10,000 enrolments checked against 10,000
 * freshly loaded residents read 50 million rows and ran into the statement timeout. ANALYZE fixes the
 * estimates and makes every connection plan its checks again.
 */
import type { TenantTransaction } from './tenant-transaction';

/** Below this many rows a wrong plan cannot cost much; the check itself is one more statement. */
const BULK_ROWS = 1000;

/**
 * ANALYZEs `table` when its statistics know of fewer rows than `rowsThatExist` (rows this transaction
 * wrote, or found there). Only the owner may ANALYZE, so a SECURITY DEFINER function (migration
 * BulkWriteStatistics) does it, for the tables whose rows are checked by per-row keys. It holds the
 * table's ANALYZE lock to the end of the transaction: a second import needing it waits, which happens
 * only while the statistics are stale (a county's first days).
 *
 * On Citus the statistics that matter are the tenant's shard's, on its worker, and they must count the
 * rows this transaction has written there: an ANALYZE from any other connection finds the shard empty
 * and the key checks then walk an index that only shares the key's leading columns (migration
 * ShardStatisticsInTransaction). So the call is made from a statement that Citus routes to the shard,
 * which names itself by `tableoid`, and runs in the request's transaction on the worker.
 */
export async function refreshStaleStatistics(
  db: TenantTransaction,
  table: 'enrollment' | 'payment' | 'resident' | 'household',
  rowsThatExist: number,
): Promise<void> {
  if (rowsThatExist < BULK_ROWS) return;
  if (db.mode.citus) {
    await db.query(`SELECT refresh_shard_statistics(tableoid::regclass, $2) FROM ${table} WHERE tenant_code = $1 LIMIT 1`, [db.tenantCode, rowsThatExist]);
    return;
  }
  await db.query('SELECT refresh_statistics_after_bulk_write($1, $2)', [table, rowsThatExist]);
}

type GuardedTable = Parameters<typeof refreshStaleStatistics>[1];

/**
 * The rows that a transaction's bulk writes, one after another, have checked against each table, for the
 * guard above: a page of held money written as many small groups is one bulk write to the statistics,
 * though no group reaches BULK_ROWS. Keys given are counted once (two years of one person are one
 * resident row); the guard is asked again only once a table's count has doubled since it last was.
 */
export class CheckedRows {
  private readonly keys = new Map<GuardedTable, Set<string>>();
  private readonly counts = new Map<GuardedTable, number>();
  private readonly askedAt = new Map<GuardedTable, number>();

  /** Adds rows that exist in `table` (their keys, or how many when each is new), then asks the guard. */
  async add(db: TenantTransaction, table: GuardedTable, rows: readonly string[] | number): Promise<void> {
    let count: number;
    if (typeof rows === 'number') {
      count = (this.counts.get(table) ?? 0) + rows;
      this.counts.set(table, count);
    } else {
      const keys = this.keys.get(table) ?? new Set<string>();
      this.keys.set(table, keys);
      for (const key of rows) keys.add(key);
      count = keys.size;
    }
    if (count < BULK_ROWS || count < 2 * (this.askedAt.get(table) ?? 0)) return;
    await refreshStaleStatistics(db, table, count);
    this.askedAt.set(table, count);
  }
}
