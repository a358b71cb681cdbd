/** SQL of enrolments and payments; bulk paths are set-based (UNNEST), never a loop of single writes. */
import type { TenantTransaction } from '../db/tenant-transaction';
import type { Settlement } from '../policy/policy.service';

export type EnrollmentStatusCode = 'UNPAID' | 'PAID' | 'REFUND_PENDING' | 'REFUNDED' | 'TERMINATED';

export interface EnrollmentRow {
  id_number: string;
  coverage_year: number;
  status: EnrollmentStatusCode;
  enrolled_on: string;
  circumstances: string[];
  region_code: string | null;
  standard_contribution: number;
  subsidy: number;
  applied_category: string | null;
  subsidy_mode: string | null;
  amount_due: number;
  late: boolean;
  paid_on: string | null;
  amount_paid: number | null;
  cover_start: string | null;
  cover_end: string | null;
}

export interface PaymentRow {
  receipt_no: string;
  id_number: string;
  coverage_year: number;
  amount: number;
  paid_on: string;
  channel: string;
  batch_id: string | null;
  recorded_by: string;
}

const ENROLLMENT_COLUMNS = `id_number, coverage_year, status, enrolled_on, circumstances, region_code, standard_contribution,
  subsidy, applied_category, subsidy_mode, amount_due, late, paid_on, amount_paid, cover_start, cover_end`;
const PAYMENT_COLUMNS = 'receipt_no, id_number, coverage_year, amount, paid_on, channel, batch_id, recorded_by';

export async function enrollmentsOf(db: TenantTransaction, keys: ReadonlyArray<{ idNumber: string; coverageYear: number }>): Promise<EnrollmentRow[]> {
  if (keys.length === 0) return [];
  return db.query<EnrollmentRow>(
    `SELECT ${ENROLLMENT_COLUMNS} FROM enrollment e
      WHERE tenant_code = $1 AND (id_number, coverage_year) IN (SELECT * FROM UNNEST($2::text[], $3::int[]))`,
    [db.tenantCode, keys.map((k) => k.idNumber), keys.map((k) => k.coverageYear)],
  );
}

export async function enrollmentsOfPeople(db: TenantTransaction, idNumbers: readonly string[]): Promise<EnrollmentRow[]> {
  return db.query<EnrollmentRow>(
    `SELECT ${ENROLLMENT_COLUMNS} FROM enrollment WHERE tenant_code = $1 AND id_number = ANY($2::text[]) ORDER BY coverage_year`,
    [db.tenantCode, idNumbers],
  );
}


export interface EnrollmentWrite {
  idNumber: string;
  coverageYear: number;
  enrolledOn: string;
  circumstances: string[];
  regionCode: string | null;
  settlement: Settlement;
}

/** Creates UNPAID enrolments (or re-opens refunded/terminated ones) with the amounts of their settlement. */
export async function upsertUnpaidEnrollments(db: TenantTransaction, rows: readonly EnrollmentWrite[]): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `INSERT INTO enrollment (tenant_code, id_number, coverage_year, status, enrolled_on, circumstances, region_code,
                             standard_contribution, subsidy, applied_category, subsidy_mode, amount_due, late)
     SELECT $1, r.id_number, r.coverage_year, 'UNPAID', r.enrolled_on, string_to_array(r.circumstances, ','), r.region_code,
            r.standard_contribution, r.subsidy, r.applied_category, r.subsidy_mode, r.amount_due, r.late
       FROM UNNEST($2::text[], $3::int[], $4::date[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::text[], $10::text[], $11::bigint[], $12::boolean[])
         AS r(id_number, coverage_year, enrolled_on, circumstances, region_code, standard_contribution, subsidy, applied_category, subsidy_mode, amount_due, late)
     ON CONFLICT (tenant_code, id_number, coverage_year) DO UPDATE
        SET status = 'UNPAID', enrolled_on = EXCLUDED.enrolled_on, circumstances = EXCLUDED.circumstances,
            region_code = EXCLUDED.region_code, standard_contribution = EXCLUDED.standard_contribution,
            subsidy = EXCLUDED.subsidy, applied_category = EXCLUDED.applied_category, subsidy_mode = EXCLUDED.subsidy_mode,
            amount_due = EXCLUDED.amount_due, late = EXCLUDED.late, paid_on = NULL, amount_paid = NULL,
            cover_start = NULL, cover_end = NULL, updated_at = now()
      WHERE enrollment.status IN ('REFUNDED', 'TERMINATED')`,
    [db.tenantCode, ...enrollmentColumns(rows)],
  );
}

