/**
 * Keeps every server's regions current. The database is their source: at start each tenant's regions
 * are read from it (tenants/ wrote its own there just before), and a write of regions on any server
 * NOTIFYs `region_changed` with the tenant code when it commits; each server LISTENs and reloads that
 * tenant. Requests read the regions from memory, at no cost; one that needs a region it does not know
 * yet (added on another server a moment ago) finds it in the database and asks for a reload. When the
 * listening connection breaks, it reconnects and reloads everything, since notifications were missed.
 */
import pg from 'pg';
import type { Logger } from '../common/logger';
import type { AppState } from '../context/request-context';
import { REGION_CHANNEL, regionsOf } from '../domains/residents/regions.repository';
import type { Region, Tenant } from '../policy-data/model';

export class RegionSync {
  private listener: pg.Client | null = null;
  private stopped = false;
  private readonly running = new Map<string, Promise<void>>();
  private readonly next = new Map<string, Promise<void>>();
  /** The tenants as tenants/ describes them: their regions keep the clause and note of the file. */
  private readonly fromFiles: ReadonlyMap<string, Tenant>;

  constructor(
    private readonly state: AppState,
    private readonly listenUrl: string,
    private readonly log: Logger,
  ) {
    this.fromFiles = new Map(state.catalog.tenants.map((t) => [t.code, t]));
  }

  async start(): Promise<void> {
    await this.listen();
    await this.reloadAll();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.allSettled(this.running.values());
    await this.listener?.end().catch(() => {});
  }

  /**
   * Reloads a tenant's regions; the promise resolves once a reload that began after this call is done
   * (a reload under way may have read the table before the change that asks for this one).
   */
  reload(tenantCode: string): Promise<void> {
    if (!this.fromFiles.has(tenantCode)) return Promise.resolve();
    const current = this.running.get(tenantCode);
    if (current) {
      let next = this.next.get(tenantCode);
      if (!next) {
        next = current.then(() => {
          this.next.delete(tenantCode);
          return this.stopped ? undefined : this.reload(tenantCode);
        });
        this.next.set(tenantCode, next);
      }
      return next;
    }
    const run = this.load(tenantCode)
      .catch((err: unknown) => this.log.error('regions not reloaded', { tenant: tenantCode, error: (err as Error).message }))
      .finally(() => this.running.delete(tenantCode));
    this.running.set(tenantCode, run);
    return run;
  }

  private async reloadAll(): Promise<void> {
    await Promise.all([...this.fromFiles.keys()].map((code) => this.reload(code)));
  }

  private async load(tenantCode: string): Promise<void> {
    const tx = this.state.connections.transaction(tenantCode);
    let regions: Region[];
    try {
      regions = await regionsOf(tx);
      await tx.finish(true);
    } catch (err) {
      await tx.finish(false).catch(() => {});
      throw err;
    }
    const file = this.fromFiles.get(tenantCode)!;
    const merged = regions.map((r) => {
      const own = file.regionsByCode.get(r.code);
      return own ? { ...r, clause: own.clause, note: own.note } : r;
    });
    this.state.catalog.replace(file.withRegions(merged));
  }

  private async listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.listenUrl, application_name: 'insurance-api-regions' });
    client.on('notification', (message) => {
      if (message.channel !== REGION_CHANNEL) return;
      if (message.payload) void this.reload(message.payload);
      else void this.reloadAll();
    });
    client.on('error', (err) => {
      this.log.error('region listener lost', { error: err.message });
      void this.reconnect(client);
    });
    client.on('end', () => void this.reconnect(client));
    await client.connect();
    await client.query(`LISTEN ${REGION_CHANNEL}`);
    this.listener = client;
  }

  private async reconnect(broken: pg.Client): Promise<void> {
    if (this.stopped || this.listener !== broken) return;
    this.listener = null;
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.listen();
        await this.reloadAll();
        return;
      } catch (err) {
        this.log.error('region listener cannot reconnect', { attempt, error: (err as Error).message });
        await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 500 * 2 ** attempt)).unref());
      }
    }
  }
}
