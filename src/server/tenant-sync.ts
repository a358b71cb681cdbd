/**
 * Keeps every server's tenants current: their regions and their policy years. The database is their
 * source: at start each tenant's regions and published policy versions are read from it (tenants/ wrote
 * its own there just before), and a write on any server NOTIFYs `region_changed` or `policy_changed` with
 * the tenant code when it commits; each server LISTENs and reloads that tenant. Requests read regions and
 * policies from memory, at no cost; the server that made a change reloads before it answers, and one
 * that needs a region it does not know yet (added on another server a moment ago) asks for a reload.
 * When the listening connection breaks, or leaves a check every HEARTBEAT_MS unanswered, it reconnects
 * and reloads everything, since notifications were missed. A tenant whose reload failed (its connection
 * could not be had in time, a statement failed) is reloaded again without being asked, since the
 * notification that asked for it is not sent twice: at the next check, then at checks ever further apart
 * (the wait doubles at each failure, up to RETRY_MAX_MS) until one succeeds, so that a tenant that cannot
 * load is not retried and logged every 15 s for hours.
 *
 * A published version is immutable, so each is read and checked once per process (a cache by tenant,
 * year and version). A version that does not load (a release changed the format under it) is reported
 * once and its year left out; the tenant's other years and the other tenants go on being served. It is
 * checked again at each reload, not remembered as broken: one that cites a region read in another
 * snapshot than its own (both committed between the two reads of a reload) loads at the next.
 */
import pg from 'pg';
import { withinMs } from '../common/deadline';
import type { Logger } from '../common/logger';
import type { AppState } from '../context/request-context';
import { POLICY_CHANNEL, publishedVersions, type VersionRow } from '../domains/policy-years/policy-years.repository';
import { REGION_CHANNEL, regionsOf } from '../domains/residents/regions.repository';
import { validatePolicyDocument } from '../policy-data/document';
import { policyYearOf } from '../policy-data/loader';
import type { PolicyYear, Region, Tenant } from '../policy-data/model';

export { POLICY_CHANNEL, REGION_CHANNEL };

/** How often the listening connection is checked, and how long its answer may take. */
const HEARTBEAT_MS = 15_000;
/** The longest wait before a tenant whose reloads keep failing is tried again. */
const RETRY_MAX_MS = 5 * 60_000;

export class TenantSync {
  private listener: pg.Client | null = null;
  private stopped = false;
  private readonly running = new Map<string, Promise<void>>();
  private readonly next = new Map<string, Promise<void>>();
  /** The tenants as tenants/ describes them: their regions keep the clause and note of the file. */
  private readonly fromFiles: ReadonlyMap<string, Tenant>;
  /** Published versions read and checked, by tenant/year/version. */
  private readonly versions = new Map<string, PolicyYear>();
  /** Versions that did not load, by the same key: reported once. */
  private readonly reported = new Set<string>();
  /** Tenants whose latest reload failed: how many times in a row, and when to try again. */
  private readonly failed = new Map<string, { failures: number; retryAt: number }>();
  /** What waits for a tenant whose reload failed to be loaded (by a retry), in the order asked. */
  private readonly afterLoad = new Map<string, Array<() => Promise<void>>>();

  private heartbeat: NodeJS.Timeout | null = null;
  private readonly heartbeatMs: number;

  constructor(
    private readonly state: AppState,
    private readonly listenUrl: string,
    private readonly log: Logger,
    options: { heartbeatMs?: number } = {},
  ) {
    this.fromFiles = new Map(state.catalog.tenants.map((t) => [t.code, t]));
    this.heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  }

  async start(): Promise<void> {
    await this.listen();
    await this.reloadAll();
    this.heartbeat = setInterval(() => {
      void this.checkListener();
      const now = Date.now();
      for (const [code, { retryAt }] of this.failed) if (now >= retryAt) void this.reload(code);
    }, this.heartbeatMs).unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.afterLoad.clear();
    await Promise.allSettled(this.running.values());
    await this.listener?.end().catch(() => {});
  }

