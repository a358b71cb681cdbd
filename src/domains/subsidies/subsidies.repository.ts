/** SQL of subsidy grants and monthly disbursements; bulk paths are set-based. */
import { DomainError } from '../../common/errors';
import { text } from '../../common/i18n';
import { type BulkColumn, countedInsert, unnestRows } from '../../db/bulk';
import { rowColumns } from '../../db/row-columns';
import type { TenantTransaction } from '../../db/tenant-transaction';
import { lockUntilTransactionEnds, TRANSACTION_LOCKS } from '../../db/transaction-locks';
import { uniqueViolation } from '../../db/unique-violation';
import { maskIdNumber } from '../residents/id-number';
import type { FundingShare } from '../../policy-data/funding';

/**
 * SETTLED: netted at collection or paid by the funding body. A 先缴后补 reimbursement is DUE (no payout month
 * yet), SCHEDULED for a month, PAID_OUT in it, or REISSUED (its payout failed or came back; a new DUE grant
 * takes its place). CANCELLED: not owed any more (a refund, a reversed payment).
 */
export type GrantStatus = 'SETTLED' | 'DUE' | 'SCHEDULED' | 'PAID_OUT' | 'REISSUED' | 'CANCELLED';
export type PayoutResult = 'PAID' | 'FAILED' | 'RETURNED';
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
  funding: ReadonlyArray<{ source: FundingShare['source'] | string; name: string; amount: number }>;
  clause: string | null;
  reissueOf?: number | null;
  /** The version of the policy year that decided the grant (null: not known). */
  policyVersion: number | null;
  /** A re-issue's: the refund and period marks of the grant it replaces (EnrollmentGrantRow). */
  deductedByRefund?: number | null;
  endedByRefund?: number | null;
  periodEndedOn?: string | null;
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
  payout_result: PayoutResult | null;
  payout_result_on: string | null;
  policy_version: number | null;
}

/** A grant as an enrolment's refund, reversal or identity change reads it. */
export interface EnrollmentGrantRow extends GrantRow {
  /** The refund request (Refund.requestNo) that took this reimbursement, paid out, off what it pays back. */
  deducted_by_refund: number | null;
  /** The approved refund request whose period this grant belongs to. */
  ended_by_refund: number | null;
  /** The day the period this grant belongs to ended without a refund (a transfer out, a death, an emigration). */
  period_ended_on: string | null;
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
  { name: 'reissue_of', type: 'bigint', value: (g) => g.reissueOf ?? null },
  { name: 'policy_version', type: 'int', value: (g) => g.policyVersion || null },
  { name: 'deducted_by_refund', type: 'int', value: (g) => g.deductedByRefund ?? null },
  { name: 'ended_by_refund', type: 'int', value: (g) => g.endedByRefund ?? null },
  { name: 'period_ended_on', type: 'date', value: (g) => g.periodEndedOn ?? null },
];

/**
 * The grant that pays an enrolment's subsidy in its running period, one at most (the unique index
 * subsidy_grant_one_live of migration OneLiveGrant): AT_PAYMENT or NEWLY_CERTIFIED, neither cancelled nor
 * replaced by a re-issue, of a period no refund, transfer out, death or emigration ended. TOP_UP grants
 * stand beside it: each pays only what a higher category adds.
 */
const LIVE_GRANT = `kind IN ('AT_PAYMENT', 'NEWLY_CERTIFIED') AND status NOT IN ('CANCELLED', 'REISSUED') AND ended_by_refund IS NULL AND period_ended_on IS NULL`;
const ONE_LIVE_GRANT = 'subsidy_grant_one_live';

/** A grant of the enrolment's running period, of any kind: neither cancelled nor re-issued, of no period that ended. */
export function ofRunningPeriod(g: EnrollmentGrantRow): boolean {
  return g.status !== 'CANCELLED' && g.status !== 'REISSUED' && g.ended_by_refund === null && g.period_ended_on === null;
}

/** LIVE_GRANT, of a grant read back. */
export function isLiveGrant(g: EnrollmentGrantRow): boolean {
  return (g.kind === 'AT_PAYMENT' || g.kind === 'NEWLY_CERTIFIED') && ofRunningPeriod(g);
}

const key = (idNumber: string, coverageYear: number) => `${idNumber}/${coverageYear}`;

