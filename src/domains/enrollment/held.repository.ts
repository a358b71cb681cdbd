/**
 * SQL of what is held rather than refused: values an answer waits for (waiting_value), money the tax
 * system collected that cannot be matched to an enrolment yet (payment_suspense), and each import row's
 * outcomes (payment_batch_outcome, a row per call) for reconciliation. Writes are set-based.
 */
import { type BulkColumn, columnArrays, countedInsert, unnestRows } from '../../db/bulk';
import type { Localized } from '../../common/i18n';
import type { TenantTransaction } from '../../db/tenant-transaction';
import { lockAllUntilTransactionEnds, lockUntilTransactionEnds } from '../../db/transaction-locks';
import { ofReceipts, type PayerKind, paymentKey } from './enrollment.repository';

// ---- values a paid enrolment waits for ------------------------------------------------------------

export interface WaitingWrite {
  idNumber: string;
  coverageYear: number;
  missing: string;
  affects: string[];
  category: string | null;
  clause: string | null;
  refersTo: string | null;
  message: Localized;
  since: string;
}

const WAITING_WRITE: ReadonlyArray<BulkColumn<WaitingWrite>> = [
  { name: 'id_number', type: 'text', value: (w) => w.idNumber },
  { name: 'coverage_year', type: 'int', value: (w) => w.coverageYear },
  { name: 'missing', type: 'text', value: (w) => w.missing },
  { name: 'affects', type: 'text', value: (w) => w.affects.join(',') },
  { name: 'category', type: 'text', value: (w) => w.category },
  { name: 'clause', type: 'text', value: (w) => w.clause },
  { name: 'refers_to', type: 'text', value: (w) => w.refersTo },
  { name: 'message', type: 'text', value: (w) => w.message.en },
  { name: 'message_zh', type: 'text', value: (w) => w.message.zh },
  { name: 'since', type: 'date', value: (w) => w.since },
];

/** Records what waits; a value already waiting for the same enrolment is left as it is (since when stays). */
export async function insertWaiting(db: TenantTransaction, rows: readonly WaitingWrite[]): Promise<void> {
  if (rows.length === 0) return;
  const set = unnestRows('w', WAITING_WRITE, rows, 2);
  await db.query(
    `INSERT INTO waiting_value (tenant_code, id_number, coverage_year, missing, affects, category, clause, refers_to, message, message_zh, since)
     SELECT $1, w.id_number, w.coverage_year, w.missing, string_to_array(w.affects, ','), w.category, w.clause, w.refers_to, w.message, w.message_zh, w.since FROM ${set.from}
     ON CONFLICT (tenant_code, id_number, coverage_year, missing) WHERE status = 'WAITING' DO NOTHING`,
    [db.tenantCode, ...set.parameters],
  );
}

export interface WaitingRow {
  id: number;
  id_number: string;
  name: string | null;
  coverage_year: number;
  missing: string;
  affects: string[];
  category: string | null;
  clause: string | null;
  refers_to: string | null;
  message: string;
  /** Null on rows kept before messages were kept in Chinese too. */
  message_zh: string | null;
  since: string;
  status: 'WAITING' | 'RESOLVED' | 'CANCELLED';
  resolved_on: string | null;
  resolution: Record<string, unknown> | null;
  /** Why a wait whose value is stated now stays open, as of when it was last judged. */
  still_open: Localized | null;
}

const WAITING_SELECT = `SELECT w.id, w.id_number, r.name, w.coverage_year, w.missing, w.affects, w.category, w.clause, w.refers_to, w.message, w.message_zh, w.since,
       w.status, w.resolved_on, w.resolution, w.still_open
  FROM waiting_value w LEFT JOIN resident r ON r.tenant_code = w.tenant_code AND r.id_number = w.id_number`;

export interface WaitingFilter {
  coverageYear: number | null;
  missing: string | null;
  status: string;
}

