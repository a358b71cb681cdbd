import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `scheme_membership_apply` inserts the index's new entries with a plain INSERT, and only when one of
 * them is there already (an index out of step with the enrolments, or a concurrent request that entered
 * the same person first) again with ON CONFLICT DO NOTHING.
 *
 * The entries it is given are enrolments that have just begun to enrol their person, so their keys are
 * new but for those cases. ON CONFLICT made every entry a speculative insertion: checked in the key,
 * inserted, confirmed, a second WAL record each. For 10,000 entries that was about 80 ms of the
 * backend's CPU against 50 ms plainly (PostgreSQL 18, the embedded server). The block is one
 * subtransaction a call, not one an entry; when the plain INSERT fails it is rolled back whole and the
 * fallback inserts what is missing. On Citus a subtransaction also sends SAVEPOINT to the workers the
 * transaction has open: the saving is not measured there. RETURNING keeps the INSERT … SELECT one that
 * Citus runs as INSERTs (the rule in test/helpers/citus-rules.ts), as everywhere else.
 *
 * Undone by SchemeIndexEntriesWithoutSubtransaction: the block's subtransaction per call overflowed the
 * backend's cache of them in a transaction of many calls. Its pieces are exported for that migration's down().
 */
export class SchemeIndexEntriesInsertedPlainly1763804300000 implements MigrationInterface {
  name = 'SchemeIndexEntriesInsertedPlainly1763804300000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(define(PLAIN_THEN_MISSING, PLAIN_THEN_MISSING_DECLARE));
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(define(INSERT_MISSING));
  }
}

/** The entries as CitusReady inserts them: ON CONFLICT DO NOTHING, no subtransaction. */
export const INSERT_MISSING = `INSERT INTO scheme_membership (id_number, coverage_year, tenant_code)
          SELECT e.id_number, e.coverage_year, v_tenant FROM unnest(p_enrolled, p_enrolled_years) AS e(id_number, coverage_year)
           ORDER BY 1, 2
          ON CONFLICT DO NOTHING;`;

/** The block this migration puts in: a plain INSERT, and on a duplicate the fallback, in its subtransaction. */
export const PLAIN_THEN_MISSING = `BEGIN
          WITH entered AS (
            INSERT INTO scheme_membership (id_number, coverage_year, tenant_code)
            SELECT e.id_number, e.coverage_year, v_tenant FROM unnest(p_enrolled, p_enrolled_years) AS e(id_number, coverage_year)
             ORDER BY 1, 2
            RETURNING 1)
          SELECT count(*) INTO v_entered FROM entered;
        EXCEPTION WHEN unique_violation THEN
          ${INSERT_MISSING}
        END;`;
export const PLAIN_THEN_MISSING_DECLARE = ' v_entered bigint;';

/** The function (migration CitusReady) with `enter` as the insertion of the entries and `declare` as more variables; its grants stay. */
export const define = (
  enter: string,
  declare = '',
) => `CREATE OR REPLACE FUNCTION scheme_membership_apply(p_enrolled text[], p_enrolled_years integer[], p_ended text[], p_ended_years integer[])
    RETURNS void LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE v_tenant text := current_setting('app.tenant', true);${declare}
    BEGIN
      IF v_tenant IS NULL OR v_tenant !~ '^[0-9]{6}$' THEN RAISE EXCEPTION 'scheme_membership_apply needs app.tenant'; END IF;
      IF cardinality(p_ended) > 0 THEN
        DELETE FROM scheme_membership m
         WHERE m.id_number = ANY (p_ended) AND m.tenant_code = v_tenant
           AND (m.id_number, m.coverage_year) IN (SELECT e.id_number, e.coverage_year FROM unnest(p_ended, p_ended_years) AS e(id_number, coverage_year));
      END IF;
      IF cardinality(p_enrolled) > 0 THEN
        ${enter}
      END IF;
    END $$`;
