/**
 * SQL of enrolments and payments; bulk paths are set-based (UNNEST), never a loop of single writes.
 * Every write of an enrolment's status takes its allowed starting states from the state machine.
 */
import { type BulkColumn, countedInsert, unnestRows } from '../../db/bulk';
import { rowColumns } from '../../db/row-columns';
import type { TenantTransaction } from '../../db/tenant-transaction';
import { uniqueViolation } from '../../db/unique-violation';
import type { Settlement } from '../../policy-engine/policy-engine';
import { endGrantsOfEndedPeriod } from '../subsidies/subsidies.repository';
import { ACTIVE_STATES, AS_BEFORE, type EnrollmentEvent, type EnrollmentState, fixedTarget, statesFromSql, statesSql, TRANSITIONS } from './enrollment-state';

export interface EnrollmentRow {
  id_number: string;
  coverage_year: number;
  status: EnrollmentState;
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
  /**
   * The version of the policy year that decided its amounts; null for rows written before versions were
   * recorded. A wait computed under a later version names that one; the standard and the amount due stay
   * those of the version the column amounts_version keeps (enrollmentsToJudge).
   */
  policy_version: number | null;
  /** The day it stopped counting (transfer out, death, emigration, refund) and why; absent where a query does not read it. */
  ended_on?: string | null;
  end_reason?: string | null;
  /** Re-opened after a paid period ended: the day that period stopped counting, before which this one does not count. */
  reopened_after?: string | null;
}

export const PAYER_KINDS = ['PERSON', 'FAMILY_MEMBER', 'EMPLOYER', 'FUNDING_BODY'] as const;
export type PayerKind = (typeof PAYER_KINDS)[number];
/** Who paid, as clerks say it, for messages in Chinese. */
export const PAYER_KIND_NAMES: Readonly<Record<PayerKind, string>> = { PERSON: '本人', FAMILY_MEMBER: '家庭成员', EMPLOYER: '单位', FUNDING_BODY: '资助部门' };

export interface PaymentRow {
  receipt_no: string;
  id_number: string;
  coverage_year: number;
  amount: number;
  paid_on: string;
  channel: string;
  batch_id: string | null;
  recorded_by: string;
  payer_kind: PayerKind;
  payer: string | null;
  reversed: boolean;
  reversed_on: string | null;
  reversal_reason: string | null;
}

/** A payment's key: receipts are unique per channel (a bank's and the tax system's numbers may collide). */
export const paymentKey = (channel: string, receiptNo: string) => `${channel}\u0000${receiptNo}`;

export const ENROLLMENT_ROW_COLUMNS = rowColumns<EnrollmentRow>()([
  'id_number',
  'coverage_year',
  'status',
  'enrolled_on',
  'circumstances',
  'region_code',
  'standard_contribution',
  'subsidy',
  'applied_category',
  'subsidy_mode',
  'amount_due',
  'late',
  'paid_on',
  'amount_paid',
  'cover_start',
  'cover_end',
  'policy_version',
  'ended_on',
  'end_reason',
  'reopened_after',
]);
const ENROLLMENT_COLUMNS = ENROLLMENT_ROW_COLUMNS.join(', ');
export const ACTIVE_STATES_SQL = statesSql(ACTIVE_STATES);
/** A payment with whether it was reversed: FROM payment p LEFT JOIN payment_reversal r. */
const PAYMENT_SELECT = `SELECT p.receipt_no, p.id_number, p.coverage_year, p.amount, p.paid_on, p.channel, p.batch_id, p.recorded_by, p.payer_kind, p.payer,
         r.receipt_no IS NOT NULL AS reversed, r.reversed_on, r.reason AS reversal_reason
    FROM payment p LEFT JOIN payment_reversal r ON r.tenant_code = p.tenant_code AND r.channel = p.channel AND r.receipt_no = p.receipt_no`;

export async function enrollmentsOf(db: TenantTransaction, keys: ReadonlyArray<{ idNumber: string; coverageYear: number }>): Promise<EnrollmentRow[]> {
  return enrollmentsByKey<EnrollmentRow>(db, keys, ENROLLMENT_COLUMNS);
}

/** The enrolments of these keys (ID number and year), with `columns`. */
async function enrollmentsByKey<Row extends object>(
  db: TenantTransaction,
  keys: ReadonlyArray<{ idNumber: string; coverageYear: number }>,
  columns: string,
): Promise<Row[]> {
  if (keys.length === 0) return [];
  return db.query<Row>(
    `SELECT ${columns} FROM enrollment e
      WHERE tenant_code = $1 AND (id_number, coverage_year) IN (SELECT * FROM UNNEST($2::text[], $3::int[]))`,
    [db.tenantCode, keys.map((k) => k.idNumber), keys.map((k) => k.coverageYear)],
  );
}

/**
 * enrollmentsOf, each with the version whose standard and amount due it records (amounts_version; for a
 * row written before that was kept, policy_version): the one the judgment of its waits compares with the
 * latest, whatever version computed a wait of it since.
 */
export async function enrollmentsToJudge(
  db: TenantTransaction,
  keys: ReadonlyArray<{ idNumber: string; coverageYear: number }>,
): Promise<Array<EnrollmentRow & { amounts_version: number | null }>> {
  return enrollmentsByKey(db, keys, `${ENROLLMENT_COLUMNS}, coalesce(amounts_version, policy_version) AS amounts_version`);
}

export async function enrollmentsOfPeople(db: TenantTransaction, idNumbers: readonly string[]): Promise<EnrollmentRow[]> {
  return db.query<EnrollmentRow>(`SELECT ${ENROLLMENT_COLUMNS} FROM enrollment WHERE tenant_code = $1 AND id_number = ANY($2::text[]) ORDER BY coverage_year`, [
    db.tenantCode,
    idNumbers,
  ]);
}

/**
 * These people's enrolments, locked until the transaction ends (in key order, as payments lock them) for
 * a write that decides from their grants: a second one waits and then reads the grants the first made.
 * FOR NO KEY UPDATE: the grants' and payments' foreign keys to the rows are not held up.
 */
export async function lockEnrollmentsOfPeople(db: TenantTransaction, idNumbers: readonly string[]): Promise<EnrollmentRow[]> {
  return db.query<EnrollmentRow>(
    `SELECT ${ENROLLMENT_COLUMNS} FROM enrollment WHERE tenant_code = $1 AND id_number = ANY($2::text[]) ORDER BY id_number, coverage_year FOR NO KEY UPDATE`,
    [db.tenantCode, idNumbers],
    { planLargeArraysEachTime: true },
  );
}

/**
 * What a write of enrolments changes beyond them, kept in the same transaction by the write itself
 * (no triggers: a Citus shard cannot run them, see migration CitusReady):
 *
 * - `paid_daily`, the ledger of paid counts by year, region and day: a payment adds one on its day, an
 *   end (transfer out, death, emigration, refund) takes one off on its own day, so a past day's count
 *   never changes. An enrolment re-opened after it ended keeps the period it had in the ledger, and
 *   keeps it once if the payment that re-opened it is reversed. Its new period counts from its payment
 *   day or the day the old period stopped counting (`reopened_after`), whichever is later: a payment
 *   dated before a refund's decision does not count the person twice.
 * - `scheme_membership`, the national one-scheme index: an enrolment enters it when it starts to enrol
 *   the person (UNPAID, PAID, REFUND_PENDING) and leaves it when it stops.
 *
 * Each write locks the rows as they were, writes, and adds the difference to `paid_daily`, in one
 * statement; the index (another shard group on Citus) is written by the next statement, only when an
 * enrolment entered or left it.
 */
