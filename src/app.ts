/**
 * Assembles the server: tenants/ loaded and checked, the database prepared, the schema built, Apollo
 * and the HTTP edge started. Used by `npm start` (src/main.ts) and by the HTTP tests alike.
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { Kind } from 'graphql';
import type { Pool } from 'pg';
import { type AuditEntry, AuditService } from './audit/audit.service';
import { DomainError } from './common/errors';
import type { AppConfig } from './config/config';
import type { AppState, Logger, RequestContext } from './context/request-context';
import { prepareDatabase, type PreparedDatabase } from './db/bootstrap';
import { createPool } from './db/pool';
import { errorFormatter } from './graphql/errors';
import { graphqlArmor } from './graphql/limits';
import { Metrics } from './observability/metrics';
import { observabilityPlugin } from './observability/observability.plugin';
import { appSchema } from './graphql/schema';
import { createHttpServer } from './http/server';
import { PolicyService } from './policy/policy.service';
import { loadTenants } from './tenants/loader';

export interface RunningServer {
  url: string;
  state: AppState;
  database: PreparedDatabase;
  /** Stops accepting, lets requests in flight finish, closes the pool and stops an embedded database. */
  close(): Promise<void>;
}

/** `progress`: each step of the start, in words, for a person watching (npm start prints them on stderr). */
export async function startServer(config: AppConfig, log: Logger, progress: (step: string) => void = () => {}): Promise<RunningServer> {
  const { registry, warnings } = loadTenants(config.tenantsDir);
  for (const warning of warnings) log.info('tenant data warning', { warning });
  const database = await prepareDatabase(config, registry, log, progress);
  let pool: Pool | undefined;
  let apollo: ApolloServer<RequestContext> | undefined;
  try {
    pool = createPool({ url: database.appUrl, size: config.poolSize, statementTimeoutMs: config.statementTimeoutMs, applicationName: 'insurance-api', log });
    const metrics = new Metrics(pool);
    const state: AppState = { config, registry, policyEngine: new PolicyService(), pool, log, metrics };
    apollo = createApollo(config, log, metrics);
    await apollo.start();
    const http = createHttpServer(state, apollo);
    await new Promise<void>((resolve, reject) => {
      http.once('error', reject);
      http.listen(config.port, () => resolve());
    });
    const { port } = http.address() as AddressInfo;
    const runningApollo = apollo;
    const runningPool = pool;
    return {
      url: `http://localhost:${port}/graphql`,
      state,
      database,
      close: async () => {
        await closeHttp(http);
        log.info('stopped accepting; requests in flight are done');
        await runningApollo.stop();
        await runningPool.end();
        log.info('database pool closed');
        await database.embedded?.stop();
        if (database.embedded) log.info('embedded database stopped');
      },
    };
  } catch (err) {
    await apollo?.stop().catch(() => {});
    await pool?.end().catch(() => {});
    await database.embedded?.stop();
    throw err;
  }
}

function createApollo(config: AppConfig, log: Logger, metrics: Metrics): ApolloServer<RequestContext> {
  const armor = graphqlArmor(config.production);
  return new ApolloServer<RequestContext>({
    schema: appSchema(),
    validationRules: armor.validationRules,
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
      observabilityPlugin(metrics, log),
      ...(config.production ? [] : [sqlCountPlugin()]),
    ],
  });
}

/** The request's deadline ended its transaction before the commit could. */
class DeadlinePassed extends Error {
  constructor() {
    super('the request passed its deadline before it could commit');
  }
}

/**
 * Ends the request's transaction before the response leaves: committed when the operation had no
 * error, rolled back otherwise. A mutation's audit record is written in that same transaction when it
 * succeeds, so no change is ever kept without its record; when it fails, the record of the failure is
 * written after the rollback. A failed COMMIT turns the answer into an error, never a false success.
 */
function transactionPlugin(log: Logger): ApolloServerPlugin<RequestContext> {
  const audit = new AuditService();
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue: ctx, errors, response, operation, operationName, request }) {
          const failed = (errors?.length ?? 0) > 0;
          const fields = (operation?.selectionSet.selections ?? []).flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
          const entry: AuditEntry | null =
            operation?.operation === 'mutation' && ctx.authorizedTenantCode
              ? {
                  operation: operationName ?? fields.join(','),
                  fields,
                  variables: request.variables ?? {},
                  outcome: failed ? 'ERROR' : 'OK',
                  errorCodes: (errors ?? []).map((e) => (e.originalError instanceof DomainError ? e.originalError.code : String(e.extensions?.code ?? 'INTERNAL_SERVER_ERROR'))),
                }
              : null;
          try {
            if (entry && !failed) await audit.record(ctx, ctx.db, entry);
            if (!(await ctx.finish(!failed))) throw new DeadlinePassed();
          } catch (err) {
            await ctx.finish(false).catch(() => {});
            const code = err instanceof DeadlinePassed ? 'TIMEOUT' : 'INTERNAL_SERVER_ERROR';
            log.error('commit failed', { requestId: ctx.requestId, error: (err as Error).message });
            response.http.status = err instanceof DeadlinePassed ? 503 : 500;
            response.body = {
              kind: 'single',
              singleResult: { errors: [{ message: 'The change could not be saved; nothing was written', extensions: { code } }] },
            };
            if (entry) Object.assign(entry, { outcome: 'ERROR', errorCodes: [code] });
          }
          if (entry?.outcome === 'ERROR') {
            const tx = ctx.openTransaction();
            try {
              await audit.record(ctx, tx, entry);
              await tx.finish(true);
            } catch (err) {
              await tx.finish(false).catch(() => {});
              log.error('audit record of a failed mutation not written', { requestId: ctx.requestId, error: (err as Error).message });
            }
          }
        },
      };
    },
  };
}

/**
 * Outside production, reports how many SQL statements the request ran in `extensions.sqlStatements`:
 * the tests and the benchmark use it to show nested reads do not grow with the data (no N+1).
 */
function sqlCountPlugin(): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ contextValue, response }) {
          if (response.body.kind === 'single') {
            response.body.singleResult.extensions = { ...response.body.singleResult.extensions, sqlStatements: contextValue.sqlStatements };
          }
        },
      };
    },
  };
}

/** Stops accepting connections and waits for requests in flight; idle keep-alive sockets are closed. */
function closeHttp(http: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    http.close((err) => (err ? reject(err) : resolve()));
    http.closeIdleConnections();
  });
}
