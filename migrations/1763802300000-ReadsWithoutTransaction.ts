import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './tenant-isolation';

/**
 * A household read as one statement that sets its own tenant, and the audit records of reads written
 * in batches.
 *
 * - `household_graph_in_tenant` and `household_summary_graph_in_tenant` set `app.tenant`, then return
 *   what household_graph and household_summary_graph return. Prepared once per connection, they run
 *   alone in PostgreSQL's implicit transaction, as the bank lookup's enrollment_status_in_tenant does:
 *   no BEGIN, no separate tenant setting, no COMMIT. The tenant lasts until that implicit transaction
 *   ends; row-level security reads it as before (SECURITY INVOKER).
 * - `audit_read_records` appends the records of reads answered without a transaction of their own,
 *   which the API holds for a few milliseconds and writes together: one tenant's records given as a
 *   JSON array, under that tenant. A record's time is when its read was answered, never later than
 *   now nor more than a day before.
 *
 * Measured in pgbench (20,000 residents, one client, three interleaved rounds of 10,000 household
 * summaries): as the API sent them (BEGIN, the tenant, the graph; the synchronous-commit setting, the
 * record, COMMIT) 545–563 µs of PostgreSQL CPU a read, the statement alone 234–240 µs, the id lookup
 * both scripts begin with 96–98 µs. A hundred records inserted in one statement: 8–9 µs each.
 *
 * Plain PostgreSQL only, as the lookup's: on Citus a set_config() stays on the coordinator, so there the
 * household keeps its transaction with SET LOCAL, and its record is written in it.
 */
export class ReadsWithoutTransaction1763802300000 implements MigrationInterface {
  name = 'ReadsWithoutTransaction1763802300000';

  async up(q: QueryRunner): Promise<void> {
    for (const graph of ['household_graph', 'household_summary_graph']) {
      await q.query(`CREATE FUNCTION ${graph}_in_tenant(p_tenant text, p_id uuid) RETURNS json
      LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
      BEGIN
        PERFORM set_config('app.tenant', p_tenant, true);
        RETURN ${graph}(p_tenant, p_id);
      END $$`);
      await q.query(`REVOKE ALL ON FUNCTION ${graph}_in_tenant(text, uuid) FROM PUBLIC`);
      await q.query(`GRANT EXECUTE ON FUNCTION ${graph}_in_tenant(text, uuid) TO ${APP_ROLE}`);
    }
    await q.query(`CREATE FUNCTION audit_read_records(p_tenant text, p_records jsonb) RETURNS integer
    LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
    DECLARE
      written integer;
    BEGIN
      PERFORM set_config('app.tenant', p_tenant, true);
      -- Rows returned: without them Citus would COPY the rows into the shards, which row-level security refuses.
      WITH appended AS (
        INSERT INTO audit_log (tenant_code, at, kind, request_id, actor, role, operation, fields, variables, arguments, outcome, error_codes)
        SELECT p_tenant, greatest(least(r.at, now()), now() - interval '1 day'), 'READ', r.request_id, r.actor, r.role, r.operation,
               r.fields, r.variables, r.arguments, r.outcome, r.error_codes
          FROM jsonb_to_recordset(p_records) AS r(at timestamptz, request_id uuid, actor text, role text, operation text, fields text[],
               variables jsonb, arguments jsonb, outcome text, error_codes text[])
        RETURNING 1)
      SELECT count(*) INTO written FROM appended;
      RETURN written;
    END $$`);
    await q.query('REVOKE ALL ON FUNCTION audit_read_records(text, jsonb) FROM PUBLIC');
    await q.query(`GRANT EXECUTE ON FUNCTION audit_read_records(text, jsonb) TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION audit_read_records(text, jsonb)');
    await q.query('DROP FUNCTION household_summary_graph_in_tenant(text, uuid)');
    await q.query('DROP FUNCTION household_graph_in_tenant(text, uuid)');
  }
}