/**
 * Writes grants. A second live grant of an enrolment (LIVE_GRANT) is money paid twice: 'refuse' answers
 * it with CONFLICT, the request writing nothing; 'skip' leaves such grants out and answers the keys
 * (idNumber/coverageYear) of those written, for a caller whose grant may have been made meanwhile.
 */
export async function insertGrants(db: TenantTransaction, grants: readonly GrantWrite[], second: 'refuse'): Promise<void>;
export async function insertGrants(db: TenantTransaction, grants: readonly GrantWrite[], second: 'skip'): Promise<Set<string>>;
export async function insertGrants(db: TenantTransaction, grants: readonly GrantWrite[], second: 'refuse' | 'skip'): Promise<void | Set<string>> {
  if (grants.length === 0) return second === 'skip' ? new Set() : undefined;
  const rows = unnestRows('g', GRANT_WRITE, grants, 2);
  const columns = GRANT_WRITE.map((c) => c.name);
  const [into, select] = [columns.join(', '), columns.map((c) => `g.${c}`).join(', ')];
  if (second === 'skip') {
    const written = await db.query<{ id_number: string; coverage_year: number }>(
      `INSERT INTO subsidy_grant (tenant_code, ${into}) SELECT $1, ${select} FROM ${rows.from}
       ON CONFLICT (tenant_code, id_number, coverage_year) WHERE ${LIVE_GRANT} DO NOTHING RETURNING id_number, coverage_year`,
      [db.tenantCode, ...rows.parameters],
    );
    return new Set(written.map((w) => key(w.id_number, w.coverage_year)));
  }
  try {
    await db.query(countedInsert(`INSERT INTO subsidy_grant (tenant_code, ${into}) SELECT $1, ${select} FROM ${rows.from}`), [
      db.tenantCode,
      ...rows.parameters,
    ]);
  } catch (err) {
    if (uniqueViolation(err) !== ONE_LIVE_GRANT) throw err;
    // "Key (tenant_code, id_number, coverage_year)=(…, …, …) already exists.": the enrolment, its number masked.
    const found = /=\([^,]*, ([^,]+), (\d+)\)/.exec((err as { detail?: string }).detail ?? '');
    const who = found ? `${maskIdNumber(found[1])} ${found[2]}` : '';
    throw new DomainError(
      'CONFLICT',
      text(
        `${who ? `${who} 年度的参保` : '该参保'}已有一笔有效的参保资助，不重复资助；本次未写入任何数据。如为同时提交的请求，请重试`,
        `${who ? `the ${who} enrolment` : 'the enrolment'} already has its subsidy granted; it is not granted twice and nothing was written. If another request did it at the same time, retry`,
      ),
      { field: 'idNumber', retryable: true },
    );
  }
}

export const GRANT_ROW_COLUMNS = rowColumns<GrantRow>()([
  'id',
  'id_number',
  'coverage_year',
  'category',
  'mode',
  'kind',
  'amount',
  'granted_on',
  'payout_month',
  'status',
  'funding',
  'payout_result',
  'payout_result_on',
  'policy_version',
]);

const GRANT_MARKS = 'deducted_by_refund, ended_by_refund, period_ended_on';

export async function grantsOf(db: TenantTransaction, keys: ReadonlyArray<{ idNumber: string; coverageYear: number }>): Promise<EnrollmentGrantRow[]> {
  if (keys.length === 0) return [];
  return db.query<EnrollmentGrantRow>(
    `SELECT ${GRANT_ROW_COLUMNS.join(', ')}, ${GRANT_MARKS} FROM subsidy_grant
      WHERE tenant_code = $1 AND (id_number, coverage_year) IN (SELECT * FROM UNNEST($2::text[], $3::int[])) ORDER BY id`,
    [db.tenantCode, keys.map((k) => k.idNumber), keys.map((k) => k.coverageYear)],
  );
}

/**
 * Owed to the person whatever became of the enrolment since: a re-issue of a reimbursement that a refund
 * took off what it paid back (its payout failed or came back), and a reimbursement of a period that ended
 * (a transfer out, a death, an emigration) before the enrolment was re-opened, refunded or not since.
 */
const OWED_WHATEVER_THE_ENROLMENT = '(g.deducted_by_refund IS NOT NULL OR g.period_ended_on IS NOT NULL)';

