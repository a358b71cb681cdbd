import type { MigrationInterface, QueryRunner } from 'typeorm';
import { overEveryTenant } from './tenant-isolation';

/**
 * An enrolment may be refunded more than once in a year: refunded, enrolled and paid again, then refunded
 * for another reason (a death after a transfer back), or asked again after a rejection with the papers
 * that were missing. The refund's key was the enrolment, one request for ever; it becomes the enrolment
 * and the request's number (`request_no`: 1, 2, … in the order asked). At most one request per enrolment
 * waits for a decision at a time (`refund_one_pending`).
 *
 * Two columns of `subsidy_grant` say which refund request reckoned with a grant:
 * - `deducted_by_refund`: a 先缴后补 reimbursement already paid out, which the request takes off what it
 *   pays back; marked at the request, cleared if it is rejected, carried by a re-issue after a failed or
 *   returned payout, which then stays owed to the person whatever becomes of the enrolment;
 * - `ended_by_refund`: every grant of the period an approved refund ended. A later refund of the
 *   enrolment deducts only what was paid out since, a top-up reckons only with the running period, and
 *   a reversal of a later payment leaves them alone.
 * Rows written before this migration: a refund waiting or approved deducted its enrolment's
 * reimbursements then paid out (payouts were held while it waited), and one paid out and returned after
 * the day it was asked for; an approved one ended the grants made before its decision.
 */
export class RefundsNumbered1763802700000 implements MigrationInterface {
  name = 'RefundsNumbered1763802700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE refund ADD COLUMN request_no integer NOT NULL DEFAULT 1');
    await q.query('ALTER TABLE refund ADD CONSTRAINT refund_request_no_check CHECK (request_no >= 1)');
    await q.query('ALTER TABLE refund ALTER COLUMN request_no DROP DEFAULT');
    await q.query('ALTER TABLE subsidy_grant ADD COLUMN deducted_by_refund integer, ADD COLUMN ended_by_refund integer');
    await overEveryTenant(q, ['refund', 'subsidy_grant'], async () => {
      await q.query(`UPDATE subsidy_grant g SET deducted_by_refund = r.request_no FROM refund r
      WHERE g.tenant_code = r.tenant_code AND g.id_number = r.id_number AND g.coverage_year = r.coverage_year
        AND r.status IN ('PENDING', 'APPROVED') AND g.mode = 'REIMBURSEMENT' AND g.created_at <= coalesce(r.decided_at, now())
        AND (g.status = 'PAID_OUT' OR (g.status = 'REISSUED' AND g.payout_result_on >= r.requested_on))`);
      await q.query(`UPDATE subsidy_grant g SET ended_by_refund = r.request_no FROM refund r
      WHERE g.tenant_code = r.tenant_code AND g.id_number = r.id_number AND g.coverage_year = r.coverage_year
        AND r.status = 'APPROVED' AND g.status <> 'CANCELLED' AND g.created_at <= r.decided_at`);
      // Re-issues carry the marks of what they replace, along chains of re-issues, as the running code does.
      for (let carried = 1; carried > 0;) {
        const result = await q.query(
          `UPDATE subsidy_grant n
          SET deducted_by_refund = coalesce(n.deducted_by_refund, o.deducted_by_refund), ended_by_refund = coalesce(n.ended_by_refund, o.ended_by_refund)
         FROM subsidy_grant o
        WHERE n.tenant_code = o.tenant_code AND n.reissue_of = o.id
          AND ((n.deducted_by_refund IS NULL AND o.deducted_by_refund IS NOT NULL) OR (n.ended_by_refund IS NULL AND o.ended_by_refund IS NOT NULL))`,
          [],
          true,
        );
        carried = (result as { affected?: number }).affected ?? 0;
      }
    });
    await q.query('ALTER TABLE refund DROP CONSTRAINT refund_pkey');
    await q.query('ALTER TABLE refund ADD CONSTRAINT refund_pkey PRIMARY KEY (tenant_code, id_number, coverage_year, request_no)');
    await q.query(`CREATE UNIQUE INDEX refund_one_pending ON refund (tenant_code, id_number, coverage_year) WHERE status = 'PENDING'`);
  }

  async down(q: QueryRunner): Promise<void> {
    // A second request of an enrolment has no place under the old key: adding it back fails rather than drop one.
    await q.query('DROP INDEX refund_one_pending');
    await q.query('ALTER TABLE refund DROP CONSTRAINT refund_pkey');
    await q.query('ALTER TABLE refund ADD CONSTRAINT refund_pkey PRIMARY KEY (tenant_code, id_number, coverage_year)');
    await q.query('ALTER TABLE subsidy_grant DROP COLUMN deducted_by_refund, DROP COLUMN ended_by_refund');
    await q.query('ALTER TABLE refund DROP COLUMN request_no');
  }
}
