/**
 * Assembles the server: tenants/ loaded and checked, the database prepared, the domains' events wired,
 * the schema built, Apollo and the HTTP edge started. Used by `npm start` (src/main.ts) and by the HTTP
 * tests alike.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Pool } from 'pg';
import { type AppConfig, ConfigError } from './common/config';
import type { Logger } from './common/logger';
import { Metrics } from './common/metrics';
import { DomainEvents } from './context/domain-events';
import type { AppState, RequestContext } from './context/request-context';
import { coalescedTotals } from './db/coalesced-reads';
import { Connections } from './db/connections';
import { createPool } from './db/pool';
import { ReadReplicas } from './db/replicas';
import type { DatabaseMode } from './db/tenant-transaction';
import { errorFormatter, errorLanguagePlugin } from './graphql/errors';
import { graphqlArmor, parseOptions } from './graphql/limits';
import { knownOperationSignatures } from './graphql/operations';
import { loadTenants } from './policy-data/loader';
import { PolicyEngine } from './policy-engine/policy-engine';
import { prepareDatabase, type PreparedDatabase } from './server/database';
import { DatabaseHealth } from './server/health';
import { inputTextPlugin } from './server/input-text.plugin';
import { knownOperationsPlugin } from './server/known-operations.plugin';
import { createHttpServer, requestsEnded, stopKeepingAlive } from './server/http';
import { CompiledOperations } from './server/compiled-operations';
import { releaseHeldAtStart } from './server/held-release';
import { DOMAIN_MODULES } from './server/modules';
import { observabilityPlugin } from './server/observability.plugin';
import { importPolicyFiles } from './server/policy-files';
import { TenantSync } from './server/tenant-sync';
import { appSchema } from './server/schema';
import { sqlCountPlugin, transactionPlugin } from './server/transaction.plugin';
import { closeReadRecords } from './domains/audit/read-records';

export interface RunningServer {
  url: string;
  state: AppState;
  database: PreparedDatabase;
  /** The bank's and the tax system's operations, compiled (config.compiledOperations turns them off). */
  compiledOperations: CompiledOperations;
  /** Stops accepting, lets requests in flight finish, closes the pool and stops an embedded database. */
  close(): Promise<void>;
}