export interface EnrollmentChange {
  id_number: string;
  coverage_year: number;
  status: EnrollmentState;
  /** null: the write created the row. */
  old_status: EnrollmentState | null;
}

/** Joins the row being updated (`alias`) to its old version in `old o`. */
const OLD_ROW_OF = (alias: string) => `o.tenant_code = ${alias}.tenant_code AND o.id_number = ${alias}.id_number AND o.coverage_year = ${alias}.coverage_year`;
/** After an INSERT's `FROM UNNEST(...) AS r`: its rows wait for the old version of the row they may update (see ledgeredWrite). */
const AFTER_OLD = 'LEFT JOIN old o ON o.id_number = r.id_number AND o.coverage_year = r.coverage_year';

/**
 * The old rows a bulk write of enrolments locks: those of the years it writes, not every year of its
 * people, so that an import of this year's payments neither waits for nor holds up a refund or a
 * transfer working on last year's enrolment. The id numbers and years are the write's own arrays, at the
 * placeholders unnestRows gives `columns` from `firstParameter`.
 */
function bulkLock(columns: ReadonlyArray<{ name: string }>, firstParameter: number): string {
  const at = (name: string) => {
    const index = columns.findIndex((c) => c.name === name);
    if (index < 0) throw new Error(`a bulk enrolment write without ${name}`);
    return `$${firstParameter + index}`;
  };
  return `o.tenant_code = $1 AND o.id_number = ANY (${at('id_number')}::text[]) AND o.coverage_year = ANY (${at('coverage_year')}::int[])`;
}

/**
 * The stripe of `paid_daily` a transaction adds to (migration PaidDailyStripes): from its transaction
 * id, so that writers running at the same time (two tax batches, a bank's counter payment during an
 * import) add to different rows of the same day instead of waiting for each other's commit.
 */
const LEDGER_STRIPE = '(pg_current_xact_id()::text::bigint % 16)::smallint';

/**
 * The ledger's INSERT of `entries` (rows of tenant_code, coverage_year, region_code, day, delta), summed
 * by day into the transaction's stripe. Keys in order, so that two writers in one stripe touching the
 * same days wait instead of deadlocking.
 */
function ledgerInsert(entries: string): string {
  return `INSERT INTO paid_daily AS d (tenant_code, coverage_year, region_code, paid_on, stripe, paid)
      SELECT tenant_code, coverage_year, region_code, day, ${LEDGER_STRIPE}, sum(delta)::int FROM ${entries}
       GROUP BY 1, 2, 3, 4 HAVING sum(delta) <> 0 ORDER BY 1, 2, 3, 4
      ON CONFLICT (tenant_code, coverage_year, region_code, paid_on, stripe) DO UPDATE SET paid = d.paid + EXCLUDED.paid`;
}

const LEDGER_COLUMNS = ['tenant_code', 'id_number', 'coverage_year', 'status', 'paid_on', 'ended_on', 'region_code', 'reopened_after'] as const;
const LEDGER_RETURNING_OF = (alias: string) => LEDGER_COLUMNS.map((c) => `${alias}.${c}`).join(', ');

/** The day a paid period starts counting in the ledger: its payment day, or the end of the period it re-opened when later. */
const countedFrom = (paidOn: string, reopenedAfter: string) => `greatest(${paidOn}, ${reopenedAfter})`;
/** The day a period that ended, or whose payment was reversed, stops counting: that day, or the day it started counting when later. */
const stoppedCounting = (endedOn: string, counted: string) => `greatest(${endedOn}, ${counted})`;

/**
 * The ledger's entries of a row in the state of columns `p`status, `p`paid_on …, times `sign`. A period
 * counts from its payment day, or from the end of the period before it where it re-opened an enrolment
 * still counted then (a payment dated before a refund's decision): one person is never counted twice.
 */
function ledgerEntries(p: '' | 'old_', sign: 1 | -1): string {
  const [status, paidOn, endedOn, region] = [`c.${p}status`, `c.${p}paid_on`, `c.${p}ended_on`, `coalesce(c.${p}region_code, '')`];
  const counted = countedFrom(paidOn, `c.${p}reopened_after`);
  const ended = `${paidOn} IS NOT NULL AND ${status} IN ('REFUNDED', 'TERMINATED') AND ${endedOn} IS NOT NULL`;
  // An enrolment re-opened after it ended keeps the period it had: its old row is not taken back. And when
  // the payment that re-opened it is reversed, the ended row comes back (same end, its own payment day):
  // that period is still in the ledger, so the restored row is not added again.
  const kept =
    p === 'old_'
      ? ` AND c.old_status IS NOT NULL AND NOT (c.old_status IN ('REFUNDED', 'TERMINATED') AND c.status IN (${ACTIVE_STATES_SQL}))`
      : ` AND NOT coalesce(c.old_status IN (${ACTIVE_STATES_SQL}) AND c.status IN ('REFUNDED', 'TERMINATED') AND c.ended_on = c.old_ended_on
                      AND c.paid_on IS DISTINCT FROM c.old_paid_on, false)`;
  return `SELECT c.tenant_code, c.coverage_year, ${region} AS region_code, ${counted} AS day, ${sign} AS delta FROM c
           WHERE ${paidOn} IS NOT NULL AND (${status} IN ('PAID', 'REFUND_PENDING') OR (${ended}))${kept}
          UNION ALL
          SELECT c.tenant_code, c.coverage_year, ${region}, ${stoppedCounting(endedOn, counted)}, ${-sign} FROM c WHERE ${ended}${kept}`;
}

/**
 * `write` (an INSERT or UPDATE of enrollment RETURNING the ledger's columns) with the rows it may touch
 * locked first as they were (`lockFilter`, a condition on `enrollment o`), and its difference added to
 * the transaction's stripe of `paid_daily` (ledgerInsert).
 *
 * The old rows must be read and locked before `write` changes them: a row that the same statement has
 * already updated is skipped by FOR UPDATE. So `write` reads `old o` itself (an UPDATE joins it with
 * OLD_ROW_OF, an INSERT's SELECT ends with AFTER_OLD): it cannot change a row before `old` has given it,
 * locked at its latest version. On Citus, MATERIALIZED and FOR UPDATE make `old` a step of its own that
 * runs before `write`.
 */
function ledgeredWrite(lockFilter: string, write: string): string {
  return `WITH old AS MATERIALIZED (
      SELECT o.tenant_code, o.id_number, o.coverage_year, o.status, o.paid_on, o.ended_on, o.region_code, o.reopened_after FROM enrollment o WHERE ${lockFilter} FOR UPDATE),
    w AS (${write}),
    c AS (SELECT w.*, o.status AS old_status, o.paid_on AS old_paid_on, o.ended_on AS old_ended_on, o.region_code AS old_region_code, o.reopened_after AS old_reopened_after
            FROM w LEFT JOIN old o ON o.tenant_code = w.tenant_code AND o.id_number = w.id_number AND o.coverage_year = w.coverage_year),
    ledger AS (${ledgerInsert(`(${ledgerEntries('', 1)} UNION ALL ${ledgerEntries('old_', -1)}) entries`)})
    SELECT c.id_number, c.coverage_year, c.status, c.old_status FROM c`;
}