/**
 * Enrolments whose reimbursements are paid out: running ones, and those ended without a refund (a
 * death, an emigration, a transfer out: TERMINATED), which kept the contribution the reimbursement
 * pays part of back. Not while a refund is pending (it holds them), nor once refunded or reversed.
 */
const PAYS_REIMBURSEMENTS = "e.status IN ('UNPAID', 'PAID', 'TERMINATED')";

/**
 * Reimbursements counted in a month: paid out (re-issued ones too: they were in that month's payout), or,
 * while the month's payout is not recorded, scheduled and payable.
 */
const DISBURSABLE = `g.tenant_code = $1 AND g.payout_month = $2
  AND (g.status IN ('PAID_OUT', 'REISSUED') OR (g.status = 'SCHEDULED' AND (${OWED_WHATEVER_THE_ENROLMENT} OR ${PAYS_REIMBURSEMENTS})
       AND NOT EXISTS (SELECT 1 FROM disbursement_batch b WHERE b.tenant_code = g.tenant_code AND b.month = g.payout_month)))`;

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
  id: number;
  id_number: string;
  name: string;
  coverage_year: number;
  category: string;
  kind: GrantKind;
  amount: number;
  status: GrantStatus;
  payout_result: PayoutResult | null;
  payout_result_on: string | null;
  payout_note: string | null;
  bank_account: string | null;
  bank_name: string | null;
}

