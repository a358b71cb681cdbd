import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './tenant-isolation';

/**
 * After a bulk write into a table whose statistics predate it (a county's first tax import), the
 * planner still believes the table is nearly empty and the per-row foreign-key checks scan it:
 * 10,000 payments took 4 s instead of 0.1 s. ANALYZE is the remedy, but only the owner may run it, so
 * this function lets the request role ask for it, on these tables only, and only when the rows just
 * written outnumber what the statistics know of.
 */
export class BulkWriteStatistics1763800200000 implements MigrationInterface {
  name = 'BulkWriteStatistics1763800200000';

  async up(q: QueryRunner): Promise<void> {
    await defineStatisticsRefresh(q, 'CREATE', ['enrollment', 'payment', 'resident', 'assistance_identity']);
    await q.query('REVOKE ALL ON FUNCTION refresh_statistics_after_bulk_write(text, bigint) FROM PUBLIC');
    await q.query(`GRANT EXECUTE ON FUNCTION refresh_statistics_after_bulk_write(text, bigint) TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION refresh_statistics_after_bulk_write(text, bigint)');
  }
}

/**
 * The function with `tables` as the ones it may analyze; later migrations that widen the list redefine it
 * with 'CREATE OR REPLACE' (its grants stay).
 */
export async function defineStatisticsRefresh(q: QueryRunner, create: 'CREATE' | 'CREATE OR REPLACE', tables: readonly string[]): Promise<void> {
  await q.query(`${create} FUNCTION refresh_statistics_after_bulk_write(p_table text, p_rows bigint) RETURNS boolean
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE known real;
    BEGIN
      IF p_table NOT IN (${tables.map((t) => `'${t}'`).join(', ')}) THEN
        RAISE EXCEPTION 'no statistics refresh for %', p_table;
      END IF;
      SELECT reltuples INTO known FROM pg_class WHERE oid = p_table::regclass;
      IF known >= p_rows THEN RETURN false; END IF;
      EXECUTE format('ANALYZE %I', p_table);
      RETURN true;
    END $$`);
}
