import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An enrolment may be refunded more than once in a year: refunded, enrolled and paid again, then refunded
 * for another reason (a death after a transfer back), or asked again after a rejection with the papers
 * that were missing. The refund's key was the enrolment, one request for ever; it becomes the enrolment
 * and the request's number (`request_no`: 1, 2, … in the order asked). At most one request per enrolment
 * waits for a decision at a time (`refund_one_pending`).
 *
 * `subsidy_grant.ended_by_refund` names the refund request that reckoned with a grant: a 先缴后补
 * reimbursement already paid out, which the request takes off what it pays back (from the request on,
 * cleared if it is rejected; a re-issue of it after a failed payout carries it), and, once a refund is
 * approved, every grant of the period it ended. A later refund of the enrolment deducts only what was
 * paid out since, a top-up reckons only with the running period's grants, and a re-issue of a deducted
 * reimbursement stays payable after the refund. Rows before this migration: the grants of the enrolment
 * granted by the day its refund was asked for (paid-out reimbursements only while it is pending), which
 * is what the request read.
 */
export class RefundsNumbered1763802700000 implements MigrationInterface {
  name = 'RefundsNumbered1763802700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE refund ADD COLUMN request_no integer NOT NULL DEFAULT 1');
    await q.query('ALTER TABLE refund ADD CONSTRAINT refund_request_no_check CHECK (request_no >= 1)');
    await q.query('ALTER TABLE refund ALTER COLUMN request_no DROP DEFAULT');
    await q.query('ALTER TABLE subsidy_grant ADD COLUMN ended_by_refund integer');
    // The owner obeys the tables' forced row-level security; for this one statement over every tenant it
    // steps out of it, within this migration's transaction.
    const tables = ['refund', 'subsidy_grant'];
    for (const table of tables) await q.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
    await q.query(`UPDATE subsidy_grant g SET ended_by_refund = r.request_no FROM refund r
      WHERE g.tenant_code = r.tenant_code AND g.id_number = r.id_number AND g.coverage_year = r.coverage_year AND g.granted_on <= r.requested_on
        AND ((r.status = 'APPROVED' AND g.status <> 'CANCELLED') OR (r.status = 'PENDING' AND g.mode = 'REIMBURSEMENT' AND g.status = 'PAID_OUT'))`);
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
    await q.query('ALTER TABLE subsidy_grant DROP COLUMN ended_by_refund');
    await q.query('ALTER TABLE refund DROP COLUMN request_no');
  }
}
