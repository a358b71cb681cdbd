import type { MigrationInterface, QueryRunner } from 'typeorm';
import { distributeNewTable } from './citus';
import { isolateTenantTable, overEveryTenant } from './tenant-isolation';

/**
 * An import's row outcomes kept as one row per call (`payment_batch_outcome`), its rows' fields as
 * arrays in row order, instead of one row per imported payment (`payment_batch_row`).
 *
 * The tax system's batches are 10,000 payments a call. Kept a row each, their outcomes were a second
 * table as large as `payment`, written and indexed row by row inside every import: in `bench/` (an
 * import of 100,000 payments, 10 calls) that was 731 ms of PostgreSQL's time, against 10 rows now. The
 * outcomes stay what the tax system sent (an ID-number correction changes the payment, never what the
 * batch said), so they cannot be read off the payments instead.
 *
 * A call with a batch id already recorded (a replay) adds a recording of the rows whose outcome it
 * changes, and changes no recording: each row reads as its last ACCEPTED outcome if it has one (what was
 * accepted stays accepted, and the batch's counts and amounts for the day it came do not change when it
 * is sent again), else its last. The same rule payment_batch_row's replays applied in place.
 */
export class BatchOutcomesPerCall1763803900000 implements MigrationInterface {
  name = 'BatchOutcomesPerCall1763803900000';

  async up(q: QueryRunner): Promise<void> {
    const arrays = [
      'receipt_no',
      'channel',
      'id_number',
      'coverage_year',
      'amount',
      'paid_on',
      'status',
      'held',
      'code',
      'error',
      'error_zh',
      'policy_version',
    ];
    await q.query(`CREATE TABLE payment_batch_outcome (
      tenant_code text NOT NULL,
      batch_id text NOT NULL,
      recording integer NOT NULL,
      recorded_by text NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      row_index integer[] NOT NULL,
      receipt_no text[] NOT NULL,
      channel text[] NOT NULL,
      id_number text[] NOT NULL,
      coverage_year integer[] NOT NULL,
      amount bigint[] NOT NULL,
      paid_on date[] NOT NULL,
      status text[] NOT NULL,
      held boolean[] NOT NULL,
      code text[] NOT NULL,
      error text[] NOT NULL,
      error_zh text[] NOT NULL,
      policy_version integer[] NOT NULL,
      CONSTRAINT payment_batch_outcome_pkey PRIMARY KEY (tenant_code, batch_id, recording),
      CONSTRAINT payment_batch_outcome_recording_check CHECK (recording >= 1),
      CONSTRAINT payment_batch_outcome_rows_check CHECK (
        cardinality(row_index) >= 1 AND ${arrays.map((a) => `cardinality(${a}) = cardinality(row_index)`).join(' AND ')}),
      CONSTRAINT payment_batch_outcome_status_check CHECK (status <@ ARRAY['ACCEPTED', 'DUPLICATE', 'REJECTED']),
      CONSTRAINT payment_batch_outcome_keys_check CHECK (
        ${['row_index', 'receipt_no', 'channel', 'id_number', 'held'].map((a) => `array_position(${a}, NULL) IS NULL`).join(' AND ')})
    )`);
    await distributeNewTable(q, 'payment_batch_outcome');
    for (const sql of isolateTenantTable('payment_batch_outcome', 'SELECT, INSERT')) await q.query(sql);
    // Each batch's rows as they stand, a recording per call that last wrote some of them (a replay
    // rewrote the rows it changed, with its own time): read back, every row gives what it gave before.
    await overEveryTenant(q, ['payment_batch_row', 'payment_batch_outcome'], async () => {
      await q.query(`INSERT INTO payment_batch_outcome (tenant_code, batch_id, recording, recorded_by, recorded_at, row_index, ${arrays.join(', ')})
        SELECT tenant_code, batch_id, row_number() OVER (PARTITION BY tenant_code, batch_id ORDER BY recorded_at, recorded_by), recorded_by, recorded_at,
               array_agg(row_index ORDER BY row_index), ${arrays.map((a) => `array_agg(${a} ORDER BY row_index)`).join(', ')}
          FROM payment_batch_row GROUP BY tenant_code, batch_id, recorded_at, recorded_by`);
    });
    await q.query('DROP TABLE payment_batch_row');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE payment_batch_row (
      tenant_code text NOT NULL,
      batch_id text NOT NULL,
      row_index integer NOT NULL,
      receipt_no text NOT NULL,
      channel text NOT NULL,
      id_number text NOT NULL,
      coverage_year integer,
      amount bigint,
      paid_on date,
      status text NOT NULL CHECK (status IN ('ACCEPTED', 'DUPLICATE', 'REJECTED')),
      held boolean NOT NULL DEFAULT false,
      code text,
      error text,
      recorded_by text NOT NULL,
      recorded_at timestamptz NOT NULL DEFAULT now(),
      error_zh text,
      policy_version integer,
      PRIMARY KEY (tenant_code, batch_id, row_index)
    )`);
    await distributeNewTable(q, 'payment_batch_row');
    for (const sql of isolateTenantTable('payment_batch_row', 'SELECT, INSERT, UPDATE')) await q.query(sql);
    await overEveryTenant(q, ['payment_batch_row', 'payment_batch_outcome'], async () => {
      await q.query(`INSERT INTO payment_batch_row (tenant_code, batch_id, row_index, receipt_no, channel, id_number, coverage_year, amount, paid_on, status, held,
                                                    code, error, recorded_by, recorded_at, error_zh, policy_version)
        SELECT DISTINCT ON (o.tenant_code, o.batch_id, u.row_index) o.tenant_code, o.batch_id, u.row_index, u.receipt_no, u.channel, u.id_number, u.coverage_year,
               u.amount, u.paid_on, u.status, u.held, u.code, u.error, o.recorded_by, o.recorded_at, u.error_zh, u.policy_version
          FROM payment_batch_outcome o
         CROSS JOIN LATERAL unnest(o.row_index, o.receipt_no, o.channel, o.id_number, o.coverage_year, o.amount, o.paid_on, o.status, o.held, o.code, o.error,
                                   o.error_zh, o.policy_version)
               AS u(row_index, receipt_no, channel, id_number, coverage_year, amount, paid_on, status, held, code, error, error_zh, policy_version)
         ORDER BY o.tenant_code, o.batch_id, u.row_index, u.status = 'ACCEPTED' DESC, o.recording DESC`);
    });
    await q.query('DROP TABLE payment_batch_outcome');
  }
}
