/**
 * Where a transaction runs: on the primary (every write, and reads when no replica will do), or on a
 * read replica (read-only requests, once the replica has replayed the caller's own writes).
 */
import type { Pool } from 'pg';
import type { ReadReplicas, ReplicaStatus } from './replicas';
import { type DatabaseMode, TenantTransaction } from './tenant-transaction';

export class Connections {
  constructor(
    readonly primary: Pool,
    readonly mode: DatabaseMode,
    private readonly replicas: ReadReplicas | null = null,
  ) {}

  /**
   * A transaction on the primary. With replicas and a `writer` (the token subject of a mutation), the
   * WAL position after its commit is kept for that subject's later reads.
   */
  transaction(tenantCode: string, writer: string | null = null): TenantTransaction {
    const replicas = this.replicas;
    if (!replicas || !writer) return new TenantTransaction(this.primary, tenantCode, this.mode);
    return new TenantTransaction(this.primary, tenantCode, this.mode, { onCommitted: (lsn) => replicas.wrote(writer, lsn) });
  }

  /**
   * A read-only transaction for `reader`: on a replica in rotation that has replayed the reader's last
   * write, else on the primary. Read-only on the primary too, so that a read that would write fails
   * wherever it runs, not only on a replica.
   */
  readTransaction(tenantCode: string, reader: string | null): TenantTransaction {
    const replicas = this.replicas;
    const pool = replicas?.choose(reader);
    if (!replicas || !pool) return new TenantTransaction(this.primary, tenantCode, this.mode, { readOnly: true });
    return new TenantTransaction(pool, tenantCode, this.mode, {
      readOnly: true,
      fallback: { pool: this.primary, unavailable: (err) => replicas.unavailable(pool, err) },
    });
  }

  /** Whether transactions of `readTransaction` may run on a replica. */
  get hasReplicas(): boolean {
    return this.replicas !== null;
  }

  replicaStatus(): ReplicaStatus[] {
    return this.replicas?.status() ?? [];
  }
}
