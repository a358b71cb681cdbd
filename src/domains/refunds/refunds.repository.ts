/** SQL of refund requests (退费) and their decisions. */
import type { TenantTransaction } from '../../db/tenant-transaction';
import type { StoredExplanationStep } from '../public-policy/public-policy.presenters';

export interface RefundRow {
  id_number: string;
  coverage_year: number;
  /** 1 for the enrolment's first refund request, 2 for the next, in the order asked. */
  request_no: number;
  reason: string;
  requested_on: string;
  status: 'PENDING' | 'APPROVED' | 'REJECTED';
  amount: number;
  cancelled_reimbursement: number;
  /** The engine's steps, each detail in both languages; rows written before that hold the English only. */
  explanation: StoredExplanationStep[];
  requested_by: string;
  decided_by: string | null;
  decision_note: string | null;
  paid_on: string | null;
  payout_reference: string | null;
  /** The version of the policy year that decided the amount (null: recorded before versions were). */
  policy_version: number | null;
}

const REFUND_COLUMNS =
  'id_number, coverage_year, request_no, reason, requested_on, status, amount, cancelled_reimbursement, explanation, requested_by, decided_by, decision_note, paid_on, payout_reference, policy_version';

/**
 * One refund request of an enrolment, locked for the decision or payout that follows when asked: the one
 * numbered, else the latest.
 */
export async function refundOf(
  db: TenantTransaction,
  idNumber: string,
  coverageYear: number,
  requestNo: number | null,
  lock = false,
): Promise<RefundRow | null> {
  const rows = await db.query<RefundRow>(
    `SELECT ${REFUND_COLUMNS} FROM refund WHERE tenant_code = $1 AND id_number = $2 AND coverage_year = $3 AND ($4::int IS NULL OR request_no = $4)
      ORDER BY request_no DESC LIMIT 1${lock ? ' FOR UPDATE' : ''}`,
    [db.tenantCode, idNumber, coverageYear, requestNo],
  );
  return rows[0] ?? null;
}

/** An enrolment's refund requests, first asked first. */
export async function refundsOfEnrollment(db: TenantTransaction, idNumber: string, coverageYear: number): Promise<RefundRow[]> {
  return db.query<RefundRow>(`SELECT ${REFUND_COLUMNS} FROM refund WHERE tenant_code = $1 AND id_number = $2 AND coverage_year = $3 ORDER BY request_no`, [
    db.tenantCode,
    idNumber,
    coverageYear,
  ]);
}

export async function refunds(db: TenantTransaction, status: string | null): Promise<RefundRow[]> {
  return db.query<RefundRow>(
    `SELECT ${REFUND_COLUMNS} FROM refund WHERE tenant_code = $1 AND ($2::text IS NULL OR status = $2) ORDER BY requested_on, id_number, coverage_year, request_no`,
    [db.tenantCode, status],
  );
}

/**
 * A new request, numbered after the enrolment's last; null when another request of the enrolment was
 * written meanwhile (the number taken, or one already waiting for its decision).
 */
export async function insertRefund(
  db: TenantTransaction,
  refund: Omit<RefundRow, 'request_no' | 'status' | 'decided_by' | 'decision_note' | 'paid_on' | 'payout_reference'>,
): Promise<RefundRow | null> {
  const rows = await db.query<RefundRow>(
    `INSERT INTO refund (tenant_code, id_number, coverage_year, request_no, reason, requested_on, status, amount, cancelled_reimbursement, explanation,
                         requested_by, policy_version)
     SELECT $1, $2, $3, coalesce(max(request_no), 0) + 1, $4, $5, 'PENDING', $6, $7, $8, $9, $10
       FROM refund WHERE tenant_code = $1 AND id_number = $2 AND coverage_year = $3
     ON CONFLICT DO NOTHING
     RETURNING ${REFUND_COLUMNS}`,
    [
      db.tenantCode,
      refund.id_number,
      refund.coverage_year,
      refund.reason,
      refund.requested_on,
      refund.amount,
      refund.cancelled_reimbursement,
      JSON.stringify(refund.explanation),
      refund.requested_by,
      refund.policy_version || null,
    ],
  );
  return rows[0] ?? null;
}

export async function decideRefund(
  db: TenantTransaction,
  idNumber: string,
  coverageYear: number,
  requestNo: number,
  approve: boolean,
  decidedBy: string,
  note: string | null,
): Promise<RefundRow> {
  const [row] = await db.query<RefundRow>(
    `UPDATE refund SET status = $5, decided_by = $6, decided_at = now(), decision_note = $7
      WHERE tenant_code = $1 AND id_number = $2 AND coverage_year = $3 AND request_no = $4 RETURNING ${REFUND_COLUMNS}`,
    [db.tenantCode, idNumber, coverageYear, requestNo, approve ? 'APPROVED' : 'REJECTED', decidedBy, note],
  );
  return row;
}

