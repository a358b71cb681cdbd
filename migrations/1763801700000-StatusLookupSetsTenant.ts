import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './tenant-isolation';

/**
 * The bank lookup as a statement that sets its own tenant: `enrollment_status_in_tenant` sets
 * `app.tenant`, then returns enrollment_status_lookup's one row as one JSON value, with the same names
 * and values as its columns (dates as YYYY-MM-DD, amounts as whole fen): the driver then reads a
 * one-field row description per lookup instead of seventeen fields. (Calling enrollment_status_lookup
 * costs no measurable time against its query written out here: 0.26–0.34 ms a lookup either way.) Prepared once
 * per connection, it runs alone in PostgreSQL's implicit transaction (one Bind, Execute and Sync): no
 * BEGIN, no separate tenant setting, no COMMIT, and nothing parsed or planned per lookup. The tenant
 * lasts only until that implicit transaction ends, and row-level security reads it as before: the
 * function runs as its caller (SECURITY INVOKER), who may set app.tenant anyway.
 *
 * Plain PostgreSQL only: on Citus a set_config() stays on the coordinator, so there the lookup keeps
 * its transaction with SET LOCAL (the function still exists; nothing calls it there).
 */
export class StatusLookupSetsTenant1763801700000 implements MigrationInterface {
  name = 'StatusLookupSetsTenant1763801700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION enrollment_status_in_tenant(p_tenant text, p_id_number text, p_year integer) RETURNS json
    LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
    DECLARE
      found json;
    BEGIN
      PERFORM set_config('app.tenant', p_tenant, true);
      SELECT row_to_json(s) INTO found FROM enrollment_status_lookup(p_tenant, p_id_number, p_year) s;
      RETURN found;
    END $$`);
    await q.query('REVOKE ALL ON FUNCTION enrollment_status_in_tenant(text, text, integer) FROM PUBLIC');
    await q.query(`GRANT EXECUTE ON FUNCTION enrollment_status_in_tenant(text, text, integer) TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION enrollment_status_in_tenant(text, text, integer)');
  }
}
