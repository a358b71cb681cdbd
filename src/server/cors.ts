/** CORS for the portals named in CORS_ORIGINS: what a browser on another origin needs to call the API. */
import type { IncomingMessage } from 'node:http';

const ALLOWED_HEADERS = 'authorization, content-type, x-tenant-id, accept, accept-language, apollo-require-preflight, x-apollo-operation-name';

/** The CORS response headers for this request's Origin, or null when it comes from an origin not allowed. */
export function corsHeaders(allowed: readonly string[], req: IncomingMessage): Record<string, string> | null {
  const origin = req.headers.origin;
  if (!origin) return {};
  if (!allowed.includes(origin)) return null;
  return {
    'access-control-allow-origin': origin,
    vary: 'Origin',
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': ALLOWED_HEADERS,
    'access-control-expose-headers': 'x-request-id, retry-after',
    'access-control-max-age': '600',
  };
}
