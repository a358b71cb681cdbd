/**
 * The HTTP edge: POST/GET /graphql through Apollo Server, GET /healthz, the bureau's pages: the
 * dashboard at GET /dashboard (src/server/dashboard.ts) and the policy years at GET /policy-years
 * (src/server/policy-page.ts). It reads the request once,
 * builds the request context from it, and hands everything else to Apollo.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { type ApolloServer, HeaderMap } from '@apollo/server';
import { type Language, type Localized, languageOf, text } from '../common/i18n';
import { withinMs } from '../common/deadline';
import { type AppState, RequestContext } from '../context/request-context';
import { INTERNAL_ERROR_MESSAGE } from '../graphql/errors';
import { GRAPHQL_LIMITS } from '../graphql/limits';
import { loadDashboardAssets } from './dashboard';
import { loadPolicyPageAssets } from './policy-page';
import { type PageAssets, pageResponse } from './static-pages';
import { GRAPHIQL_ASSETS, GRAPHIQL_PAGE } from './graphiql';
import { corsHeaders } from './cors';
import type { DatabaseHealth } from './health';
import { RateLimiter } from './rate-limit';
import type { CompiledOperations } from './compiled-operations';

/** A 10,000-row importPayments is about 1.6 MB of JSON; room for that, not for abuse. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

/**
 * Slow clients cannot hold the server: headers must arrive within `headersTimeoutMs`, the whole request
 * (a 4 MB import body included) within the request deadline and a margin; Node checks every second.
 */
export interface HttpLimits {
  headersTimeoutMs: number;
}

/**
 * What a server has under way, for its stop: how many requests are being handled, and the work of
 * requests answered at their deadline that is still ending (its transaction aborted, then the
 * failure's audit record written).
 */
interface Underway {
  closing: boolean;
  handling: number;
  /** While the stop waits: called when no request is being handled any more. */
  idle: (() => void) | null;
  abandoned: Set<Promise<void>>;
}

const underwayOf = new WeakMap<Server, Underway>();
/** Each connection's server's Underway (set once per connection). */
const underwayOn = new WeakMap<Socket, Underway>();
/** Each connection's latest request's response: only it may say `Connection: close` (a pipelining client's earlier ones must not). */
const latestOn = new WeakMap<Socket, ServerResponse>();

/**
 * Once the server stops taking connections: every answer written from now on says `Connection: close`
 * (closeIfStopping), so that a keep-alive client (an importer, a bank's counter) sending request after
 * request on one connection lets it close instead of holding the stop until its connection is cut.
 */
export function stopKeepingAlive(server: Server): void {
  const underway = underwayOf.get(server);
  if (underway) underway.closing = true;
}

/** Before an answer's headers are written: `Connection: close` once the server is stopping, on a connection's latest response. */
function closeIfStopping(res: ServerResponse): void {
  const socket = res.req.socket as Socket | null;
  if (!socket || !underwayOn.get(socket)?.closing || latestOn.get(socket) !== res) return;
  res.setHeader('connection', 'close');
}

/**
 * Waits, at most `ms`, for the requests this server is handling and the work its requests abandoned at
 * their deadline; true when all of it ended. Work begun while it waits is waited for too.
 */
export async function requestsEnded(server: Server, ms: number): Promise<boolean> {
  const underway = underwayOf.get(server);
  if (!underway) return true;
  const until = Date.now() + ms;
  for (;;) {
    if (underway.handling === 0 && underway.abandoned.size === 0) return true;
    const left = until - Date.now();
    if (left <= 0) return false;
    const idle = new Promise<void>((resolve) => {
      if (underway.handling === 0) resolve();
      else underway.idle = resolve;
    });
    await withinMs(Promise.allSettled([idle, ...underway.abandoned]), left).catch(() => {});
    underway.idle = null;
  }
}

