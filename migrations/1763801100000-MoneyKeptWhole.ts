import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE, isolateTenantTable } from './tenant-isolation';

/**
 * Money that is never refused or lost (issue "A county runs its whole year, part 2"):
 *
 * - Receipts are unique per channel (a bank's and the tax system's numbers may collide): the payment key
 *   becomes (tenant_code, channel, receipt_no). Every payment names its payer; it keeps the enrolment as it
 *   was before it (`enrollment_before`), so that a reversal can put it back.
 * - `payment_reversal`: a mistaken payment reversed, with reason and date; nothing is deleted. An enrolment
 *   whose payment created it and was reversed stays on record as NOT_ENROLLED.
 * - Full sponsorships record the funding body's payment: existing sponsored enrolments get theirs.
 * - `waiting_value`: what an answer could not compute because the notice leaves a value unstated (山丹's
 *   低保 reimbursement, 贵阳's late cover start), for whom, since when, until the value is configured.
 * - `payment_suspense`: money the tax system collected for someone not registered or not payable yet, kept
 *   with the row as received until it can be matched. `payment_batch_row`: each import row's outcome, read
 *   back by batch for reconciliation.
 * - Reimbursements with no stated payout month are DUE until an administrator schedules them; a payout's
 *   result per person (paid, failed, returned), a failed one re-issued; refunds record their payout.
 * - A resident's bank account (一卡通) for payouts.
 */
export class MoneyKeptWhole1763801100000 implements MigrationInterface {
  name = 'MoneyKeptWhole1763801100000';

