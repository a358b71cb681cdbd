import type { MigrationInterface, QueryRunner } from 'typeorm';
import { isolateTenantTable } from './tenant-isolation';

/**
 * Subsidy grants (参保资助) with who funds them, the monthly payouts of 先缴后补 reimbursements into
 * 一卡通 accounts, and refund requests (退费).
 */
export class SubsidiesAndRefunds1763800300000 implements MigrationInterface {
  name = 'SubsidiesAndRefunds1763800300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE subsidy_grant (
      tenant_code text NOT NULL REFERENCES tenant (tenant_code),
      id bigint GENERATED ALWAYS AS IDENTITY,
      id_number text NOT NULL,
      coverage_year integer NOT NULL,
      category text NOT NULL,
      mode text NOT NULL CHECK (mode IN ('NET_COLLECTION', 'REIMBURSEMENT', 'FULL_SPONSORSHIP')),
      kind text NOT NULL CHECK (kind IN ('AT_PAYMENT', 'TOP_UP', 'NEWLY_CERTIFIED')),
      amount bigint NOT NULL CHECK (amount > 0),
      granted_on date NOT NULL,
      payout_month text CHECK (payout_month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
      status text NOT NULL CHECK (status IN ('SETTLED', 'SCHEDULED', 'PAID_OUT', 'CANCELLED')),
      funding jsonb NOT NULL DEFAULT '[]',
      clause text,
      created_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_code, id),
      FOREIGN KEY (tenant_code, id_number, coverage_year) REFERENCES enrollment (tenant_code, id_number, coverage_year) ON UPDATE CASCADE,
      CHECK (status <> 'SCHEDULED' OR mode = 'REIMBURSEMENT')
    )`);
    await q.query('CREATE INDEX subsidy_grant_enrollment ON subsidy_grant (tenant_code, id_number, coverage_year)');
    await q.query('CREATE INDEX subsidy_grant_payout ON subsidy_grant (tenant_code, payout_month, status) WHERE payout_month IS NOT NULL');

    await q.query(`CREATE TABLE disbursement_batch (
      tenant_code text NOT NULL REFERENCES tenant (tenant_code),
      month text NOT NULL CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
      count integer NOT NULL,
      total bigint NOT NULL,
      paid_by text NOT NULL,
      paid_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (tenant_code, month)
    )`);

    await q.query(`CREATE TABLE refund (
      tenant_code text NOT NULL REFERENCES tenant (tenant_code),
      id_number text NOT NULL,
      coverage_year integer NOT NULL,
      reason text NOT NULL,
      requested_on date NOT NULL,
      status text NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED')),
      amount bigint NOT NULL CHECK (amount >= 0),
      cancelled_reimbursement bigint NOT NULL DEFAULT 0,
      explanation jsonb NOT NULL DEFAULT '[]',
      requested_by text NOT NULL,
      decided_by text,
      decided_at timestamptz,
      decision_note text,
      PRIMARY KEY (tenant_code, id_number, coverage_year),
      FOREIGN KEY (tenant_code, id_number, coverage_year) REFERENCES enrollment (tenant_code, id_number, coverage_year) ON UPDATE CASCADE
    )`);
    await q.query('CREATE INDEX refund_status ON refund (tenant_code, status)');

    for (const table of ['subsidy_grant', 'disbursement_batch', 'refund']) {
      for (const sql of isolateTenantTable(table)) await q.query(sql);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['refund', 'disbursement_batch', 'subsidy_grant']) await q.query(`DROP TABLE ${table}`);
  }
}
