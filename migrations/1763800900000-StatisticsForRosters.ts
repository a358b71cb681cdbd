import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `refresh_statistics_after_bulk_write` (migration BulkWriteStatistics) may also ANALYZE `household`.
 * A roster writes its households, then residents checked against them row by row, then memberships
 * checked against both. On a connection whose key checks were planned while those tables were small (a
 * first small roster), a roster of 10,000 people scanned the households once per resident and ran into
 * the statement timeout (test `statistics.test.ts`). The list of tables stays closed: the request role
 * may not ANALYZE anything else.
 */
export class StatisticsForRosters1763800900000 implements MigrationInterface {
  name = 'StatisticsForRosters1763800900000';

  async up(q: QueryRunner): Promise<void> {
    await defineRefresh(q, ['enrollment', 'payment', 'resident', 'assistance_identity', 'household']);
  }

  async down(q: QueryRunner): Promise<void> {
    await defineRefresh(q, ['enrollment', 'payment', 'resident', 'assistance_identity']);
  }
}

/** The function of migration BulkWriteStatistics with `tables` as the ones it may analyze (its grants stay). */
async function defineRefresh(q: QueryRunner, tables: string[]): Promise<void> {
  await q.query(`CREATE OR REPLACE FUNCTION refresh_statistics_after_bulk_write(p_table text, p_rows bigint) RETURNS boolean
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
