import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `scheme_membership_apply` enters a county's new enrolments into the national index with a plain INSERT
 * first. Its ON CONFLICT DO NOTHING inserted each entry speculatively: a check of the key before the
 * insert, and a second WAL record to confirm it, for every entry of every import. An entry already there
 * (an index set right by hand, another request of the county entering the same person at once) fails the
 * plain INSERT, which is rolled back to its own savepoint and run again as before, skipping what exists.
 */
export class SchemeIndexPlainInsert1763804100000 implements MigrationInterface {
  name = 'SchemeIndexPlainInsert1763804100000';

  async up(q: QueryRunner): Promise<void> {
    await defineApply(
      q,
      `BEGIN
          INSERT INTO scheme_membership (id_number, coverage_year, tenant_code)
          SELECT e.id_number, e.coverage_year, v_tenant FROM unnest(p_enrolled, p_enrolled_years) AS e(id_number, coverage_year)
           ORDER BY 1, 2;
        EXCEPTION WHEN unique_violation THEN
          INSERT INTO scheme_membership (id_number, coverage_year, tenant_code)
          SELECT e.id_number, e.coverage_year, v_tenant FROM unnest(p_enrolled, p_enrolled_years) AS e(id_number, coverage_year)
           ORDER BY 1, 2
          ON CONFLICT DO NOTHING;
        END;`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await defineApply(
      q,
      `INSERT INTO scheme_membership (id_number, coverage_year, tenant_code)
        SELECT e.id_number, e.coverage_year, v_tenant FROM unnest(p_enrolled, p_enrolled_years) AS e(id_number, coverage_year)
         ORDER BY 1, 2
        ON CONFLICT DO NOTHING;`,
    );
  }
}

/** The function as migration CitusReady defined it, with `enter` for the entries that begin to enrol. */
async function defineApply(q: QueryRunner, enter: string): Promise<void> {
  await q.query(`CREATE OR REPLACE FUNCTION scheme_membership_apply(p_enrolled text[], p_enrolled_years integer[], p_ended text[], p_ended_years integer[])
    RETURNS void LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
    DECLARE v_tenant text := current_setting('app.tenant', true);
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
    END $$`);
}