export function createHttpServer(
  state: AppState,
  apollo: ApolloServer<RequestContext>,
  health: DatabaseHealth,
  limits: HttpLimits,
  compiled: CompiledOperations | null = null,
): Server {
  const limiter = new RateLimiter(state.config.rateLimitPerMinute);
  const pages = { ...loadDashboardAssets(), ...loadPolicyPageAssets() };
  const underway: Underway = { closing: false, handling: 0, idle: null, abandoned: new Set() };
  // Per server, not per request: a Map of the responses under way cost some 10 µs of CPU a request.
  const ended = () => {
    underway.handling -= 1;
    if (underway.handling === 0) underway.idle?.();
  };
  const server = createServer({ connectionsCheckingInterval: Math.min(1000, limits.headersTimeoutMs) }, (req, res) => {
    latestOn.set(req.socket, res);
    underway.handling += 1;
    const handling = handle(state, apollo, health, { limiter, pages, compiled, abandoned: underway.abandoned }, req, res).catch((err) => {
      state.log.error('request failed', { error: (err as Error).message });
      if (!res.headersSent)
        send(
          res,
          500,
          { 'content-type': 'application/json' },
          edgeError(languageOf(headerText(req.headers['accept-language'])), 'INTERNAL_SERVER_ERROR', INTERNAL_ERROR_MESSAGE),
        );
      else res.destroy();
    });
    void handling.then(ended, ended);
  });
  server.on('connection', (socket: Socket) => underwayOn.set(socket, underway));
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = state.config.requestTimeoutMs + limits.headersTimeoutMs;
  // A client reuses an idle connection until shortly before the server's keep-alive timeout (the hint in
  // each response); a client busy for that margin (an importer building its next 5,000-row batch on a
  // loaded machine) sends its request as Node's default 5 s close the socket, and sees it cut without an
  // answer. A minute leaves importers' gaps far from the edge; idle connections still close at shutdown.
  server.keepAliveTimeout = 65_000;
  underwayOf.set(server, underway);
  return server;
}

/** /graphql as `new URL` gives it, made once. */
const GRAPHQL_URL = new URL('/graphql', 'http://localhost');

/** The paths of the server's own pages: /dashboard and /policy-years, and the files under them. */
const PAGE_PATH = /^\/(dashboard|policy-years)(\/|$)/;

/** What the edge keeps for the life of the server: the rate limiter's buckets and the pages' files. */
interface EdgeState {
  limiter: RateLimiter;
  pages: PageAssets;
  /** The partners' operations, compiled; null: every request goes through Apollo. */
  compiled: CompiledOperations | null;
  /** The work of requests answered at their deadline, until it ends. */
  abandoned: Set<Promise<void>>;
}

