/**
 * Reads that look rows up by a large array are planned for that array every time they run: a plan kept
 * on the connection, made for a few elements while a county's table was nearly empty, compares every row
 * with every element once the table has grown (QueryOptions.planLargeArraysEachTime).
 */
import pg from 'pg';
import { TenantTransaction } from '../../src/db/tenant-transaction';
import { isCitus } from '../helpers/test-databases';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

it('a read by an array of 100 or more runs unprepared with planLargeArraysEachTime, and prepared otherwise', async () => {
  // One connection, so that every statement below meets the same prepared statements.
  const pool = new pg.Pool({ connectionString: server.databaseUrl, max: 1 });
  const tx = new TenantTransaction(pool, '620721', { citus: await isCitus(server.databaseUrl), pooled: false, statementTimeoutMs: 10_000 });
  try {
    const lookup = (ids: string[], planEachTime: boolean) =>
      tx.query('SELECT count(*)::int AS n FROM resident WHERE tenant_code = $1 AND id_number = ANY($2::text[]) /* planned-reads */', ['620721', ids], {
        planLargeArraysEachTime: planEachTime,
      });
    /** How many times the prepared statement of `lookup` ran on this connection (null: it is not prepared). */
    const preparedRuns = async () =>
      (
        await tx.query<{ runs: number | null }>(
          "SELECT (SELECT generic_plans + custom_plans FROM pg_prepared_statements WHERE statement LIKE '%/* planned-reads */')::int AS runs",
        )
      )[0].runs;
    const many = Array.from({ length: 100 }, (_, k) => `none-${k}`);
    expect(await lookup(many, true)).toEqual([{ n: 0 }]);
    expect(await preparedRuns()).toBeNull();
    // Without the option the same large array runs prepared.
    await lookup(many, false);
    expect(await preparedRuns()).toBe(1);
    // With it, an array of 99 runs the prepared statement, one of 100 does not.
    await lookup(many.slice(0, 99), true);
    expect(await preparedRuns()).toBe(2);
    await lookup(many, true);
    expect(await preparedRuns()).toBe(2);
  } finally {
    await tx.finish(false);
    await pool.end();
  }
});
