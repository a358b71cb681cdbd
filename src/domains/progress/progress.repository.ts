/** SQL of enrolment progress: paid counts by region and date, targets, follow-ups and daily collection. */
import { type BulkColumn, unnestRows } from '../../db/bulk';
import type { TenantTransaction } from '../../db/tenant-transaction';
import { livedHereOn, residentColumns, type ResidentRow } from '../residents/residents.repository';

/** Paid enrolments by region on `asOf`, from `paid_daily` (kept by every write of enrolments, in enrollment.repository). */
export async function paidCountsByRegion(db: TenantTransaction, coverageYear: number, asOf: string): Promise<Array<{ region_code: string; paid: number }>> {
  return db.query<{ region_code: string; paid: number }>(
    `SELECT region_code, sum(paid)::int AS paid FROM paid_daily
      WHERE tenant_code = $1 AND coverage_year = $2 AND paid_on <= $3 GROUP BY region_code`,
    [db.tenantCode, coverageYear, asOf],
  );
}

export interface TargetRow {
  region_code: string;
  target: number;
  source: string;
  /** When it was set (ISO 8601 instant). */
  set_at: string;
}

/**
 * Sets targets: the current value in `region_target`, and an entry of `region_target_history`, which keeps
 * every setting with its time and author so that a past day's progress reads the targets of that day.
 */
export async function setTargets(
  db: TenantTransaction,
  coverageYear: number,
  targets: ReadonlyArray<{ region: string; target: number }>,
  source: string,
  setBy: string,
): Promise<void> {
  const rows = unnestRows('t', TARGET_WRITE, targets, 5);
  await db.query(
    `INSERT INTO region_target (tenant_code, coverage_year, region_code, target, source, set_by)
     SELECT $1, $2, t.region, t.target, $3, $4 FROM ${rows.from}
     ON CONFLICT (tenant_code, coverage_year, region_code) DO UPDATE
        SET target = EXCLUDED.target, source = EXCLUDED.source, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at`,
    [db.tenantCode, coverageYear, source, setBy, ...rows.parameters],
  );
  // set_at is the transaction's time, as in region_target. A region set twice in one transaction (two
  // settings in one request) has one entry, the last setting's, as region_target keeps.
  await db.query(
    `INSERT INTO region_target_history (tenant_code, coverage_year, region_code, target, source, set_by)
     SELECT $1, $2, t.region, t.target, $3, $4 FROM ${rows.from}
     ON CONFLICT (tenant_code, coverage_year, region_code, set_at) DO UPDATE
        SET target = EXCLUDED.target, source = EXCLUDED.source, set_by = EXCLUDED.set_by`,
    [db.tenantCode, coverageYear, source, setBy, ...rows.parameters],
  );
}

const TARGET_WRITE: ReadonlyArray<BulkColumn<{ region: string; target: number }>> = [
  { name: 'region', type: 'text', value: (t) => t.region },
  { name: 'target', type: 'int', value: (t) => t.target },
];

/**
 * The targets set for a year as they stood at the end of `asOf` (China time): each region's latest setting
 * made before the next day began; a region set only later has none. `region_target`'s row is read beside
 * the history: a server of the release before it (during a rolling deploy) writes only that row.
 */
export async function targetsSetOn(db: TenantTransaction, coverageYear: number, asOf: string): Promise<TargetRow[]> {
  return db.query<TargetRow>(
    `SELECT region_code, target, source, to_char(set_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS set_at
       FROM (SELECT DISTINCT ON (region_code) region_code, target, source, set_at
               FROM (SELECT region_code, target, source, set_at FROM region_target_history
                      WHERE tenant_code = $1 AND coverage_year = $2 AND set_at < (($3::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')
                     UNION ALL
                     SELECT region_code, target, source, set_at FROM region_target
                      WHERE tenant_code = $1 AND coverage_year = $2 AND set_at < (($3::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai')) settings
              ORDER BY region_code, set_at DESC) latest`,
    [db.tenantCode, coverageYear, asOf],
  );
}

export type FollowUpRow = ResidentRow & { region_code: string | null };

