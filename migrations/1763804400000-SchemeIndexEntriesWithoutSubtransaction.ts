import type { MigrationInterface, QueryRunner } from 'typeorm';
import { INSERT_MISSING, PLAIN_THEN_MISSING, PLAIN_THEN_MISSING_DECLARE, define } from './1763804300000-SchemeIndexEntriesInsertedPlainly';

/**
 * `scheme_membership_apply` inserts the index's new entries with ON CONFLICT DO NOTHING again, as
 * CitusReady did, without the block that SchemeIndexEntriesInsertedPlainly put around a plain INSERT.
 *
 * That block was a subtransaction per call, and each one that wrote kept its own transaction ID until
 * the transaction ended. PostgreSQL keeps 64 of them per backend for others' snapshots; past that the
 * backend is marked overflowed, and every snapshot taken meanwhile looks up pg_subtrans for the IDs it
 * meets. One transaction calls the function once per enrolment write: a release of held money page
 * after page, a request of many enrolment mutations. 70 calls in one transaction (PostgreSQL 18, the
 * embedded server): `pg_stat_get_backend_subxact` gave 64 and overflowed. The saving was about 20 ms per
 * 10,000 entries (11 alternated runs in the lab, medians: 92 against 112 ms, the backend's CPU 90 against
 * 110 ms), which the bench could not tell apart from its noise. Checking for the keys first and then
 * inserting plainly, without a block, cost what ON CONFLICT does (118 ms, 110 ms of CPU).
 */
export class SchemeIndexEntriesWithoutSubtransaction1763804400000 implements MigrationInterface {
  name = 'SchemeIndexEntriesWithoutSubtransaction1763804400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(define(INSERT_MISSING));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(define(PLAIN_THEN_MISSING, PLAIN_THEN_MISSING_DECLARE));
  }
}