/**
 * An ON CONFLICT's SET of `reopened_after` when it re-opens an enrolment: where a paid period ended, the
 * day it stopped counting in the ledger (ledgerEntries), which the new period does not count before.
 */
const REOPENED_AFTER_SET = `reopened_after = CASE WHEN enrollment.status IN ('REFUNDED', 'TERMINATED') AND enrollment.paid_on IS NOT NULL
                AND enrollment.ended_on IS NOT NULL THEN ${stoppedCounting('enrollment.ended_on', countedFrom('enrollment.paid_on', 'enrollment.reopened_after'))}
                ELSE enrollment.reopened_after END`;

/**
 * ledgeredWrite for an INSERT without ON CONFLICT of keys found without an enrolment when judged: there
 * is no old row to lock or take out of the ledger (a row another transaction wrote meanwhile fails the
 * INSERT, see takenMeanwhile), so the write reads no `old`. It answers how many rows it wrote, not the
 * rows: the caller knows them (writtenAll).
 */
function newRowsLedgeredWrite(write: string): string {
  return `WITH w AS (${write}),
    c AS (SELECT w.*, NULL::text AS old_status, NULL::date AS old_paid_on, NULL::date AS old_ended_on, NULL::text AS old_region_code, NULL::date AS old_reopened_after FROM w),
    ledger AS (${ledgerInsert(`(${ledgerEntries('', 1)}) entries`)})
    SELECT count(*)::int AS written FROM c`;
}

/**
 * A plain INSERT writes every row or fails; a count short of the rows would mean a rule, trigger or
 * policy added since skips rows silently, and the write is stopped rather than trusted.
 */
function writtenAll(what: string, written: number, expected: number): void {
  if (written !== expected) throw new Error(`a plain INSERT of ${expected} ${what} wrote ${written}`);
}

/** Enters into the national index the enrolments that began to enrol their person, and takes out those that stopped. */
export async function applyToSchemeIndex(db: TenantTransaction, changes: readonly EnrollmentChange[]): Promise<void> {
  const enrols = (state: EnrollmentState | null) => state !== null && ACTIVE_STATES.includes(state);
  const entered = changes.filter((c) => enrols(c.status) && !enrols(c.old_status));
  const left = changes.filter((c) => !enrols(c.status) && enrols(c.old_status));
  if (entered.length === 0 && left.length === 0) return;
  await db.query('SELECT scheme_membership_apply($1::text[], $2::int[], $3::text[], $4::int[])', [
    entered.map((c) => c.id_number),
    entered.map((c) => c.coverage_year),
    left.map((c) => c.id_number),
    left.map((c) => c.coverage_year),
  ]);
}

export interface EnrollmentWrite {
  idNumber: string;
  coverageYear: number;
  enrolledOn: string;
  circumstances: string[];
  regionCode: string | null;
  settlement: Settlement;
}

/** Who, when, where, and what the settlement came to: the columns every enrolment write sets. */
const ENROLLMENT_WRITE: ReadonlyArray<BulkColumn<EnrollmentWrite>> = [
  { name: 'id_number', type: 'text', value: (r) => r.idNumber },
  { name: 'coverage_year', type: 'int', value: (r) => r.coverageYear },
  { name: 'enrolled_on', type: 'date', value: (r) => r.enrolledOn },
  { name: 'circumstances', type: 'text', value: (r) => r.circumstances.join(',') },
  { name: 'region_code', type: 'text', value: (r) => r.regionCode },
];

/** What a settlement came to, as the enrolment columns standard_contribution … late. */
function settlementColumns<Row extends { settlement: Settlement }>(): Array<BulkColumn<Row>> {
  return [
    { name: 'standard_contribution', type: 'bigint', value: (r) => r.settlement.standardContribution },
    { name: 'subsidy', type: 'bigint', value: (r) => r.settlement.subsidy },
    { name: 'applied_category', type: 'text', value: (r) => r.settlement.appliedCategory },
    { name: 'subsidy_mode', type: 'text', value: (r) => r.settlement.mode },
    { name: 'amount_due', type: 'bigint', value: (r) => r.settlement.amountDue },
    { name: 'late', type: 'boolean', value: (r) => r.settlement.late },
    { name: 'policy_version', type: 'int', value: (r) => r.settlement.policyVersion || null },
    { name: 'amounts_version', type: 'int', value: (r) => r.settlement.policyVersion || null },
  ];
}

function coverColumns<Row extends { settlement: Settlement }>(): Array<BulkColumn<Row>> {
  return [
    { name: 'cover_start', type: 'date', value: (r) => r.settlement.coverage?.start ?? null },
    { name: 'cover_end', type: 'date', value: (r) => r.settlement.coverage?.end ?? null },
  ];
}

const SETTLEMENT_SET = `standard_contribution = EXCLUDED.standard_contribution, subsidy = EXCLUDED.subsidy, applied_category = EXCLUDED.applied_category,
            subsidy_mode = EXCLUDED.subsidy_mode, amount_due = EXCLUDED.amount_due, late = EXCLUDED.late, policy_version = EXCLUDED.policy_version,
            amounts_version = EXCLUDED.amounts_version`;

const UNPAID_WRITE = [...ENROLLMENT_WRITE, ...settlementColumns<EnrollmentWrite>()];

/**
 * Creates UNPAID enrolments (or re-opens ended ones: the state machine's ENROL) with the amounts of their
 * settlement. Returns the keys written: a key missing was enrolled already, or by a concurrent request
 * that committed first (its row is then seen, and left, as that request wrote it).
 */