  /**
   * Reloads a tenant's regions and policy years; the promise resolves once a reload that began after this
   * call is done (a reload under way may have read the tables before the change that asks for this one).
   */
  reload(tenantCode: string): Promise<void> {
    if (this.stopped || !this.fromFiles.has(tenantCode)) return Promise.resolve();
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
      .then(
        () => {
          this.failed.delete(tenantCode);
          this.runAfterLoad(tenantCode);
        },
        (err: unknown) => {
          const failures = (this.failed.get(tenantCode)?.failures ?? 0) + 1;
          // The first retry at the next check, then at checks ever further apart.
          const waitMs = Math.min(this.heartbeatMs * (2 ** (failures - 1) - 1), RETRY_MAX_MS);
          this.failed.set(tenantCode, { failures, retryAt: Date.now() + waitMs });
          this.log.error('tenant not reloaded; tried again later', {
            tenant: tenantCode,
            error: (err as Error).message,
            failures,
            retryAfterSeconds: Math.round(waitMs / 1000),
          });
        },
      )
      .finally(() => this.running.delete(tenantCode));
    this.running.set(tenantCode, run);
    return run;
  }

  /**
   * reload, then `task` once the tenant is loaded as the database has it: at once, or when a retry loads a
   * tenant whose reload failed. The step a change takes with what it changed (held money released after a
   * publication) then waits for a failed reload instead of running against the copy from before.
   */
  async reloadThen(tenantCode: string, task: () => Promise<void>): Promise<void> {
    await this.reload(tenantCode);
    if (this.stopped) return;
    if (!this.failed.has(tenantCode)) return task();
    this.afterLoad.set(tenantCode, [...(this.afterLoad.get(tenantCode) ?? []), task]);
    this.log.error('tenant not reloaded: what follows from the change waits for the reload that loads it', { tenant: tenantCode });
  }

  private runAfterLoad(tenantCode: string): void {
    const tasks = this.afterLoad.get(tenantCode);
    if (!tasks) return;
    this.afterLoad.delete(tenantCode);
    void (async () => {
      for (const task of tasks)
        await task().catch((err: unknown) => this.log.error('a step waiting for a reload failed', { tenant: tenantCode, error: (err as Error).message }));
    })();
  }

  private async reloadAll(): Promise<void> {
    await Promise.all([...this.fromFiles.keys()].map((code) => this.reload(code)));
  }

