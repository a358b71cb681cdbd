import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Enrolments, subsidy grants and refunds record the version of the policy year that decided them
 * (issue 21): the amounts of an enrolment and its grants, and a refund's amount, were computed under
 * one published version, which never changes, so what decided a figure can always be read again.
 * Null for rows written before versions were recorded. No foreign key to policy_year_version: the value
 * is the version in force when the row was written, which exists by construction, and a key checked on
 * every row would cost the bulk imports of payments a lookup per row.
 */
export class PolicyVersionRecorded1763801310000 implements MigrationInterface {
  name = 'PolicyVersionRecorded1763801310000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['enrollment', 'subsidy_grant', 'refund']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN policy_version integer`);
      await q.query(`ALTER TABLE ${table} ADD CONSTRAINT ${table}_policy_version CHECK (policy_version > 0)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['enrollment', 'subsidy_grant', 'refund']) await q.query(`ALTER TABLE ${table} DROP COLUMN policy_version`);
  }
}
