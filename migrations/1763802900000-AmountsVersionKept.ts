import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A wait computed under a later version of the year relabels its enrolment's `policy_version` (the
 * version that decided its subsidy then), while its standard and amount due stay those of the version that
 * took the money. `amounts_version` keeps that one, for the judgment of the enrolment's later waits, which
 * compares what that version and the latest ask. Null for rows written before it was kept: their
 * `policy_version` is read instead, as it was (none is rewritten, and the check is added without a pass
 * over the table). A wait computed on such a row copies policy_version here before relabelling it.
 */
export class AmountsVersionKept1763802900000 implements MigrationInterface {
  name = 'AmountsVersionKept1763802900000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE enrollment ADD COLUMN amounts_version integer');
    // NOT VALID: every row there is has it null, and validating would read the whole table under the
    // ALTER's exclusive lock; rows written from now on are checked.
    await q.query('ALTER TABLE enrollment ADD CONSTRAINT enrollment_amounts_version CHECK (amounts_version > 0) NOT VALID');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE enrollment DROP COLUMN amounts_version');
  }
}
