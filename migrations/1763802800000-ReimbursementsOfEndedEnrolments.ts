import type { MigrationInterface, QueryRunner } from 'typeorm';
import { overEveryTenant } from './tenant-isolation';

/**
 * A 先缴后补 reimbursement of an enrolment ended without a refund (a death, an emigration, a transfer out:
 * TERMINATED) is paid out like any other from now on, and a month whose payout is recorded counts only
 * what was paid out in it. Reimbursements left SCHEDULED for a month already paid (those of ended
 * enrolments, which the payout left out, and those of a refund rejected before such ones were made DUE
 * again) were counted in that month's figures although nothing could pay them: they become DUE (no
 * month), for an administrator to schedule into a month not yet paid out. Those of an enrolment whose
 * refund is still pending stay held; its decision settles them.
 */
export class ReimbursementsOfEndedEnrolments1763802800000 implements MigrationInterface {
  name = 'ReimbursementsOfEndedEnrolments1763802800000';

  async up(q: QueryRunner): Promise<void> {
    await overEveryTenant(q, ['subsidy_grant', 'enrollment', 'disbursement_batch'], () =>
      q.query(`UPDATE subsidy_grant g SET status = 'DUE', payout_month = NULL
      FROM enrollment e, disbursement_batch b
     WHERE e.tenant_code = g.tenant_code AND e.id_number = g.id_number AND e.coverage_year = g.coverage_year
       AND (e.status IN ('UNPAID', 'PAID', 'TERMINATED') OR g.deducted_by_refund IS NOT NULL)
       AND b.tenant_code = g.tenant_code AND b.month = g.payout_month AND g.status = 'SCHEDULED'`),
    );
  }

  async down(): Promise<void> {
    // Nothing to undo: a DUE reimbursement is what the older code made of a held one too.
  }
}
