/**
 * A database of its own for each test file. On plain PostgreSQL a clone of the migrated template
 * (CREATE DATABASE … TEMPLATE, fast). On a Citus coordinator (scripts/test-on-citus.sh) a Citus database
 * is one database of the same name on every node, registered on the coordinator, which a template
 * cannot copy: it is created on each node, given the extension and the nodes' credentials, and
 * migrated (distributing its tables as a deployment's would).
 */
import pg from 'pg';
import { createLogger } from '../../src/common/logger';
import { runMigrations } from '../../src/server/database';

export const TEMPLATE_DATABASE = 'insurance_test_template';

/** The admin connection's server with another database. */
export function databaseUrl(adminUrl: string, name: string, host?: { host: string; port: number }): string {
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  if (host) {
    url.hostname = host.host;
    url.port = String(host.port);
  }
  return url.toString();
}

async function run<Row extends object = Record<string, unknown>>(url: string, sql: string, values: unknown[] = []): Promise<Row[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<Row>(sql, values)).rows;
  } finally {
    await client.end();
  }
}

export async function isCitus(adminUrl: string): Promise<boolean> {
  return (await run(adminUrl, "SELECT 1 FROM pg_extension WHERE extname = 'citus'")).length > 0;
}

interface CitusNodes {
  coordinator: { host: string; port: number };
  workers: Array<{ host: string; port: number }>;
  authinfo: Array<{ nodeid: number; rolename: string; authinfo: string }>;
}

async function citusNodes(adminUrl: string): Promise<CitusNodes> {
  const nodes = await run<{ host: string; port: number; group: number }>(
    adminUrl,
    "SELECT nodename AS host, nodeport AS port, groupid AS group FROM pg_dist_node WHERE noderole = 'primary' AND isactive ORDER BY groupid",
  );
  const coordinator = nodes.find((n) => n.group === 0);
  if (!coordinator) throw new Error('the Citus coordinator is not registered (citus_set_coordinator_host)');
  const authinfo = await run<CitusNodes['authinfo'][number]>(adminUrl, 'SELECT nodeid, rolename, authinfo FROM pg_dist_authinfo');
  return { coordinator, workers: nodes.filter((n) => n.group !== 0), authinfo };
}

/** Creates the test database `name`; returns its URL on the coordinator (or the server). */
export async function createTestDatabase(adminUrl: string, name: string): Promise<string> {
  if (!(await isCitus(adminUrl))) {
    await run(adminUrl, `CREATE DATABASE ${name} TEMPLATE ${TEMPLATE_DATABASE}`);
    return databaseUrl(adminUrl, name);
  }
  // Roles are the cluster's, not a database's: registering nodes and migrating send the roles to every
  // worker again, and two test files doing it at once collide there ("tuple concurrently updated").
  // They take turns under an advisory lock of the admin database.
  const lock = new pg.Client({ connectionString: adminUrl });
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock(7263800025)');
    return await createCitusDatabase(adminUrl, name);
  } finally {
    await lock.end();
  }
}

async function createCitusDatabase(adminUrl: string, name: string): Promise<string> {
  const { coordinator, workers, authinfo } = await citusNodes(adminUrl);
  for (const node of [coordinator, ...workers]) {
    await run(databaseUrl(adminUrl, 'postgres', node), `CREATE DATABASE ${name}`);
    const url = databaseUrl(adminUrl, name, node);
    await run(url, 'CREATE EXTENSION citus');
    for (const a of authinfo)
      await run(url, 'INSERT INTO pg_dist_authinfo (nodeid, rolename, authinfo) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [
        a.nodeid,
        a.rolename,
        a.authinfo,
      ]);
  }
  const url = databaseUrl(adminUrl, name);
  await run(url, 'SELECT citus_set_coordinator_host($1, $2)', [coordinator.host, coordinator.port]);
  for (const worker of workers) await run(url, 'SELECT citus_add_node($1, $2)', [worker.host, worker.port]);
  await runMigrations(url, createLogger('silent'));
  return url;
}

export async function dropTestDatabase(adminUrl: string, name: string): Promise<void> {
  if (!(await isCitus(adminUrl))) {
    await run(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    return;
  }
  const { coordinator, workers } = await citusNodes(adminUrl);
  for (const node of [coordinator, ...workers]) await run(databaseUrl(adminUrl, 'postgres', node), `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
}
