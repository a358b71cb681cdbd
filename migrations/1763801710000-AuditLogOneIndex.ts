import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * audit_log kept two indexes on the same columns: its primary key (tenant_code, id) and
 * audit_log_recent (tenant_code, id DESC). A B-tree is read backwards as cheaply as forwards, so the
 * primary key already answers "a tenant's latest records first"; the second index only cost every
 * audited request (each mutation, each read of personal data) one more index insertion.
 */
export class AuditLogOneIndex1763801710000 implements MigrationInterface {
  name = 'AuditLogOneIndex1763801710000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX audit_log_recent');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('CREATE INDEX audit_log_recent ON audit_log (tenant_code, id DESC)');
  }
}
