/** SQL of refund requests (退费) and their decisions. */
import type { TenantTransaction } from '../../db/tenant-transaction';

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
  return row;
}
