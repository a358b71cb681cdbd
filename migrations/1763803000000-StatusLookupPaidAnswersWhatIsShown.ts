import type { MigrationInterface, QueryRunner } from 'typeorm';
import { defineLookups, WHOLE } from './1763802400000-StatusLookupPaidFirst';

/**
 * The bank lookup of a paid enrolment answers, as JSON, only what the API shows of it: the name (masked
 * by the API), the status, the amount due and paid, and the cover. Before, it answered the 17 columns of
 * enrollment_status_lookup, most of them null or facts only the policy engine reads, which it never does
 * for a paid enrolment; PostgreSQL built that JSON and the API parsed it on every lookup at the counter.
 * An enrolment still to be priced, and a person not enrolled or not registered, are answered as before.
 */
export class StatusLookupPaidAnswersWhatIsShown1763803000000 implements MigrationInterface {
  name = 'StatusLookupPaidAnswersWhatIsShown1763803000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION enrollment_status_in_tenant(p_tenant text, p_id_number text, p_year integer) RETURNS json
      LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
      DECLARE
        found json;
      BEGIN
        PERFORM set_config('app.tenant', p_tenant, true);
        SELECT json_build_object('name', r.name, 'status', e.status, 'amount_due', e.amount_due, 'amount_paid', e.amount_paid,
                                 'cover_start', e.cover_start, 'cover_end', e.cover_end) INTO found
          FROM resident r
          JOIN enrollment e ON e.tenant_code = p_tenant AND e.id_number = p_id_number AND e.coverage_year = p_year AND e.status <> 'UNPAID'
         WHERE r.tenant_code = p_tenant AND r.id_number = p_id_number;
        IF found IS NULL THEN
          SELECT row_to_json(s) INTO found FROM (${WHOLE}) s;
        END IF;
        RETURN found;
      END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await defineLookups(q, { paidFirst: true });
  }
}
