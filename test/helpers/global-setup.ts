/**
 * Starts one real PostgreSQL for the whole test run (embedded, unless DATABASE_URL names a server) and
 * migrates a template database once; each test file then clones its own database from the template.
 */
import { chmodSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createLogger } from '../../src/common/logger';
import { runMigrations } from '../../src/server/database';
import { startEmbeddedPostgres } from '../../src/db/embedded';
import { isCitus, TEMPLATE_DATABASE } from './test-databases';

export default async function globalSetup(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'insurance-test-'));
  chmodSync(dataDir, 0o755); // PostgreSQL runs as the postgres user when tests run as root.
  process.env.DATA_DIR = dataDir;
  // Every test server logs here; globalTeardown fails the run if a line holds an unmasked ID number.
  process.env.LOG_LEVEL ??= 'info';
  process.env.LOG_FILE ??= join(dataDir, 'test-run.log');
  let adminUrl = process.env.DATABASE_URL;
  // A cluster that outlives the run keeps its request login from one run to the next: give it the same
  // password each time (each run's data folder is new, and a working login is never reset).
  if (adminUrl) process.env.APP_DB_PASSWORD ??= 'insurance-tests-request-role';
  if (!adminUrl) {
    const embedded = await startEmbeddedPostgres(dataDir, (line) => process.stderr.write(`${line}\n`));
    (globalThis as { embeddedForTests?: typeof embedded }).embeddedForTests = embedded;
    adminUrl = embedded.url('postgres');
  }
  process.env.TEST_ADMIN_DATABASE_URL = adminUrl;
  // On Citus each test file's database is created and migrated on its own (test-databases.ts).
  if (await isCitus(adminUrl)) return;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE}`);
    await admin.query(`CREATE DATABASE ${TEMPLATE_DATABASE}`);
  } finally {
    await admin.end();
  }
  const templateUrl = new URL(adminUrl);
  templateUrl.pathname = `/${TEMPLATE_DATABASE}`;
  await runMigrations(templateUrl.toString(), createLogger('silent'));
}
