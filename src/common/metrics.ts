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

  /**
   * The series of a request's operation and outcome, found once: prom-client hashes the labels on every
   * inc and observe otherwise. The labels come from bounded sets (see the observability plugin).
   */
  private readonly requestSeries = new Map<string, { requests: { inc(): void }; duration: { observe(seconds: number): void } }>();

  /** A GraphQL request answered: counted by operation and outcome, its duration observed by operation. */
  observeRequest(operation: string, outcome: string, seconds: number): void {
    const key = `${operation}\u0000${outcome}`;
    let series = this.requestSeries.get(key);
    if (!series) {
      series = { requests: this.requests.labels({ operation, outcome }), duration: this.duration.labels({ operation }) };
      this.requestSeries.set(key, series);
    }
    series.requests.inc();
    series.duration.observe(seconds);
  }

  /** `coalesced`: the reads that may go together so far (the bank's lookups), on every pool, and the statements sent for them. */
  constructor(pool: Pool, coalesced?: () => { reads: number; statements: number; dropped: number }) {
    collectDefaultMetrics({ register: this.registry });
    if (coalesced) {
      const reads = new Counter({
        name: 'db_coalesced_reads_total',
        help: "Reads that may go together in one statement (the bank's lookups), the statements sent for them, and the reads left out because their request had ended.",
        labelNames: ['kind'] as const,
        registers: [this.registry],
        collect() {
          const now = coalesced();
          reads.reset();
          reads.inc({ kind: 'reads' }, now.reads);
          reads.inc({ kind: 'statements' }, now.statements);
          reads.inc({ kind: 'dropped' }, now.dropped);
        },
      });
    }
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