/** Paid on `$D` (the end of that day), or now when `$D` is null: paid by then and not yet ended then. */
const paidOn = (e: string, d: string) => `(${e}.paid_on IS NOT NULL AND (
     (${d}::date IS NULL AND ${e}.status IN ('PAID', 'REFUND_PENDING'))
  OR (${d}::date IS NOT NULL AND ${e}.paid_on <= ${d}::date
      AND (${e}.status IN ('PAID', 'REFUND_PENDING') OR (${e}.status IN ('REFUNDED', 'TERMINATED') AND ${e}.ended_on > ${d}::date)))))`;

/**
 * The follow-up list's conditions (parameters: $1 tenant, $2 year, $3 regions, $6 the day or null):
 * paid last year, not this year, living here, no waiver in force, in the regions; each as it stood on
 * the day when one is given. The household (and so the region) is the one the person belonged to then.
 * Every table is held to the tenant by its own condition: Citus routes the whole statement to the
 * tenant's shards only when it can see so for each (the lateral read of memberships included).
 */
const FOLLOW_UP_FROM = `
       FROM enrollment last
       JOIN resident r ON r.tenant_code = $1 AND r.id_number = last.id_number
       LEFT JOIN LATERAL (
         SELECT m.household_id FROM household_membership m
          WHERE $6::date IS NOT NULL AND m.tenant_code = $1 AND m.id_number = r.id_number
            AND m.joined_on <= $6::date AND (m.left_on IS NULL OR m.left_on > $6::date)
          ORDER BY m.joined_on DESC LIMIT 1) then_member ON true
       LEFT JOIN household h ON h.tenant_code = $1 AND h.id = CASE WHEN $6::date IS NULL THEN r.household_id ELSE then_member.household_id END
      WHERE last.tenant_code = $1 AND last.coverage_year = $2 - 1 AND ${paidOn('last', '$6')}
        AND (CASE WHEN $6::date IS NULL THEN r.status = 'ACTIVE'
                  ELSE ${livedHereOn('r', '$6::date')} END)
        AND NOT EXISTS (SELECT 1 FROM enrollment e WHERE e.tenant_code = $1 AND e.id_number = r.id_number AND e.coverage_year = $2 AND ${paidOn('e', '$6')})
        AND NOT EXISTS (SELECT 1 FROM waiver w WHERE w.tenant_code = $1 AND w.id_number = r.id_number AND w.coverage_year = $2
                          AND (CASE WHEN $6::date IS NULL THEN w.withdrawn_on IS NULL
                                    ELSE w.signed_on <= $6::date AND coalesce(w.withdrawn_on > $6::date, true) END))
        AND ($3::text[] IS NULL OR h.region_code = ANY ($3::text[]))`;

/** People paid for the year before and not yet for this one, without a waiver, in ID order after `after`. */
export async function followUps(
  db: TenantTransaction,
  coverageYear: number,
  regions: string[] | null,
  after: string | null,
  limit: number,
  asOf: string | null = null,
): Promise<FollowUpRow[]> {
  return db.query<FollowUpRow>(
    `SELECT ${residentColumns('r')}, h.region_code ${FOLLOW_UP_FROM}
        AND ($4::text IS NULL OR r.id_number > $4)
      ORDER BY r.id_number LIMIT $5`,
    [db.tenantCode, coverageYear, regions, after, limit, asOf],
  );
}

export async function countFollowUps(db: TenantTransaction, coverageYear: number, regions: string[] | null, asOf: string | null): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n ${FOLLOW_UP_FROM} AND $4::text IS NULL AND $5::int IS NULL`, [
    db.tenantCode,
    coverageYear,
    regions,
    null,
    null,
    asOf,
  ]);
  return row.n;
}

export interface CollectionRow {
  channel: string;
  region_code: string;
  count: number;
  amount: number;
}

export async function collectionOn(db: TenantTransaction, date: string, coverageYear: number | null): Promise<CollectionRow[]> {
  return db.query<CollectionRow>(
    `SELECT p.channel, coalesce(e.region_code, '') AS region_code, count(*)::int AS count, sum(p.amount)::bigint AS amount
       FROM payment p JOIN enrollment e ON e.tenant_code = p.tenant_code AND e.id_number = p.id_number AND e.coverage_year = p.coverage_year
      WHERE p.tenant_code = $1 AND p.paid_on = $2 AND ($3::int IS NULL OR p.coverage_year = $3)
      GROUP BY 1, 2 ORDER BY 1, 2`,
    [db.tenantCode, date, coverageYear],
  );
}
