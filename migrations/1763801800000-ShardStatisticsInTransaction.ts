import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './tenant-isolation';
import { citusInstalled } from './citus';

/** The tables whose rows per-row key checks look up after a bulk write (as in BulkWriteStatistics). */
const TABLES = ['enrollment', 'payment', 'resident', 'assistance_identity', 'household'];

/**
 * The statistics refresh after a bulk write, run where the request's own rows are: on a Citus worker,
 * inside the request's transaction on that shard.
 *
 * CitusReady analyzed the tenant's shard over a connection of its own. That ANALYZE cannot see the
 * rows the request has just written, so for a table the request filled (the enrolments of a county's
 * first tax import) it recorded an empty shard: no column statistics, reltuples 0. The planner then
 * cannot tell the primary key from an index that only shares its leading columns, and planned each
 * payment's key check on `enrollment_year_region` (tenant, year, region, id number): every check walked
 * all of the tenant's enrolments of the year. On the cluster, 9,959 checks took 3.2 s (0.32 ms each)
 * where the primary key takes 0.005 ms, and the import ran past the statement timeout.
 *
 * `refresh_shard_statistics(relation, rows)` is called in a statement that Citus routes to the tenant's
 * shard, with the shard as `tableoid`: `SELECT refresh_shard_statistics(tableoid::regclass, $2) FROM
 * enrollment WHERE tenant_code = $1 LIMIT 1`. It then runs in the request's own transaction on the
 * worker, where ANALYZE counts the transaction's rows, as the request-time ANALYZE does on plain
 * PostgreSQL. Only the owner may ANALYZE, hence SECURITY DEFINER; it accepts only the tables above, or
 * (on Citus) their shards. Plain PostgreSQL keeps refresh_statistics_after_bulk_write; the function is
 * defined there too, for the table itself.
 */
export class ShardStatisticsInTransaction1763801800000 implements MigrationInterface {
  name = 'ShardStatisticsInTransaction1763801800000';

  async up(q: QueryRunner): Promise<void> {
    const citus = await citusInstalled(q);
    const allowed = TABLES.map((t) => `'${t}'`).join(', ');
    // On a worker Citus hides shards from queries on pg_class unless told otherwise.
    const settings = citus ? 'SET search_path = public, pg_temp SET citus.override_table_visibility = off' : 'SET search_path = public, pg_temp';
    const shardOf = citus
      ? `ELSIF p_relation::text ~ '_[0-9]+$' THEN
          SELECT s.logicalrelid::text INTO v_table FROM pg_dist_shard s
           WHERE s.shardid = substring(p_relation::text FROM '_([0-9]+)$')::bigint
             AND to_regclass(shard_name(s.logicalrelid, s.shardid)) = p_relation;`
      : '';
    await q.query(`CREATE FUNCTION refresh_shard_statistics(p_relation regclass, p_rows bigint) RETURNS boolean
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER ${settings} AS $$
      DECLARE v_table text; v_known real;
      BEGIN
        IF p_relation::text IN (${allowed}) THEN
          v_table := p_relation::text;
        ${shardOf}
        END IF;
        IF v_table IS NULL OR v_table NOT IN (${allowed}) THEN
          RAISE EXCEPTION 'no statistics refresh for %', p_relation;
        END IF;
        SELECT reltuples INTO v_known FROM pg_class WHERE oid = p_relation;
        IF v_known >= p_rows THEN RETURN false; END IF;
        EXECUTE format('ANALYZE %s', p_relation);
        RETURN true;
      END $$`);
    await q.query('REVOKE ALL ON FUNCTION refresh_shard_statistics(regclass, bigint) FROM PUBLIC');
    await q.query(`GRANT EXECUTE ON FUNCTION refresh_shard_statistics(regclass, bigint) TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION refresh_shard_statistics(regclass, bigint)');
  }
}
