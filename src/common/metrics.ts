/**
 * Prometheus metrics at /metrics (prom-client): requests by operation and outcome, their latency,
 * the database pool, and the rows of bulk imports, besides Node's own process metrics.
 */
import type { Pool } from 'pg';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export class Metrics {
  readonly registry = new Registry();
  readonly requests = new Counter({
    name: 'graphql_requests_total',
    help: 'GraphQL requests by operation and outcome (ok, or the first error code).',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly duration = new Histogram({
    name: 'graphql_request_duration_seconds',
    help: 'Time from the start of a GraphQL request to its answer.',
    labelNames: ['operation'] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly importRows = new Counter({
    name: 'import_rows_total',
    help: 'Rows of bulk imports (payments, assistance lists) by kind and status.',
    labelNames: ['kind', 'status'] as const,
    registers: [this.registry],
  });

  constructor(pool: Pool) {
    collectDefaultMetrics({ register: this.registry });
    const connections = new Gauge({
      name: 'db_pool_connections',
      help: 'Request-pool connections by state.',
      labelNames: ['state'] as const,
      registers: [this.registry],
      collect() {
        connections.set({ state: 'total' }, pool.totalCount);
        connections.set({ state: 'idle' }, pool.idleCount);
        connections.set({ state: 'waiting' }, pool.waitingCount);
      },
    });
  }
}