/** A page of waiting values in id order after `afterId`, and their count. */
export async function waitingValues(db: TenantTransaction, filter: WaitingFilter, afterId: number | null, limit: number): Promise<WaitingRow[]> {
  return db.query<WaitingRow>(
    `${WAITING_SELECT}
      WHERE w.tenant_code = $1 AND w.status = $2 AND ($3::int IS NULL OR w.coverage_year = $3) AND ($4::text IS NULL OR w.missing = $4)
        AND ($5::bigint IS NULL OR w.id > $5)
      ORDER BY w.id LIMIT $6`,
    [db.tenantCode, filter.status, filter.coverageYear, filter.missing, afterId, limit],
  );
}

export async function countWaiting(db: TenantTransaction, filter: WaitingFilter): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM waiting_value w
      WHERE w.tenant_code = $1 AND w.status = $2 AND ($3::int IS NULL OR w.coverage_year = $3) AND ($4::text IS NULL OR w.missing = $4)`,
    [db.tenantCode, filter.status, filter.coverageYear, filter.missing],
  );
  return row.n;
}

export interface WaitingSummaryRow {
  coverage_year: number;
  missing: string;
  clause: string | null;
  refers_to: string | null;
  people: number;
  since: string;
}

/** What waits, grouped by the value it waits for: how many enrolments, since when. */
export async function waitingSummary(db: TenantTransaction, coverageYear: number | null): Promise<WaitingSummaryRow[]> {
  return db.query<WaitingSummaryRow>(
    `SELECT coverage_year, missing, min(clause) AS clause, min(refers_to) AS refers_to, count(*)::int AS people, min(since) AS since
       FROM waiting_value WHERE tenant_code = $1 AND status = 'WAITING' AND ($2::int IS NULL OR coverage_year = $2)
      GROUP BY coverage_year, missing ORDER BY coverage_year, missing`,
    [db.tenantCode, coverageYear],
  );
}

/**
 * Waits, until the transaction ends, for any other release of what is held in this tenant (an
 * administrator's releaseHeld, the run after a publication, a server's start). Two runs at once read the
 * same open waits and held payments, and each would grant what the waits resolve.
 */
export async function takeReleaseTurn(db: TenantTransaction): Promise<void> {
  await lockUntilTransactionEnds(db, 'RELEASE_HELD', db.tenantCode);
}

/** An enrolment, as the place a "compute when configured" run has reached in the open waits. */
export interface WaitsAfter {
  idNumber: string;
  coverageYear: number;
}

/**
 * A page of the tenant's open waits, what a "compute when configured" run looks at: every open wait of
 * the next `limit` enrolments with one after `after` (from the first with none), in enrolment order
 * (waiting_value_open), the last enrolment's waits last. A page holds an enrolment's waits whole: they are
 * judged together, and its subsidy granted once, as when one run read them all.
 */
export async function openWaits(db: TenantTransaction, after: WaitsAfter | null, limit: number): Promise<WaitingRow[]> {
  return db.query<WaitingRow>(
    `${WAITING_SELECT}
      WHERE w.tenant_code = $1 AND w.status = 'WAITING'
        AND (w.id_number, w.coverage_year) IN (
          SELECT DISTINCT o.id_number, o.coverage_year FROM waiting_value o
           WHERE o.tenant_code = $1 AND o.status = 'WAITING' AND (o.id_number, o.coverage_year) > ($2::text, $3::int)
           ORDER BY o.id_number, o.coverage_year LIMIT $4)
      ORDER BY w.id_number, w.coverage_year, w.id`,
    // '' sorts before every ID number: the first page starts at the first enrolment.
    [db.tenantCode, after?.idNumber ?? '', after?.coverageYear ?? 0, limit],
  );
}

/** Ends waits: RESOLVED with what the value came to, or CANCELLED (the enrolment no longer stands). */
export async function closeWaits(
  db: TenantTransaction,
  closes: ReadonlyArray<{ id: number; status: 'RESOLVED' | 'CANCELLED'; on: string; resolution: unknown }>,
): Promise<void> {
  if (closes.length === 0) return;
  await db.query(
    `UPDATE waiting_value w SET status = c.status, resolved_on = c.on_date, resolution = c.resolution
       FROM UNNEST($2::bigint[], $3::text[], $4::date[], $5::jsonb[]) AS c(id, status, on_date, resolution)
      WHERE w.tenant_code = $1 AND w.id = c.id AND w.status = 'WAITING'`,
    [db.tenantCode, closes.map((c) => c.id), closes.map((c) => c.status), closes.map((c) => c.on), closes.map((c) => JSON.stringify(c.resolution))],
  );
}

/**
 * What re-judging found of waits that stay open: why (the value is stated, but the version in force asks
 * other amounts than those paid), or null (the value is still unstated). Rows already saying so are not
 * written again.
 */
export async function noteWaitsStillOpen(db: TenantTransaction, notes: ReadonlyArray<{ id: number; because: Localized | null }>): Promise<void> {
  if (notes.length === 0) return;
  await db.query(
    `UPDATE waiting_value w SET still_open = n.because
       FROM UNNEST($2::bigint[], $3::jsonb[]) AS n(id, because)
      WHERE w.tenant_code = $1 AND w.id = n.id AND w.status = 'WAITING' AND w.still_open IS DISTINCT FROM n.because`,
    [db.tenantCode, notes.map((n) => n.id), notes.map((n) => (n.because ? JSON.stringify(n.because) : null))],
  );
}

/** The waits of one enrolment end with it (its payment reversed). */
export async function cancelWaitsOf(db: TenantTransaction, idNumber: string, coverageYear: number, on: string): Promise<void> {
  await db.query(
    `UPDATE waiting_value SET status = 'CANCELLED', resolved_on = $4, resolution = '{"reason":"the payment was reversed"}'
      WHERE tenant_code = $1 AND id_number = $2 AND coverage_year = $3 AND status = 'WAITING'`,
    [db.tenantCode, idNumber, coverageYear, on],
  );
}

// ---- money held in suspense -----------------------------------------------------------------------

export interface SuspenseWrite {
  channel: string;
  receiptNo: string;
  idNumber: string;
  coverageYear: number;
  amount: number;
  paidOn: string;
  payerKind: PayerKind;
  payer: string | null;
  batchId: string | null;
  rowIndex: number | null;
  received: Record<string, unknown>;
  reasonCode: string;
  reason: Localized;
  missing: string | null;
  recordedBy: string;
}

const SUSPENSE_WRITE: ReadonlyArray<BulkColumn<SuspenseWrite>> = [
  { name: 'channel', type: 'text', value: (r) => r.channel },
  { name: 'receipt_no', type: 'text', value: (r) => r.receiptNo },
  { name: 'id_number', type: 'text', value: (r) => r.idNumber },
  { name: 'coverage_year', type: 'int', value: (r) => r.coverageYear },
  { name: 'amount', type: 'bigint', value: (r) => r.amount },
  { name: 'paid_on', type: 'date', value: (r) => r.paidOn },
  { name: 'payer_kind', type: 'text', value: (r) => r.payerKind },
  { name: 'payer', type: 'text', value: (r) => r.payer },
  { name: 'batch_id', type: 'text', value: (r) => r.batchId },
  { name: 'row_index', type: 'int', value: (r) => r.rowIndex },
  { name: 'received', type: 'jsonb', value: (r) => JSON.stringify(r.received) },
  { name: 'reason_code', type: 'text', value: (r) => r.reasonCode },
  { name: 'reason', type: 'text', value: (r) => r.reason.en },
  { name: 'reason_zh', type: 'text', value: (r) => r.reason.zh },
  { name: 'missing', type: 'text', value: (r) => r.missing },
  { name: 'recorded_by', type: 'text', value: (r) => r.recordedBy },
];

/** Holds money in suspense; a receipt already held is left as it is. Returns the keys written (channel NUL receipt). */
export async function insertSuspense(db: TenantTransaction, rows: readonly SuspenseWrite[]): Promise<Set<string>> {
  if (rows.length === 0) return new Set();
  const set = unnestRows('s', SUSPENSE_WRITE, rows, 2);
  const columns = SUSPENSE_WRITE.map((c) => c.name);
  const written = await db.query<{ channel: string; receipt_no: string }>(
    `INSERT INTO payment_suspense (tenant_code, ${columns.join(', ')})
     SELECT $1, ${columns.map((c) => `s.${c}`).join(', ')} FROM ${set.from}
     ON CONFLICT (tenant_code, channel, receipt_no) DO NOTHING RETURNING channel, receipt_no`,
    [db.tenantCode, ...set.parameters],
  );
  return new Set(written.map((w) => paymentKey(w.channel, w.receipt_no)));
}

export interface SuspenseRow {
  id: number;
  channel: string;
  receipt_no: string;
  id_number: string;
  coverage_year: number;
  amount: number;
  paid_on: string;
  payer_kind: PayerKind;
  payer: string | null;
  batch_id: string | null;
  row_index: number | null;
  received: Record<string, unknown>;
  reason_code: string;
  reason: string;
  /** Null on rows kept before messages were kept in Chinese too. */
  reason_zh: string | null;
  missing: string | null;
  status: 'HELD' | 'MATCHED';
  matched_at: Date | null;
  received_at: Date;
}

const SUSPENSE_COLUMNS = `id, channel, receipt_no, id_number, coverage_year, amount, paid_on, payer_kind, payer, batch_id, row_index, received, reason_code, reason, reason_zh,
  missing, status, matched_at, received_at`;

export async function suspenseByReceipts(db: TenantTransaction, keys: ReadonlyArray<{ channel: string; receiptNo: string }>): Promise<SuspenseRow[]> {
  if (keys.length === 0) return [];
  const rows = await db.query<SuspenseRow>(
    `SELECT ${SUSPENSE_COLUMNS} FROM payment_suspense WHERE tenant_code = $1 AND receipt_no = ANY ($2::text[])`,
    [db.tenantCode, keys.map((k) => k.receiptNo)],
    { planLargeArraysEachTime: true },
  );
  return ofReceipts(rows, keys);
}

export interface SuspenseFilter {
  coverageYear: number | null;
  status: 'HELD' | 'MATCHED';
  batchId: string | null;
  idNumbers: string[] | null;
}

export async function suspenseRows(db: TenantTransaction, filter: SuspenseFilter, afterId: number | null, limit: number): Promise<SuspenseRow[]> {
  return db.query<SuspenseRow>(
    `SELECT ${SUSPENSE_COLUMNS} FROM payment_suspense
      WHERE tenant_code = $1 AND status = $2 AND ($3::int IS NULL OR coverage_year = $3) AND ($4::text IS NULL OR batch_id = $4)
        AND ($5::text[] IS NULL OR id_number = ANY ($5::text[])) AND ($6::bigint IS NULL OR id > $6)
      ORDER BY id LIMIT $7`,
    [db.tenantCode, filter.status, filter.coverageYear, filter.batchId, filter.idNumbers, afterId, limit],
  );
}

/**
 * A page of the tenant's held money, what matching it looks at: the next `limit` people with money held
 * after `after` in ID-number order (payment_suspense_held), from the first where `after` is null, of
 * `idNumbers` only where given; and every held payment of theirs, in the order it was held (by id), as one
 * read of them all took them. A page holds a person's payments whole, judged together: of two receipts for
 * one enrolment in a batch, the first pays and the second stays held as paid twice in that batch.
 * Two statements, each a plain read of the index whatever the table's statistics: as one statement, the
 * people joined to their payments, a table just filled and not yet analysed was planned as a nested loop
 * over both (10,000 × 10,000 comparisons, 20 s).
 */
export async function heldPage(
  db: TenantTransaction,
  idNumbers: readonly string[] | null,
  after: string | null,
  limit: number,
): Promise<{ people: string[]; rows: SuspenseRow[] }> {
  const people = await db.query<{ id_number: string }>(
    `SELECT DISTINCT id_number FROM payment_suspense
      WHERE tenant_code = $1 AND status = 'HELD' AND ($2::text[] IS NULL OR id_number = ANY ($2::text[])) AND id_number > $3
      ORDER BY id_number LIMIT $4`,
    // '' sorts before every ID number: the first page starts at the first person.
    [db.tenantCode, idNumbers, after ?? '', limit],
  );
  if (people.length === 0) return { people: [], rows: [] };
  const ids = people.map((p) => p.id_number);
  const rows = await db.query<SuspenseRow>(
    `SELECT ${SUSPENSE_COLUMNS} FROM payment_suspense WHERE tenant_code = $1 AND status = 'HELD' AND id_number = ANY ($2::text[]) ORDER BY id`,
    [db.tenantCode, ids],
    { planLargeArraysEachTime: true },
  );
  return { people: ids, rows };
}

export async function suspenseTotals(db: TenantTransaction, filter: Omit<SuspenseFilter, 'idNumbers'>): Promise<{ count: number; amount: number }> {
  const [row] = await db.query<{ count: number; amount: number | null }>(
    `SELECT count(*)::int AS count, sum(amount)::bigint AS amount FROM payment_suspense
      WHERE tenant_code = $1 AND status = $2 AND ($3::int IS NULL OR coverage_year = $3) AND ($4::text IS NULL OR batch_id = $4)`,
    [db.tenantCode, filter.status, filter.coverageYear, filter.batchId],
  );
  return { count: row.count, amount: row.amount ?? 0 };
}

/** Marks held money matched: its payment is now on record under the same channel and receipt. */
export async function markSuspenseMatched(db: TenantTransaction, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.query(
    `UPDATE payment_suspense SET status = 'MATCHED', matched_at = now() WHERE tenant_code = $1 AND id = ANY ($2::bigint[]) AND status = 'HELD'`,
    [db.tenantCode, ids],
    { planLargeArraysEachTime: true },
  );
}

/** Held money still not matchable: why, as of this attempt. */
export async function updateSuspenseReasons(
  db: TenantTransaction,
  rows: ReadonlyArray<{ id: number; reasonCode: string; reason: Localized; missing: string | null }>,
): Promise<void> {
  if (rows.length === 0) return;
  await db.query(
    `UPDATE payment_suspense s SET reason_code = u.code, reason = u.reason, reason_zh = u.reason_zh, missing = u.missing
       FROM UNNEST($2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[]) AS u(id, code, reason, missing, reason_zh)
      WHERE s.tenant_code = $1 AND s.id = u.id AND s.status = 'HELD'`,
    [
      db.tenantCode,
      rows.map((r) => r.id),
      rows.map((r) => r.reasonCode),
      rows.map((r) => r.reason.en),
      rows.map((r) => r.missing),
      rows.map((r) => r.reason.zh),
    ],
  );
}

// ---- each import row's outcome --------------------------------------------------------------------

export interface BatchRowWrite {
  rowIndex: number;
  receiptNo: string;
  channel: string;
  idNumber: string;
  coverageYear: number | null;
  amount: number | null;
  paidOn: string | null;
  status: 'ACCEPTED' | 'DUPLICATE' | 'REJECTED';
  held: boolean;
  code: string | null;
  error: Localized | null;
  /** The version of the policy year whose amount a row recorded as a payment paid, as the import answers it. */
  policyVersion: number | null;
}

const BATCH_ROW_WRITE: ReadonlyArray<BulkColumn<BatchRowWrite>> = [
  { name: 'row_index', type: 'int', value: (r) => r.rowIndex },
  { name: 'receipt_no', type: 'text', value: (r) => r.receiptNo },
  { name: 'channel', type: 'text', value: (r) => r.channel },
  { name: 'id_number', type: 'text', value: (r) => r.idNumber },
  { name: 'coverage_year', type: 'int', value: (r) => r.coverageYear },
  { name: 'amount', type: 'bigint', value: (r) => r.amount },
  { name: 'paid_on', type: 'date', value: (r) => r.paidOn },
  { name: 'status', type: 'text', value: (r) => r.status },
  { name: 'held', type: 'boolean', value: (r) => r.held },
  { name: 'code', type: 'text', value: (r) => r.code },
  { name: 'error', type: 'text', value: (r) => r.error?.en ?? null },
  { name: 'error_zh', type: 'text', value: (r) => r.error?.zh ?? null },
  { name: 'policy_version', type: 'int', value: (r) => r.policyVersion },
];

/**
 * Waits for any other call of these batches to end, then holds them until this transaction ends. Without
 * it, calls of one batch at once each judged all its rows, and all but the first judged them again once
 * the first committed. All of a request's batches at once, in one order: two requests naming batches X
 * and Y in opposite orders would otherwise each hold one and wait for the other.
 */
export async function takeBatchTurns(db: TenantTransaction, batchIds: readonly string[]): Promise<void> {
  await lockAllUntilTransactionEnds(
    db,
    'IMPORT_BATCH',
    batchIds.map((id) => `${db.tenantCode}:${id}`),
  );
}

/**
 * Records a call's row outcomes as one row (`payment_batch_outcome`), its fields as arrays in row order.
 * A batch's first call is recording 1. A replay (the same batch id again) records, as the next number,
 * only the rows whose outcome as they stand it changes (BATCH_ROWS_AS_THEY_STAND): none of a replay that
 * changes nothing, which leaves no trace. The same batch recorded meanwhile by another request takes the
 * number first and fails this statement (takenMeanwhile): the import is judged again, as a replay.
 */
export async function recordBatchRows(db: TenantTransaction, batchId: string, recordedBy: string, rows: readonly BatchRowWrite[]): Promise<void> {
  if (rows.length === 0) return;
  const [{ last }] = await db.query<{ last: number }>(
    'SELECT coalesce(max(recording), 0) AS last FROM payment_batch_outcome WHERE tenant_code = $1 AND batch_id = $2',
    [db.tenantCode, batchId],
  );
  const columns = BATCH_ROW_WRITE.map((c) => c.name).join(', ');
  const arrays = columnArrays(BATCH_ROW_WRITE, rows, 5);
  const parameters = [db.tenantCode, batchId, last + 1, recordedBy, ...arrays.parameters];
  if (last === 0) {
    await db.query(
      `INSERT INTO payment_batch_outcome (tenant_code, batch_id, recording, recorded_by, ${columns}) VALUES ($1, $2, $3, $4, ${arrays.placeholders})`,
      parameters,
    );
    return;
  }
  const fields = BATCH_ROW_WRITE.filter((c) => c.name !== 'row_index').map((c) => c.name);
  // Counted for Citus: an INSERT … SELECT without RETURNING goes into its shard as a COPY, which row-level security refuses.
  await db.query(
    countedInsert(`INSERT INTO payment_batch_outcome (tenant_code, batch_id, recording, recorded_by, ${columns})
      SELECT $1, $2, $3, $4, ${BATCH_ROW_WRITE.map((c) => `array_agg(g.${c.name} ORDER BY g.row_index)`).join(', ')}
        FROM unnest(${arrays.placeholders}) AS g(${columns})
        LEFT JOIN (${BATCH_ROWS_AS_THEY_STAND}) s ON s.row_index = g.row_index
       WHERE s.row_index IS NULL
          OR ((s.status <> 'ACCEPTED' OR g.status = 'ACCEPTED') AND (${fields.map((f) => `g.${f}`).join(', ')}) IS DISTINCT FROM (${fields.map((f) => `s.${f}`).join(', ')}))
      HAVING count(*) > 0`),
    parameters,
  );
}

/**
 * The rows of the batches `where` selects (a condition on `payment_batch_outcome o`) as they stand, from
 * the recordings of every call with their id: each row's last ACCEPTED outcome if it has one, else its
 * last. What was accepted stays accepted when the batch is sent again (the replay finds it a duplicate of
 * itself, or, after an ID-number correction, a conflict), so the batch's counts and amounts for the day
 * it came do not change; any other outcome is the latest call's. `where` is SQL written in the code,
 * never a value from a request.
 */
export function batchRowsAsTheyStand(where: string): string {
  return `SELECT DISTINCT ON (o.tenant_code, o.batch_id, u.row_index) o.tenant_code, o.batch_id, u.*, o.recorded_at
    FROM payment_batch_outcome o
   CROSS JOIN LATERAL unnest(${BATCH_ROW_WRITE.map((c) => `o.${c.name}`).join(', ')}) AS u(${BATCH_ROW_WRITE.map((c) => c.name).join(', ')})
   WHERE ${where}
   ORDER BY o.tenant_code, o.batch_id, u.row_index, u.status = 'ACCEPTED' DESC, o.recording DESC`;
}

const BATCH_ROWS_AS_THEY_STAND = batchRowsAsTheyStand('o.tenant_code = $1 AND o.batch_id = $2');

export interface BatchRowRow {
  row_index: number;
  receipt_no: string;
  channel: string;
  id_number: string;
  coverage_year: number | null;
  amount: number | null;
  paid_on: string | null;
  status: 'ACCEPTED' | 'DUPLICATE' | 'REJECTED';
  held: boolean;
  code: string | null;
  error: string | null;
  /** Null on rows kept before messages were kept in Chinese too. */
  error_zh: string | null;
  /** Null but for rows recorded as a payment, and on rows kept before it was. */
  policy_version: number | null;
  recorded_at: Date;
}

export interface BatchSummaryRow {
  rows: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  held: number;
  accepted_amount: number;
  held_amount: number;
  last_recorded_at: Date | null;
}

/**
 * A page of a batch's rows as they stand (of `status` only, when given; after row `afterIndex`) and the
 * whole batch's totals, in one statement: the recordings are unpacked and sorted once for both (as two
 * statements, each unpacked all 10,000 rows of a batch for every page).
 */
export async function batchPage(
  db: TenantTransaction,
  batchId: string,
  status: string | null,
  afterIndex: number | null,
  limit: number,
): Promise<{ summary: BatchSummaryRow; rows: BatchRowRow[] }> {
  const found = await db.query<{ [K in keyof BatchSummaryRow as `s_${K}`]: BatchSummaryRow[K] } & { [K in keyof BatchRowRow]: BatchRowRow[K] | null }>(
    `WITH r AS MATERIALIZED (${BATCH_ROWS_AS_THEY_STAND}),
     s AS (SELECT count(*)::int AS s_rows, count(*) FILTER (WHERE status = 'ACCEPTED')::int AS s_accepted,
                  count(*) FILTER (WHERE status = 'DUPLICATE')::int AS s_duplicates, count(*) FILTER (WHERE status = 'REJECTED')::int AS s_rejected,
                  count(*) FILTER (WHERE held)::int AS s_held,
                  coalesce(sum(amount) FILTER (WHERE status = 'ACCEPTED' AND NOT held), 0)::bigint AS s_accepted_amount,
                  coalesce(sum(amount) FILTER (WHERE held), 0)::bigint AS s_held_amount,
                  (SELECT max(recorded_at) FROM payment_batch_outcome WHERE tenant_code = $1 AND batch_id = $2) AS s_last_recorded_at
             FROM r),
     p AS (SELECT row_index, receipt_no, channel, id_number, coverage_year, amount, paid_on, status, held, code, error, error_zh, policy_version, recorded_at
             FROM r
            WHERE ($3::text IS NULL OR status = $3) AND ($4::int IS NULL OR row_index > $4)
            ORDER BY row_index LIMIT $5)
     SELECT s.*, p.* FROM s LEFT JOIN p ON true ORDER BY p.row_index`,
    [db.tenantCode, batchId, status, afterIndex, limit],
  );
  const first = found[0];
  const summary: BatchSummaryRow = {
    rows: first.s_rows,
    accepted: first.s_accepted,
    duplicates: first.s_duplicates,
    rejected: first.s_rejected,
    held: first.s_held,
    accepted_amount: first.s_accepted_amount,
    held_amount: first.s_held_amount,
    last_recorded_at: first.s_last_recorded_at,
  };
  // No row of the page: the totals come alone, on a row whose page columns are null.
  const rows = first.row_index === null ? [] : (found as unknown as BatchRowRow[]);
  return { summary, rows };
}