async function handle(
  state: AppState,
  apollo: ApolloServer<RequestContext>,
  health: DatabaseHealth,
  edge: EdgeState,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { limiter, pages, compiled, abandoned } = edge;
  // The partners' requests come to /graphql itself: their path needs no parsing.
  const url = req.url === '/graphql' ? GRAPHQL_URL : new URL(req.url ?? '/', 'http://localhost');
  if (url.pathname === '/livez') return send(res, 200, { 'content-type': 'application/json' }, '{"status":"ok"}');
  if (url.pathname === '/healthz' || url.pathname === '/readyz') return ready(state, health, req, res);
  if (url.pathname === '/metrics' && req.method === 'GET') {
    return send(res, 200, { 'content-type': state.metrics.registry.contentType }, await state.metrics.registry.metrics());
  }
  if (PAGE_PATH.test(url.pathname)) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }, 'Method not allowed\n');
    const answer = pageResponse(pages, url.pathname, req.headers['if-none-match']);
    if (answer) return send(res, answer.status, answer.headers, answer.body);
    return send(res, 404, { 'content-type': 'text/plain' }, 'Not found\n');
  }
  if (!state.config.production) {
    const asset = GRAPHIQL_ASSETS[url.pathname];
    if (asset && req.method === 'GET') return send(res, 200, { 'content-type': asset.type, 'cache-control': 'public, max-age=86400' }, asset.body);
    // A browser opening /graphql gets GraphiQL; clients (JSON, or a query in the URL) get GraphQL.
    if (url.pathname === '/graphql' && req.method === 'GET' && !url.searchParams.has('query') && (req.headers.accept ?? '').includes('text/html')) {
      return send(res, 200, { 'content-type': 'text/html; charset=utf-8' }, GRAPHIQL_PAGE);
    }
  }
  if (url.pathname !== '/graphql') return send(res, 404, { 'content-type': 'text/plain' }, 'Not found\n');

  // The edge's own refusals follow Accept-Language as the API's do (CONTRACT.md, "Language").
  const language = languageOf(headerText(req.headers['accept-language']));
  // A browser on another origin (a portal) may call only from an origin CORS_ORIGINS names; the
  // server's own pages (GraphiQL, the dashboard) are same-origin.
  const sameOrigin = req.headers.origin === `http://${req.headers.host}` || req.headers.origin === `https://${req.headers.host}`;
  const cors = sameOrigin ? {} : corsHeaders(state.config.corsOrigins, req);
  if (cors === null) {
    const origin = req.headers.origin;
    return send(
      res,
      403,
      { 'content-type': 'application/json' },
      edgeError(language, 'FORBIDDEN', text(`来源 ${origin} 的网页无权调用本接口（CORS_ORIGINS）`, `Origin ${origin} may not call this API (CORS_ORIGINS)`)),
    );
  }
  if (req.method === 'OPTIONS') return send(res, 204, cors, '');

  const header = (name: string) => headerText(req.headers[name]);
  let body: unknown = undefined;
  if (req.method === 'POST') {
    const raw = await readBody(req);
    if (raw === null) {
      // Answer first, then drop the connection: the rest of the body is not read.
      res.once('finish', () => req.destroy());
      return send(
        res,
        413,
        { 'content-type': 'application/json', connection: 'close' },
        edgeError(language, 'BAD_REQUEST', text(`请求体超过 ${MAX_BODY_BYTES} 字节`, `The request body exceeds ${MAX_BODY_BYTES} bytes`)),
      );
    }
    if ((header('content-type') ?? '').includes('application/json')) {
      try {
        body = raw.length ? JSON.parse(raw) : undefined;
      } catch {
        return send(
          res,
          400,
          { 'content-type': 'application/json' },
          edgeError(language, 'BAD_REQUEST', text('请求体不是有效的 JSON', 'The body is not valid JSON')),
        );
      }
    } else {
      body = raw;
    }
  }

  const query = body && typeof body === 'object' ? (body as { query?: unknown }).query : url.searchParams.get('query');
  if (typeof query === 'string' && Buffer.byteLength(query, 'utf8') > GRAPHQL_LIMITS.maxDocumentBytes) {
    return send(
      res,
      400,
      { 'content-type': 'application/json' },
      edgeError(
        language,
        'BAD_REQUEST',
        text(`GraphQL 文档超过 ${GRAPHQL_LIMITS.maxDocumentBytes} 字节`, `The GraphQL document exceeds ${GRAPHQL_LIMITS.maxDocumentBytes} bytes`),
      ),
    );
  }
  const context = new RequestContext(state, {
    authorization: header('authorization'),
    tenant: header('x-tenant-id'),
    acceptLanguage: header('accept-language'),
  });
  const waitSeconds = limiter.take(context.actor ? `${context.actor.sub}@${context.tenantCode ?? ''}` : `address ${req.socket.remoteAddress ?? ''}`);
  if (waitSeconds > 0) {
    return send(
      res,
      429,
      { ...cors, 'content-type': 'application/json', 'retry-after': String(waitSeconds) },
      edgeError(
        context.language,
        'RATE_LIMITED',
        text(`该令牌请求过于频繁，请 ${waitSeconds} 秒后重试`, `Too many requests for this token; retry in ${waitSeconds} s`),
        { retryAfterSeconds: waitSeconds },
      ),
    );
  }
  let deadline: NodeJS.Timeout | undefined;
  try {
    // A JSON POST (never a CSRF "simple request") of an operation compiled, or due to be, runs compiled.
    const found =
      compiled && state.config.compiledOperations && req.method === 'POST' && mediaType(header('content-type')) === 'application/json'
        ? compiled.find(body, context.actor?.role, header('accept'))
        : null;
    // A pure request answered before is answered again at once: nothing runs, so no deadline is set.
    const kept = found && compiled?.keptAnswer(context, found);
    if (kept) return send(res, 200, { ...cors, 'x-request-id': context.requestId, 'content-type': found.contentType }, kept);
    const throughApollo = () => {
      const headers = new HeaderMap();
      for (const [key, value] of Object.entries(req.headers)) {
        if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
      }
      return apollo.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method: req.method ?? 'GET', headers, search: url.search, body },
        context: async () => context,
      });
    };
    const execution = found && compiled ? compiled.execute(context, found).then((answer) => answer ?? throughApollo()) : throughApollo();
    // The request deadline: past it the answer is an error and the transaction is rolled back; the
    // statement running then is cancelled by statement_timeout at the latest.
    const timeout = new Promise<'timeout'>((resolve) => {
      deadline = setTimeout(() => resolve('timeout'), state.config.requestTimeoutMs);
    });
    let response = await Promise.race([execution, timeout]);
    if (response === 'timeout') {
      // Whoever ends the transaction first decides: if the commit got there first, its answer stands.
      // Otherwise the answer leaves now; the statement still running is cancelled, not waited for.
      if (context.abandon()) {
        const ending: Promise<void> = execution.then(
          () => undefined,
          () => undefined,
        );
        abandoned.add(ending);
        void ending.then(() => abandoned.delete(ending));
        state.log.error('request deadline passed', { requestId: context.requestId, ms: state.config.requestTimeoutMs });
        const ms = state.config.requestTimeoutMs;
        return send(
          res,
          503,
          { ...cors, 'content-type': 'application/json' },
          edgeError(
            context.language,
            'TIMEOUT',
            text(`请求处理超过 ${ms} 毫秒，已中止，未写入任何数据`, `The request took longer than ${ms} ms; nothing was written`),
          ),
        );
      }
      response = await execution;
    }
    const outHeaders: Record<string, string> = { ...cors, 'x-request-id': context.requestId };
    for (const [key, value] of response.headers) outHeaders[key] = value;
    if (response.body.kind === 'complete')
      return send(res, statusFor(response.status ?? 200, outHeaders['content-type'], response.body.string), outHeaders, response.body.string);
    closeIfStopping(res);
    res.writeHead(response.status ?? 200, outHeaders);
    for await (const chunk of response.body.asyncIterator) res.write(chunk);
    res.end();
  } finally {
    clearTimeout(deadline);
    // The transaction plugin has already committed or rolled back; this only covers requests that
    // never reached execution.
    await context.finish(false);
  }
}

