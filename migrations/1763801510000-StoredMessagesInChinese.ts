import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Messages kept for later reading are kept in Chinese beside the English (CONTRACT.md, "Language"): what a
 * paid enrolment waits for, why money is held in suspense, why an import row was refused. The request that
 * reads them back picks its language. Rows written before hold the English only (null here), and read
 * as such in either language.
 */
export class StoredMessagesInChinese1763801510000 implements MigrationInterface {
  name = 'StoredMessagesInChinese1763801510000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE waiting_value ADD COLUMN message_zh text');
    await q.query('ALTER TABLE payment_suspense ADD COLUMN reason_zh text');
    await q.query('ALTER TABLE payment_batch_row ADD COLUMN error_zh text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE payment_batch_row DROP COLUMN error_zh');
    await q.query('ALTER TABLE payment_suspense DROP COLUMN reason_zh');
    await q.query('ALTER TABLE waiting_value DROP COLUMN message_zh');
  }
}