/** `progress`: each step of the start, in words, for a person watching (npm start prints them on stderr). */
export async function startServer(config: AppConfig, log: Logger, progress: (step: string) => void = () => {}): Promise<RunningServer> {
  const { catalog, warnings, problems } = loadTenants(config.tenantsDir);
  for (const warning of warnings) log.info('tenant data warning', { warning });
  // A refused file stops nothing: its year (or tenant) is served from the database if it has a version.
  for (const problem of problems) {
    log.error('tenant file refused', {
      file: problem.file,
      tenant: problem.tenantCode,
      coverageYear: problem.coverageYear,
      problems: problem.issues.map((i) => `${i.path || '(file)'}${i.line ? ` (line ${i.line})` : ''}: ${i.message.en}`),
    });
    progress(`refused ${problem.message}`);
  }
  const database = await prepareDatabase(config, catalog, log, progress);
  let pool: Pool | undefined;
  let apollo: ApolloServer<RequestContext> | undefined;
  let tenantSync: TenantSync | undefined;
  let replicas: ReadReplicas | null = null;
  const health = new DatabaseHealth(database.appUrl);
  try {
    const mode: DatabaseMode = { citus: database.citus, pooled: config.databasePooler === 'transaction', statementTimeoutMs: config.statementTimeoutMs };
    const poolOf = (url: string) =>
      createPool({
        url,
        size: config.poolSize,
        keepIdle: config.poolKeepIdle,
        statementTimeoutMs: config.statementTimeoutMs,
        applicationName: 'insurance-api',
        log,
        pooled: mode.pooled,
        coalescedReadsInFlight: config.lookupStatementsInFlight,
      });
    pool = poolOf(database.appUrl);
    await checkRequestConnection(pool, mode);
    replicas = await startReplicas(config, database, pool, poolOf, log);
    const connections = new Connections(pool, mode, replicas);
    const metrics = new Metrics(pool, () => coalescedTotals);
    const events = new DomainEvents<RequestContext>();
    for (const module of DOMAIN_MODULES) module.install?.(events);
    const state: AppState = { config, catalog, policyEngine: new PolicyEngine(), pool, connections, log, metrics, events };
    for (const outcome of await importPolicyFiles(database.ownerUrl, catalog, database.citus)) {
      if (outcome.action === 'PUBLISHED') log.info('policy year published from tenants/', { file: outcome.file, version: outcome.version });
      if (outcome.action === 'REFUSED') {
        log.error('policy year file refused: the version in force stays (the message says why)', {
          file: outcome.file,
          version: outcome.version,
          message: outcome.message,
        });
        progress(`refused tenants/${outcome.file}: ${outcome.message}`);
      }
    }
    // LISTEN needs a session of its own: behind a pooler in transaction mode, the direct connection.
    tenantSync = new TenantSync(state, mode.pooled ? database.ownerUrl : database.appUrl, log);
    await tenantSync.start();
    const tenants = tenantSync;
    state.regionsChanged = (tenantCode) => tenants.reload(tenantCode);
    state.policiesChanged = (tenantCode, then) => (then ? tenants.reloadThen(tenantCode, then) : tenants.reload(tenantCode));
    await releaseHeldAtStart(state, log, progress);
    // One armor for both executors: the compiled path validates a text with the rules Apollo does.
    const armor = graphqlArmor(config.production);
    // schema/operations/, read once for the allow-list, the metrics' labels and the compiled path.
    const knownOperations = knownOperationSignatures();
    apollo = createApollo(config, log, metrics, armor, knownOperations);
    await apollo.start();
    const compiledOperations = new CompiledOperations({
      schema: appSchema(),
      log,
      metrics,
      knownOperations,
      formatError: errorFormatter(log, config.production),
      development: !config.production,
      validationRules: armor.validationRules,
      introspection: !config.production,
      knownOperationsOnly: config.knownOperationsOnly,
    });
    const http = createHttpServer(state, apollo, health, { headersTimeoutMs: config.headersTimeoutMs }, compiledOperations);
    const runningReplicas = replicas;
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(config.port, () => {
        // Past the start, an error of the listening socket (out of file descriptors: EMFILE) is logged;
        // unheard, the second would end the process.
        http.off('error', reject);
        http.on('error', (err) => log.error('HTTP server error', { error: err.message }));
        resolve();
      });
    });
    const { port } = http.address() as AddressInfo;
    const runningApollo = apollo;
    const runningPool = pool;
    // A second call (a second signal, a test's cleanup after its own stop) waits for the first.
    let stopped: Promise<void> | null = null;
    return {
      url: `http://localhost:${port}/graphql`,
      state,
      database,
      compiledOperations,
      close: () => (stopped ??= stop()),
    };

    async function stop(): Promise<void> {
      stopKeepingAlive(http);
      await closeHttp(http, config.requestTimeoutMs + config.headersTimeoutMs);
      // Requests end by their deadline, and a statement still running when its request was abandoned
      // by statement_timeout: their audit records need the pool, closed below.
      if (!(await requestsEnded(http, config.requestTimeoutMs + config.statementTimeoutMs + 1_000)))
        log.error('requests still running at the stop: their audit records may be lost');
      log.info('stopped accepting; requests in flight are done');
      await runningApollo.stop();
      await tenants.stop();
      await closeReadRecords(state);
      await runningReplicas?.stop();
      await runningPool.end();
      await health.close();
      log.info('database pool closed');
      await database.embedded?.stop();
      if (database.embedded) log.info('embedded database stopped');
    }
  } catch (err) {
    await apollo?.stop().catch(() => {});
    await tenantSync?.stop().catch(() => {});
    await replicas?.stop().catch(() => {});
    await pool?.end().catch(() => {});
    await health.close().catch(() => {});
    await database.embedded?.stop();
    throw err;
  }
}

