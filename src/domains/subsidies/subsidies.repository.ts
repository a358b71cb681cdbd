/** SQL of subsidy grants and monthly disbursements; bulk paths are set-based. */
import { type BulkColumn, unnestRows } from '../../db/bulk';
import { rowColumns } from '../../db/row-columns';
import type { TenantTransaction } from '../../db/tenant-transaction';
import type { FundingShare } from '../../policy-data/funding';

export type GrantStatus = 'SETTLED' | 'SCHEDULED' | 'PAID_OUT' | 'CANCELLED';
export type GrantKind = 'AT_PAYMENT' | 'TOP_UP' | 'NEWLY_CERTIFIED';

export interface GrantWrite {
  idNumber: string;
  coverageYear: number;
  category: string;
  mode: string;
  kind: GrantKind;
  amount: number;
  grantedOn: string;
  payoutMonth: string | null;
  status: GrantStatus;
  funding: ReadonlyArray<Pick<FundingShare, 'source' | 'name' | 'amount'>>;
  clause: string | null;
}

export interface GrantRow {
  id: number;
  id_number: string;
  coverage_year: number;
  category: string;
  mode: string;
  kind: GrantKind;
  amount: number;
  granted_on: string;
  payout_month: string | null;
  status: GrantStatus;
  funding: Array<{ source: string; name: string; amount: number }>;
}

const GRANT_WRITE: ReadonlyArray<BulkColumn<GrantWrite>> = [
  { name: 'id_number', type: 'text', value: (g) => g.idNumber },
  { name: 'coverage_year', type: 'int', value: (g) => g.coverageYear },
  { name: 'category', type: 'text', value: (g) => g.category },
  { name: 'mode', type: 'text', value: (g) => g.mode },
  { name: 'kind', type: 'text', value: (g) => g.kind },
  { name: 'amount', type: 'bigint', value: (g) => g.amount },
  { name: 'granted_on', type: 'date', value: (g) => g.grantedOn },
  { name: 'payout_month', type: 'text', value: (g) => g.payoutMonth },
  { name: 'status', type: 'text', value: (g) => g.status },
  { name: 'funding', type: 'jsonb', value: (g) => JSON.stringify(g.funding.map(({ source, name, amount }) => ({ source, name, amount }))) },
  { name: 'clause', type: 'text', value: (g) => g.clause },
];

export async function insertGrants(db: TenantTransaction, grants: readonly GrantWrite[]): Promise<void> {
  if (grants.length === 0) return;
  const rows = unnestRows('g', GRANT_WRITE, grants, 2);
  const columns = GRANT_WRITE.map((c) => c.name);
  await db.query(`INSERT INTO subsidy_grant (tenant_code, ${columns.join(', ')}) SELECT $1, ${columns.map((c) => `g.${c}`).join(', ')} FROM ${rows.from}`, [db.tenantCode, ...rows.parameters]);
}

export const GRANT_ROW_COLUMNS = rowColumns<GrantRow>()(['id', 'id_number', 'coverage_year', 'category', 'mode', 'kind', 'amount', 'granted_on', 'payout_month', 'status', 'funding']);

export async function grantsOf(db: TenantTransaction, keys: ReadonlyArray<{ idNumber: string; coverageYear: number }>): Promise<GrantRow[]> {
  if (keys.length === 0) return [];
  return db.query<GrantRow>(
    `SELECT ${GRANT_ROW_COLUMNS.join(', ')} FROM subsidy_grant
      WHERE tenant_code = $1 AND (id_number, coverage_year) IN (SELECT * FROM UNNEST($2::text[], $3::int[])) ORDER BY id`,
    [db.tenantCode, keys.map((k) => k.idNumber), keys.map((k) => k.coverageYear)],
  );
}

/** Reimbursements counted in a month: paid out, or scheduled and not held by a refund. */
const DISBURSABLE = `g.tenant_code = $1 AND g.payout_month = $2
  AND (g.status = 'PAID_OUT' OR (g.status = 'SCHEDULED' AND e.status NOT IN ('REFUND_PENDING', 'REFUNDED', 'TERMINATED')))`;

