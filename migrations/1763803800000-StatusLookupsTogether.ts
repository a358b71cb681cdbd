import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './tenant-isolation';

/**
 * The bank lookups of several people of one tenant and year in one statement, for lookups that arrive
 * together faster than the running ones end (the API's coalesced reads). Its answer is a JSON array, in
 * the order of the ID numbers given, of what enrollment_status_in_tenant answers for each: the paid
 * enrolments found in one pass by the keys, anyone else (not paid, not enrolled, not registered) by
 * that function itself, so that both answer alike.
 */
export class StatusLookupsTogether1763803800000 implements MigrationInterface {
  name = 'StatusLookupsTogether1763803800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION enrollment_status_each_in_tenant(p_tenant text, p_id_numbers text[], p_year integer) RETURNS json
      LANGUAGE plpgsql VOLATILE SET search_path = public, pg_temp AS $$
      DECLARE
        -- Numbered from 1 whatever bounds the caller's array has, as the answers are.
        ids text[] := ARRAY(SELECT unnest(p_id_numbers));
        answers json[];
      BEGIN
        IF array_ndims(p_id_numbers) > 1 THEN
          RAISE EXCEPTION 'enrollment_status_each_in_tenant takes a list of ID numbers, not an array of % dimensions', array_ndims(p_id_numbers);
        END IF;
        PERFORM set_config('app.tenant', p_tenant, true);
        SELECT array_agg(paid.answer ORDER BY u.n) INTO answers
          FROM unnest(ids) WITH ORDINALITY AS u(id_number, n)
          LEFT JOIN LATERAL (
            SELECT json_build_object('name', r.name, 'status', e.status, 'amount_due', e.amount_due, 'amount_paid', e.amount_paid,
                                     'cover_start', e.cover_start, 'cover_end', e.cover_end) AS answer
              FROM resident r
              JOIN enrollment e ON e.tenant_code = p_tenant AND e.id_number = u.id_number AND e.coverage_year = p_year AND e.status <> 'UNPAID'
             WHERE r.tenant_code = p_tenant AND r.id_number = u.id_number) paid ON true;
        FOR i IN 1 .. coalesce(array_length(ids, 1), 0) LOOP
          IF answers[i] IS NULL THEN
            answers[i] := enrollment_status_in_tenant(p_tenant, ids[i], p_year);
          END IF;
        END LOOP;
        RETURN coalesce(array_to_json(answers), '[]'::json);
      END $$`);
    await q.query('REVOKE ALL ON FUNCTION enrollment_status_each_in_tenant(text, text[], integer) FROM PUBLIC');
    await q.query(`GRANT EXECUTE ON FUNCTION enrollment_status_each_in_tenant(text, text[], integer) TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION enrollment_status_each_in_tenant(text, text[], integer)');
  }
}
