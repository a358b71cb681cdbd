import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An enrolment re-opened after a paid period ended keeps that period in `paid_daily` up to the day it
 * stopped counting: a refund's decision, a death. A payment that re-opens it dated before that day (a tax
 * batch of last month's payments, a decision recorded late) counted the person twice on the days between.
 * `reopened_after` keeps, on the re-opened row, the day the period before it stopped counting; the
 * ledger counts the new period from its payment day or that day, whichever is later.
 *
 * Rows re-opened and paid before this migration keep the entries they have (the column is null for them,
 * and the ledger reads null as "from the payment day", as before); rows re-opened and still unpaid get it. household_graph answers the column with the
 * enrolments it returns, as their row type expects.
 */
export class ReopenedEnrollmentCountedOnce1763802600000 implements MigrationInterface {
  name = 'ReopenedEnrollmentCountedOnce1763802600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE enrollment ADD COLUMN reopened_after date');
    // An enrolment enrolled again after its paid period ended, and not yet paid: its old period stopped
    // counting at the later of its end and the payment that paid it (the latest not reversed). The owner
    // obeys the tables' forced row-level security; for this one statement over every tenant it steps out
    // of it, within this migration's transaction.
    const tables = ['enrollment', 'payment', 'payment_reversal'];
    for (const table of tables) await q.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
    await q.query(`UPDATE enrollment e SET reopened_after = greatest(e.ended_on, paid.last_paid_on)
      FROM (SELECT p.tenant_code, p.id_number, p.coverage_year, max(p.paid_on) AS last_paid_on FROM payment p
             WHERE NOT EXISTS (SELECT 1 FROM payment_reversal r WHERE r.tenant_code = p.tenant_code AND r.channel = p.channel AND r.receipt_no = p.receipt_no)
             GROUP BY 1, 2, 3) paid
     WHERE e.status = 'UNPAID' AND e.ended_on IS NOT NULL
       AND paid.tenant_code = e.tenant_code AND paid.id_number = e.id_number AND paid.coverage_year = e.coverage_year`);
    for (const table of tables) await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
    await defineHouseholdGraph(q, true);
  }

  async down(q: QueryRunner): Promise<void> {
    await defineHouseholdGraph(q, false);
    await q.query('ALTER TABLE enrollment DROP COLUMN reopened_after');
  }
}

/** household_graph as PolicyVersionRecorded defines it, with the enrolments' reopened_after or without. */
async function defineHouseholdGraph(q: QueryRunner, withReopenedAfter: boolean): Promise<void> {
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
                   e.ended_on, e.end_reason, e.policy_version${withReopenedAfter ? ', e.reopened_after' : ''}
              FROM resident r JOIN enrollment e ON e.tenant_code = r.tenant_code AND e.id_number = r.id_number
             WHERE r.tenant_code = p_tenant AND r.household_id = p_id) e), '[]'),
        'grants', coalesce((
          SELECT json_agg(g ORDER BY g.id) FROM (
            SELECT g.id, g.id_number, g.coverage_year, g.category, g.mode, g.kind, g.amount, g.granted_on, g.payout_month, g.status, g.funding,
                   g.payout_result, g.payout_result_on, g.policy_version
              FROM resident r JOIN subsidy_grant g ON g.tenant_code = r.tenant_code AND g.id_number = r.id_number
             WHERE r.tenant_code = p_tenant AND r.household_id = p_id) g), '[]'))
        INTO result
        FROM household h WHERE h.tenant_code = p_tenant AND h.id = p_id;
      RETURN result;
    END $$`);
}
