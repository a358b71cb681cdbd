import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The audit log also keeps reads of personal data (PIPL: who read whose personal information) and the
 * arguments of each root field, so that a mutation written with inline arguments still says whom it
 * changed. Refused mutations are recorded too (no schema change: outcome ERROR with their code).
 */
export class AuditReads1763801200000 implements MigrationInterface {
  name = 'AuditReads1763801200000';

  async up(q: QueryRunner): Promise<void> {
    // One statement per change: Citus refuses ADD CONSTRAINT together with other subcommands.
    await q.query(`ALTER TABLE audit_log ADD COLUMN kind text NOT NULL DEFAULT 'MUTATION', ADD COLUMN arguments jsonb NOT NULL DEFAULT '{}'`);
    await q.query(`ALTER TABLE audit_log ADD CONSTRAINT audit_log_kind CHECK (kind IN ('MUTATION', 'READ'))`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE audit_log DROP CONSTRAINT audit_log_kind');
    await q.query('ALTER TABLE audit_log DROP COLUMN arguments, DROP COLUMN kind');
  }
}