export async function disbursementItems(db: TenantTransaction, month: string): Promise<DisbursementItemRow[]> {
  return db.query<DisbursementItemRow>(
    `SELECT g.id, g.id_number, r.name, g.coverage_year, g.category, g.kind, g.amount, g.status, g.payout_result, g.payout_result_on, g.payout_note,
            r.bank_account, r.bank_name
       FROM subsidy_grant g
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

/** The PAYOUT_MONTH lock's key: the same text as lockMonths' `$2 || ':' || m.month`. */
const payoutMonthKey = (tenantCode: string, month: string) => `${tenantCode}:${month}`;

/**
 * Waits, until the transaction ends, for the payout of any month in which the person's reimbursements for
 * the year are scheduled, and keeps those months from being paid out until then. A refund request reads
 * the reimbursements to decide what it cancels; a payout committed between that read and the request's
 * commit would pay out what the refund counts as cancelled, and the person would have both.
 */
export async function holdPayoutMonthsOf(db: TenantTransaction, idNumber: string, coverageYear: number): Promise<Set<string>> {
  const months = await scheduledMonthsOf(db, idNumber, coverageYear);
  await lockMonths(db, months, 'alone');
  return new Set(months);
}

/**
 * Waits for a payout running now of any month in which the enrolment's reimbursements are scheduled, and
 * keeps those months from being paid out (shared: schedulers still go on) until the transaction ends: a
 * refund decision then reads and writes the grants as paid or not, and never waits on a payout's rows
 * while holding its own.
 */
export async function waitForPayoutsOf(db: TenantTransaction, idNumber: string, coverageYear: number): Promise<void> {
  await lockMonths(db, await scheduledMonthsOf(db, idNumber, coverageYear), 'shared');
}

/** The months an enrolment's reimbursements are scheduled for, in order. */
async function scheduledMonthsOf(db: TenantTransaction, idNumber: string, coverageYear: number): Promise<string[]> {
  const rows = await db.query<{ month: string }>(
    `SELECT DISTINCT payout_month AS month FROM subsidy_grant
      WHERE tenant_code = $1 AND id_number = $2 AND coverage_year = $3 AND status = 'SCHEDULED' ORDER BY 1`,
    [db.tenantCode, idNumber, coverageYear],
  );
  return rows.map((r) => r.month);
}

/**
 * Every month's payout lock in one statement, in month order (two transactions never wait for each
 * other crosswise), keyed as payoutMonthKey keys them: alone (a refund request; payOutMonth takes its
 * one month's alone through lockUntilTransactionEnds) or shared (schedulers, refund decisions). The
 * statement names no table, so that on Citus it runs where payOutMonth's does, on the coordinator.
 */
async function lockMonths(db: TenantTransaction, months: readonly string[], mode: 'alone' | 'shared'): Promise<void> {
  if (months.length === 0) return;
  await db.query(
    `SELECT ${mode === 'alone' ? 'pg_advisory_xact_lock' : 'pg_advisory_xact_lock_shared'}($1, hashtext($2 || ':' || m.month))
       FROM (SELECT DISTINCT month FROM unnest($3::text[]) AS month ORDER BY month) m`,
    [TRANSACTION_LOCKS.PAYOUT_MONTH, db.tenantCode, months],
  );
}

/**
 * Locks an enrolment's paid-out reimbursements, in id order, as a bank's result for them locks them: a
 * result recorded at the same moment as a refund request waits for it, and its re-issue carries what
 * the request deducted.
 */
export async function lockPaidOutReimbursements(db: TenantTransaction, idNumber: string, coverageYear: number): Promise<void> {
  await db.query(
    `SELECT id FROM subsidy_grant WHERE tenant_code = $1 AND id_number = $2 AND coverage_year = $3 AND mode = 'REIMBURSEMENT' AND status = 'PAID_OUT'
      ORDER BY id FOR UPDATE`,
    [db.tenantCode, idNumber, coverageYear],
  );
}

/**
 * Records the month's payout and pays out its scheduled reimbursements, in two statements; false when the
 * payout was already recorded. It waits for refund requests that hold the month (holdPayoutMonthsOf), so
 * that its statements see them. The batch row is claimed first: a concurrent call for the same month waits
 * on it and, once the first commits, finds it taken, so grants are paid out and counted by one call only.
 */
export async function payOutMonth(db: TenantTransaction, month: string, paidBy: string): Promise<boolean> {
  await lockUntilTransactionEnds(db, 'PAYOUT_MONTH', payoutMonthKey(db.tenantCode, month));
  const claimed = await db.query(
    `INSERT INTO disbursement_batch (tenant_code, month, count, total, paid_by) VALUES ($1, $2, 0, 0, $3)
     ON CONFLICT (tenant_code, month) DO NOTHING RETURNING month`,
    [db.tenantCode, month, paidBy],
  );
  if (claimed.length === 0) return false;
  await db.query(
    `WITH paid AS (
       UPDATE subsidy_grant g SET status = 'PAID_OUT' FROM enrollment e
        WHERE e.tenant_code = $1 AND e.id_number = g.id_number AND e.coverage_year = g.coverage_year
          AND g.tenant_code = $1 AND g.payout_month = $2 AND g.status = 'SCHEDULED'
          AND (${OWED_WHATEVER_THE_ENROLMENT} OR ${PAYS_REIMBURSEMENTS})
        RETURNING g.amount)
     UPDATE disbursement_batch SET count = (SELECT count(*) FROM paid), total = (SELECT coalesce(sum(amount), 0) FROM paid)
      WHERE tenant_code = $1 AND month = $2`,
    [db.tenantCode, month],
  );
  return true;
}

/**
 * Cancels the reimbursements of an enrolment not yet paid out (its refund was approved, its payment
 * reversed), but for re-issues that a refund already took off what it paid back, and those of a period
 * that ended before the enrolment was re-opened (still owed for it).
 */
export async function cancelScheduledGrants(db: TenantTransaction, idNumber: string, coverageYear: number): Promise<void> {
  await db.query(
    `UPDATE subsidy_grant SET status = 'CANCELLED'
      WHERE tenant_code = $1 AND id_number = $2 AND coverage_year = $3 AND status IN ('SCHEDULED', 'DUE')
        AND deducted_by_refund IS NULL AND ended_by_refund IS NULL AND period_ended_on IS NULL`,
    [db.tenantCode, idNumber, coverageYear],
  );
}

/**
 * The reimbursements of an enrolment paid out and not yet reckoned with, taken off what refund request
 * `requestNo` pays back; returns how much they come to.
 */
export async function deductPaidOutGrants(db: TenantTransaction, idNumber: string, coverageYear: number, requestNo: number): Promise<number> {
  const [row] = await db.query<{ amount: number }>(
    `WITH marked AS (
       UPDATE subsidy_grant SET deducted_by_refund = $4
        WHERE tenant_code = $1 AND id_number = $2 AND coverage_year = $3 AND mode = 'REIMBURSEMENT' AND status = 'PAID_OUT'
          AND deducted_by_refund IS NULL AND ended_by_refund IS NULL AND period_ended_on IS NULL
        RETURNING amount)
     SELECT coalesce(sum(amount), 0)::bigint AS amount FROM marked`,
    [db.tenantCode, idNumber, coverageYear, requestNo],
  );
  return row.amount;
}

/** A rejected refund request reckons with nothing: what it took off is the running period's again. */
export async function undoRefundDeduction(db: TenantTransaction, idNumber: string, coverageYear: number, requestNo: number): Promise<void> {
  await db.query(
    'UPDATE subsidy_grant SET deducted_by_refund = NULL WHERE tenant_code = $1 AND id_number = $2 AND coverage_year = $3 AND deducted_by_refund = $4',
    [db.tenantCode, idNumber, coverageYear, requestNo],
  );
}

/** An approved refund ends the period: every grant of it left (not cancelled) is marked as of that period. */
export async function endGrantsOfRefundedPeriod(db: TenantTransaction, idNumber: string, coverageYear: number, requestNo: number): Promise<void> {
  await db.query(
    `UPDATE subsidy_grant SET ended_by_refund = $4
      WHERE tenant_code = $1 AND id_number = $2 AND coverage_year = $3 AND status <> 'CANCELLED' AND ended_by_refund IS NULL AND period_ended_on IS NULL`,
    [db.tenantCode, idNumber, coverageYear, requestNo],
  );
}

/**
 * An enrolment's reimbursements still scheduled for a month whose payout is already recorded, made DUE
 * (no month) for an administrator to schedule. That month's payout left them out while a refund was
 * pending; once the refund is rejected they are owed again, and a month already paid cannot take them.
 * The caller holds their months (waitForPayoutsOf), so that a payout running now is seen recorded.
 */
export async function rescheduleGrantsOfPaidMonths(db: TenantTransaction, idNumber: string, coverageYear: number): Promise<void> {
  await db.query(
    `UPDATE subsidy_grant g SET status = 'DUE', payout_month = NULL
      WHERE g.tenant_code = $1 AND g.id_number = $2 AND g.coverage_year = $3 AND g.status = 'SCHEDULED'
        AND g.payout_month IN (SELECT b.month FROM disbursement_batch b WHERE b.tenant_code = $1)`,
    [db.tenantCode, idNumber, coverageYear],
  );
}

/**
 * An enrolment ended without a refund (a transfer out, a death, an emigration: TERMINATED): its grants
 * belong to the period that ended on `on`. They stay owed and are paid out as before; an enrolment
 * re-opened and paid again is granted for its new period (LIVE_GRANT).
 */
export async function endGrantsOfEndedPeriod(db: TenantTransaction, idNumber: string, coverageYears: readonly number[], on: string): Promise<void> {
  if (coverageYears.length === 0) return;
  await db.query(
    `UPDATE subsidy_grant SET period_ended_on = $4
      WHERE tenant_code = $1 AND id_number = $2 AND coverage_year = ANY ($3::int[]) AND status <> 'CANCELLED'
        AND ended_by_refund IS NULL AND period_ended_on IS NULL`,
    [db.tenantCode, idNumber, coverageYears, on],
  );
}

/**
 * Cancels every grant of an enrolment that no money has left for yet, settled ones too (its payment was
 * reversed), but those of a period that ended before it was re-opened.
 */
export async function cancelGrantsOfReversedPayment(db: TenantTransaction, idNumber: string, coverageYear: number): Promise<void> {
  await db.query(
    `UPDATE subsidy_grant SET status = 'CANCELLED'
      WHERE tenant_code = $1 AND id_number = $2 AND coverage_year = $3 AND status IN ('SETTLED', 'SCHEDULED', 'DUE')
        AND deducted_by_refund IS NULL AND ended_by_refund IS NULL AND period_ended_on IS NULL`,
    [db.tenantCode, idNumber, coverageYear],
  );
}

/**
 * Months whose payout is already recorded, among these. Each month's lock is held, shared, until the
 * transaction ends: a payout of it (which takes the lock alone) cannot be recorded between this answer
 * and the grants scheduled into the months it found open; schedulers do not wait for each other.
 */
export async function monthsPaidOut(db: TenantTransaction, months: readonly string[]): Promise<Set<string>> {
  if (months.length === 0) return new Set();
  await lockMonths(db, months, 'shared');
  const rows = await db.query<{ month: string }>('SELECT month FROM disbursement_batch WHERE tenant_code = $1 AND month = ANY ($2::text[])', [
    db.tenantCode,
    months,
  ]);
  return new Set(rows.map((r) => r.month));
}

export interface DueGrantRow extends GrantRow {
  name: string | null;
}

export interface DueFilter {
  coverageYear: number | null;
  idNumbers: string[] | null;
}

/** Reimbursements due with no payout month, in id order after `afterId`. */
export async function dueGrants(db: TenantTransaction, filter: DueFilter, afterId: number | null, limit: number): Promise<DueGrantRow[]> {
  return db.query<DueGrantRow>(
    `SELECT ${GRANT_ROW_COLUMNS.map((c) => `g.${c}`).join(', ')}, r.name FROM subsidy_grant g
       LEFT JOIN resident r ON r.tenant_code = g.tenant_code AND r.id_number = g.id_number
      WHERE g.tenant_code = $1 AND g.status = 'DUE' AND ($2::int IS NULL OR g.coverage_year = $2) AND ($3::text[] IS NULL OR g.id_number = ANY ($3::text[]))
        AND ($4::bigint IS NULL OR g.id > $4)
      ORDER BY g.id LIMIT $5`,
    [db.tenantCode, filter.coverageYear, filter.idNumbers, afterId, limit],
  );
}

export async function dueTotals(db: TenantTransaction, filter: DueFilter): Promise<{ count: number; total: number }> {
  const [row] = await db.query<{ count: number; total: number | null }>(
    `SELECT count(*)::int AS count, sum(amount)::bigint AS total FROM subsidy_grant
      WHERE tenant_code = $1 AND status = 'DUE' AND ($2::int IS NULL OR coverage_year = $2) AND ($3::text[] IS NULL OR id_number = ANY ($3::text[]))`,
    [db.tenantCode, filter.coverageYear, filter.idNumbers],
  );
  return { count: row.count, total: row.total ?? 0 };
}

/** Schedules due reimbursements into a month, set-based; returns how many and how much. */
export async function scheduleDue(db: TenantTransaction, month: string, filter: DueFilter, scheduledBy: string): Promise<{ count: number; total: number }> {
  const [row] = await db.query<{ count: number; total: number | null }>(
    `WITH s AS (
       UPDATE subsidy_grant g SET status = 'SCHEDULED', payout_month = $4, scheduled_by = $5 FROM enrollment e
        WHERE e.tenant_code = g.tenant_code AND e.id_number = g.id_number AND e.coverage_year = g.coverage_year
          AND g.tenant_code = $1 AND g.status = 'DUE' AND ($2::int IS NULL OR g.coverage_year = $2) AND ($3::text[] IS NULL OR g.id_number = ANY ($3::text[]))
          AND (${OWED_WHATEVER_THE_ENROLMENT} OR ${PAYS_REIMBURSEMENTS})
        RETURNING g.amount)
     SELECT count(*)::int AS count, sum(amount)::bigint AS total FROM s`,
    [db.tenantCode, filter.coverageYear, filter.idNumbers, month, scheduledBy],
  );
  return { count: row.count, total: row.total ?? 0 };
}

/** The paid-out reimbursements of a month for these people (a bank's result file), locked, with their marks (a re-issue carries them). */
export async function paidOutGrants(
  db: TenantTransaction,
  month: string,
  keys: ReadonlyArray<{ idNumber: string; coverageYear: number }>,
): Promise<EnrollmentGrantRow[]> {
  if (keys.length === 0) return [];
  return db.query<EnrollmentGrantRow>(
    `SELECT ${GRANT_ROW_COLUMNS.join(', ')}, ${GRANT_MARKS} FROM subsidy_grant
      WHERE tenant_code = $1 AND payout_month = $2 AND status IN ('PAID_OUT', 'REISSUED')
        AND (id_number, coverage_year) IN (SELECT * FROM UNNEST($3::text[], $4::int[]))
      ORDER BY id FOR UPDATE`,
    [db.tenantCode, month, keys.map((k) => k.idNumber), keys.map((k) => k.coverageYear)],
  );
}

/** Records payout results per grant; a FAILED or RETURNED grant becomes REISSUED. */
export async function recordPayoutResults(
  db: TenantTransaction,
  results: ReadonlyArray<{ id: number; result: PayoutResult; on: string; note: string | null; reference: string | null }>,
): Promise<void> {
  if (results.length === 0) return;
  await db.query(
    `UPDATE subsidy_grant g SET payout_result = u.result, payout_result_on = u.on_date, payout_note = u.note, payout_reference = u.reference,
            status = CASE WHEN u.result = 'PAID' THEN g.status ELSE 'REISSUED' END
       FROM UNNEST($2::bigint[], $3::text[], $4::date[], $5::text[], $6::text[]) AS u(id, result, on_date, note, reference)
      WHERE g.tenant_code = $1 AND g.id = u.id AND g.payout_result IS NULL`,
    [
      db.tenantCode,
      results.map((r) => r.id),
      results.map((r) => r.result),
      results.map((r) => r.on),
      results.map((r) => r.note),
      results.map((r) => r.reference),
    ],
  );
}

export interface PayoutResultCounts {
  paid: number;
  failed: number;
  returned: number;
  pending: number;
}

export async function payoutResultCounts(db: TenantTransaction, month: string): Promise<PayoutResultCounts> {
  const [row] = await db.query<PayoutResultCounts>(
    `SELECT count(*) FILTER (WHERE payout_result = 'PAID')::int AS paid, count(*) FILTER (WHERE payout_result = 'FAILED')::int AS failed,
            count(*) FILTER (WHERE payout_result = 'RETURNED')::int AS returned,
            count(*) FILTER (WHERE payout_result IS NULL AND status = 'PAID_OUT')::int AS pending
       FROM subsidy_grant WHERE tenant_code = $1 AND payout_month = $2 AND status IN ('PAID_OUT', 'REISSUED')`,
    [db.tenantCode, month],
  );
  return row;
}

export interface SubsidyTotalRow {
  category: string;
  mode: string;
  people: number;
  amount: number;
  paid_out: number;
  owed: number;
}

/**
 * The subsidies of a year by category: grants that stand (not cancelled, not superseded by a re-issue),
 * how many people, how much, how much of it paid out to people and how much still owed to them.
 */
export async function subsidyTotalsByCategory(db: TenantTransaction, coverageYear: number): Promise<SubsidyTotalRow[]> {
  return db.query<SubsidyTotalRow>(
    `SELECT category, mode, count(DISTINCT id_number)::int AS people, sum(amount)::bigint AS amount,
            coalesce(sum(amount) FILTER (WHERE status = 'PAID_OUT'), 0)::bigint AS paid_out,
            coalesce(sum(amount) FILTER (WHERE status IN ('DUE', 'SCHEDULED')), 0)::bigint AS owed
       FROM subsidy_grant WHERE tenant_code = $1 AND coverage_year = $2 AND status NOT IN ('CANCELLED', 'REISSUED')
      GROUP BY category, mode ORDER BY category, mode`,
    [db.tenantCode, coverageYear],
  );
}

/**
 * The same grants by funding source: each grant's shares, and where the notice names no payer (or not for
 * all of it), the rest under source NOT_STATED, so the sources always add up to the grants.
 */
export async function subsidyTotalsBySource(db: TenantTransaction, coverageYear: number): Promise<Array<{ source: string; name: string; amount: number }>> {
  return db.query<{ source: string; name: string; amount: number }>(
    `WITH g AS (SELECT id, amount, funding FROM subsidy_grant WHERE tenant_code = $1 AND coverage_year = $2 AND status NOT IN ('CANCELLED', 'REISSUED')),
          shares AS (
            SELECT f.source, f.name, f.amount FROM g CROSS JOIN LATERAL jsonb_to_recordset(g.funding) AS f(source text, name text, amount bigint)
            UNION ALL
            SELECT 'NOT_STATED', '未注明资金来源', g.amount - coalesce((SELECT sum((s ->> 'amount')::bigint) FROM jsonb_array_elements(g.funding) s), 0) FROM g)
     SELECT source, name, sum(amount)::bigint AS amount FROM shares GROUP BY source, name HAVING sum(amount) <> 0 ORDER BY source`,
    [db.tenantCode, coverageYear],
  );
}

/** The subsidies' part of an ID-number correction (ResidentIdCorrected: the rows under the new number exist by then). */
export async function moveGrantsToIdNumber(db: TenantTransaction, from: string, to: string): Promise<void> {
  await db.query('UPDATE subsidy_grant SET id_number = $3 WHERE tenant_code = $1 AND id_number = $2', [db.tenantCode, from, to]);
}