/** $2…$12 of both enrolment upserts: who, when, where, and what the settlement came to. */
function enrollmentColumns(rows: readonly EnrollmentWrite[]): unknown[][] {
  return [
    rows.map((r) => r.idNumber),
    rows.map((r) => r.coverageYear),
    rows.map((r) => r.enrolledOn),
    rows.map((r) => r.circumstances.join(',')),
    rows.map((r) => r.regionCode),
    ...settlementColumns(rows),
  ];
}

/** What a settlement came to, as the enrolment columns standard_contribution … late. */
function settlementColumns(rows: ReadonlyArray<{ settlement: Settlement }>): unknown[][] {
  return [
    rows.map((r) => r.settlement.standardContribution),
    rows.map((r) => r.settlement.subsidy),
    rows.map((r) => r.settlement.appliedCategory),
    rows.map((r) => r.settlement.mode),
    rows.map((r) => r.settlement.amountDue),
    rows.map((r) => r.settlement.late),
  ];
}

export interface PaidWrite {
  idNumber: string;
  coverageYear: number;
  paidOn: string;
  amountPaid: number;
  settlement: Settlement;
}

/**
 * Enrolments created already paid: a first payment enrols and pays in one write (re-opening a refunded
 * or terminated enrolment). Returns the keys written; a key missing means another request got there.
 */
export async function insertPaidEnrollments(db: TenantTransaction, rows: ReadonlyArray<EnrollmentWrite & { amountPaid: number }>): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const written = await db.query<{ id_number: string; coverage_year: number }>(
    `INSERT INTO enrollment (tenant_code, id_number, coverage_year, status, enrolled_on, circumstances, region_code,
                             standard_contribution, subsidy, applied_category, subsidy_mode, amount_due, late,
                             paid_on, amount_paid, cover_start, cover_end)
     SELECT $1, r.id_number, r.coverage_year, 'PAID', r.enrolled_on, string_to_array(r.circumstances, ','), r.region_code,
            r.standard_contribution, r.subsidy, r.applied_category, r.subsidy_mode, r.amount_due, r.late,
            r.enrolled_on, r.amount_paid, r.cover_start, r.cover_end
       FROM UNNEST($2::text[], $3::int[], $4::date[], $5::text[], $6::text[], $7::bigint[], $8::bigint[], $9::text[], $10::text[],
                   $11::bigint[], $12::boolean[], $13::bigint[], $14::date[], $15::date[])
         AS r(id_number, coverage_year, enrolled_on, circumstances, region_code, standard_contribution, subsidy, applied_category,
              subsidy_mode, amount_due, late, amount_paid, cover_start, cover_end)
     ON CONFLICT (tenant_code, id_number, coverage_year) DO UPDATE
        SET status = 'PAID', enrolled_on = EXCLUDED.enrolled_on, circumstances = EXCLUDED.circumstances, region_code = EXCLUDED.region_code,
            standard_contribution = EXCLUDED.standard_contribution, subsidy = EXCLUDED.subsidy, applied_category = EXCLUDED.applied_category,
            subsidy_mode = EXCLUDED.subsidy_mode, amount_due = EXCLUDED.amount_due, late = EXCLUDED.late, paid_on = EXCLUDED.paid_on,
            amount_paid = EXCLUDED.amount_paid, cover_start = EXCLUDED.cover_start, cover_end = EXCLUDED.cover_end, updated_at = now()
      WHERE enrollment.status IN ('REFUNDED', 'TERMINATED')
     RETURNING id_number, coverage_year`,
    [
      db.tenantCode,
      ...enrollmentColumns(rows),
      rows.map((r) => r.amountPaid),
      rows.map((r) => r.settlement.coverage?.start ?? null),
      rows.map((r) => r.settlement.coverage?.end ?? null),
    ],
  );
  return new Set(written.map((w) => `${w.id_number}/${w.coverage_year}`));
}