  private async load(tenantCode: string): Promise<void> {
    const tx = this.state.connections.transaction(tenantCode);
    let regions: Region[];
    let versions: VersionRow[];
    try {
      [regions, versions] = await Promise.all([regionsOf(tx), publishedVersions(tx)]);
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
    const regionsByCode = new Map(merged.map((r) => [r.code, r]));
    // By year and version: the last of a year is in force (a year whose version in force does not load is
    // not served); the ones before it are kept for the money paid while they were (Tenant.policiesInForceOn).
    const byYear = new Map<number, VersionRow[]>();
    for (const row of versions) {
      const ofYear = byYear.get(row.coverage_year);
      if (ofYear) ofYear.push(row);
      else byYear.set(row.coverage_year, [row]);
    }
    const policies = new Map<number, PolicyYear>();
    const superseded = new Map<number, PolicyYear[]>();
    for (const [year, rows] of byYear) {
      const inForce = this.versionOf(tenantCode, rows[rows.length - 1], regionsByCode, true);
      if (!inForce) continue;
      policies.set(year, inForce);
      // All or none: without one of them, the days it was in force would be judged by another.
      const earlier = rows.slice(0, -1).map((row) => this.versionOf(tenantCode, row, regionsByCode, false));
      if (earlier.length > 0 && earlier.every((v) => v !== null)) superseded.set(year, earlier as PolicyYear[]);
    }
    this.state.catalog.replace(file.withRegions(merged).withPolicies(policies, superseded));
  }

  private versionOf(tenantCode: string, row: VersionRow, regions: ReadonlyMap<string, Region>, inForce: boolean): PolicyYear | null {
    const key = `${tenantCode}/${row.coverage_year}/${row.version}`;
    const known = this.versions.get(key);
    if (known) return known;
    const validation = validatePolicyDocument(row.source, { tenantCode, coverageYear: row.coverage_year, regions });
    let policy: PolicyYear | null = null;
    if (validation.data && validation.errors.length === 0) {
      policy = policyYearOf(validation, {
        tenantCode,
        coverageYear: row.coverage_year,
        file: row.origin === 'TENANT_FILE' && row.file ? row.file : `${tenantCode}/${row.coverage_year} version ${row.version} (published through the API)`,
        source: row.source,
        version: row.version,
        origin: row.origin,
        publishedAt: row.published_at,
        publishedBy: row.published_by,
      });
    } else if (!this.reported.has(key)) {
      this.reported.add(key);
      const consequence = inForce ? 'its year is not served' : 'payments are judged by the version in force only, not by the versions in force on their days';
      this.log.error(`a published policy year does not load; ${consequence}`, {
        tenant: tenantCode,
        coverageYear: row.coverage_year,
        version: row.version,
        problems: validation.errors.slice(0, 5).map((e) => `${e.path}${e.line ? ` (line ${e.line})` : ''}: ${e.message.en}`),
      });
    }
    if (policy) this.versions.set(key, policy);
    return policy;
  }

  private async listen(): Promise<void> {
    // TCP keep-alive, so that a firewall or NAT between here and PostgreSQL does not cut the connection for
    // being idle (a listener always is), and a connect timeout. A connection dropped without a word is
    // found by checkListener within two heartbeats; TCP alone (Linux's 9 probes 75 s apart) would take
    // some 11.5 minutes, every notification of them missed.
    const client = new pg.Client({
      connectionString: this.listenUrl,
      application_name: 'insurance-api-tenants',
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      connectionTimeoutMillis: 10_000,
    });
    client.on('notification', (message) => {
      if (message.channel !== REGION_CHANNEL && message.channel !== POLICY_CHANNEL) return;
      if (message.payload) void this.reload(message.payload);
      else void this.reloadAll();
    });
    client.on('error', (err) => {
      this.log.error('tenant listener lost', { error: err.message });
      void this.reconnect(client);
    });
    client.on('end', () => void this.reconnect(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${REGION_CHANNEL}`);
      await client.query(`LISTEN ${POLICY_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => {});
      throw err;
    }
    // Stopped while this connected (a reconnection under way): nobody else would end it.
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.listener = client;
  }

  /**
   * Asks the listening connection a trivial question: a connection dropped without a word (a peer gone,
   * a network cut) answers nothing, and TCP alone would take minutes to say so. Unanswered within
   * the interval, it is replaced, and everything is reloaded as after any other break.
   */
  private async checkListener(): Promise<void> {
    const client = this.listener;
    if (!client || this.stopped) return;
    try {
      await withinMs(client.query('SELECT 1'), this.heartbeatMs);
    } catch (err) {
      // Ended by the stop, or replaced already (its 'error' or 'end' came first).
      if (this.stopped || this.listener !== client) return;
      this.log.error('tenant listener lost', { error: (err as Error).message });
      await this.reconnect(client);
    }
  }

  private async reconnect(broken: pg.Client): Promise<void> {
    if (this.stopped || this.listener !== broken) return;
    this.listener = null;
    // An error may leave its socket open: it is ended, and its own 'end' finds it no longer the listener.
    void broken.end().catch(() => {});
    for (let attempt = 1; !this.stopped; attempt++) {
      try {
        await this.listen();
        await this.reloadAll();
        return;
      } catch (err) {
        this.log.error('tenant listener cannot reconnect', { attempt, error: (err as Error).message });
        await new Promise((resolve) => setTimeout(resolve, Math.min(30_000, 500 * 2 ** attempt)).unref());
      }
    }
  }
}