export async function upsertUnpaidEnrollments(db: TenantTransaction, rows: readonly EnrollmentWrite[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const set = unnestRows('r', UNPAID_WRITE, rows, 2);
  const changed = await db.query<EnrollmentChange>(
    ledgeredWrite(
      bulkLock(UNPAID_WRITE, 2),
      `INSERT INTO enrollment (tenant_code, status, ${UNPAID_WRITE.map((c) => c.name).join(', ')})
       SELECT $1, '${TRANSITIONS.ENROL.to}', ${UNPAID_WRITE.map((c) => (c.name === 'circumstances' ? "string_to_array(r.circumstances, ',')" : `r.${c.name}`)).join(', ')}
         FROM ${set.from} ${AFTER_OLD}
       ON CONFLICT (tenant_code, id_number, coverage_year) DO UPDATE
          SET status = '${TRANSITIONS.ENROL.to}', enrolled_on = EXCLUDED.enrolled_on, circumstances = EXCLUDED.circumstances,
              region_code = EXCLUDED.region_code, ${SETTLEMENT_SET}, paid_on = NULL, amount_paid = NULL,
              cover_start = NULL, cover_end = NULL, ${REOPENED_AFTER_SET}, updated_at = EXCLUDED.updated_at
        WHERE enrollment.status IN (${statesFromSql('ENROL')})
       RETURNING ${LEDGER_RETURNING_OF('enrollment')}`,
    ),
    [db.tenantCode, ...set.parameters],
  );
  await applyToSchemeIndex(db, changed);
  return new Set(changed.map((w) => `${w.id_number}/${w.coverage_year}`));
}

export interface PaidEnrollmentWrite extends EnrollmentWrite {
  amountPaid: number;
}

const PAID_ENROLLMENT_WRITE: ReadonlyArray<BulkColumn<PaidEnrollmentWrite>> = [
  ...UNPAID_WRITE,
  { name: 'amount_paid', type: 'bigint', value: (r) => r.amountPaid },
  ...coverColumns<PaidEnrollmentWrite>(),
];

/**
 * Enrolments created already paid, for keys found without an enrolment when judged: inserted plainly
 * (ON CONFLICT's speculative insertion costs some 4 µs a row), so every row is written or the statement
 * fails (a key another transaction wrote meanwhile: takenMeanwhile). Nothing is there to lock or take
 * out of the ledger (newRowsLedgeredWrite); each row is a new PAID enrolment entering the national index.
 */
export async function insertNewPaidEnrollments(db: TenantTransaction, rows: readonly PaidEnrollmentWrite[]): Promise<void> {
  if (rows.length === 0) return;
  const set = unnestRows('r', PAID_ENROLLMENT_WRITE, rows, 2);
  const [{ written }] = await db.query<{ written: number }>(newRowsLedgeredWrite(paidEnrollmentInsert(set.from, '', '')), [db.tenantCode, ...set.parameters]);
  writtenAll('enrolments', written, rows.length);
  const paid = fixedTarget('PAY');
  await applyToSchemeIndex(
    db,
    rows.map((r): EnrollmentChange => ({ id_number: r.idNumber, coverage_year: r.coverageYear, status: paid, old_status: null })),
  );
}

/**
 * A first payment for keys that may have an enrolment: re-opens one that ended, or was never more than
 * listed, where ENROL may start, and inserts those whose row is gone since they were judged. Returns
 * the keys written; a key missing means another request got there.
 */
export async function reopenPaidEnrollments(db: TenantTransaction, rows: readonly PaidEnrollmentWrite[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const set = unnestRows('r', PAID_ENROLLMENT_WRITE, rows, 2);
  const written = await db.query<EnrollmentChange>(
    ledgeredWrite(bulkLock(PAID_ENROLLMENT_WRITE, 2), paidEnrollmentInsert(set.from, AFTER_OLD, REOPEN_ON_CONFLICT)),
    [db.tenantCode, ...set.parameters],
  );
  await applyToSchemeIndex(db, written);
  return new Set(written.map((w) => `${w.id_number}/${w.coverage_year}`));
}

/**
 * The INSERT … SELECT of paid enrolments from `from` (unnestRows of PAID_ENROLLMENT_WRITE), joined by
 * `join`, with `onConflict`, returning the ledger's columns (ledgeredWrite, newRowsLedgeredWrite).
 */
function paidEnrollmentInsert(from: string, join: string, onConflict: string): string {
  return `INSERT INTO enrollment (tenant_code, status, paid_on, ${PAID_ENROLLMENT_WRITE.map((c) => c.name).join(', ')})
       SELECT $1, '${TRANSITIONS.PAY.to}', r.enrolled_on, ${PAID_ENROLLMENT_WRITE.map((c) => (c.name === 'circumstances' ? "string_to_array(r.circumstances, ',')" : `r.${c.name}`)).join(', ')}
         FROM ${from} ${join}
       ${onConflict}
       RETURNING ${LEDGER_RETURNING_OF('enrollment')}`;
}

/** reopenPaidEnrollments: an enrolment that ended, or was never more than listed, enrols and pays again. */
const REOPEN_ON_CONFLICT = `ON CONFLICT (tenant_code, id_number, coverage_year) DO UPDATE
          SET status = '${TRANSITIONS.PAY.to}', enrolled_on = EXCLUDED.enrolled_on, circumstances = EXCLUDED.circumstances, region_code = EXCLUDED.region_code,
              ${SETTLEMENT_SET}, paid_on = EXCLUDED.paid_on,
              amount_paid = EXCLUDED.amount_paid, cover_start = EXCLUDED.cover_start, cover_end = EXCLUDED.cover_end, ${REOPENED_AFTER_SET},
              updated_at = EXCLUDED.updated_at
        WHERE enrollment.status IN (${statesFromSql('ENROL')})`;

export interface PaidWrite {
  idNumber: string;
  coverageYear: number;
  paidOn: string;
  amountPaid: number;
  settlement: Settlement;
}

const PAID_WRITE: ReadonlyArray<BulkColumn<PaidWrite>> = [
  { name: 'id_number', type: 'text', value: (r) => r.idNumber },
  { name: 'coverage_year', type: 'int', value: (r) => r.coverageYear },
  { name: 'paid_on', type: 'date', value: (r) => r.paidOn },
  { name: 'amount_paid', type: 'bigint', value: (r) => r.amountPaid },
  ...settlementColumns<PaidWrite>(),
  ...coverColumns<PaidWrite>(),
];

/** Pays UNPAID enrolments (PAY from an enrolment waiting for its money) with what the payment settled; returns the keys it changed. */
export async function markPaid(db: TenantTransaction, rows: readonly PaidWrite[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const set = unnestRows('r', PAID_WRITE, rows, 2);
  const updated = await db.query<EnrollmentChange>(
    ledgeredWrite(
      bulkLock(PAID_WRITE, 2),
      `UPDATE enrollment e
          SET status = '${TRANSITIONS.PAY.to}', ${PAID_WRITE.filter((c) => c.name !== 'id_number' && c.name !== 'coverage_year')
            .map((c) => `${c.name} = r.${c.name}`)
            .join(', ')}, updated_at = now()
         FROM ${set.from}, old o
        WHERE e.tenant_code = $1 AND e.id_number = r.id_number AND e.coverage_year = r.coverage_year AND e.status = '${TRANSITIONS.ENROL.to}' AND ${OLD_ROW_OF('e')}
        RETURNING ${LEDGER_RETURNING_OF('e')}`,
    ),
    [db.tenantCode, ...set.parameters],
  );
  await applyToSchemeIndex(db, updated);
  return new Set(updated.map((u) => `${u.id_number}/${u.coverage_year}`));
}

/** One UPDATE per event with a fixed target; an event that undoes another restores a row (see restoreEnrollments). */
const SINGLE_TRANSITION_SQL = Object.fromEntries(
  (Object.keys(TRANSITIONS) as EnrollmentEvent[])
    .filter((event) => TRANSITIONS[event].to !== AS_BEFORE)
    .map((event) => [
      event,
      ledgeredWrite(
        'o.tenant_code = $1 AND o.id_number = $2 AND o.coverage_year = $3',
        `UPDATE enrollment e SET status = '${fixedTarget(event)}', updated_at = now()${TRANSITIONS[event].ends ? `, ended_on = $4, end_reason = '${TRANSITIONS[event].ends}'` : ''}
         FROM old o
        WHERE e.tenant_code = $1 AND e.id_number = $2 AND e.coverage_year = $3 AND e.status IN (${statesFromSql(event)}) AND ${OLD_ROW_OF('e')}
        RETURNING ${LEDGER_RETURNING_OF('e')}`,
      ),
    ]),
) as Record<Exclude<EnrollmentEvent, 'REVERSE_PAYMENT'>, string>;

/**
 * A status change of one enrolment (refund requested, approved, rejected); false when its state does
 * not allow it. An event that ends the enrolment needs `on`, the day it stops counting.
 */
export async function transitionEnrollment(
  db: TenantTransaction,
  idNumber: string,
  coverageYear: number,
  event: Exclude<EnrollmentEvent, 'REVERSE_PAYMENT'>,
  on?: string,
): Promise<boolean> {
  if (TRANSITIONS[event].ends && !on) throw new Error(`${event} ends an enrolment: the day it ends is needed`);
  const values = [db.tenantCode, idNumber, coverageYear, ...(TRANSITIONS[event].ends ? [on] : [])];
  const changed = await db.query<EnrollmentChange>(SINGLE_TRANSITION_SQL[event], values);
  await applyToSchemeIndex(db, changed);
  return changed.length > 0;
}

/**
 * 停保或流出 (TRANSFER_OUT), a death or an emigration: enrolments still running on `on` end then; their
 * cover ends that day at the latest. `years` limits it to some years (null: every year running on `on`);
 * `states` to some of the event's starting states.
 */
export async function endEnrollments(
  db: TenantTransaction,
  idNumber: string,
  on: string,
  event: 'TRANSFER_OUT' | 'END_ON_DEATH' | 'END_ON_EMIGRATION',
  years: readonly number[] | null = null,
  states: readonly EnrollmentState[] | null = null,
): Promise<number[]> {
  const rows = await db.query<EnrollmentChange>(
    ledgeredWrite(
      'o.tenant_code = $1 AND o.id_number = $2',
      `UPDATE enrollment e SET status = '${TRANSITIONS[event].to}', cover_end = CASE WHEN e.cover_end IS NOT NULL AND e.cover_end > $3 THEN $3 ELSE e.cover_end END,
              ended_on = $3, end_reason = '${TRANSITIONS[event].ends}', updated_at = now()
         FROM old o
        WHERE e.tenant_code = $1 AND e.id_number = $2 AND e.status IN (${statesFromSql(event)}) AND make_date(e.coverage_year, 12, 31) >= $3
          AND ($4::int[] IS NULL OR e.coverage_year = ANY($4::int[])) AND ($5::text[] IS NULL OR e.status = ANY($5::text[])) AND ${OLD_ROW_OF('e')}
        RETURNING ${LEDGER_RETURNING_OF('e')}`,
    ),
    [db.tenantCode, idNumber, on, years, states],
  );
  await applyToSchemeIndex(db, rows);
  // Their grants are of the period that ended: a payment that re-opens the enrolment is granted anew.
  await endGrantsOfEndedPeriod(
    db,
    idNumber,
    rows.map((r) => r.coverage_year),
    on,
  );
  return rows.map((r) => r.coverage_year);
}

export async function terminateOnTransferOut(db: TenantTransaction, idNumber: string, on: string): Promise<void> {
  await endEnrollments(db, idNumber, on, 'TRANSFER_OUT');
}

/**
 * The enrolment domain's parts of an ID-number correction (see ResidentIdCorrectionBegun): its
 * enrolments copied under the new number, every row of its tables moved there, the old enrolments
 * deleted. The daily paid counts do not change (the same enrolments, under another number); the
 * national index follows the number.
 */
export async function copyEnrollmentsToIdNumber(db: TenantTransaction, from: string, to: string): Promise<void> {
  const copied = await db.query<{ coverage_year: number; status: EnrollmentState }>(
    `INSERT INTO enrollment
     SELECT (jsonb_populate_record(NULL::enrollment, to_jsonb(e) || jsonb_build_object('id_number', $3::text))).*
       FROM enrollment e WHERE e.tenant_code = $1 AND e.id_number = $2
     RETURNING coverage_year, status`,
    [db.tenantCode, from, to],
  );
  await applyToSchemeIndex(db, [
    ...copied.map((c) => ({ id_number: to, coverage_year: c.coverage_year, status: c.status, old_status: null })),
    ...copied.map((c) => ({ id_number: from, coverage_year: c.coverage_year, status: 'NOT_ENROLLED' as const, old_status: c.status })),
  ]);
}

export async function moveEnrollmentRowsToIdNumber(db: TenantTransaction, from: string, to: string): Promise<void> {
  for (const table of ENROLLMENT_ID_NUMBER_TABLES.filter((t) => t !== 'enrollment')) {
    await db.query(`UPDATE ${table} SET id_number = $3 WHERE tenant_code = $1 AND id_number = $2`, [db.tenantCode, from, to]);
  }
}

export async function deleteEnrollmentsOfIdNumber(db: TenantTransaction, idNumber: string): Promise<void> {
  await db.query('DELETE FROM enrollment WHERE tenant_code = $1 AND id_number = $2', [db.tenantCode, idNumber]);
}

export const ENROLLMENT_ID_NUMBER_TABLES = ['enrollment', 'payment', 'payment_reversal', 'waiting_value', 'payment_suspense'] as const;

/**
 * The payments of these (channel, receipt) keys. Looked up by receipt alone (= ANY keeps the index whatever
 * the planner believes of the table's size after a bulk load) and kept where the channel matches too.
 */
export async function paymentsByReceipts(db: TenantTransaction, keys: ReadonlyArray<{ channel: string; receiptNo: string }>): Promise<PaymentRow[]> {
  if (keys.length === 0) return [];
  // A number repeated under two channels is looked up once by the database; most imports find none.
  const rows = await db.query<PaymentRow>(
    `${PAYMENT_SELECT} WHERE p.tenant_code = $1 AND p.receipt_no = ANY ($2::text[])`,
    [db.tenantCode, keys.map((k) => k.receiptNo)],
    { planLargeArraysEachTime: true },
  );
  return ofReceipts(rows, keys);
}

/**
 * Of rows found by receipt number alone, those of the keys' channels too: a receipt is unique per
 * channel, and the same number may come from two. Most imports find no rows, and build no set.
 */
export function ofReceipts<Row extends { channel: string; receipt_no: string }>(
  rows: Row[],
  keys: ReadonlyArray<{ channel: string; receiptNo: string }>,
): Row[] {
  if (rows.length === 0) return rows;
  const wanted = new Set(keys.map((k) => paymentKey(k.channel, k.receiptNo)));
  return rows.filter((r) => wanted.has(paymentKey(r.channel, r.receipt_no)));
}

export async function paymentsOfEnrollments(db: TenantTransaction, keys: ReadonlyArray<{ idNumber: string; coverageYear: number }>): Promise<PaymentRow[]> {
  return db.query<PaymentRow>(
    `${PAYMENT_SELECT}
      WHERE p.tenant_code = $1 AND (p.id_number, p.coverage_year) IN (SELECT * FROM UNNEST($2::text[], $3::int[])) ORDER BY p.paid_on, p.receipt_no`,
    [db.tenantCode, keys.map((k) => k.idNumber), keys.map((k) => k.coverageYear)],
  );
}

/** A day's payments, optionally only those one caller recorded (a bank's own, for reconciliation). */
export async function paymentsOn(db: TenantTransaction, paidOn: string, recordedBy: string | null): Promise<PaymentRow[]> {
  return db.query<PaymentRow>(
    `${PAYMENT_SELECT} WHERE p.tenant_code = $1 AND p.paid_on = $2 AND ($3::text IS NULL OR p.recorded_by = $3)
      ORDER BY p.receipt_no, p.channel LIMIT 10000`,
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
  payerKind: PayerKind;
  payer: string | null;
  /** The enrolment as it was before this payment (null: there was none), for a reversal to put back. */
  enrollmentBefore: EnrollmentRow | null;
}

const PAYMENT_WRITE: ReadonlyArray<BulkColumn<PaymentWrite>> = [
  { name: 'receipt_no', type: 'text', value: (r) => r.receiptNo },
  { name: 'id_number', type: 'text', value: (r) => r.idNumber },
  { name: 'coverage_year', type: 'int', value: (r) => r.coverageYear },
  { name: 'amount', type: 'bigint', value: (r) => r.amount },
  { name: 'paid_on', type: 'date', value: (r) => r.paidOn },
  { name: 'channel', type: 'text', value: (r) => r.channel },
  { name: 'batch_id', type: 'text', value: (r) => r.batchId },
  { name: 'recorded_by', type: 'text', value: (r) => r.recordedBy },
  { name: 'payer_kind', type: 'text', value: (r) => r.payerKind },
  { name: 'payer', type: 'text', value: (r) => r.payer },
  { name: 'enrollment_before', type: 'jsonb', value: (r) => (r.enrollmentBefore ? JSON.stringify(r.enrollmentBefore) : null) },
];

/**
 * Makes payments already on record pay their enrolment again (a sponsorship resumed after the enrolment
 * ended and was enrolled again): `before`, the enrolment as it was just before, is what reversing the
 * payment now puts back.
 */
export async function repayWithPayments(
  db: TenantTransaction,
  rows: ReadonlyArray<{ channel: string; receiptNo: string; before: EnrollmentRow }>,
): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `UPDATE payment p SET enrollment_before = u.before
       FROM UNNEST($2::text[], $3::text[], $4::jsonb[]) AS u(channel, receipt_no, before)
      WHERE p.tenant_code = $1 AND p.channel = u.channel AND p.receipt_no = u.receipt_no`,
    [db.tenantCode, rows.map((r) => r.channel), rows.map((r) => r.receiptNo), rows.map((r) => JSON.stringify(r.before))],
  );
}

/** Inserts payments; a receipt already there is skipped. */
export async function insertPayments(db: TenantTransaction, rows: readonly PaymentWrite[]): Promise<void> {
  if (rows.length === 0) return;
  const set = unnestRows('r', PAYMENT_WRITE, rows, 2);
  await db.query(
    `INSERT INTO payment (tenant_code, ${PAYMENT_COLUMNS}) SELECT $1, ${PAYMENT_VALUES} FROM ${set.from}
      ON CONFLICT (tenant_code, channel, receipt_no) DO NOTHING`,
    [db.tenantCode, ...set.parameters],
  );
}

/**
 * Inserts payments whose receipts were all judged new: every row is written or the statement fails (a
 * receipt another transaction wrote meanwhile: takenMeanwhile), for a caller that then judges again. A
 * plain INSERT spares PostgreSQL the speculative insertion of ON CONFLICT (about 4 µs a row, a fifth of
 * the payment's insert), and the count comes back instead of the rows.
 */
export async function insertNewPayments(db: TenantTransaction, rows: readonly PaymentWrite[]): Promise<void> {
  if (rows.length === 0) return;
  const set = unnestRows('r', PAYMENT_WRITE, rows, 2);
  const [{ inserted }] = await db.query<{ inserted: number }>(
    countedInsert(`INSERT INTO payment (tenant_code, ${PAYMENT_COLUMNS}) SELECT $1, ${PAYMENT_VALUES} FROM ${set.from}`),
    [db.tenantCode, ...set.parameters],
  );
  writtenAll('payments', inserted, rows.length);
}

/** PAYMENT_WRITE's columns, and their values from `UNNEST(…) AS r`, for an INSERT … SELECT. */
const PAYMENT_COLUMNS = PAYMENT_WRITE.map((c) => c.name).join(', ');
const PAYMENT_VALUES = PAYMENT_WRITE.map((c) => `r.${c.name}`).join(', ');

/**
 * The error of insertNewPayments, insertNewPaidEnrollments or recordBatchRows
 * when another transaction wrote one of the receipts, enrolments or the batch after they were judged.
 */
export function takenMeanwhile(err: unknown): boolean {
  return TAKEN_MEANWHILE.has(uniqueViolation(err) ?? '');
}

const TAKEN_MEANWHILE = new Set(['payment_pkey', 'enrollment_pkey', 'payment_batch_outcome_pkey']);

/** A payment with the enrolment it found (null: none), locked, for its reversal. */
export async function paymentForReversal(
  db: TenantTransaction,
  channel: string,
  receiptNo: string,
): Promise<(PaymentRow & { enrollment_before: EnrollmentRow | null }) | null> {
  const rows = await db.query<PaymentRow & { enrollment_before: EnrollmentRow | null }>(
    `SELECT p.receipt_no, p.id_number, p.coverage_year, p.amount, p.paid_on, p.channel, p.batch_id, p.recorded_by, p.payer_kind, p.payer, p.enrollment_before,
            r.receipt_no IS NOT NULL AS reversed, r.reversed_on, r.reason AS reversal_reason
       FROM payment p LEFT JOIN payment_reversal r ON r.tenant_code = p.tenant_code AND r.channel = p.channel AND r.receipt_no = p.receipt_no
      WHERE p.tenant_code = $1 AND p.channel = $2 AND p.receipt_no = $3
      FOR UPDATE OF p`,
    [db.tenantCode, channel, receiptNo],
  );
  return rows[0] ?? null;
}

export interface ReversalWrite {
  channel: string;
  receiptNo: string;
  idNumber: string;
  coverageYear: number;
  amount: number;
  reversedOn: string;
  reason: string;
  statusBefore: EnrollmentState;
  reversedBy: string;
  role: string;
}

/**
 * Records a reversal; false when the payment was already reversed (by a concurrent request). The daily
 * paid counts are a ledger: a reversal takes its enrolment off on the day it is recorded, never before.
 * The enrolment's own write (restoreEnrollment) takes it off on the day it started counting (its payment
 * day, or `reopened_after` when later); this puts it back there and takes it off on `reversedOn` (not
 * before that day), in the same statement as the reversal. It reads that day from the enrolment as the
 * payment left it, so it runs before restoreEnrollment.
 */
export async function insertReversal(db: TenantTransaction, r: ReversalWrite): Promise<boolean> {
  const rows = await db.query(
    `WITH reversal AS (
       INSERT INTO payment_reversal (tenant_code, channel, receipt_no, id_number, coverage_year, amount, reversed_on, reason, status_before, reversed_by, role)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING RETURNING tenant_code, channel, receipt_no, id_number, coverage_year, reversed_on),
     entries AS (
       SELECT v.tenant_code, v.coverage_year, coalesce(e.region_code, '') AS region_code, ${countedFrom('p.paid_on', 'e.reopened_after')} AS day, 1 AS delta
         FROM reversal v
         JOIN payment p ON p.tenant_code = $1 AND p.tenant_code = v.tenant_code AND p.channel = v.channel AND p.receipt_no = v.receipt_no
         JOIN enrollment e ON e.tenant_code = $1 AND e.tenant_code = v.tenant_code AND e.id_number = v.id_number AND e.coverage_year = v.coverage_year
       UNION ALL
       SELECT v.tenant_code, v.coverage_year, coalesce(e.region_code, ''), ${stoppedCounting('v.reversed_on', countedFrom('p.paid_on', 'e.reopened_after'))}, -1
         FROM reversal v
         JOIN payment p ON p.tenant_code = $1 AND p.tenant_code = v.tenant_code AND p.channel = v.channel AND p.receipt_no = v.receipt_no
         JOIN enrollment e ON e.tenant_code = $1 AND e.tenant_code = v.tenant_code AND e.id_number = v.id_number AND e.coverage_year = v.coverage_year),
     ledger AS (${ledgerInsert('entries')})
     SELECT receipt_no FROM reversal`,
    [db.tenantCode, r.channel, r.receiptNo, r.idNumber, r.coverageYear, r.amount, r.reversedOn, r.reason, r.statusBefore, r.reversedBy, r.role],
  );
  return rows.length > 0;
}

/**
 * REVERSE_PAYMENT: the PAID enrolment becomes what it was before the payment (`before`; null: there was
 * none, and the row stays as NOT_ENROLLED with the amounts it had). False when it is no longer PAID.
 * `before` does not keep amounts_version: it takes the version `before` names, as a row not paid is
 * never judged by it, and the next payment writes both.
 */
export async function restoreEnrollment(
  db: TenantTransaction,
  idNumber: string,
  coverageYear: number,
  before: EnrollmentRow | null,
  to: EnrollmentState,
): Promise<boolean> {
  const rows = await db.query<EnrollmentChange>(
    ledgeredWrite(
      'o.tenant_code = $1 AND o.id_number = $2 AND o.coverage_year = $3',
      `UPDATE enrollment e SET status = $4,
            enrolled_on = coalesce(($5::jsonb ->> 'enrolled_on')::date, e.enrolled_on),
            circumstances = coalesce(ARRAY(SELECT jsonb_array_elements_text($5::jsonb -> 'circumstances')), e.circumstances),
            standard_contribution = coalesce(($5::jsonb ->> 'standard_contribution')::bigint, e.standard_contribution),
            subsidy = coalesce(($5::jsonb ->> 'subsidy')::bigint, e.subsidy),
            applied_category = CASE WHEN $5::jsonb IS NULL THEN e.applied_category ELSE $5::jsonb ->> 'applied_category' END,
            subsidy_mode = CASE WHEN $5::jsonb IS NULL THEN e.subsidy_mode ELSE $5::jsonb ->> 'subsidy_mode' END,
            amount_due = coalesce(($5::jsonb ->> 'amount_due')::bigint, e.amount_due),
            late = coalesce(($5::jsonb ->> 'late')::boolean, e.late),
            policy_version = CASE WHEN $5::jsonb IS NULL THEN e.policy_version ELSE ($5::jsonb ->> 'policy_version')::int END,
            amounts_version = CASE WHEN $5::jsonb IS NULL THEN e.amounts_version ELSE ($5::jsonb ->> 'policy_version')::int END,
            paid_on = ($5::jsonb ->> 'paid_on')::date,
            amount_paid = ($5::jsonb ->> 'amount_paid')::bigint,
            cover_start = ($5::jsonb ->> 'cover_start')::date,
            cover_end = ($5::jsonb ->> 'cover_end')::date,
            reopened_after = CASE WHEN $5::jsonb IS NULL THEN e.reopened_after ELSE ($5::jsonb ->> 'reopened_after')::date END,
            updated_at = now()
       FROM old o
      WHERE e.tenant_code = $1 AND e.id_number = $2 AND e.coverage_year = $3 AND e.status IN (${statesFromSql('REVERSE_PAYMENT')}) AND ${OLD_ROW_OF('e')}
      RETURNING ${LEDGER_RETURNING_OF('e')}`,
    ),
    [db.tenantCode, idNumber, coverageYear, to, before ? JSON.stringify(before) : null],
  );
  await applyToSchemeIndex(db, rows);
  return rows.length > 0;
}

/**
 * The amounts of enrolments whose waits were computed: the subsidy and category, and the cover of a paid
 * one where it is now known, under the version named now. The amount due and what was paid do not
 * change, nor does amounts_version, the version they are of.
 */
export async function setResolvedAmounts(
  db: TenantTransaction,
  rows: ReadonlyArray<{ idNumber: string; coverageYear: number; settlement: Settlement; paid: boolean; grantStands?: boolean }>,
): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    // amounts_version keeps the version the amounts are of; a row written before it was kept takes it from
    // policy_version here, before that is relabelled. Where a grant made meanwhile stands (grantStands), the
    // subsidy, category, mode and version stay those of that grant; the cover is written all the same.
    `UPDATE enrollment e SET subsidy = CASE WHEN u.grant_stands THEN e.subsidy ELSE u.subsidy END,
            applied_category = CASE WHEN u.grant_stands THEN e.applied_category ELSE u.category END,
            subsidy_mode = CASE WHEN u.grant_stands THEN e.subsidy_mode ELSE u.mode END,
            policy_version = CASE WHEN u.grant_stands THEN e.policy_version ELSE coalesce(u.policy_version, e.policy_version) END,
            amounts_version = coalesce(e.amounts_version, e.policy_version),
            cover_start = CASE WHEN u.paid THEN coalesce(e.cover_start, u.cover_start) ELSE e.cover_start END,
            cover_end = CASE WHEN u.paid THEN coalesce(e.cover_end, u.cover_end) ELSE e.cover_end END, updated_at = now()
       FROM UNNEST($2::text[], $3::int[], $4::bigint[], $5::text[], $6::text[], $7::boolean[], $8::date[], $9::date[], $10::int[], $11::boolean[])
            AS u(id_number, coverage_year, subsidy, category, mode, paid, cover_start, cover_end, policy_version, grant_stands)
      WHERE e.tenant_code = $1 AND e.id_number = u.id_number AND e.coverage_year = u.coverage_year`,
    [
      db.tenantCode,
      rows.map((r) => r.idNumber),
      rows.map((r) => r.coverageYear),
      rows.map((r) => r.settlement.subsidy),
      rows.map((r) => r.settlement.appliedCategory),
      rows.map((r) => r.settlement.mode),
      rows.map((r) => r.paid),
      rows.map((r) => r.settlement.coverage?.start ?? null),
      rows.map((r) => r.settlement.coverage?.end ?? null),
      rows.map((r) => r.settlement.policyVersion || null),
      rows.map((r) => r.grantStands === true),
    ],
  );
}

