import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Enrolments, subsidy grants and refunds record the version of the policy year that decided them
 * (issue 21): the amounts of an enrolment and its grants, and a refund's amount, were computed under
 * one published version, which never changes, so what decided a figure can always be read again.
 * Null for rows written before versions were recorded. household_graph answers the column with the
 * enrolments and grants it returns, as their row types expect. No foreign key to policy_year_version: the value
 * is the version in force when the row was written, which exists by construction, and a key checked on
 * every row would cost the bulk imports of payments a lookup per row.
 */
export class PolicyVersionRecorded1763801310000 implements MigrationInterface {
  name = 'PolicyVersionRecorded1763801310000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['enrollment', 'subsidy_grant', 'refund']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN policy_version integer`);
      await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_policy_version CHECK (policy_version > 0)`);
    }
    await defineHouseholdGraph(q, true);
  }

  async down(q: QueryRunner): Promise<void> {
    await defineHouseholdGraph(q, false);
    for (const table of ['enrollment', 'subsidy_grant', 'refund']) await q.query(`ALTER TABLE ${table} DROP COLUMN policy_version`);
  }
}

/** household_graph as MoneyKeptWhole defines it, with the enrolments' and grants' policy_version or without. */
async function defineHouseholdGraph(q: QueryRunner, withPolicyVersion: boolean): Promise<void> {
  const version = (alias: string) => (withPolicyVersion ? `, ${alias}.policy_version` : '');
  await q.query(`CREATE OR REPLACE FUNCTION household_graph(p_tenant text, p_id uuid) RETURNS json
    LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
    DECLARE result json;
    BEGIN
      SELECT json_build_object(
        'household', json_build_object('id', h.id, 'booklet_no', h.booklet_no, 'region_code', h.region_code, 'address', h.address, 'dissolved_on', h.dissolved_on),
        'members', coalesce((
          SELECT json_agg(m ORDER BY m.relationship = '户主' DESC, m.id_number) FROM (
            SELECT r.id_number, r.id_type, r.name, r.sex, r.birth_date, r.phone, r.household_id, r.relationship, r.hukou_place,
                   r.residence_permit_place, r.applicant_type, r.school, r.status, r.transferred_out_on, r.transferred_to,
                   r.died_on, r.death_source, r.emigrated_on, r.emigrated_to, r.transferred_in_on, r.transferred_in_from
              FROM resident r WHERE r.tenant_code = p_tenant AND r.household_id = p_id) m), '[]'),
        'enrollments', coalesce((
          SELECT json_agg(e ORDER BY e.id_number, e.coverage_year) FROM (
            SELECT e.id_number, e.coverage_year, e.status, e.enrolled_on, e.circumstances, e.region_code, e.standard_contribution,
                   e.subsidy, e.applied_category, e.subsidy_mode, e.amount_due, e.late, e.paid_on, e.amount_paid, e.cover_start, e.cover_end,
                   e.ended_on, e.end_reason${version('e')}
              FROM resident r JOIN enrollment e ON e.tenant_code = r.tenant_code AND e.id_number = r.id_number
             WHERE r.tenant_code = p_tenant AND r.household_id = p_id) e), '[]'),
        'grants', coalesce((
          SELECT json_agg(g ORDER BY g.id) FROM (
            SELECT g.id, g.id_number, g.coverage_year, g.category, g.mode, g.kind, g.amount, g.granted_on, g.payout_month, g.status, g.funding,
                   g.payout_result, g.payout_result_on${version('g')}
              FROM resident r JOIN subsidy_grant g ON g.tenant_code = r.tenant_code AND g.id_number = r.id_number
             WHERE r.tenant_code = p_tenant AND r.household_id = p_id) g), '[]'))
        INTO result
        FROM household h WHERE h.tenant_code = p_tenant AND h.id = p_id;
      RETURN result;
    END $$`);
}
