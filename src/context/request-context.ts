/**
 * The one request context, built once at the edge from the bearer token and `x-tenant-id`. It holds
 * the tenant, the actor and role, the request's transaction and what lives for the request alone (the
 * domains' DataLoaders). Services take it as their first argument; nothing else reads the HTTP request.
 * It knows no domain.
 */
import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { Connections } from '../db/connections';
import type { AppConfig } from '../common/config';
import { DomainError } from '../common/errors';
import { type Language, type Localized, languageOf, text } from '../common/i18n';
import type { Logger } from '../common/logger';
import type { Metrics } from '../common/metrics';
import { type InlineValue, type TenantTransaction } from '../db/tenant-transaction';
import type { Tenant, TenantCatalog } from '../policy-data/model';
import type { PolicyEngine } from '../policy-engine/policy-engine';
import type { DomainEvents } from './domain-events';
import { type Actor, type Role, verifyToken } from './tokens';

/** What lives for the whole process and every request shares. */
export interface AppState {
  config: AppConfig;
  /** The tenants and their policy years. */
  catalog: TenantCatalog;
  policyEngine: PolicyEngine;
  /** The request pool of the primary (its figures for /metrics). */
  pool: Pool;
  /** Where transactions run: the primary, or a read replica for read-only requests. */
  connections: Connections;
  log: Logger;
  metrics: Metrics;
  events: DomainEvents<RequestContext>;
  /**
   * Asks for a tenant's regions to be read again from the database: a request found there a region
   * that this server's copy does not have yet (another server added it a moment ago).
   */
  regionsChanged?(tenantCode: string): Promise<void>;
  /**
   * Asks for a tenant's policy years to be read again from the database: this server just published one.
   * `then` runs once they are loaded: after this reload, or, should it fail, after the retry that loads them.
   */
  policiesChanged?(tenantCode: string, then?: () => Promise<void>): Promise<void>;
}

/** A statement committed with the request's changes, in the commit's own round trip (its audit record). */
export interface LastStatement {
  text: string;
  values: ReadonlyArray<InlineValue>;
  /** Run only if the transaction wrote something (a read's record; see TenantTransaction.finish). */
  onlyIfWritten?: boolean;
}

export interface RequestHeaders {
  authorization?: string | null;
  tenant?: string | null;
  acceptLanguage?: string | null;
}

/**
 * What changes during a request. Apollo shallow-copies the context for each operation it runs, so this
 * lives in one object the copies share: the HTTP edge and the resolvers see the same transaction.
 */
interface RequestState {
  authorizedTenant: Tenant | null;
  transaction: TenantTransaction | null;
  /** What a domain keeps for this request only (its DataLoaders), by the key it chose. */
  perRequest: Map<object, unknown> | null;
  /** Set when the request has ended (answered, or past its deadline): no transaction may open after. */
  ended: boolean;
  /** The request's last statement was left out at its end: the transaction wrote nothing (LastStatement.onlyIfWritten). */
  lastLeftOut: boolean;
  /** What must happen once the request's changes are committed, before the answer leaves. */
  afterCommit: Array<() => Promise<void>>;
  /**
   * Where the request's transaction runs, decided once its operation is known: READ_REPLICA for a
   * query whose every root field may be answered from a replica, WRITE for a mutation (its commit is
   * remembered for the caller's read-your-writes), PRIMARY otherwise.
   */
  route: 'PRIMARY' | 'READ_REPLICA' | 'WRITE';
  /** A service answered personal information in clear that its root field is not marked for. */
  personalDataRead: boolean;
  /**
   * The end of the request's transaction as Apollo's transaction plugin runs it (endRequest), once begun:
   * resolves with the code of the answer that replaced the operation's when it failed (a COMMIT lost to a
   * deadlock: CONFLICT), else null. The compiled operations pass that code on themselves.
   */
  ending: Promise<string | null> | null;
}

export class RequestContext {
  readonly requestId = randomUUID();
  readonly actor: Actor | null;
  readonly tenantCode: string | null;
  /** The language of messages people read, from Accept-Language (CONTRACT.md): codes never change with it. */
  readonly language: Language;
  private readonly authError: DomainError | null;
  private readonly state: RequestState = {
    authorizedTenant: null,
    transaction: null,
    // Made by the first domain that keeps something: most requests (a bank's lookup) keep nothing.
    perRequest: null,
    ended: false,
    lastLeftOut: false,
    afterCommit: [],
    route: 'PRIMARY',
    personalDataRead: false,
    ending: null,
  };