/** Enrolments of a year waiting for their money: how many, and what they owe. */
export async function unpaidTotals(db: TenantTransaction, coverageYear: number): Promise<{ count: number; amount: number }> {
  const [row] = await db.query<{ count: number; amount: number | null }>(
    `SELECT count(*)::int AS count, sum(amount_due)::bigint AS amount FROM enrollment WHERE tenant_code = $1 AND coverage_year = $2 AND status = 'UNPAID'`,
    [db.tenantCode, coverageYear],
  );
  return { count: row.count, amount: row.amount ?? 0 };
}

/** Reversals of a year (or all), for the money's balance: count and amount. */
export async function reversalTotals(db: TenantTransaction, coverageYear: number): Promise<{ count: number; amount: number }> {
  const [row] = await db.query<{ count: number; amount: number | null }>(
    'SELECT count(*)::int AS count, sum(amount)::bigint AS amount FROM payment_reversal WHERE tenant_code = $1 AND coverage_year = $2',
    [db.tenantCode, coverageYear],
  );
  return { count: row.count, amount: Number(row.amount ?? 0) };
}

/** Payments of a year: count and amount, the funding bodies' apart. */
export async function paymentTotals(db: TenantTransaction, coverageYear: number): Promise<{ count: number; amount: number; fundingBodyAmount: number }> {
  const [row] = await db.query<{ count: number; amount: number | null; funding: number | null }>(
    `SELECT count(*)::int AS count, sum(amount)::bigint AS amount, sum(amount) FILTER (WHERE payer_kind = 'FUNDING_BODY')::bigint AS funding
       FROM payment WHERE tenant_code = $1 AND coverage_year = $2`,
    [db.tenantCode, coverageYear],
  );
  return { count: row.count, amount: Number(row.amount ?? 0), fundingBodyAmount: Number(row.funding ?? 0) };
}

