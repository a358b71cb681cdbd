import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE } from './tenant-isolation';

/**
 * A household as portals read it, in one statement: the booklet, its members, their enrolments and
 * their subsidy grants, as one JSON document. Read level by level through DataLoaders it took four
 * statements and seven round trips (with BEGIN and COMMIT), and the round trips, not the queries, were
 * most of its cost. The API primes its DataLoaders with the result, so nested fields find their rows
 * there; whatever else a query asks for (payments, history) still goes through the loaders.
 *
 * SECURITY INVOKER PL/pgSQL: under row-level security as the request role, with its plan kept per
 * connection. The column lists are those of the loaders (registry, enrollment and subsidy repositories).
 */
export class HouseholdGraphFunction1763800800000 implements MigrationInterface {
  name = 'HouseholdGraphFunction1763800800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE FUNCTION household_graph(p_tenant text, p_id uuid) RETURNS json
      LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
      DECLARE result json;
      BEGIN
        SELECT json_build_object(
          'household', json_build_object('id', h.id, 'booklet_no', h.booklet_no, 'region_code', h.region_code, 'address', h.address),
          'members', coalesce((
            SELECT json_agg(m ORDER BY m.relationship = '户主' DESC, m.id_number) FROM (
              SELECT r.id_number, r.id_type, r.name, r.sex, r.birth_date, r.phone, r.household_id, r.relationship, r.hukou_place,
                     r.residence_permit_place, r.applicant_type, r.school, r.status, r.transferred_out_on, r.transferred_to
                FROM resident r WHERE r.tenant_code = p_tenant AND r.household_id = p_id) m), '[]'),
          'enrollments', coalesce((
            SELECT json_agg(e ORDER BY e.id_number, e.coverage_year) FROM (
              SELECT e.id_number, e.coverage_year, e.status, e.enrolled_on, e.circumstances, e.region_code, e.standard_contribution,
                     e.subsidy, e.applied_category, e.subsidy_mode, e.amount_due, e.late, e.paid_on, e.amount_paid, e.cover_start, e.cover_end
                FROM resident r JOIN enrollment e ON e.tenant_code = r.tenant_code AND e.id_number = r.id_number
               WHERE r.tenant_code = p_tenant AND r.household_id = p_id) e), '[]'),
          'grants', coalesce((
            SELECT json_agg(g ORDER BY g.id) FROM (
              SELECT g.id, g.id_number, g.coverage_year, g.category, g.mode, g.kind, g.amount, g.granted_on, g.payout_month, g.status, g.funding
                FROM resident r JOIN subsidy_grant g ON g.tenant_code = r.tenant_code AND g.id_number = r.id_number
               WHERE r.tenant_code = p_tenant AND r.household_id = p_id) g), '[]'))
          INTO result
          FROM household h WHERE h.tenant_code = p_tenant AND h.id = p_id;
        RETURN result;
      END $$`);
    await q.query('REVOKE ALL ON FUNCTION household_graph(text, uuid) FROM PUBLIC');
    await q.query(`GRANT EXECUTE ON FUNCTION household_graph(text, uuid) TO ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION household_graph(text, uuid)');
  }
}
