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
 * only while the statistics are stale (a county's first days). On Citus the function looks at the
 * tenant's shard alone and analyzes it on its worker (migration CitusReady).
 */
export async function refreshStaleStatistics(
  db: TenantTransaction,
  table: 'enrollment' | 'payment' | 'resident' | 'household',
  rowsThatExist: number,
): Promise<void> {
  if (rowsThatExist < BULK_ROWS) return;
  await db.query('SELECT refresh_statistics_after_bulk_write($1, $2)', [table, rowsThatExist]);
}
