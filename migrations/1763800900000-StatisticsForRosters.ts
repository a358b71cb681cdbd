import type { MigrationInterface, QueryRunner } from 'typeorm';
import { defineStatisticsRefresh } from './1763800200000-BulkWriteStatistics';

/**
 * `refresh_statistics_after_bulk_write` (migration BulkWriteStatistics) may also ANALYZE `household`.
 * A roster writes its households, then residents checked against them row by row, then memberships
 * checked against both. On a connection whose key checks were planned while those tables were small (a
 * first small roster), a roster of 10,000 people scanned the households once per resident and ran into
 * the statement timeout (test `statistics.test.ts`). The list of tables stays closed: the request role
 * may not ANALYZE anything else.
 */
export class StatisticsForRosters1763800900000 implements MigrationInterface {
  name = 'StatisticsForRosters1763800900000';

  async up(q: QueryRunner): Promise<void> {
    await defineStatisticsRefresh(q, 'CREATE OR REPLACE', ['enrollment', 'payment', 'resident', 'assistance_identity', 'household']);
  }

  async down(q: QueryRunner): Promise<void> {
    await defineStatisticsRefresh(q, 'CREATE OR REPLACE', ['enrollment', 'payment', 'resident', 'assistance_identity']);
  }
}