  /**
   * The server's own work for one tenant, outside any request (a step at start): an ADMIN actor named
   * `sub`, authorized for the tenant, with its own transaction. The caller ends it with finish().
   */
  static system(app: AppState, tenantCode: string, sub: string): RequestContext {
    const ctx = new RequestContext(app, { tenant: tenantCode }, { sub, role: 'ADMIN', tenants: [tenantCode] });
    ctx.authorize(['ADMIN']);
    return ctx;
  }

  constructor(
    readonly app: AppState,
    headers: RequestHeaders,
    systemActor: Actor | null = null,
  ) {
    this.tenantCode = headers.tenant?.trim() || null;
    this.language = languageOf(headers.acceptLanguage);
    let actor: Actor | null = systemActor;
    let authError: DomainError | null = null;
    const authorization = headers.authorization?.trim();
    if (authorization) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization);
      if (!match)
        authError = new DomainError('UNAUTHENTICATED', text('Authorization 请求头须为“Bearer <令牌>”', 'the Authorization header must be "Bearer <token>"'));
      else {
        try {
          actor = verifyToken(match[1], app.config.jwtSecret, app.config.tokenMaxLifetimeSeconds);
        } catch (err) {
          authError = err as DomainError;
        }
      }
    }
    this.actor = actor;
    this.authError = authError;
  }

  /**
   * Lets the operation through when the caller has a valid token for the header's tenant and one of
   * `roles` (any role when empty); otherwise UNAUTHENTICATED or FORBIDDEN. Called by the auth checker.
   */
  authorize(roles: readonly Role[]): void {
    if (this.authError) throw this.authError;
    if (!this.actor)
      throw new DomainError(
        'UNAUTHENTICATED',
        text('此操作须登录：请求头须带“Authorization: Bearer <令牌>”', 'this operation needs "Authorization: Bearer <token>"'),
      );
    if (!this.tenantCode)
      throw new DomainError('BAD_USER_INPUT', text('此操作须带 x-tenant-id 请求头（统筹地区代码）', 'this operation needs the x-tenant-id header'), {
        field: 'x-tenant-id',
      });
    if (!this.actor.tenants.includes(this.tenantCode)) {
      throw new DomainError('FORBIDDEN', text(`该令牌无权办理 ${this.tenantCode} 的业务`, `the token may not act for tenant ${this.tenantCode}`));
    }
    if (roles.length > 0 && !roles.includes(this.actor.role)) {
      throw new DomainError(
        'FORBIDDEN',
        text(`${this.actor.role} 角色无权办理此项业务，须为 ${roles.join(' 或 ')}`, `role ${this.actor.role} may not do this; it needs ${roles.join(' or ')}`),
      );
    }
    const tenant = this.app.catalog.get(this.tenantCode);
    if (!tenant) throw new DomainError('NOT_FOUND', text(`没有代码为 ${this.tenantCode} 的统筹地区`, `no tenant ${this.tenantCode}`));
    this.state.authorizedTenant = tenant;
  }

  /** A message in the request's language. */
  say(message: Localized): string {
    return message[this.language];
  }

  /** The tenant code the caller was authorized for, or null (public operations, refused callers). */
  get authorizedTenantCode(): string | null {
    return this.state.authorizedTenant?.code ?? null;
  }

  /**
   * A separate transaction for the authorized tenant (or the tenant given): for what must be kept when
   * the request's rolls back, such as the audit record of a failure.
   */
  openTransaction(tenantCode: string = this.tenant.code): TenantTransaction {
    return this.app.connections.transaction(tenantCode);
  }

  /** The tenant the caller was authorized for. */
  get tenant(): Tenant {
    if (!this.state.authorizedTenant) throw new Error('tenant data used before authorization');
    return this.state.authorizedTenant;
  }

  /** The request's transaction, under row-level security for the authorized tenant. */
  get db(): TenantTransaction {
    if (!this.state.transaction && this.state.ended) throw new Error('the request has ended; no transaction may open');
    if (!this.state.transaction) {
      const { connections } = this.app;
      const subject = this.actor?.sub ?? null;
      this.state.transaction =
        this.state.route === 'READ_REPLICA'
          ? connections.readTransaction(this.tenant.code, subject)
          : connections.transaction(this.tenant.code, this.state.route === 'WRITE' ? subject : null);
    }
    return this.state.transaction;
  }

  /**
   * Sets where the request's transaction will run (see RequestState.route). Once it is open it stays
   * where it is: on the primary unless it was routed to a replica before.
   */
  routeTo(route: RequestState['route']): void {
    if (!this.state.transaction) this.state.route = route;
  }

  /** The request may read from a replica: what it must write (its audit record) goes to the primary apart. */
  get readsFromReplica(): boolean {
    return this.state.route === 'READ_REPLICA';
  }

  /**
   * Whether the request's transaction has begun. A request whose never did has written nothing: its
   * reads, if any, ran alone in PostgreSQL's implicit transactions, READ ONLY or by functions that only
   * read (TenantTransaction.readAlone, readSettingTenant, valueSettingTenant).
   */
  get transactionBegun(): boolean {
    return this.state.transaction?.started ?? false;
  }

  /** Whether the request has ended (answered, or given up at its deadline): no transaction may open. */
  get ended(): boolean {
    return this.state.ended;
  }

  /** Whether the request's end left out its last statement, because its transaction wrote nothing (see finish). */
  get lastStatementLeftOut(): boolean {
    return this.state.lastLeftOut;
  }

  /** The request's own instance of what `create` makes, made once per request and key. */
  perRequest<T>(key: object, create: () => T): T {
    const kept = (this.state.perRequest ??= new Map());
    if (!kept.has(key)) kept.set(key, create());
    return kept.get(key) as T;
  }

  /**
   * Records that this request answered personal information in clear although its root field is not
   * marked PersonalData() (a field that only some roles, or some answers, show): the request then leaves
   * a READ record in the audit log like a marked field's.
   */
  readPersonalData(): void {
    this.state.personalDataRead = true;
  }

  get personalDataRead(): boolean {
    return this.state.personalDataRead;
  }

  get sqlStatements(): number {
    return this.state.transaction?.statements ?? 0;
  }

  /**
   * The deadline passed: the transaction is given up at once (its statement cancelled, nothing written)
   * unless the request already ended; false then, and the answer already decided stands.
   */
  abandon(): boolean {
    if (this.state.ended) return false;
    this.state.ended = true;
    this.state.transaction?.abort();
    return true;
  }

  /**
   * Ends the request's transaction: commit when the operation succeeded, roll back otherwise. Only the
   * first call decides; it returns false to later callers (the deadline and the commit race for it).
   */
  async finish(succeeded: boolean, last?: LastStatement): Promise<boolean> {
    if (this.state.ended) return false;
    this.state.ended = true;
    const transaction = this.state.transaction;
    this.state.lastLeftOut = transaction ? await transaction.finish(succeeded, last) : succeeded && last?.onlyIfWritten === true;
    if (succeeded) {
      for (const task of this.state.afterCommit)
        await task().catch((err: unknown) => this.app.log.error('after-commit task failed', { requestId: this.requestId, error: (err as Error).message }));
    }
    return true;
  }

  /**
   * finish(true) at once, where it has nothing to wait for: no transaction began and nothing is to run
   * after a commit. False, with nothing done, otherwise (finish then decides).
   */
  finishAtOnce(): boolean {
    const { transaction } = this.state;
    if (this.state.ended || this.state.afterCommit.length > 0 || (transaction && !transaction.finishUnbegun())) return false;
    this.state.ended = true;
    this.state.lastLeftOut = false;
    return true;
  }

  /** The end of the request's transaction, once begun (RequestState.ending): what its log line and metrics count. */
  get ending(): Promise<string | null> | null {
    return this.state.ending;
  }

  endingWith(ending: Promise<string | null>): void {
    this.state.ending = ending;
  }

  /**
   * Runs `task` once the request's changes are committed, before the answer leaves (never when they
   * are rolled back): a server reloads what it keeps in memory, so that the caller's next request sees
   * its own change.
   */
  afterCommit(task: () => Promise<void>): void {
    this.state.afterCommit.push(task);
  }
}
