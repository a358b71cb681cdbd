/**
 * The Citus rules (docs/scale.md), checked on plain PostgreSQL so that a migration or a query that
 * breaks one fails CI here, not later on a cluster: the migrated catalog, the source of migrations
 * written after CitusReady, and the SQL in src/. The SQL texts actually sent during the whole run are
 * checked too, by globalTeardown (test/helpers/citus-rules.ts).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { catalogProblems, CITUS_READY, migrationSourceProblems, sqlTemplates, sqlTextProblems } from '../helpers/citus-rules';
import { startTestServer, type TestServer } from '../helpers/server';
import { isCitus } from '../helpers/test-databases';

const ROOT = join(__dirname, '..', '..');

let server: TestServer;
let client: pg.Client;
let citus = false;
beforeAll(async () => {
  server = await startTestServer();
  client = new pg.Client({ connectionString: server.databaseUrl });
  await client.connect();
  citus = await isCitus(server.databaseUrl);
});
afterAll(async () => {
  await client.end();
  await server.close();
});

it('the migrated schema keeps the Citus rules', async () => {
  expect(await catalogProblems(client)).toEqual([]);
});

it('finds what breaks them: a cascading key, a trigger, an unnamed table, an SQL function over a tenant table, a sequence the request role cannot use', async () => {
  // On a cluster Citus refuses most of these itself (scripts/test-on-citus.sh): the check is for plain PostgreSQL.
  if (citus) return;
  await client.query('BEGIN');
  try {
    await client.query('ALTER TABLE waiver DROP CONSTRAINT waiver_tenant_code_id_number_fkey');
    await client.query('ALTER TABLE waiver ADD FOREIGN KEY (tenant_code, id_number) REFERENCES resident (tenant_code, id_number) ON UPDATE CASCADE');
    await client.query('CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$');
    await client.query('CREATE TRIGGER touched AFTER INSERT ON payment REFERENCING NEW TABLE AS n FOR EACH STATEMENT EXECUTE FUNCTION touch()');
    await client.query('CREATE TABLE settings (key text PRIMARY KEY, value text)');
    await client.query(
      "CREATE FUNCTION paid_count(p text) RETURNS bigint LANGUAGE sql AS $$ SELECT count(*) FROM enrollment WHERE tenant_code = p AND status = 'PAID' $$",
    );
    await client.query('CREATE TABLE note (tenant_code text NOT NULL, id integer GENERATED ALWAYS AS IDENTITY, PRIMARY KEY (id, tenant_code))');
    await client.query('REVOKE USAGE ON SEQUENCE audit_log_id_seq FROM insurance_app');
    const problems = (await catalogProblems(client)).join('\n');
    expect(problems).toMatch(/waiver_tenant_code_id_number_fkey of waiver has an ON UPDATE action/);
    expect(problems).toMatch(/trigger touched on payment/);
    expect(problems).toMatch(/table settings has no tenant_code and is not named/);
    expect(problems).toMatch(/function paid_count is LANGUAGE sql over enrollment/);
    expect(problems).toMatch(/note_pkey of note does not lead with tenant_code/);
    expect(problems).toMatch(/identity column note.id is integer/);
    expect(problems).toMatch(/tenant table note has no forced row-level security/);
    expect(problems).toMatch(/audit_log lets the request role insert but not use audit_log_id_seq/);
  } finally {
    await client.query('ROLLBACK');
  }
});

it('migrations written after CitusReady create their tables where Citus puts them, and add constraints one at a time', () => {
  const dir = join(ROOT, 'migrations');
  const later = readdirSync(dir).filter((f) => /^\d{13}-.*\.ts$/.test(f) && Number(f.slice(0, 13)) > CITUS_READY);
  expect(later.flatMap((f) => migrationSourceProblems(f, readFileSync(join(dir, f), 'utf8')))).toEqual([]);
});

/** The source files under `dir`, recursively. */
function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

it('the SQL written in src/ keeps the rules, its constants put in', () => {
  const problems: string[] = [];
  for (const file of sources(join(ROOT, 'src'))) {
    const text = readFileSync(file, 'utf8');
    for (const sql of sqlTemplates(text)) {
      for (const problem of sqlTextProblems(sql)) problems.push(`${file.slice(ROOT.length + 1)}: ${problem}`);
    }
    const relative = file.slice(ROOT.length + 1);
    // The plain-PostgreSQL path of the tenant transaction sets the tenant so; on Citus it sends SET LOCAL.
    if (/set_config\(\s*'app\.tenant'/.test(text) && relative !== join('src', 'db', 'tenant-transaction.ts')) {
      problems.push(`${relative}: set_config('app.tenant', …) does not reach Citus workers; open a TenantTransaction`);
    }
  }
  expect(problems).toEqual([]);
});