  async up(q: QueryRunner): Promise<void> {
    // Enrolments: NOT_ENROLLED, a row kept after the payment that created it was reversed; it enrols no one.
    await q.query('ALTER TABLE enrollment DROP CONSTRAINT enrollment_status_check');
    await q.query(`ALTER TABLE enrollment ADD CONSTRAINT enrollment_status_check
      CHECK (status IN ('NOT_ENROLLED', 'UNPAID', 'PAID', 'REFUND_PENDING', 'REFUNDED', 'TERMINATED'))`);
    await defineSchemeMembershipSync(q, "'NOT_ENROLLED', 'REFUNDED', 'TERMINATED'");

    // Payments: unique per channel, with the payer and the enrolment as it was before.
    await q.query(`ALTER TABLE payment
      ADD COLUMN payer_kind text NOT NULL DEFAULT 'PERSON' CHECK (payer_kind IN ('PERSON', 'FAMILY_MEMBER', 'EMPLOYER', 'FUNDING_BODY')),
      ADD COLUMN payer text,
      ADD COLUMN enrollment_before jsonb`);
    await q.query('ALTER TABLE payment DROP CONSTRAINT payment_pkey, ADD PRIMARY KEY (tenant_code, channel, receipt_no)');
    await q.query('CREATE INDEX payment_receipt ON payment (tenant_code, receipt_no)');

    await q.query(`CREATE TABLE payment_reversal (
      tenant_code text NOT NULL,
      channel text NOT NULL,
      receipt_no text NOT NULL,
      id_number text NOT NULL,
      coverage_year integer NOT NULL,
      amount bigint NOT NULL CHECK (amount >= 0),
      reversed_on date NOT NULL,
      reason text NOT NULL CHECK (length(reason) > 0),
      status_before text NOT NULL,
      reversed_by text NOT NULL,
      role text NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_code, channel, receipt_no),
      FOREIGN KEY (tenant_code, channel, receipt_no) REFERENCES payment (tenant_code, channel, receipt_no)
    )`);
    await q.query('CREATE INDEX payment_reversal_enrollment ON payment_reversal (tenant_code, id_number, coverage_year)');
    for (const sql of isolateTenantTable('payment_reversal', 'SELECT, INSERT')) await q.query(sql);
    await q.query(`GRANT UPDATE (id_number) ON payment_reversal TO ${APP_ROLE}`);
    // The daily paid counts are a ledger (migration CountyYear): a reversal takes its enrolment off on the
    // day it is recorded, never before, so the count of a past day does not change. The enrolment's own
    // trigger takes it off on the day it was paid; this puts it back there and takes it off on reversed_on.
    await q.query(`CREATE FUNCTION payment_reversal_ledger() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        INSERT INTO paid_daily AS d (tenant_code, coverage_year, region_code, paid_on, paid)
        SELECT tenant_code, coverage_year, region_code, day, sum(delta)::int FROM (
          SELECT n.tenant_code, n.coverage_year, coalesce(e.region_code, '') AS region_code, p.paid_on AS day, 1 AS delta
            FROM new_rows n
            JOIN payment p ON p.tenant_code = n.tenant_code AND p.channel = n.channel AND p.receipt_no = n.receipt_no
            JOIN enrollment e ON e.tenant_code = n.tenant_code AND e.id_number = n.id_number AND e.coverage_year = n.coverage_year
          UNION ALL
          SELECT n.tenant_code, n.coverage_year, coalesce(e.region_code, ''), n.reversed_on, -1
            FROM new_rows n
            JOIN enrollment e ON e.tenant_code = n.tenant_code AND e.id_number = n.id_number AND e.coverage_year = n.coverage_year
        ) changes
        GROUP BY tenant_code, coverage_year, region_code, day HAVING sum(delta) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (tenant_code, coverage_year, region_code, paid_on) DO UPDATE SET paid = d.paid + EXCLUDED.paid;
        RETURN NULL;
      END $$`);
    await q.query(`CREATE TRIGGER payment_reversal_ledger AFTER INSERT ON payment_reversal
      REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION payment_reversal_ledger()`);

    // Reimbursements: DUE (no payout month stated) until scheduled; a payout's result per person.
    await q.query('ALTER TABLE subsidy_grant DROP CONSTRAINT subsidy_grant_status_check');
    await q.query(`ALTER TABLE subsidy_grant
      ADD CONSTRAINT subsidy_grant_status_check CHECK (status IN ('SETTLED', 'DUE', 'SCHEDULED', 'PAID_OUT', 'REISSUED', 'CANCELLED')),
      ADD COLUMN payout_result text CHECK (payout_result IN ('PAID', 'FAILED', 'RETURNED')),
      ADD COLUMN payout_result_on date,
      ADD COLUMN payout_note text,
      ADD COLUMN payout_reference text,
      ADD COLUMN reissue_of bigint,
      ADD COLUMN scheduled_by text,
      ADD CONSTRAINT subsidy_grant_due_unscheduled CHECK (status <> 'DUE' OR (payout_month IS NULL AND mode = 'REIMBURSEMENT')),
      ADD CONSTRAINT subsidy_grant_scheduled_month CHECK (status NOT IN ('SCHEDULED', 'PAID_OUT') OR mode <> 'REIMBURSEMENT' OR payout_month IS NOT NULL)`);
    await q.query("CREATE INDEX subsidy_grant_due ON subsidy_grant (tenant_code, coverage_year, id) WHERE status = 'DUE'");
    await q.query('CREATE INDEX subsidy_grant_year ON subsidy_grant (tenant_code, coverage_year)');

    // What waits for a value the notice leaves unstated.
    await q.query(`CREATE TABLE waiting_value (
      tenant_code text NOT NULL,
      id bigint GENERATED ALWAYS AS IDENTITY,
      id_number text NOT NULL,
      coverage_year integer NOT NULL,
      missing text NOT NULL,
      affects text[] NOT NULL,
      category text,
      clause text,
      refers_to text,
      message text NOT NULL,
      since date NOT NULL,
      status text NOT NULL DEFAULT 'WAITING' CHECK (status IN ('WAITING', 'RESOLVED', 'CANCELLED')),
      resolved_on date,
      resolution jsonb,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_code, id),
      FOREIGN KEY (tenant_code, id_number, coverage_year) REFERENCES enrollment (tenant_code, id_number, coverage_year) DEFERRABLE INITIALLY IMMEDIATE
    )`);
    await q.query(`CREATE UNIQUE INDEX waiting_value_open ON waiting_value (tenant_code, id_number, coverage_year, missing) WHERE status = 'WAITING'`);
    await q.query(`CREATE INDEX waiting_value_by_value ON waiting_value (tenant_code, coverage_year, missing, id) WHERE status = 'WAITING'`);
    for (const sql of isolateTenantTable('waiting_value')) await q.query(sql);

    // Money collected for someone not registered, or not payable yet.
    await q.query(`CREATE TABLE payment_suspense (
      tenant_code text NOT NULL REFERENCES tenant (tenant_code),
      id bigint GENERATED ALWAYS AS IDENTITY,
      channel text NOT NULL,
      receipt_no text NOT NULL,
      id_number text NOT NULL,
      coverage_year integer NOT NULL,
      amount bigint NOT NULL CHECK (amount >= 0),
      paid_on date NOT NULL,
      payer_kind text NOT NULL DEFAULT 'PERSON',
      payer text,
      batch_id text,
      row_index integer,
      received jsonb NOT NULL,
      reason_code text NOT NULL,
      reason text NOT NULL,
      missing text,
      status text NOT NULL DEFAULT 'HELD' CHECK (status IN ('HELD', 'MATCHED')),
      matched_at timestamptz,
      recorded_by text NOT NULL,
      received_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_code, id),
      UNIQUE (tenant_code, channel, receipt_no)
    )`);
    await q.query(`CREATE INDEX payment_suspense_held ON payment_suspense (tenant_code, id_number) WHERE status = 'HELD'`);
    await q.query('CREATE INDEX payment_suspense_year ON payment_suspense (tenant_code, coverage_year, status, id)');
    await q.query('CREATE INDEX payment_suspense_receipt ON payment_suspense (tenant_code, receipt_no)');
    for (const sql of isolateTenantTable('payment_suspense')) await q.query(sql);

    // Each import row's outcome, by batch.
    await q.query(`CREATE TABLE payment_batch_row (
      tenant_code text NOT NULL REFERENCES tenant (tenant_code),
      batch_id text NOT NULL,
      row_index integer NOT NULL,
      receipt_no text NOT NULL,
      channel text NOT NULL,
      id_number text NOT NULL,
      coverage_year integer,
      amount bigint,
      paid_on date,
      status text NOT NULL CHECK (status IN ('ACCEPTED', 'DUPLICATE', 'REJECTED')),
      held boolean NOT NULL DEFAULT false,
      code text,
      error text,
      recorded_by text NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_code, batch_id, row_index)
    )`);
    for (const sql of isolateTenantTable('payment_batch_row', 'SELECT, INSERT, UPDATE')) await q.query(sql);

    // Refunds record their payout.
    await q.query(`ALTER TABLE refund ADD COLUMN paid_on date, ADD COLUMN paid_by text, ADD COLUMN payout_reference text,
      ADD CONSTRAINT refund_paid_approved CHECK (paid_on IS NULL OR status = 'APPROVED')`);

    // A resident's bank account (一卡通 or bank card) for payouts: never shown unmasked but in an audited export.
    await q.query('ALTER TABLE resident ADD COLUMN bank_account text, ADD COLUMN bank_name text');
    // A household read in one statement carries the grants' payout results too.
    await defineHouseholdGraph(q, true);

    // Existing data, across tenants: the owner steps outside its forced row-level security for these statements.
    for (const table of ['enrollment', 'payment', 'subsidy_grant']) await q.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
    // Reimbursements scheduled for no month were never paid: they are due and unscheduled.
    await q.query(`UPDATE subsidy_grant SET status = 'DUE' WHERE status = 'SCHEDULED' AND payout_month IS NULL`);
    // Every PAID enrolment has its money on record: a full sponsorship's is its funding body's payment.
    await q.query(`INSERT INTO payment (tenant_code, channel, receipt_no, id_number, coverage_year, amount, paid_on, batch_id, recorded_by, payer_kind, payer, enrollment_before)
      SELECT e.tenant_code, '${SPONSORSHIP_CHANNEL}', 'SP-' || e.coverage_year || '-' || e.id_number, e.id_number, e.coverage_year, e.standard_contribution, e.paid_on,
             NULL, 'migration', 'FUNDING_BODY',
             (SELECT string_agg(DISTINCT f.name, '、') FROM subsidy_grant g CROSS JOIN LATERAL jsonb_to_recordset(g.funding) AS f(name text)
               WHERE g.tenant_code = e.tenant_code AND g.id_number = e.id_number AND g.coverage_year = e.coverage_year AND g.mode = 'FULL_SPONSORSHIP'),
             jsonb_build_object('status', 'UNPAID')
        FROM enrollment e
       WHERE e.subsidy_mode = 'FULL_SPONSORSHIP' AND e.paid_on IS NOT NULL AND e.status IN ('PAID', 'REFUND_PENDING', 'REFUNDED', 'TERMINATED')
         AND NOT EXISTS (SELECT 1 FROM payment p WHERE p.tenant_code = e.tenant_code AND p.id_number = e.id_number AND p.coverage_year = e.coverage_year)`);
    for (const table of ['enrollment', 'payment', 'subsidy_grant']) await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
  }

