/**
 * Gets a database ready for the server: an embedded PostgreSQL when DATABASE_URL is unset, the
 * migrations run as the schema's owner, a login for the request role, and tenants/ written into the
 * tenant and region tables. Requests then connect as the request role, which RLS binds.
 */
import pg from 'pg';
import { ownerDataSource } from '../../ormconfig';
import { APP_ROLE } from '../../migrations/tenant-isolation';
import { type AppConfig, developmentSecret } from '../common/config';
import type { Logger } from '../common/logger';
import type { TenantCatalog } from '../policy-data/model';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../db/embedded';
import { setLocalTenant } from '../db/tenant-transaction';
import { REGION_CHANNEL } from '../domains/residents/regions.repository';

export const EMBEDDED_DATABASE_NAME = 'insurance';

export interface PreparedDatabase {
  ownerUrl: string;
  appUrl: string;
  embedded: EmbeddedDatabase | null;
  /** The database is a Citus coordinator (the `citus` extension is installed). */
  citus: boolean;
}

/** `progress`: each step in words, for a person watching the start. */
export async function prepareDatabase(
  config: AppConfig,
  catalog: TenantCatalog,
  log: Logger,
  progress: (step: string) => void = () => {},
): Promise<PreparedDatabase> {
  let embedded: EmbeddedDatabase | null = null;
  let ownerUrl = config.databaseUrl;
  if (!ownerUrl) {
    log.info('DATABASE_URL is unset: starting the embedded PostgreSQL', { dataDir: config.dataDir });
    progress(`starting PostgreSQL (embedded, as DATABASE_URL is unset; data in ${config.dataDir})…`);
    embedded = await startEmbeddedPostgres(config.dataDir, (line) => {
      log.info(line);
      progress(line);
    });
  }
  try {
    if (embedded) {
      // Inside the try: a failure here stops the PostgreSQL just started, as any later one does.
      await embedded.createDatabase(EMBEDDED_DATABASE_NAME);
      ownerUrl = embedded.url(EMBEDDED_DATABASE_NAME);
    }
    if (!ownerUrl) throw new Error('no database: DATABASE_URL is unset and none was started');
    await refuseStandby(ownerUrl);
    progress('migrating…');
    await runMigrations(ownerUrl, log);
    const appUrl = config.appDatabaseUrl ?? (await provisionRequestLogin(ownerUrl, config));
    const citus = await citusInstalled(ownerUrl);
    if (citus) await prepareCitusRequestRole(ownerUrl, appUrl);
    await syncTenants(ownerUrl, catalog, citus);
    return { ownerUrl, appUrl, embedded, citus };
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
}

/**
 * A server pointed at a streaming standby would answer reads and fail every write: it refuses to start
 * and says where each URL belongs.
 */
async function refuseStandby(ownerUrl: string): Promise<void> {
  const [row] = await ownerQuery<{ standby: boolean }>(ownerUrl, 'SELECT pg_is_in_recovery() AS standby');
  if (row.standby) {
    throw new Error('DATABASE_URL names a read-only standby: set DATABASE_URL to the primary, and the standby in DATABASE_READ_URL');
  }
}

export async function citusInstalled(ownerUrl: string): Promise<boolean> {
  return (await ownerQuery(ownerUrl, "SELECT 1 FROM pg_extension WHERE extname = 'citus'")).length > 0;
}

/**
 * On Citus the coordinator opens connections to the workers as the request role: it needs that role's
 * password for them (pg_dist_authinfo, nodeid 0: every node, -1: the coordinator itself). And the role
 * must send its SET LOCAL on to the workers (migration CitusReady sets it): without that, row-level
 * security on the workers sees no tenant and every read returns nothing, without an error, so the
 * server refuses to start instead.
 */
async function prepareCitusRequestRole(ownerUrl: string, appUrl: string): Promise<void> {
  const password = decodeURIComponent(new URL(appUrl).password);
  const authinfo = `password='${password.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  try {
    await ownerQuery(
      ownerUrl,
      `INSERT INTO pg_dist_authinfo (nodeid, rolename, authinfo) SELECT n, $1, $2 FROM unnest(ARRAY[0, -1]) AS n
       ON CONFLICT (nodeid, rolename) DO UPDATE SET authinfo = EXCLUDED.authinfo WHERE pg_dist_authinfo.authinfo IS DISTINCT FROM EXCLUDED.authinfo`,
      [APP_ROLE, authinfo],
    );
  } catch (err) {
    throw new Error(`cannot give the Citus workers the password of ${APP_ROLE} (${(err as Error).message}): add it to pg_dist_authinfo as a superuser`, {
      cause: err,
    });
  }
  const [setting] = await ownerQuery<{ value: string }>(appUrl, "SELECT current_setting('citus.propagate_set_commands') AS value");
  if (setting.value !== 'local') {
    throw new Error(
      `${APP_ROLE} has citus.propagate_set_commands = ${setting.value}: the tenant of row-level security would not reach the workers; ALTER ROLE ${APP_ROLE} SET citus.propagate_set_commands = 'local'`,
    );
  }
}

/**
 * A connection of its own for a step of the start. PostgreSQL ending it while no statement runs on it (a
 * restart, pg_terminate_backend, idle_session_timeout) is reported as an 'error' event, which ends the
 * process when nobody listens: the error is kept instead (`lost`), and the step's next statement fails.
 */
export function startupClient(connectionString: string): { client: pg.Client; lost: () => Error | undefined } {
  const client = new pg.Client({ connectionString });
  let lost: Error | undefined;
  client.on('error', (err) => {
    lost ??= err;
  });
  return { client, lost: () => lost };
}

async function ownerQuery<Row extends object = Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<Row[]> {
  const { client } = startupClient(url);
  await client.connect();
  try {
    return (await client.query<Row>(text, values)).rows;
  } finally {
    await client.end();
  }
}

/** Any fixed number: the advisory lock that lets one server at a time migrate a database. */
const MIGRATION_LOCK = 7_263_800_001;

/**
 * Runs the pending migrations. Servers starting together on a new release (a rolling deploy) would
 * each find the same migrations pending and the second would fail on what the first created, so they
 * take turns under an advisory lock on this database; the later one then finds nothing to do.
 */
export async function runMigrations(ownerUrl: string, log: Logger): Promise<void> {
  const { client: lock, lost } = startupClient(ownerUrl);
  await lock.connect();
  try {
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK]);
    const source = ownerDataSource(ownerUrl);
    await source.initialize();
    try {
      const applied = await source.runMigrations({ transaction: 'each' });
      for (const m of applied) log.info('migration applied', { migration: m.name });
    } finally {
      await source.destroy();
    }
    // Each migration committed on its own: what ran stands, but another server may have migrated beside it.
    const gone = lost();
    if (gone) throw new Error(`the connection holding the migration lock was lost while migrating (${gone.message}); start the server again`);
  } finally {
    await lock.end(); // ending the session releases the lock
  }
}

/** Any fixed number: the advisory lock under which one server at a time gives the request role its login. */
const LOGIN_LOCK = 7_263_800_002;

/**
 * Gives the request role a login, with the password of APP_DB_PASSWORD or one generated in the data
 * folder, and returns its connection string (the owner's with the role's name and password). A login
 * that works is never changed: other servers use it. When the role already logs in with a password
 * this server was not given, it refuses to start and says what to set, instead of resetting it and
 * locking the others out.
 *
 * Servers of one database take turns under an advisory lock. Advisory locks belong to a database while
 * the role belongs to the whole cluster, so a server of another database of the cluster (tests, a
 * staging database beside production) may give the login at the same moment: a refusal is believed
 * only when it outlasts reading the role, and a login given here only once it works.
 */
async function provisionRequestLogin(ownerUrl: string, config: AppConfig): Promise<string> {
  const password = config.appDbPassword ?? developmentSecret(config.dataDir, 'app-db-password');
  assertSafePassword(password);
  const url = new URL(ownerUrl);
  url.username = APP_ROLE;
  url.password = password;
  const appUrl = url.toString();
  if ((await loginRefusal(appUrl)) === null) return appUrl;
  const { client } = startupClient(ownerUrl);
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOGIN_LOCK]);
    if ((await loginRefusal(appUrl)) === null) return appUrl; // another server gave it this login meanwhile
    const [role] = (await client.query<{ rolcanlogin: boolean }>('SELECT rolcanlogin FROM pg_roles WHERE rolname = $1', [APP_ROLE])).rows;
    const granted = !role?.rolcanlogin;
    if (granted) await grantLogin(ownerUrl, password);
    // Asked again in both cases: a server of another database may have made the role a login with this
    // same password just before the read (then it works now), or with another just after the grant.
    const refusal = await loginRefusal(appUrl);
    if (refusal === null) return appUrl;
    if (granted) {
      throw new Error(
        `the request role ${APP_ROLE} was given its login and PostgreSQL still refuses it (${refusal}): pg_hba.conf may not let it in, or a server of another database of this cluster set another password at the same moment; set APP_DB_PASSWORD to the same value on every server, or APP_DATABASE_URL`,
      );
    }
    throw new Error(
      `the request role ${APP_ROLE} already logs in with a password this server was not given (PostgreSQL: ${refusal}); set APP_DB_PASSWORD to it (the same on every server) or APP_DATABASE_URL, or reset it with ALTER ROLE ${APP_ROLE} PASSWORD '…'`,
    );
  } finally {
    await client.end(); // ending the session releases the lock
  }
}

/** ALTER ROLE … LOGIN PASSWORD, retried when another server is altering the role at the same moment. */
export async function grantLogin(ownerUrl: string, password: string): Promise<void> {
  assertSafePassword(password);
  const { client } = startupClient(ownerUrl);
  await client.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        // assertSafePassword leaves no quote in the password; ALTER ROLE takes no bind parameters.
        await client.query(`ALTER ROLE ${APP_ROLE} WITH LOGIN PASSWORD '${password}'`);
        return;
      } catch (err) {
        const message = (err as Error).message;
        // On Citus the role is altered on every node too, and a collision there reaches the coordinator
        // as a failed connection to that node.
        if (attempt >= 10 || !/tuple concurrently updated|failure on connection marked as essential/.test(message)) {
          throw new Error(`cannot give ${APP_ROLE} a login (${message}); set APP_DATABASE_URL to its connection string instead`, { cause: err });
        }
        await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 80)); // jitter, so racers part
      }
    }
  } finally {
    await client.end();
  }
}

function assertSafePassword(password: string): void {
  if (!/^[A-Za-z0-9_-]{16,}$/.test(password)) throw new Error('APP_DB_PASSWORD must be at least 16 letters, digits, _ or -');
}

/**
 * Null when the login works; PostgreSQL's reason when it refuses the login (no login, wrong password:
 * SQLSTATE class 28). Anything else (too many clients, the server starting) is that error, not a login
 * to reset.
 */
async function loginRefusal(connectionString: string): Promise<string | null> {
  const { client } = startupClient(connectionString);
  try {
    await client.connect();
    return null;
  } catch (err) {
    const { code, message } = err as { code?: unknown; message: string };
    if (String(code ?? '').startsWith('28')) return `${String(code)} ${message}`;
    throw err;
  } finally {
    await client.end().catch(() => {});
  }
}

/**
 * Writes tenants/ into the tenant and region tables, tenant by tenant under that tenant's RLS setting,
 * and tells the servers that listen (each tenant's regions may have changed). On Citus the setting is a
 * SET LOCAL that the owner's session passes on to the workers.
 */
export async function syncTenants(ownerUrl: string, catalog: TenantCatalog, citus = false): Promise<void> {
  const { client } = startupClient(ownerUrl);
  await client.connect();
  try {
    await client.query('BEGIN');
    if (citus) await client.query("SET LOCAL citus.propagate_set_commands = 'local'");
    for (const tenant of catalog.tenants) {
      await client.query(setLocalTenant(tenant.code));
      await client.query(
        `INSERT INTO tenant (tenant_code, name) VALUES ($1, $2)
         ON CONFLICT (tenant_code) DO UPDATE SET name = EXCLUDED.name`,
        [tenant.code, tenant.name],
      );
      await client.query(
        `INSERT INTO region (tenant_code, code, name, kind, parent_code)
         SELECT $1, r.code, r.name, r.kind, r.parent_code
           FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[]) AS r(code, name, kind, parent_code)
         ON CONFLICT (tenant_code, code) DO UPDATE
           SET name = EXCLUDED.name, kind = EXCLUDED.kind, parent_code = EXCLUDED.parent_code`,
        [
          tenant.code,
          tenant.regions.map((r) => r.code),
          tenant.regions.map((r) => r.name),
          tenant.regions.map((r) => r.kind),
          tenant.regions.map((r) => r.parentCode),
        ],
      );
      await client.query(`SELECT pg_notify('${REGION_CHANNEL}', $1)`, [tenant.code]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => {});
    throw err;
  } finally {
    await client.end();
  }
}
