/** SQL of subsidy grants, disbursements and refunds; bulk paths are set-based. */
import type { TenantTransaction } from '../db/tenant-transaction';
import type { FundingShare } from '../policy/funding';

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

export async function insertGrants(db: TenantTransaction, grants: readonly GrantWrite[]): Promise<void> {
  if (grants.length === 0) return;
  await db.query(
    `INSERT INTO subsidy_grant (tenant_code, id_number, coverage_year, category, mode, kind, amount, granted_on, payout_month, status, funding, clause)
     SELECT $1, g.id_number, g.coverage_year, g.category, g.mode, g.kind, g.amount, g.granted_on, g.payout_month, g.status, g.funding, g.clause
       FROM UNNEST($2::text[], $3::int[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::date[], $9::text[], $10::text[], $11::jsonb[], $12::text[])
         AS g(id_number, coverage_year, category, mode, kind, amount, granted_on, payout_month, status, funding, clause)`,
    [
      db.tenantCode,
      grants.map((g) => g.idNumber),
      grants.map((g) => g.coverageYear),
      grants.map((g) => g.category),
      grants.map((g) => g.mode),
      grants.map((g) => g.kind),
      grants.map((g) => g.amount),
      grants.map((g) => g.grantedOn),
      grants.map((g) => g.payoutMonth),
      grants.map((g) => g.status),
      grants.map((g) => JSON.stringify(g.funding.map(({ source, name, amount }) => ({ source, name, amount })))),
      grants.map((g) => g.clause),
    ],
  );
}

export async function grantsOf(db: TenantTransaction, keys: ReadonlyArray<{ idNumber: string; coverageYear: number }>): Promise<GrantRow[]> {
  if (keys.length === 0) return [];
  return db.query<GrantRow>(
    `SELECT id, id_number, coverage_year, category, mode, kind, amount, granted_on, payout_month, status, funding FROM subsidy_grant
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

export interface RefundRow {
  id_number: string;
  coverage_year: number;
  reason: string;
  requested_on: string;
  status: 'PENDING' | 'APPROVED' | 'REJECTED';
  amount: number;
  cancelled_reimbursement: number;
  explanation: Array<{ rule: string; clause: string | null; detail: string; amount: number | null }>;
  requested_by: string;
  decided_by: string | null;
  decision_note: string | null;
}

const REFUND_COLUMNS = 'id_number, coverage_year, reason, requested_on, status, amount, cancelled_reimbursement, explanation, requested_by, decided_by, decision_note';

export async function refundOf(db: TenantTransaction, idNumber: string, coverageYear: number, lock = false): Promise<RefundRow | null> {
  const rows = await db.query<RefundRow>(
    `SELECT ${REFUND_COLUMNS} FROM refund WHERE tenant_code = $1 AND id_number = $2 AND coverage_year = $3${lock ? ' FOR UPDATE' : ''}`,
    [db.tenantCode, idNumber, coverageYear],
  );
  return rows[0] ?? null;
}

export async function refunds(db: TenantTransaction, status: string | null): Promise<RefundRow[]> {
  return db.query<RefundRow>(
    `SELECT ${REFUND_COLUMNS} FROM refund WHERE tenant_code = $1 AND ($2::text IS NULL OR status = $2) ORDER BY requested_on, id_number`,
    [db.tenantCode, status],
  );
}

export async function insertRefund(db: TenantTransaction, refund: Omit<RefundRow, 'status' | 'decided_by' | 'decision_note'>): Promise<RefundRow | null> {
  const rows = await db.query<RefundRow>(
    `INSERT INTO refund (tenant_code, id_number, coverage_year, reason, requested_on, status, amount, cancelled_reimbursement, explanation, requested_by)
     VALUES ($1, $2, $3, $4, $5, 'PENDING', $6, $7, $8, $9)
     ON CONFLICT (tenant_code, id_number, coverage_year) DO NOTHING
     RETURNING ${REFUND_COLUMNS}`,
    [db.tenantCode, refund.id_number, refund.coverage_year, refund.reason, refund.requested_on, refund.amount, refund.cancelled_reimbursement, JSON.stringify(refund.explanation), refund.requested_by],
  );
  return rows[0] ?? null;
}

export async function decideRefund(db: TenantTransaction, idNumber: string, coverageYear: number, approve: boolean, decidedBy: string, note: string | null): Promise<RefundRow> {
  const [row] = await db.query<RefundRow>(
    `UPDATE refund SET status = $4, decided_by = $5, decided_at = now(), decision_note = $6
      WHERE tenant_code = $1 AND id_number = $2 AND coverage_year = $3 RETURNING ${REFUND_COLUMNS}`,
    [db.tenantCode, idNumber, coverageYear, approve ? 'APPROVED' : 'REJECTED', decidedBy, note],
  );
  await db.query(
    `UPDATE enrollment SET status = $4, updated_at = now() WHERE tenant_code = $1 AND id_number = $2 AND coverage_year = $3`,
    [db.tenantCode, idNumber, coverageYear, approve ? 'REFUNDED' : 'PAID'],
  );
  if (approve) {
    await db.query(
      `UPDATE subsidy_grant SET status = 'CANCELLED' WHERE tenant_code = $1 AND id_number = $2 AND coverage_year = $3 AND status = 'SCHEDULED'`,
      [db.tenantCode, idNumber, coverageYear],
    );
  }
  return row;
}
