/**
 * Reads that look rows up by a large array are planned for that array every time they run: a plan kept
 * on the connection, made for a few elements while a county's table was nearly empty, compares every row
 * with every element once the table has grown (QueryOptions.planLargeArraysEachTime). And a transaction's
 * first write with a large array makes the connection's cached plans again, PostgreSQL's own plans
 * for the foreign keys' checks among them (PLANS_DISCARDED_BEFORE_BULK).
 */
import pg from 'pg';
import { PLANS_DISCARDED_BEFORE_BULK, TenantTransaction } from '../../src/db/tenant-transaction';
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

it("a transaction discards its connection's cached plans once, before its first write with an array of 100 or more", async () => {
  const pool = new pg.Pool({ connectionString: server.databaseUrl, max: 1 });
  const sent: string[] = [];
  pool.on('connect', (client) => {
    const query = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      const config = args[0] as string | { text: string };
      sent.push(typeof config === 'string' ? config : config.text);
      return query(...args);
    };
  });
  const mode = { citus: await isCitus(server.databaseUrl), pooled: false, statementTimeoutMs: 10_000 };
  const read = (tx: TenantTransaction, ids: string[]) =>
    tx.query('SELECT count(*)::int AS n FROM resident WHERE tenant_code = $1 AND id_number = ANY($2::text[]) /* discarded-plans: read */', ['620721', ids]);
  // Writes nothing: none of the ID numbers is registered.
  const write = (tx: TenantTransaction, ids: string[]) =>
    tx.query('UPDATE resident SET name = name WHERE tenant_code = $1 AND id_number = ANY($2::text[]) /* discarded-plans: write */', ['620721', ids]);
  const many = Array.from({ length: 100 }, (_, k) => `none-${k}`);
  const ran = () => sent.flatMap((text) => (text === PLANS_DISCARDED_BEFORE_BULK ? ['discard'] : (/discarded-plans: (\w+)/.exec(text)?.slice(1) ?? [])));
  try {
    const first = new TenantTransaction(pool, '620721', mode);
    await read(first, many);
    await write(first, many.slice(0, 99));
    await write(first, many);
    await write(first, many);
    await first.finish(false);
    expect(ran()).toEqual(['read', 'write', 'discard', 'write', 'write']);
    // Once per transaction: the next one on the same connection discards again.
    sent.length = 0;
    const second = new TenantTransaction(pool, '620721', mode);
    await write(second, many);
    await second.finish(false);
    expect(ran()).toEqual(['discard', 'write']);
  } finally {
    await pool.end();
  }
});

it("PostgreSQL keeps a foreign key check's plan made on a nearly empty table, and DISCARD PLANS makes it again", async () => {
  // The premise of PLANS_DISCARDED_BEFORE_BULK, on tables of its own: without autovacuum, nothing else
  // replaces the plan meanwhile. Sequential scans of the parent in the transaction: one per row checked.
  const client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  try {
    await client.query('CREATE TABLE premise_parent (k int PRIMARY KEY) WITH (autovacuum_enabled = false)');
    await client.query('CREATE TABLE premise_child (k int REFERENCES premise_parent) WITH (autovacuum_enabled = false)');
    await client.query('INSERT INTO premise_parent SELECT generate_series(1, 8)');
    await client.query('ANALYZE premise_parent');
    for (let k = 1; k <= 8; k += 1) await client.query('INSERT INTO premise_child VALUES ($1)', [k]);
    await client.query('INSERT INTO premise_parent SELECT generate_series(9, 20000)');
    // Counted in the transaction, before and after: counts not yet sent to the statistics stay with the backend.
    const scans = async () =>
      (await client.query<{ scans: number }>("SELECT pg_stat_get_xact_numscans('premise_parent'::regclass)::int AS scans")).rows[0].scans;
    const scansOfParent = async (first: string[]) => {
      await client.query('BEGIN');
      try {
        for (const sql of first) await client.query(sql);
        const before = await scans();
        await client.query('INSERT INTO premise_child SELECT generate_series(9, 108)');
        return (await scans()) - before;
      } finally {
        await client.query('ROLLBACK');
      }
    };
    expect(await scansOfParent([])).toBe(100);
    expect(await scansOfParent([PLANS_DISCARDED_BEFORE_BULK])).toBe(0);
  } finally {
    await client.query('DROP TABLE IF EXISTS premise_child, premise_parent').catch(() => {});
    await client.end();
  }
});
