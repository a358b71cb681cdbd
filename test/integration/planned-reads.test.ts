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

it('a read by an array of 100 or more runs unprepared with planLargeArraysEachTime, and is prepared once otherwise', async () => {
  // One connection, so that every statement below meets the same prepared statements.
  const pool = new pg.Pool({ connectionString: server.databaseUrl, max: 1 });
  try {
    const tx = new TenantTransaction(pool, '620721', { citus: await isCitus(server.databaseUrl), pooled: false, statementTimeoutMs: 10_000 });
    const lookup = (ids: string[], planEachTime: boolean) =>
      tx.query('SELECT count(*)::int AS n FROM resident WHERE tenant_code = $1 AND id_number = ANY($2::text[]) /* planned-reads */', ['620721', ids], {
        planLargeArraysEachTime: planEachTime,
      });
    const prepared = async () =>
      (await tx.query<{ n: number }>("SELECT count(*)::int AS n FROM pg_prepared_statements WHERE statement LIKE '%/* planned-reads */'"))[0].n;
    const many = Array.from({ length: 100 }, (_, k) => `none-${k}`);
    expect(await lookup(many, true)).toEqual([{ n: 0 }]);
    expect(await prepared()).toBe(0);
    // Fewer than 100: prepared as every statement is.
    await lookup(many.slice(0, 99), true);
    expect(await prepared()).toBe(1);
    // Without the option, a large array runs the prepared statement too.
    await lookup(many, false);
    expect(await prepared()).toBe(1);
    await tx.finish(true);
  } finally {
    await pool.end();
  }
});