/** Other tenants that enrol these people for the year (the national one-scheme index). */
export async function enrolledElsewhere(db: TenantTransaction, idNumbers: readonly string[], coverageYear: number): Promise<Map<string, string[]>> {
  const rows = await db.query<{ id_number: string; tenant_code: string }>('SELECT id_number, tenant_code FROM scheme_elsewhere($1::text[], $2)', [
    idNumbers,
    coverageYear,
  ]);
  const result = new Map<string, string[]>();
  for (const row of rows) result.set(row.id_number, [...(result.get(row.id_number) ?? []), row.tenant_code].sort());
  return result;
}

/**
 * This tenant's enrolments of the year whose person another tenant also enrols (不重复参保 follow-up).
 * The index answers which people, from its own entries (scheme_duplicates); the enrolments are read
 * next, in a statement of their own: on Citus the index is another shard group.
 */
export async function enrollmentsAlsoElsewhere(db: TenantTransaction, coverageYear: number): Promise<Array<EnrollmentRow & { elsewhere: string[] }>> {
  const duplicates = await db.query<{ id_number: string; elsewhere: string[] }>('SELECT id_number, elsewhere FROM scheme_duplicates($1)', [coverageYear]);
  if (duplicates.length === 0) return [];
  const elsewhere = new Map(duplicates.map((d) => [d.id_number, d.elsewhere]));
  const rows = await db.query<EnrollmentRow>(
    `SELECT ${ENROLLMENT_COLUMNS} FROM enrollment
      WHERE tenant_code = $1 AND coverage_year = $2 AND id_number = ANY ($3::text[]) AND status IN (${ACTIVE_STATES_SQL})
      ORDER BY id_number`,
    [db.tenantCode, coverageYear, [...elsewhere.keys()]],
  );
  return rows.map((row) => ({ ...row, elsewhere: elsewhere.get(row.id_number)! }));
}

