/** The Citus rules' text checks (test/helpers/citus-rules.ts) catch what Citus refuses, and let pass what it runs. */
import { migrationSourceProblems, pooledSqlProblems, sqlTextProblems } from '../helpers/citus-rules';

describe('SQL texts', () => {
  it('refuses a volatile function in ON CONFLICT DO UPDATE SET, and accepts EXCLUDED', () => {
    const upsert = (
      set: string,
    ) => `INSERT INTO region_target (tenant_code, coverage_year, region_code, target) SELECT $1, $2, r, t FROM UNNEST($3::text[], $4::int[]) AS x(r, t)
      ON CONFLICT (tenant_code, coverage_year, region_code) DO UPDATE SET ${set} RETURNING region_code`;
    expect(sqlTextProblems(upsert('target = EXCLUDED.target, set_at = now()'))).toEqual([expect.stringMatching(/calls now\(/)]);
    expect(sqlTextProblems(upsert('target = EXCLUDED.target, set_at = current_timestamp'))).toHaveLength(1);
    expect(sqlTextProblems(upsert('target = EXCLUDED.target, set_at = EXCLUDED.set_at'))).toEqual([]);
    // now() elsewhere in the statement (the inserted row) is fine.
    expect(sqlTextProblems(`WITH w AS (INSERT INTO t (a, at) VALUES ($1, now()) ON CONFLICT (a) DO UPDATE SET at = EXCLUDED.at) SELECT now()`)).toEqual([]);
  });

  it('refuses a function Citus will not run in RETURNING (to_char is STABLE), and accepts the column itself', () => {
    const insert = (returning: string) => `INSERT INTO policy_draft (tenant_code, source) VALUES ($1, $2) RETURNING id, ${returning}`;
    expect(sqlTextProblems(insert(`to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS created_at`))).toEqual([
      expect.stringMatching(/RETURNING calls to_char\(/),
    ]);
    expect(sqlTextProblems(insert('now() AS at'))).toHaveLength(1);
    expect(sqlTextProblems(insert('created_at, source'))).toEqual([]);
  });

  it('refuses an index function inside a statement that reads a tenant table, and accepts it alone', () => {
    const nested = `SELECT e.id_number, ARRAY(SELECT s.tenant_code FROM scheme_elsewhere(ARRAY[e.id_number], $2) s) FROM enrollment e WHERE e.tenant_code = $1`;
    expect(sqlTextProblems(nested)).toEqual([expect.stringMatching(/scheme_elsewhere called in a statement that also reads enrollment/)]);
    expect(sqlTextProblems('SELECT id_number, tenant_code FROM scheme_elsewhere($1::text[], $2)')).toEqual([]);
    // The bank lookup as it was: the index asked inside the statement over the tenant's rows.
    const lookup = `BEGIN RETURN QUERY SELECT r.name, ARRAY(SELECT s.tenant_code FROM scheme_elsewhere(ARRAY[p_id_number], p_year) s ORDER BY 1)
      FROM (SELECT 1) one LEFT JOIN resident r ON r.tenant_code = p_tenant AND r.id_number = p_id_number; END`;
    expect(sqlTextProblems(lookup)).toHaveLength(1);
  });

  it('refuses an INSERT … SELECT that Citus would COPY into row-level-secured shards', () => {
    const insert = 'INSERT INTO subsidy_grant (tenant_code, id_number) SELECT $1, g.id FROM UNNEST($2::text[]) AS g(id)';
    expect(sqlTextProblems(insert)).toEqual([expect.stringMatching(/without ON CONFLICT or RETURNING/)]);
    expect(sqlTextProblems(`${insert} RETURNING id`)).toEqual([]);
    expect(sqlTextProblems(`WITH w AS (${insert} RETURNING 1) SELECT count(*) FROM w`)).toEqual([]);
    expect(sqlTextProblems("INSERT INTO audit_log (tenant_code, actor) VALUES ($1, 'x')")).toEqual([]);
  });

  it('refuses SET CONSTRAINTS, a SET LOCAL sharing its message, and session state a pooler would leak', () => {
    expect(sqlTextProblems('SET CONSTRAINTS ALL DEFERRED')).toHaveLength(1);
    expect(sqlTextProblems("BEGIN; SET LOCAL app.tenant = '620702'")).toEqual([expect.stringMatching(/SET LOCAL sent with other statements/)]);
    expect(sqlTextProblems("SET LOCAL app.tenant = '620702'; SET LOCAL statement_timeout = 5000")).toEqual([]);
    expect(pooledSqlProblems('SET statement_timeout = 1000')).toEqual([expect.stringMatching(/session-level SET/)]);
    expect(pooledSqlProblems("SET LOCAL statement_timeout = 1000; SELECT set_config('app.tenant', '620702', true)")).toEqual([]);
    expect(pooledSqlProblems('LISTEN region_changed')).toHaveLength(1);
    expect(pooledSqlProblems('SELECT pg_advisory_lock(1)')).toHaveLength(1);
    expect(pooledSqlProblems('SELECT pg_advisory_xact_lock(1)')).toEqual([]);
  });
});

describe('migrations written after CitusReady', () => {
  it('refuse a table created with its keys or left undistributed', () => {
    const source = 'await q.query(`CREATE TABLE note (tenant_code text NOT NULL REFERENCES tenant (tenant_code), id bigint, PRIMARY KEY (tenant_code, id))`);';
    const problems = migrationSourceProblems('x.ts', source);
    expect(problems).toEqual([expect.stringMatching(/declares a foreign key/), expect.stringMatching(/without distributeNewTable/)]);
    const good = `await q.query(\`CREATE TABLE note (tenant_code text NOT NULL, id bigint, PRIMARY KEY (tenant_code, id))\`);
      await distributeNewTable(q, 'note');
      await q.query('ALTER TABLE note ADD CONSTRAINT note_tenant FOREIGN KEY (tenant_code) REFERENCES tenant (tenant_code)');`;
    expect(migrationSourceProblems('x.ts', good)).toEqual([]);
  });

  it('refuse a constraint added beside other subcommands, or unnamed with a column', () => {
    expect(migrationSourceProblems('x.ts', "await q.query(`ALTER TABLE resident ADD COLUMN a text, ADD CONSTRAINT resident_a CHECK (a <> '')`);")).toHaveLength(
      1,
    );
    expect(migrationSourceProblems('x.ts', "await q.query(`ALTER TABLE resident ADD COLUMN a text CHECK (a <> '')`);")).toHaveLength(1);
    expect(migrationSourceProblems('x.ts', 'await q.query(`ALTER TABLE resident ADD COLUMN a text, ADD COLUMN b date`);')).toEqual([]);
    expect(migrationSourceProblems('x.ts', 'await q.query(`CREATE TRIGGER t AFTER INSERT ON note FOR EACH ROW EXECUTE FUNCTION f()`);')).toHaveLength(1);
  });
});
