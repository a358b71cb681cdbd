import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './tenant-isolation';

/**
 * The bank lookup without the national one-scheme index. enrollment_status_lookup (migration
 * StatusLookupFunction) asked scheme_elsewhere() on every call and answered, to any BANK, TAX, STAFF or
 * ADMIN token, which other tenants enrol the ID number given: a lookup in another table on every
 * request, and personal information a bank has no need of. It now answers this tenant's facts only; the
 * API adds, in the same statement and only when the operation selects them, insured_elsewhere() (a
 * yes or no, for every role of the lookup) or, for ADMIN and STAFF and people registered in their
 * tenant, the tenants themselves through scheme_elsewhere().
 *
 * insured_elsewhere is SECURITY DEFINER like scheme_elsewhere (the request role has no privilege on
 * scheme_membership) and answers one Boolean: whether a tenant other than the caller's `app.tenant`
 * enrols the ID number for the year.
 */
export class StatusLookupAsksIndexOnDemand1763801400000 implements MigrationInterface {
  name = 'StatusLookupAsksIndexOnDemand1763801400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION enrollment_status_lookup(text, text, integer)');
    await createLookup(q, false);
    await q.query(`CREATE FUNCTION insured_elsewhere(p_id_number text, p_year integer) RETURNS boolean
      LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
        SELECT EXISTS (SELECT 1 FROM scheme_membership m
                        WHERE m.id_number = p_id_number AND m.coverage_year = p_year
                          AND m.tenant_code IS DISTINCT FROM current_setting('app.tenant', true))
      $$`);
    await q.query('REVOKE ALL ON FUNCTION insured_elsewhere(text, integer) FROM PUBLIC');
    await q.query(`GRANT EXECUTE ON FUNCTION insured_elsewhere(text, integer) TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION insured_elsewhere(text, integer)');
    await q.query('DROP FUNCTION enrollment_status_lookup(text, text, integer)');
    await createLookup(q, true);
  }
}

/** enrollment_status_lookup, with the `elsewhere` column of migration StatusLookupFunction or without. */
async function createLookup(q: QueryRunner, elsewhere: boolean): Promise<void> {
  await q.query(`CREATE FUNCTION enrollment_status_lookup(p_tenant text, p_id_number text, p_year integer)
    RETURNS TABLE (
      name text, birth_date date, applicant_type text, hukou_place text, residence_permit_place text, resident_status text,
      transferred_out_on date, transferred_to text, household_id uuid, region_code text,
      status text, amount_due bigint, amount_paid bigint, cover_start date, cover_end date, circumstances text[],
      identities json${elsewhere ? ', elsewhere text[]' : ''})
    LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
    #variable_conflict use_column
    BEGIN
      RETURN QUERY
      SELECT r.name, r.birth_date, r.applicant_type, r.hukou_place, r.residence_permit_place, r.status,
             r.transferred_out_on, r.transferred_to, r.household_id, h.region_code,
             e.status, e.amount_due, e.amount_paid, e.cover_start, e.cover_end, e.circumstances,
             (SELECT json_agg(json_build_object('category', a.category, 'valid_from', a.valid_from, 'valid_to', a.valid_to) ORDER BY a.valid_from)
                FROM assistance_identity a WHERE a.tenant_code = p_tenant AND a.id_number = p_id_number)${
                  elsewhere
                    ? `,
             ARRAY(SELECT s.tenant_code FROM scheme_elsewhere(ARRAY[p_id_number], p_year) s ORDER BY 1)`
                    : ''
                }
        FROM (SELECT 1) one
        LEFT JOIN resident r ON r.tenant_code = p_tenant AND r.id_number = p_id_number
        LEFT JOIN household h ON h.tenant_code = r.tenant_code AND h.id = r.household_id
        LEFT JOIN enrollment e ON e.tenant_code = p_tenant AND e.id_number = p_id_number AND e.coverage_year = p_year;
    END $$`);
  await q.query('REVOKE ALL ON FUNCTION enrollment_status_lookup(text, text, integer) FROM PUBLIC');
  await q.query(`GRANT EXECUTE ON FUNCTION enrollment_status_lookup(text, text, integer) TO ${APP_ROLE}`);
}
