import type { ApolloServerPlugin } from '@apollo/server';
import { Kind } from 'graphql';
import { DomainError } from '../common/errors';
import type { Logger } from '../common/logger';
import type { RequestContext } from '../context/request-context';
import type { Metrics } from '../common/metrics';

/**
 * One log line and one measurement per request: request id, tenant, actor, operation, outcome and
 * duration. The operation is named by its root fields, which the schema bounds (client-chosen
 * operation names would let anyone grow the metrics without end).
 */
export function observabilityPlugin(metrics: Metrics, log: Logger): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      const started = process.hrtime.bigint();
      return {
        async willSendResponse({ contextValue: ctx, operation, errors }) {
          const seconds = Number(process.hrtime.bigint() - started) / 1e9;
          const fields = (operation?.selectionSet.selections ?? []).flatMap((s) => (s.kind === Kind.FIELD ? [s.name.value] : []));
          const name = operation ? `${operation.operation} ${[...new Set(fields)].sort().join(',')}` : 'invalid';
          const first = errors?.[0];
          const outcome = !first ? 'ok' : first.originalError instanceof DomainError ? first.originalError.code : String(first.extensions?.code ?? 'INTERNAL_SERVER_ERROR');
          metrics.requests.inc({ operation: name, outcome });
          metrics.duration.observe({ operation: name }, seconds);
          log.info('request', {
            requestId: ctx.requestId,
            tenant: ctx.tenantCode,
            actor: ctx.actor?.sub ?? null,
            role: ctx.actor?.role ?? null,
            operation: name,
            outcome,
            durationMs: Math.round(seconds * 10_000) / 10,
          });
        },
      };
    },
  };
}
