import type { MigrationInterface, QueryRunner } from 'typeorm';
import { overEveryTenant } from './tenant-isolation';

/**
 * One live grant of the subsidy per enrolment and period: nothing in the database refused a second
 * grant of the same year's subsidy to the same person, and a second one is public money paid twice (a
 * 先缴后补 reimbursement paid out twice, a subsidy counted twice in the totals and the disbursements).
 *
 * The key (`subsidy_grant_one_live`) holds the grant that pays the enrolment's subsidy: AT_PAYMENT (at
 * payment, or once a value it waited for is configured) or NEWLY_CERTIFIED (a person paid in full and
 * certified after). It leaves out, as rows that may stand beside that one:
 * - TOP_UP grants: each pays only the difference a later, higher category makes (甘州 四（二）4);
 * - CANCELLED grants (a reversed payment, an approved refund) and REISSUED ones (their DUE re-issue,
 *   which carries the same kind, is the one that stands);
 * - grants of a period that ended: by an approved refund (`ended_by_refund`), or without one, by a
 *   transfer out, a death or an emigration (`period_ended_on`, new here): an enrolment re-opened and paid
 *   again is granted for its new period, as the payment's own settlement reckons.
 *
 * Rows written before: grants of enrolments ended without a refund get `period_ended_on`, the day they
 * ended. Enrolments that still have more than one live grant then are not resolved here: which one
 * stands (which one the bank paid out, which one the person is owed) is for the bureau to decide from
 * its records, and cancelling public money on its own is not what an upgrade should do. The migration
 * stops, changing nothing, and says how many there are and which grant ids, so that an administrator can
 * cancel the one that is not owed (UPDATE subsidy_grant SET status = 'CANCELLED' WHERE tenant_code = …
 * AND id = …), or mark the earlier period's where both are owed, and run it again. Enrolments re-opened
 * after a period ended are marked here where they say so (`reopened_after`); those re-opened before that
 * was kept do not, and are named.
 */
export class OneLiveGrant1763803100000 implements MigrationInterface {
  name = 'OneLiveGrant1763803100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE subsidy_grant ADD COLUMN period_ended_on date');
    const duplicates = await overEveryTenant(q, ['subsidy_grant', 'enrollment'], async () => {
      await q.query(`UPDATE subsidy_grant g SET period_ended_on = e.ended_on
        FROM enrollment e
       WHERE e.tenant_code = g.tenant_code AND e.id_number = g.id_number AND e.coverage_year = g.coverage_year
         AND e.status = 'TERMINATED' AND e.ended_on IS NOT NULL
         AND g.status <> 'CANCELLED' AND g.ended_by_refund IS NULL AND g.period_ended_on IS NULL`);
      // Enrolments re-opened after such an end (reopened_after, the day the period before stopped
      // counting): the grants of that period are all but the latest grant of the subsidy where the new
      // period is paid, all of them where it is not yet. Grant ids follow the order they were written; the
      // days granted do not (a re-opening payment may be dated before the period it follows ended).
      await q.query(`UPDATE subsidy_grant g SET period_ended_on = e.reopened_after
        FROM enrollment e
       WHERE e.tenant_code = g.tenant_code AND e.id_number = g.id_number AND e.coverage_year = g.coverage_year
         AND e.reopened_after IS NOT NULL
         AND g.status <> 'CANCELLED' AND g.ended_by_refund IS NULL AND g.period_ended_on IS NULL
         AND (e.status NOT IN ('PAID', 'REFUND_PENDING')
              OR g.id < (SELECT max(l.id) FROM subsidy_grant l
                          WHERE l.tenant_code = g.tenant_code AND l.id_number = g.id_number AND l.coverage_year = g.coverage_year
                            AND l.kind IN ('AT_PAYMENT', 'NEWLY_CERTIFIED') AND l.status NOT IN ('CANCELLED', 'REISSUED')
                            AND l.ended_by_refund IS NULL))`);
      return (await q.query(`SELECT tenant_code, coverage_year, array_agg(id ORDER BY id) AS ids
        FROM subsidy_grant
       WHERE ${LIVE}
       GROUP BY tenant_code, id_number, coverage_year HAVING count(*) > 1
       ORDER BY tenant_code, coverage_year, min(id)`)) as Array<{ tenant_code: string; coverage_year: number; ids: string[] }>;
    });
    if (duplicates.length > 0) {
      const shown = duplicates
        .slice(0, 50)
        .map((d) => `${d.tenant_code} ${d.coverage_year}: ${d.ids.join(', ')}`)
        .join('; ');
      throw new Error(
        `subsidy_grant: 有 ${duplicates.length} 个参保记录存在一笔以上有效的参保资助，本次未作任何修改 (${duplicates.length} enrolment(s) have more than one live grant of the subsidy; nothing was changed). ` +
          `Grant ids by tenant and year${duplicates.length > 50 ? ' (the first 50)' : ''}: ${shown}. ` +
          `Cancel the grant that is not owed (status 'CANCELLED'); where both are owed, the enrolment was re-opened after a period that ended (a transfer out, a death): set the earlier period's grants' period_ended_on to the day it ended. Then run the migration again.`,
      );
    }
    await q.query(`CREATE UNIQUE INDEX subsidy_grant_one_live ON subsidy_grant (tenant_code, id_number, coverage_year) WHERE ${LIVE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX subsidy_grant_one_live');
    await q.query('ALTER TABLE subsidy_grant DROP COLUMN period_ended_on');
  }
}

/** The grant that pays an enrolment's subsidy in its running period (the write path's ON CONFLICT names it too). */
const LIVE = `kind IN ('AT_PAYMENT', 'NEWLY_CERTIFIED') AND status NOT IN ('CANCELLED', 'REISSUED') AND ended_by_refund IS NULL AND period_ended_on IS NULL`;
