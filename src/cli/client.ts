/**
 * The one way the commands talk to the running server: the typed operations of schema/operations/
 * (made into schema/generated/client.ts by `npm run codegen`), sent with the bearer token and the
 * tenant header, with every failure turned into one sentence that says what to do.
 */
import type { TypedDocumentString } from '../../schema/generated/client';

export interface ClientOptions {
  /** The server's GraphQL address, e.g. http://localhost:4000/graphql. */
  url: string;
  token?: string | null;
  /** Sent as x-tenant-id. */
  tenant?: string | null;
  /** Sent as Accept-Language: zh-CN for messages that go into files clerks read. */
  language?: string | null;
}

/** A failure of a request, as one sentence; `code` is the GraphQL error's extensions.code when there was one. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly code: string | null = null,
    /** The HTTP status of the answer; null when the server could not be reached. */
    readonly status: number | null = null,
    /** The server says the same request may simply be sent again (extensions.retryable). */
    readonly retryable = false,
    /** The connection was cut after the request was sent and before an answer came (ECONNRESET). */
    readonly cutOff = false,
  ) {
    super(message);
  }

  /**
   * Nothing was written and the same request may succeed in a moment: a deadline or statement timeout
   * (TIMEOUT, HTTP 503), a conflict the server marks retryable (it kept losing races with concurrent
   * writers), a rate limit (429). An importer may send such a batch again: imports are idempotent. A
   * connection cut before the answer may or may not have written; sending again is safe all the same, as a
   * receipt already recorded comes back DUPLICATE (a crowded machine cut some at its keep-alive timeout).
   */
  get transient(): boolean {
    return (
      this.cutOff ||
      this.code === 'TIMEOUT' ||
      this.code === 'RATE_LIMITED' ||
      (this.code === 'CONFLICT' && this.retryable) ||
      this.status === 503 ||
      this.status === 429
    );
  }
}

interface GraphQLBody<R> {
  data?: R | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: { code?: string; field?: string; retryable?: boolean } }>;
}

/** What the user can do about an error code, where there is something to say. */
const ADVICE: Record<string, string> = {
  UNAUTHENTICATED: 'the server and this command must share JWT_SECRET (or, unset, the data folder), or pass a token the server issued with --token',
  FORBIDDEN: "the token's role or tenants do not allow this (see docs/security.md)",
};

export class ApiClient {
  constructor(readonly options: ClientOptions) {}

  /** Sends one operation; resolves to its data, or rejects with an ApiError naming the first error. */
  async request<R, V>(document: TypedDocumentString<R, V>, variables: V): Promise<R> {
    const { url, token, tenant, language } = this.options;
    const query = document.toString();
    const operationName = /^\s*(?:query|mutation)\s+(\w+)/m.exec(query)?.[1];
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(tenant ? { 'x-tenant-id': tenant } : {}),
          ...(language ? { 'accept-language': language } : {}),
        },
        body: JSON.stringify({ query, operationName, variables }),
      });
    } catch (err) {
      const reason = causeOf(err);
      if (CUT_OFF.test(reason)) throw new ApiError(`the connection to the server at ${url} was cut before it answered${reason}`, null, null, false, true);
      throw new ApiError(`cannot reach the server at ${url}${reason}: is it running? Start it with npm start, or give its address with --url`);
    }
    const text = await response.text();
    let body: GraphQLBody<R>;
    try {
      body = JSON.parse(text) as GraphQLBody<R>;
    } catch {
      throw new ApiError(
        `the server at ${url} answered HTTP ${response.status} with ${response.headers.get('content-type') ?? 'no content type'}, not GraphQL: is --url the server's /graphql address?`,
        null,
        response.status,
      );
    }
    const [first, ...others] = body.errors ?? [];
    if (first) {
      const code = first.extensions?.code ?? null;
      const where = first.extensions?.field ? ` (${first.extensions.field})` : first.path ? ` (at ${first.path.join('.')})` : '';
      const more = others.length ? ` (and ${others.length} more error${others.length > 1 ? 's' : ''})` : '';
      const advice = code && ADVICE[code] ? `; ${ADVICE[code]}` : '';
      throw new ApiError(
        `the server refused ${operationName ?? 'the request'} (${code ?? `HTTP ${response.status}`}): ${first.message.replace(/\s+/g, ' ').trim()}${where}${more}${advice}`,
        code,
        response.status,
        first.extensions?.retryable === true,
      );
    }
    if (!body.data) throw new ApiError(`the server at ${url} answered HTTP ${response.status} with neither data nor errors`);
    return body.data;
  }
}

/** Causes that mean the server was reached and the connection then closed under the request. */
const CUT_OFF = /ECONNRESET|EPIPE|UND_ERR_SOCKET|other side closed/;

/** fetch's own message is "fetch failed"; the reason is in its cause (ECONNREFUSED, ENOTFOUND …). */
function causeOf(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (err instanceof Error ? err.message : '');
  return reason ? ` (${reason})` : '';
}