export interface HouseholdKeyRow {
  id: string;
  booklet_no: string;
  region_code: string;
  address: string | null;
}

/**
 * Households with a member (active, no waiver) who is not enrolled for the year, in booklet order after
 * `afterBookletNo`.
 */
export async function householdsWithUnenrolledMembers(
  db: TenantTransaction,
  coverageYear: number,
  first: number,
  afterBookletNo: string | null,
): Promise<HouseholdKeyRow[]> {
  return db.query<HouseholdKeyRow>(
    `SELECT h.id, h.booklet_no, h.region_code, h.address FROM household h
      WHERE h.tenant_code = $1 AND ($3::text IS NULL OR h.booklet_no > $3)
        AND EXISTS (
          SELECT 1 FROM resident r
           WHERE r.tenant_code = h.tenant_code AND r.household_id = h.id AND r.status = 'ACTIVE'
             AND NOT EXISTS (SELECT 1 FROM enrollment e WHERE e.tenant_code = r.tenant_code AND e.id_number = r.id_number
                               AND e.coverage_year = $2 AND e.status IN (${ACTIVE_STATES_SQL}))
             AND NOT EXISTS (SELECT 1 FROM waiver w WHERE w.tenant_code = r.tenant_code AND w.id_number = r.id_number AND w.coverage_year = $2))
      ORDER BY h.booklet_no LIMIT $4`,
    [db.tenantCode, coverageYear, afterBookletNo, first],
  );
}

