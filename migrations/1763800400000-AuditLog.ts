import type { MigrationInterface, QueryRunner } from 'typeorm';
import { APP_ROLE, isolateTenantTable } from './tenant-isolation';

/**
 * Every mutation's actor, role, tenant, operation, masked variables, outcome and time. Append-only for
 * the request role: it may add and read records, never change or remove them.
 */
export class AuditLog1763800400000 implements MigrationInterface {
  name = 'AuditLog1763800400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE audit_log (
      tenant_code text NOT NULL REFERENCES tenant (tenant_code),
      id bigint GENERATED ALWAYS AS IDENTITY,
      at timestamptz NOT NULL DEFAULT now(),
      request_id uuid NOT NULL,
      actor text NOT NULL,
      role text NOT NULL,
      operation text NOT NULL,
      fields text[] NOT NULL,
      variables jsonb NOT NULL,
      outcome text NOT NULL CHECK (outcome IN ('OK', 'ERROR')),
      error_codes text[] NOT NULL DEFAULT '{}',
      PRIMARY KEY (tenant_code, id)
    )`);
    await q.query('CREATE INDEX audit_log_recent ON audit_log (tenant_code, id DESC)');
    for (const sql of isolateTenantTable('audit_log', 'SELECT, INSERT')) await q.query(sql);
    await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM ${APP_ROLE}`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE audit_log');
  }
}
