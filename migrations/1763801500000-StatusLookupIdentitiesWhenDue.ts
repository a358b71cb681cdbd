import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The bank lookup reads a person's assistance identities only when they can matter: when the amount
 * due must still be worked out (no enrolment for the year, or one not yet paid). For a paid enrolment,
 * most lookups once collection is under way, the answer is the enrolment's own amount and the
 * identities were read for nothing, a second index lookup on every request. Same columns, same order.
 */
export class StatusLookupIdentitiesWhenDue1763801500000 implements MigrationInterface {
  name = 'StatusLookupIdentitiesWhenDue1763801500000';

  async up(q: QueryRunner): Promise<void> {
    await replaceLookup(q, `CASE WHEN e.status IS NULL OR e.status = 'UNPAID' THEN ${IDENTITIES} END`);
  }

  async down(q: QueryRunner): Promise<void> {
    await replaceLookup(q, IDENTITIES);
  }
}

const IDENTITIES = `(SELECT json_agg(json_build_object('category', a.category, 'valid_from', a.valid_from, 'valid_to', a.valid_to) ORDER BY a.valid_from)
                FROM assistance_identity a WHERE a.tenant_code = p_tenant AND a.id_number = p_id_number)`;

/** enrollment_status_lookup as migration StatusLookupAsksIndexOnDemand defines it, its identities column given. */
async function replaceLookup(q: QueryRunner, identities: string): Promise<void> {
  await q.query(`CREATE OR REPLACE FUNCTION enrollment_status_lookup(p_tenant text, p_id_number text, p_year integer)
    RETURNS TABLE (
      name text, birth_date date, applicant_type text, hukou_place text, residence_permit_place text, resident_status text,
      transferred_out_on date, transferred_to text, household_id uuid, region_code text,
      status text, amount_due bigint, amount_paid bigint, cover_start date, cover_end date, circumstances text[],
      identities json)
    LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
    #variable_conflict use_column
    BEGIN
      RETURN QUERY
      SELECT r.name, r.birth_date, r.applicant_type, r.hukou_place, r.residence_permit_place, r.status,
             r.transferred_out_on, r.transferred_to, r.household_id, h.region_code,
             e.status, e.amount_due, e.amount_paid, e.cover_start, e.cover_end, e.circumstances,
             ${identities}
        FROM (SELECT 1) one
        LEFT JOIN resident r ON r.tenant_code = p_tenant AND r.id_number = p_id_number
        LEFT JOIN household h ON h.tenant_code = r.tenant_code AND h.id = r.household_id
        LEFT JOIN enrollment e ON e.tenant_code = p_tenant AND e.id_number = p_id_number AND e.coverage_year = p_year;
    END $$`);
}
