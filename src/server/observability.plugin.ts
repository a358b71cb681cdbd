import type { ApolloServerPlugin } from '@apollo/server';
import { type GraphQLError, Kind, type OperationDefinitionNode } from 'graphql';
import type { Logger } from '../common/logger';
import type { RequestContext } from '../context/request-context';
import type { Metrics } from '../common/metrics';
import { errorCodeOf } from '../graphql/errors';

/**
 * One log line and one measurement per request: request id, tenant, actor, operation, outcome and
 * duration. Metrics are labelled from a bounded set, or anyone could mint series without end (4,000
 * anonymous requests made /metrics 10 MB): the name of a known client operation (schema/operations/),
 * else the one root field the schema bounds, else "other". The log line names every root field.
 */
export function observabilityPlugin(metrics: Metrics, log: Logger, knownOperations: ReadonlySet<string>): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ contextValue: ctx, operation, operationName, errors }) {
          // The duration runs to the end of the transaction (the COMMIT is part of the answer), measured
          // once it has ended, or at once when the request began none.
          const observe = (refusedWith: string | null) => {
            const seconds = Number(process.hrtime.bigint() - started) / 1e9;
            setImmediate(() => observeRequest(metrics, log, knownOperations, { ctx, operation, operationName, errors, seconds, refusedWith }));
          };
          // After the answer has left: the caller does not wait for its own log line. And after the end of
          // the transaction, which the transaction plugin's willSendResponse began in the same turn as this
          // one (in whichever order): a failed COMMIT replaces the operation's answer, and is its outcome.
          setImmediate(() => {
            if (ctx.ending) void ctx.ending.then(observe);
            else observe(null);
          });
        },
      };
    },
  };
}

/** The request's log line and measurements, whichever executor ran it. */
export function observeRequest(
  metrics: Metrics,
  log: Logger,
  knownOperations: ReadonlySet<string>,
  request: {
    ctx: RequestContext;
    operation: OperationDefinitionNode | undefined;
    operationName: string | undefined | null;
    errors: readonly GraphQLError[] | undefined;
    seconds: number;
    /** The code of the answer that replaced the operation's when its transaction did not end as it should (endRequest). */
    refusedWith?: string | null;
  },
): void {
  const { ctx, operation, operationName, errors, seconds, refusedWith } = request;
  const { name, label } = namesOf(operation, operationName, knownOperations);
  const first = errors?.[0];
  // What the request was answered with: a COMMIT that failed after the operation succeeded is not "ok".
  const outcome = refusedWith ?? (first ? errorCodeOf(first) : 'ok');
  metrics.observeRequest(label, outcome, seconds);
  log.info('request', {
    requestId: ctx.requestId,
    tenant: ctx.tenantCode,
    actor: ctx.actor?.sub ?? null,
    role: ctx.actor?.role ?? null,
    operation: name,
    outcome,
    durationMs: Math.round(seconds * 10_000) / 10,
  });
}

/** By operation, then by operation name: the compiled operations give the same node every time. */
const names = new WeakMap<OperationDefinitionNode, Map<string, { name: string; label: string }>>();

/** The request's operation as its log line names it (every root field), and its metrics label (bounded). */
function namesOf(
  operation: OperationDefinitionNode | undefined,
  operationName: string | undefined | null,
  knownOperations: ReadonlySet<string>,
): { name: string; label: string } {
  if (!operation) return { name: 'invalid', label: 'invalid' };
  let byName = names.get(operation);
  const known = byName?.get(operationName ?? '');
  if (known) return known;
  const fields = operation.selectionSet.selections.flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
  const rootFields = [...new Set(fields)].sort();
  const name = `${operation.operation} ${rootFields.join(',')}`;
  const label = operationName && knownOperations.has(operationName) ? operationName : rootFields.length === 1 ? name : `${operation.operation} other`;
  if (!byName) names.set(operation, (byName = new Map()));
  // Bounded: a client inventing operation names for one document does not grow it past a few.
  if (byName.size < 8) byName.set(operationName ?? '', { name, label });
  return { name, label };
}