  async down(q: QueryRunner): Promise<void> {
    await defineHouseholdGraph(q, false);
    for (const table of ['payment', 'subsidy_grant', 'enrollment']) await q.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
    await q.query(`DELETE FROM payment WHERE channel = '${SPONSORSHIP_CHANNEL}' AND recorded_by = 'migration'`);
    await q.query(`UPDATE subsidy_grant SET status = 'SCHEDULED' WHERE status = 'DUE'`);
    await q.query(`UPDATE subsidy_grant SET status = 'PAID_OUT' WHERE status = 'REISSUED'`);
    for (const table of ['payment', 'subsidy_grant', 'enrollment']) await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
    await q.query('ALTER TABLE resident DROP COLUMN bank_account, DROP COLUMN bank_name');
    await q.query('ALTER TABLE refund DROP CONSTRAINT refund_paid_approved, DROP COLUMN paid_on, DROP COLUMN paid_by, DROP COLUMN payout_reference');
    await q.query('DROP TABLE payment_batch_row, payment_suspense, waiting_value, payment_reversal');
    await q.query('DROP FUNCTION payment_reversal_ledger()');
    await q.query(`ALTER TABLE subsidy_grant DROP CONSTRAINT subsidy_grant_due_unscheduled, DROP CONSTRAINT subsidy_grant_scheduled_month,
      DROP COLUMN payout_result, DROP COLUMN payout_result_on, DROP COLUMN payout_note, DROP COLUMN payout_reference, DROP COLUMN reissue_of, DROP COLUMN scheduled_by,
      DROP CONSTRAINT subsidy_grant_status_check`);
    await q.query(`ALTER TABLE subsidy_grant ADD CONSTRAINT subsidy_grant_status_check CHECK (status IN ('SETTLED', 'SCHEDULED', 'PAID_OUT', 'CANCELLED'))`);
    await q.query('DROP INDEX payment_receipt');
    await q.query('ALTER TABLE payment DROP CONSTRAINT payment_pkey, ADD PRIMARY KEY (tenant_code, receipt_no)');
    await q.query('ALTER TABLE payment DROP COLUMN payer_kind, DROP COLUMN payer, DROP COLUMN enrollment_before');
    await defineSchemeMembershipSync(q, "'REFUNDED', 'TERMINATED'");
    // Every tenant's rows: an owner that is not a superuser obeys forced row-level security, and would update none.
    await q.query('ALTER TABLE enrollment NO FORCE ROW LEVEL SECURITY');
    await q.query("UPDATE enrollment SET status = 'UNPAID' WHERE status = 'NOT_ENROLLED'");
    await q.query('ALTER TABLE enrollment FORCE ROW LEVEL SECURITY');
    await q.query('ALTER TABLE enrollment DROP CONSTRAINT enrollment_status_check');
    await q.query(
      `ALTER TABLE enrollment ADD CONSTRAINT enrollment_status_check CHECK (status IN ('UNPAID', 'PAID', 'REFUND_PENDING', 'REFUNDED', 'TERMINATED'))`,
    );
  }
}

