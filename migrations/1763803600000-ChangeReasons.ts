import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Why a change was made, where the act that made it asks for a reason: a death recorded by mistake and
 * withdrawn (withdrawDeath) says why beside who did it. Null for the changes that ask none, and for every
 * change recorded before. The history stays append-only (no UPDATE of its rows is granted).
 */
export class ChangeReasons1763803600000 implements MigrationInterface {
  name = 'ChangeReasons1763803600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE resident_change ADD COLUMN reason text');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE resident_change DROP COLUMN reason');
  }
}
