// The floor: node:http + pg running the same SQL as the API's enrollmentStatus (src/domains/enrollment/
// status-lookup.ts), in the same one-round-trip read-only transaction, as the same database role.
// No GraphQL, no auth, no policy engine.
// Usage: APP_DATABASE_URL=… PORT=… TENANT=… node bench/peers/bare.mjs
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import pg from 'pg';

const require = createRequire(import.meta.url);
const { STATUS_SQL } = require('../../dist/src/domains/enrollment/status-lookup.js');
const { inlineParameters } = require('../../dist/src/db/tenant-transaction.js');
const tenant = process.env.TENANT;
const year = Number(process.env.YEAR ?? 2022);
const pool = new pg.Pool({ connectionString: process.env.APP_DATABASE_URL, max: Number(process.env.PG_POOL_SIZE ?? 10) });
pool.on('error', () => {});

createServer(async (req, res) => {
  const id = new URL(req.url, 'http://x').searchParams.get('id');
  const client = await pool.connect();
  try {
    // The same one round trip as the API's lookup (TenantTransaction.readAlone).
    const results = await client.query(`BEGIN READ ONLY; SELECT set_config('app.tenant', '${tenant}', true); ${inlineParameters(STATUS_SQL, [tenant, id, year])}; COMMIT`);
    const { rows } = results[2];
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ status: rows[0].status ?? 'NOT_ENROLLED', amountPaid: rows[0].amount_paid }));
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    res.writeHead(500);
    res.end(String(err));
  } finally {
    client.release();
  }
}).listen(Number(process.env.PORT), () => process.send?.('ready'));
