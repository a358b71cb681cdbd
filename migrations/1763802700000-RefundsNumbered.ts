import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An enrolment may be refunded more than once in a year: refunded, enrolled and paid again, then refunded
 * for another reason (a death after a transfer back), or asked again after a rejection with the papers
 * that were missing. The refund's key was the enrolment, one request for ever; it becomes the enrolment
 * and the request's number (`request_no`: 1, 2, … in the order asked). At most one request per enrolment
 * waits for a decision at a time (`refund_one_pending`).
 *
 * A 先缴后补 reimbursement already paid out is taken off a refund's amount. `subsidy_grant.settled_by_refund`
 * names the request that took it off, so that a later refund of the same enrolment, or a reversal of the
 * payment that re-opened it, reckons only with what was paid out since. For refunds approved before this
 * migration, those are the reimbursements of the enrolment paid out and granted by the day the refund was
 * asked for, which is what the request read (later payouts of them were held by the request).
 */
export class RefundsNumbered1763802700000 implements MigrationInterface {
  name = 'RefundsNumbered1763802700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE refund ADD COLUMN request_no integer NOT NULL DEFAULT 1');
    await q.query('ALTER TABLE refund ADD CONSTRAINT refund_request_no_check CHECK (request_no >= 1)');
    await q.query('ALTER TABLE refund ALTER COLUMN request_no DROP DEFAULT');
    await q.query('ALTER TABLE subsidy_grant ADD COLUMN settled_by_refund integer');
    // The owner obeys the tables' forced row-level security; for this one statement over every tenant it
    // steps out of it, within this migration's transaction.
    const tables = ['refund', 'subsidy_grant'];
    for (const table of tables) await q.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
    await q.query(`UPDATE subsidy_grant g SET settled_by_refund = r.request_no FROM refund r
      WHERE r.status = 'APPROVED' AND g.tenant_code = r.tenant_code AND g.id_number = r.id_number AND g.coverage_year = r.coverage_year
        AND g.mode = 'REIMBURSEMENT' AND g.status = 'PAID_OUT' AND g.granted_on <= r.requested_on`);
    for (const table of tables) await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
    await q.query('ALTER TABLE refund DROP CONSTRAINT refund_pkey');
    await q.query('ALTER TABLE refund ADD CONSTRAINT refund_pkey PRIMARY KEY (tenant_code, id_number, coverage_year, request_no)');
    await q.query(`CREATE UNIQUE INDEX refund_one_pending ON refund (tenant_code, id_number, coverage_year) WHERE status = 'PENDING'`);
  }

  async down(q: QueryRunner): Promise<void> {
    // A second request of an enrolment has no place under the old key: adding it back fails rather than drop one.
    await q.query('DROP INDEX refund_one_pending');
    await q.query('ALTER TABLE refund DROP CONSTRAINT refund_pkey');
    await q.query('ALTER TABLE refund ADD CONSTRAINT refund_pkey PRIMARY KEY (tenant_code, id_number, coverage_year)');
    await q.query('ALTER TABLE subsidy_grant DROP COLUMN settled_by_refund');
    await q.query('ALTER TABLE refund DROP COLUMN request_no');
  }
}