/**
 * Readiness: the primary answers, and takes writes, on the health check's own connection, whatever the
 * request pool is doing. The read replicas are listed with whether they are in rotation and why not;
 * one out of rotation does not make the server unready (its reads go to the primary).
 */
async function ready(state: AppState, health: DatabaseHealth, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, { allow: 'GET' }, '');
  const database = await health.database();
  const replicas = state.connections.hasReplicas ? { replicas: state.connections.replicaStatus() } : {};
  const body = JSON.stringify({ status: database === 'up' ? 'ok' : 'unavailable', database, ...replicas });
  send(res, database === 'up' ? 200 : 503, { 'content-type': 'application/json' }, body);
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.pause();
        resolve(null);
      } else chunks.push(chunk);
    });
    // A body in one chunk (a bank's lookup, most requests) is read without a copy.
    req.on('end', () => resolve((chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)).toString('utf8')));
    req.on('error', reject);
  });
}

/** A Content-Type's media type, without its parameters. */
function mediaType(contentType: string | undefined): string | undefined {
  // The partners send exactly this: no list made to find it.
  if (contentType === 'application/json') return contentType;
  return contentType?.split(';')[0].trim().toLowerCase();
}

/** The body of an error the edge answers itself, in the request's language, with its contract code. */
function edgeError(language: Language, code: string, message: Localized, extensions: Record<string, unknown> = {}): string {
  return JSON.stringify({ errors: [{ message: message[language], extensions: { code, ...extensions } }] });
}

/** A header Node gives as a string or a list (repeated headers), as one string. */
function headerText(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function send(res: ServerResponse, status: number, headers: Record<string, string>, body: string | Buffer): void {
  closeIfStopping(res);
  res.writeHead(status, headers);
  res.end(body);
}

/** GraphQL's own refusals of a well-formed request: a document that does not parse or validate, variables that do not coerce. */
const DOCUMENT_ERRORS = new Set(['GRAPHQL_PARSE_FAILED', 'GRAPHQL_VALIDATION_FAILED', 'BAD_USER_INPUT']);

/**
 * The status GraphQL over HTTP asks for: a client that accepts application/graphql-response+json gets
 * Apollo's 400 for a document it cannot run; a client of the older application/json gets 200 with the
 * errors in the body (the spec's SHOULD, which clients written before it rely on). Other 4xx stand.
 */
function statusFor(status: number, contentType: string | undefined, body: string): number {
  if (status !== 400 || !contentType?.startsWith('application/json')) return status;
  try {
    const errors = (JSON.parse(body) as { errors?: Array<{ extensions?: { code?: string } }> }).errors ?? [];
    return errors.length > 0 && errors.every((e) => DOCUMENT_ERRORS.has(e.extensions?.code ?? '')) ? 200 : status;
  } catch {
    return status;
  }
}