export interface EnrollmentListQuery {
  coverageYear: number;
  statuses: readonly EnrollmentState[] | null;
  regions: string[] | null;
  category: string | null;
  late: boolean | null;
  order: 'ID_NUMBER' | 'PAID_ON' | 'ENROLLED_ON';
  descending: boolean;
  after: string[] | null;
  limit: number;
}

const ENROLLMENT_FILTER = `e.tenant_code = $1 AND e.coverage_year = $2 AND ($3::text[] IS NULL OR e.status = ANY($3::text[]))
  AND ($4::text[] IS NULL OR e.region_code = ANY($4::text[])) AND ($5::text IS NULL OR e.applied_category = $5) AND ($6::boolean IS NULL OR e.late = $6)`;

const ENROLLMENT_SORT = { ID_NUMBER: null, PAID_ON: "coalesce(e.paid_on::text, '9999-12-31')", ENROLLED_ON: 'e.enrolled_on::text' } as const;

/** The sort key of an enrolment row in a list ordered by `order`: its sort value (if any), then the ID number. */
export function enrollmentSortKey(row: EnrollmentRow, order: EnrollmentListQuery['order']): string[] {
  if (order === 'PAID_ON') return [row.paid_on ?? '9999-12-31', row.id_number];
  if (order === 'ENROLLED_ON') return [row.enrolled_on, row.id_number];
  return [row.id_number];
}

/** A page of a year's enrolments in a stable order (keyset on the sort value and the ID number). */
export async function enrollmentPage(db: TenantTransaction, q: EnrollmentListQuery): Promise<EnrollmentRow[]> {
  const sort = ENROLLMENT_SORT[q.order];
  const dir = q.descending ? 'DESC' : 'ASC';
  const cmp = q.descending ? '<' : '>';
  const after = sort ? `($7::text IS NULL OR (${sort}, e.id_number) ${cmp} ($7::text, $8::text))` : `($7::text IS NULL OR e.id_number ${cmp} $7::text)`;
  return db.query<EnrollmentRow>(
    `SELECT ${ENROLLMENT_ROW_COLUMNS.map((c) => `e.${c}`).join(', ')} FROM enrollment e
      WHERE ${ENROLLMENT_FILTER} AND ${after}
      ORDER BY ${sort ? `${sort} ${dir}, ` : ''}e.id_number ${dir} LIMIT ${sort ? '$9' : '$8'}`,
    [db.tenantCode, q.coverageYear, q.statuses, q.regions, q.category, q.late, q.after?.[0] ?? null, ...(sort ? [q.after?.[1] ?? null] : []), q.limit],
  );
}

export async function enrollmentCount(db: TenantTransaction, q: EnrollmentListQuery): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM enrollment e WHERE ${ENROLLMENT_FILTER}`, [
    db.tenantCode,
    q.coverageYear,
    q.statuses,
    q.regions,
    q.category,
    q.late,
  ]);
  return row.n;
}
