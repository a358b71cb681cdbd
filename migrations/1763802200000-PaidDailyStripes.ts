import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `paid_daily` in stripes: a transaction adds its difference to one of sixteen rows of a year, region
 * and day (`stripe`, from its transaction id), not to the one row every writer shared. The counts read
 * the same (progress sums the rows of a region); what changes is who waits for whom.
 *
 * Every write of enrolments adds to the ledger in the statement that writes them, early in its
 * transaction, and holds that row locked until it commits. Two tax batches paid on the same day in the
 * same region took turns for the whole rest of the batch (the payments, the batch's rows, the national
 * index, the subsidies): in the bench's import of 100,000 payments, two batches in flight, a batch's
 * ledger insert waited up to 690 ms of its 950 ms for the other's commit. A bank's counter payment in
 * that region waited the same way behind an import. Transactions running at the same time have nearby
 * ids, so they fall in different stripes; two in one stripe wait as before, in key order, never deadlock.
 *
 * A year, region and day holds at most sixteen rows: a county of millions still answers its progress
 * from a few tens of thousands.
 */
export class PaidDailyStripes1763802200000 implements MigrationInterface {
  name = 'PaidDailyStripes1763802200000';

  async up(q: QueryRunner): Promise<void> {
    // One subcommand per ALTER TABLE: Citus refuses a constraint beside other subcommands.
    await q.query('ALTER TABLE paid_daily ADD COLUMN stripe smallint NOT NULL DEFAULT 0');
    await q.query('ALTER TABLE paid_daily DROP CONSTRAINT paid_daily_pkey');
    await q.query('ALTER TABLE paid_daily ADD CONSTRAINT paid_daily_pkey PRIMARY KEY (tenant_code, coverage_year, region_code, paid_on, stripe)');
  }

  async down(q: QueryRunner): Promise<void> {
    // The stripes folded back into one row per key: row-level security is forced on the owner too.
    await q.query('ALTER TABLE paid_daily NO FORCE ROW LEVEL SECURITY');
    await q.query(`CREATE TEMPORARY TABLE paid_daily_folded ON COMMIT DROP AS
      SELECT tenant_code, coverage_year, region_code, paid_on, sum(paid)::int AS paid FROM paid_daily GROUP BY 1, 2, 3, 4`);
    await q.query('DELETE FROM paid_daily');
    await q.query('ALTER TABLE paid_daily DROP CONSTRAINT paid_daily_pkey');
    await q.query('ALTER TABLE paid_daily DROP COLUMN stripe');
    await q.query('ALTER TABLE paid_daily ADD CONSTRAINT paid_daily_pkey PRIMARY KEY (tenant_code, coverage_year, region_code, paid_on)');
    await q.query(`INSERT INTO paid_daily (tenant_code, coverage_year, region_code, paid_on, paid)
      SELECT tenant_code, coverage_year, region_code, paid_on, paid FROM paid_daily_folded WHERE paid <> 0`);
    await q.query('ALTER TABLE paid_daily FORCE ROW LEVEL SECURITY');
  }
}
