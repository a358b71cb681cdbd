import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Drops `payment_batch`, the index of payments by their import batch. Nothing reads payments by batch: a
 * batch is read back from its outcomes (`payment_batch_outcome`). Every imported payment still wrote an
 * entry into it, the only index of `payment` that a payment without a batch (a bank's, the write floor
 * of bench/) does not pay for.
 */
export class PaymentsWithoutBatchIndex1763804000000 implements MigrationInterface {
  name = 'PaymentsWithoutBatchIndex1763804000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX payment_batch');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX payment_batch ON payment (tenant_code, batch_id) WHERE batch_id IS NOT NULL');
  }
}