export async function disbursementTotals(db: TenantTransaction, month: string) {
  const [totals, bySource] = await Promise.all([
    db.query<{ count: number; total: number | null }>(
      `SELECT count(*) AS count, sum(g.amount)::bigint AS total FROM subsidy_grant g
         JOIN enrollment e ON e.tenant_code = g.tenant_code AND e.id_number = g.id_number AND e.coverage_year = g.coverage_year
        WHERE ${DISBURSABLE}`,
      [db.tenantCode, month],
    ),
    db.query<{ source: string; name: string; amount: number }>(
      `SELECT f.source, f.name, sum(f.amount)::bigint AS amount FROM subsidy_grant g
         JOIN enrollment e ON e.tenant_code = g.tenant_code AND e.id_number = g.id_number AND e.coverage_year = g.coverage_year
         CROSS JOIN LATERAL jsonb_to_recordset(g.funding) AS f(source text, name text, amount bigint)
        WHERE ${DISBURSABLE}
        GROUP BY f.source, f.name ORDER BY f.source`,
      [db.tenantCode, month],
    ),
  ]);
  return { count: totals[0].count, total: totals[0].total ?? 0, bySource };
}

export interface DisbursementItemRow {
  id_number: string;
  name: string;
  coverage_year: number;
  category: string;
  kind: GrantKind;
  amount: number;
  status: GrantStatus;
}

export async function disbursementItems(db: TenantTransaction, month: string): Promise<DisbursementItemRow[]> {
  return db.query<DisbursementItemRow>(
    `SELECT g.id_number, r.name, g.coverage_year, g.category, g.kind, g.amount, g.status FROM subsidy_grant g
       JOIN enrollment e ON e.tenant_code = g.tenant_code AND e.id_number = g.id_number AND e.coverage_year = g.coverage_year
       JOIN resident r ON r.tenant_code = g.tenant_code AND r.id_number = g.id_number
      WHERE ${DISBURSABLE}
      ORDER BY g.id_number, g.id`,
    [db.tenantCode, month],
  );
}

export async function disbursementBatch(db: TenantTransaction, month: string) {
  const rows = await db.query<{ count: number; total: number; paid_by: string; paid_at: Date }>(
    'SELECT count, total, paid_by, paid_at FROM disbursement_batch WHERE tenant_code = $1 AND month = $2',
    [db.tenantCode, month],
  );
  return rows[0] ?? null;
}

/** Pays out the month's scheduled reimbursements and records the batch, in two statements. */
export async function payOutMonth(db: TenantTransaction, month: string, paidBy: string): Promise<void> {
  await db.query(
    `UPDATE subsidy_grant g SET status = 'PAID_OUT' FROM enrollment e
      WHERE e.tenant_code = g.tenant_code AND e.id_number = g.id_number AND e.coverage_year = g.coverage_year
        AND g.tenant_code = $1 AND g.payout_month = $2 AND g.status = 'SCHEDULED'
        AND e.status NOT IN ('REFUND_PENDING', 'REFUNDED', 'TERMINATED')`,
    [db.tenantCode, month],
  );
  await db.query(
    `INSERT INTO disbursement_batch (tenant_code, month, count, total, paid_by)
     SELECT $1, $2, count(*), coalesce(sum(amount), 0), $3 FROM subsidy_grant
      WHERE tenant_code = $1 AND payout_month = $2 AND status = 'PAID_OUT'`,
    [db.tenantCode, month, paidBy],
  );
}

/** Cancels the reimbursements of an enrolment not yet paid out (its refund was approved). */
export async function cancelScheduledGrants(db: TenantTransaction, idNumber: string, coverageYear: number): Promise<void> {
  await db.query(`UPDATE subsidy_grant SET status = 'CANCELLED' WHERE tenant_code = $1 AND id_number = $2 AND coverage_year = $3 AND status = 'SCHEDULED'`, [
    db.tenantCode,
    idNumber,
    coverageYear,
  ]);
}

/** The subsidies' part of an ID-number correction (the keys are deferred by the residents domain). */
export async function moveGrantsToIdNumber(db: TenantTransaction, from: string, to: string): Promise<void> {
  await db.query('UPDATE subsidy_grant SET id_number = $3 WHERE tenant_code = $1 AND id_number = $2', [db.tenantCode, from, to]);
}