/**
 * The request role's first connection, before the server answers: a refusal is a start that fails
 * with the reason, not a server whose every request fails. PgBouncer refuses the startup option that
 * sets the statement timeout: that is a pooler the server was not told about.
 */
async function checkRequestConnection(pool: Pool, mode: DatabaseMode): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    const message = (err as Error).message;
    const hint =
      !mode.pooled && /unsupported startup parameter/.test(message)
        ? ': APP_DATABASE_URL leads to a pooler in transaction mode; set DATABASE_POOLER=transaction'
        : '';
    throw new Error(`the request role cannot connect (${message})${hint}`, { cause: err });
  }
}

/**
 * The read replicas of DATABASE_READ_URL, checked once before the server answers. Requests connect to
 * them as the request role, with its password (physical replicas have the primary's roles).
 */
async function startReplicas(
  config: AppConfig,
  database: PreparedDatabase,
  primary: Pool,
  poolOf: (url: string) => Pool,
  log: Logger,
): Promise<ReadReplicas | null> {
  if (config.databaseReadUrls.length === 0) return null;
  if (database.citus) {
    // A replica of the coordinator alone holds no shards, and one WAL position cannot say what every node has replayed.
    throw new ConfigError([
      'DATABASE_READ_URL is not supported on Citus: read from the primary cluster, or give Citus secondary nodes (citus.use_secondary_nodes)',
    ]);
  }
  const app = new URL(database.appUrl);
  const urls = config.databaseReadUrls.map((readUrl) => {
    const url = new URL(readUrl);
    url.username = app.username;
    url.password = app.password;
    return url.toString();
  });
  const replicas = new ReadReplicas(
    primary,
    urls,
    {
      maxLagBytes: config.replicaMaxLagBytes,
      maxLagSeconds: config.replicaMaxLagSeconds,
      pollMs: config.replicaCheckMs,
      timeoutMs: Math.max(1000, config.replicaCheckMs),
    },
    log,
    poolOf,
  );
  await replicas.start();
  for (const status of replicas.status()) log.info('read replica', { ...status });
  return replicas;
}

function createApollo(
  config: AppConfig,
  log: Logger,
  metrics: Metrics,
  armor: ReturnType<typeof graphqlArmor>,
  knownOperations: ReadonlyMap<string, string>,
): ApolloServer<RequestContext> {
  return new ApolloServer<RequestContext>({
    schema: appSchema(),
    validationRules: armor.validationRules,
    parseOptions,
    formatError: errorFormatter(log, config.production),
    introspection: !config.production,
    hideSchemaDetailsFromClientErrors: config.production,
    includeStacktraceInErrorResponses: !config.production,
    csrfPrevention: true,
    allowBatchedHttpRequests: false,
    // The server owns its shutdown order (src/main.ts): Apollo must not stop itself on signals.
    stopOnTerminationSignals: false,
    plugins: [
      ...armor.plugins,
      ApolloServerPluginLandingPageDisabled(),
      // No HTTP caching is offered; without this plugin Apollo wraps every field resolver to compute hints.
      ApolloServerPluginCacheControlDisabled(),
      transactionPlugin(log),
      errorLanguagePlugin(),
      inputTextPlugin(),
      observabilityPlugin(metrics, log, new Set(knownOperations.values())),
      ...(config.knownOperationsOnly.length ? [knownOperationsPlugin(config.knownOperationsOnly, knownOperations)] : []),
      ...(config.production ? [] : [sqlCountPlugin()]),
    ],
  });
}

/**
 * Stops accepting connections and waits for them to close: idle keep-alive sockets at once, the others
 * after their answer (stopKeepingAlive). Once closing, Node no longer times out headers or requests: a
 * connection whose request never completes (a client that hung half-way through its headers or body)
 * would hold the stop until the orchestrator kills the process, losing the read records still waiting.
 * After `graceMs` (a request's deadline and the time for its headers), every connection left is cut.
 */
function closeHttp(http: Server, graceMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const cut = setTimeout(() => http.closeAllConnections(), graceMs);
    http.close((err) => {
      clearTimeout(cut);
      if (err) reject(err);
      else resolve();
    });
    http.closeIdleConnections();
  });
}
