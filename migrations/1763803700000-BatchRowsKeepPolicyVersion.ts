import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An import batch's rows read back for reconciliation (`paymentBatch`) say which version of the policy
 * year took each payment, as the import answered (an earlier version in force on the day paid, after a
 * correction, or the latest). Null for held, DUPLICATE and REJECTED rows, and for rows recorded before it
 * was kept. Nullable without a default: no rewrite of a table that grows by 10,000 rows a call.
 */
export class BatchRowsKeepPolicyVersion1763803700000 implements MigrationInterface {
  name = 'BatchRowsKeepPolicyVersion1763803700000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE payment_batch_row ADD COLUMN policy_version integer');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE payment_batch_row DROP COLUMN policy_version');
  }
}
