import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A wait whose value a later version states can still stay open: the version in force would ask of a paid
 * enrolment other amounts than the version that took its money (a correction of the standard, a subsidy
 * paid back on more than was paid). `still_open` keeps why, in Chinese and English, as of the last time
 * the wait was judged, so that a clerk who sees the value configured is told why nothing was computed.
 * Null while the value itself is still unstated.
 */
export class WaitsSayWhyStillOpen1763803500000 implements MigrationInterface {
  name = 'WaitsSayWhyStillOpen1763803500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE waiting_value ADD COLUMN still_open jsonb');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE waiting_value DROP COLUMN still_open');
  }
}