/** The channel of a funding body's payment for a full sponsorship (全额资助/免征代缴). */
const SPONSORSHIP_CHANNEL = '资助代缴';

/** scheme_membership_sync (migration RegistryAndEnrollment) with the states that enrol no one. */
async function defineSchemeMembershipSync(q: QueryRunner, ended: string): Promise<void> {
  await q.query(`CREATE OR REPLACE FUNCTION scheme_membership_sync() RETURNS trigger
    LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM scheme_membership m USING old_rows o
         WHERE m.id_number = o.id_number AND m.coverage_year = o.coverage_year AND m.tenant_code = o.tenant_code;
      END IF;
      IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO scheme_membership (id_number, coverage_year, tenant_code)
        SELECT n.id_number, n.coverage_year, n.tenant_code FROM new_rows n
         WHERE n.status NOT IN (${ended})
        ON CONFLICT DO NOTHING;
      END IF;
      RETURN NULL;
    END $$`);
}

/** household_graph (migrations HouseholdGraphFunction, CountyYear), its grants with their payout results or without. */
async function defineHouseholdGraph(q: QueryRunner, withPayoutResults: boolean): Promise<void> {
  const withLifeEvents = true;
  const extra = withLifeEvents ? ', r.died_on, r.death_source, r.emigrated_on, r.emigrated_to, r.transferred_in_on, r.transferred_in_from' : '';
  await q.query(`CREATE OR REPLACE FUNCTION household_graph(p_tenant text, p_id uuid) RETURNS json
    LANGUAGE plpgsql STABLE SET search_path = public, pg_temp AS $$
    DECLARE result json;
    BEGIN
      SELECT json_build_object(
        'household', json_build_object('id', h.id, 'booklet_no', h.booklet_no, 'region_code', h.region_code, 'address', h.address${withLifeEvents ? ", 'dissolved_on', h.dissolved_on" : ''}),
        'members', coalesce((
          SELECT json_agg(m ORDER BY m.relationship = '户主' DESC, m.id_number) FROM (
            SELECT r.id_number, r.id_type, r.name, r.sex, r.birth_date, r.phone, r.household_id, r.relationship, r.hukou_place,
                   r.residence_permit_place, r.applicant_type, r.school, r.status, r.transferred_out_on, r.transferred_to${extra}
              FROM resident r WHERE r.tenant_code = p_tenant AND r.household_id = p_id) m), '[]'),
        'enrollments', coalesce((
          SELECT json_agg(e ORDER BY e.id_number, e.coverage_year) FROM (
            SELECT e.id_number, e.coverage_year, e.status, e.enrolled_on, e.circumstances, e.region_code, e.standard_contribution,
                   e.subsidy, e.applied_category, e.subsidy_mode, e.amount_due, e.late, e.paid_on, e.amount_paid, e.cover_start, e.cover_end${withLifeEvents ? ', e.ended_on, e.end_reason' : ''}
              FROM resident r JOIN enrollment e ON e.tenant_code = r.tenant_code AND e.id_number = r.id_number
             WHERE r.tenant_code = p_tenant AND r.household_id = p_id) e), '[]'),
        'grants', coalesce((
          SELECT json_agg(g ORDER BY g.id) FROM (
            SELECT g.id, g.id_number, g.coverage_year, g.category, g.mode, g.kind, g.amount, g.granted_on, g.payout_month, g.status, g.funding${withPayoutResults ? ', g.payout_result, g.payout_result_on' : ''}
              FROM resident r JOIN subsidy_grant g ON g.tenant_code = r.tenant_code AND g.id_number = r.id_number
             WHERE r.tenant_code = p_tenant AND r.household_id = p_id) g), '[]'))
        INTO result
        FROM household h WHERE h.tenant_code = p_tenant AND h.id = p_id;
      RETURN result;
    END $$`);
}