/** The refunds' part of an ID-number correction (ResidentIdCorrected: the rows under the new number exist by then). */
export async function moveRefundsToIdNumber(db: TenantTransaction, from: string, to: string): Promise<void> {
  await db.query('UPDATE refund SET id_number = $3 WHERE tenant_code = $1 AND id_number = $2', [db.tenantCode, from, to]);
}

export async function refundsOfPeople(db: TenantTransaction, idNumbers: readonly string[]): Promise<RefundRow[]> {
  return db.query<RefundRow>(`SELECT ${REFUND_COLUMNS} FROM refund WHERE tenant_code = $1 AND id_number = ANY($2::text[]) ORDER BY coverage_year, request_no`, [
    db.tenantCode,
    idNumbers,
  ]);
}

export interface RefundListQuery {
  status: string | null;
  coverageYear: number | null;
  reason: string | null;
  descending: boolean;
  /** The last row's day asked for, ID number, year and request number. */
  after: [string, string, string, string] | null;
  limit: number;
}

const REFUND_FILTER = `tenant_code = $1 AND ($2::text IS NULL OR status = $2) AND ($3::int IS NULL OR coverage_year = $3) AND ($4::text IS NULL OR reason = $4)`;

/** A page of refunds by the day asked for, then the person, year and request: a stable order. */
export async function refundPage(db: TenantTransaction, q: RefundListQuery): Promise<RefundRow[]> {
  const cmp = q.descending ? '<' : '>';
  const dir = q.descending ? 'DESC' : 'ASC';
  return db.query<RefundRow>(
    `SELECT ${REFUND_COLUMNS} FROM refund WHERE ${REFUND_FILTER}
        AND ($5::date IS NULL OR (requested_on, id_number, coverage_year, request_no) ${cmp} ($5::date, $6::text, $7::int, $8::int))
      ORDER BY requested_on ${dir}, id_number ${dir}, coverage_year ${dir}, request_no ${dir} LIMIT $9`,
    [
      db.tenantCode,
      q.status,
      q.coverageYear,
      q.reason,
      q.after?.[0] ?? null,
      q.after?.[1] ?? null,
      q.after ? Number(q.after[2]) : null,
      q.after ? Number(q.after[3]) : null,
      q.limit,
    ],
  );
}

export async function refundCount(db: TenantTransaction, q: RefundListQuery): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM refund WHERE ${REFUND_FILTER}`, [
    db.tenantCode,
    q.status,
    q.coverageYear,
    q.reason,
  ]);
  return row.n;
}

/** Records an approved refund's payout; false when it is not approved or already recorded. */
export async function recordRefundPayout(
  db: TenantTransaction,
  idNumber: string,
  coverageYear: number,
  requestNo: number,
  paidOn: string,
  paidBy: string,
  reference: string | null,
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE refund SET paid_on = $5, paid_by = $6, payout_reference = $7
      WHERE tenant_code = $1 AND id_number = $2 AND coverage_year = $3 AND request_no = $4 AND status = 'APPROVED' AND paid_on IS NULL RETURNING id_number`,
    [db.tenantCode, idNumber, coverageYear, requestNo, paidOn, paidBy, reference],
  );
  return rows.length > 0;
}

/** Approved refunds of a year: how many, how much, how much of it paid out. */
export async function refundTotalsOfYear(db: TenantTransaction, coverageYear: number): Promise<{ count: number; amount: number; paidOut: number }> {
  const [row] = await db.query<{ count: number; amount: number | null; paid: number | null }>(
    `SELECT count(*)::int AS count, sum(amount)::bigint AS amount, sum(amount) FILTER (WHERE paid_on IS NOT NULL)::bigint AS paid
       FROM refund WHERE tenant_code = $1 AND coverage_year = $2 AND status = 'APPROVED'`,
    [db.tenantCode, coverageYear],
  );
  return { count: row.count, amount: row.amount ?? 0, paidOut: row.paid ?? 0 };
}

/**
 * A pending refund lowered by a reimbursement paid out after it was asked for (a payout already running
 * then): what it pays back, and the step that says why.
 */
export async function lowerRefund(
  db: TenantTransaction,
  idNumber: string,
  coverageYear: number,
  requestNo: number,
  by: number,
  step: StoredExplanationStep,
): Promise<void> {
  await db.query(
    `UPDATE refund SET amount = greatest(amount - $5, 0), explanation = explanation || $6::jsonb
      WHERE tenant_code = $1 AND id_number = $2 AND coverage_year = $3 AND request_no = $4 AND status = 'PENDING'`,
    [db.tenantCode, idNumber, coverageYear, requestNo, by, JSON.stringify([step])],
  );
}