/** Marks UNPAID enrolments PAID with what the payment settled; returns the keys it changed. */
export async function markPaid(db: TenantTransaction, rows: readonly PaidWrite[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const updated = await db.query<{ id_number: string; coverage_year: number }>(
    `UPDATE enrollment e
        SET status = 'PAID', paid_on = r.paid_on, amount_paid = r.amount_paid, standard_contribution = r.standard_contribution,
            subsidy = r.subsidy, applied_category = r.applied_category, subsidy_mode = r.subsidy_mode,
            amount_due = r.amount_due, late = r.late, cover_start = r.cover_start, cover_end = r.cover_end, updated_at = now()
       FROM UNNEST($2::text[], $3::int[], $4::date[], $5::bigint[], $6::bigint[], $7::bigint[], $8::text[], $9::text[], $10::bigint[], $11::boolean[], $12::date[], $13::date[])
         AS r(id_number, coverage_year, paid_on, amount_paid, standard_contribution, subsidy, applied_category, subsidy_mode, amount_due, late, cover_start, cover_end)
      WHERE e.tenant_code = $1 AND e.id_number = r.id_number AND e.coverage_year = r.coverage_year AND e.status = 'UNPAID'
      RETURNING e.id_number, e.coverage_year`,
    [
      db.tenantCode,
      rows.map((r) => r.idNumber),
      rows.map((r) => r.coverageYear),
      rows.map((r) => r.paidOn),
      rows.map((r) => r.amountPaid),
      ...settlementColumns(rows),
      rows.map((r) => r.settlement.coverage?.start ?? null),
      rows.map((r) => r.settlement.coverage?.end ?? null),
    ],
  );
  return new Set(updated.map((u) => `${u.id_number}/${u.coverage_year}`));
}

export async function paymentsByReceipts(db: TenantTransaction, receipts: readonly string[]): Promise<PaymentRow[]> {
  return db.query<PaymentRow>(`SELECT ${PAYMENT_COLUMNS} FROM payment WHERE tenant_code = $1 AND receipt_no = ANY($2::text[])`, [db.tenantCode, receipts]);
}

export async function paymentsOfEnrollments(db: TenantTransaction, keys: ReadonlyArray<{ idNumber: string; coverageYear: number }>): Promise<PaymentRow[]> {
  return db.query<PaymentRow>(
    `SELECT ${PAYMENT_COLUMNS} FROM payment
      WHERE tenant_code = $1 AND (id_number, coverage_year) IN (SELECT * FROM UNNEST($2::text[], $3::int[])) ORDER BY paid_on, receipt_no`,
    [db.tenantCode, keys.map((k) => k.idNumber), keys.map((k) => k.coverageYear)],
  );
}

/** A day's payments, optionally only those one caller recorded (a bank's own, for reconciliation). */
export async function paymentsOn(db: TenantTransaction, paidOn: string, recordedBy: string | null): Promise<PaymentRow[]> {
  return db.query<PaymentRow>(
    `SELECT ${PAYMENT_COLUMNS} FROM payment WHERE tenant_code = $1 AND paid_on = $2 AND ($3::text IS NULL OR recorded_by = $3)
      ORDER BY receipt_no LIMIT 10000`,
    [db.tenantCode, paidOn, recordedBy],
  );
}

export interface PaymentWrite {
  receiptNo: string;
  idNumber: string;
  coverageYear: number;
  amount: number;
  paidOn: string;
  channel: string;
  batchId: string | null;
  recordedBy: string;
}

/** Inserts payments; a receipt already there (a concurrent replay) is skipped. Returns the receipts written. */
export async function insertPayments(db: TenantTransaction, rows: readonly PaymentWrite[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const inserted = await db.query<{ receipt_no: string }>(
    `INSERT INTO payment (tenant_code, receipt_no, id_number, coverage_year, amount, paid_on, channel, batch_id, recorded_by)
     SELECT $1, r.receipt_no, r.id_number, r.coverage_year, r.amount, r.paid_on, r.channel, r.batch_id, r.recorded_by
       FROM UNNEST($2::text[], $3::text[], $4::int[], $5::bigint[], $6::date[], $7::text[], $8::text[], $9::text[])
         AS r(receipt_no, id_number, coverage_year, amount, paid_on, channel, batch_id, recorded_by)
     ON CONFLICT (tenant_code, receipt_no) DO NOTHING
     RETURNING receipt_no`,
    [
      db.tenantCode,
      rows.map((r) => r.receiptNo),
      rows.map((r) => r.idNumber),
      rows.map((r) => r.coverageYear),
      rows.map((r) => r.amount),
      rows.map((r) => r.paidOn),
      rows.map((r) => r.channel),
      rows.map((r) => r.batchId),
      rows.map((r) => r.recordedBy),
    ],
  );
  return new Set(inserted.map((r) => r.receipt_no));
}

/** Other tenants that enrol these people for the year (the national one-scheme index). */
export async function enrolledElsewhere(db: TenantTransaction, idNumbers: readonly string[], coverageYear: number): Promise<Map<string, string[]>> {
  const rows = await db.query<{ id_number: string; tenant_code: string }>('SELECT id_number, tenant_code FROM scheme_elsewhere($1::text[], $2)', [idNumbers, coverageYear]);
  const result = new Map<string, string[]>();
  for (const row of rows) result.set(row.id_number, [...(result.get(row.id_number) ?? []), row.tenant_code].sort());
  return result;
}
