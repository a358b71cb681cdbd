/**
 * What the server's own pages for bureau staff share (the dashboard at /dashboard, the policy years at
 * /policy-years): files read once at start from public/ and the installed packages, a strict content
 * security policy, ETags, and each page's GraphQL operations taken from schema/operations/, so that what
 * a page sends is what the schema-stability test validates. Every file comes from this server: the pages
 * work on a county's closed network.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, print } from 'graphql';
import { PROJECT_ROOT } from '../common/config';
import { loadOperations } from '../graphql/operations';

export interface StaticAsset {
  type: string;
  body: Buffer;
  etag: string;
}

/** URL path → file. */
export type PageAssets = Record<string, StaticAsset>;

/**
 * No inline script or style, nothing from another origin; a page may only call this server. Forms are
 * submitted by the script: with form-action 'none' a page whose script failed cannot put a token into a URL.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const PAGE_HEADERS = {
  'content-security-policy': PAGE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  // Revalidated on every load (answered 304 while unchanged): a new release's script is never mixed with an old page.
  'cache-control': 'no-cache',
};

export function asset(type: string, body: Buffer | string): StaticAsset {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  return { type: `${type}; charset=utf-8`, body: bytes, etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"` };
}

/**
 * How the pages call /graphql (public/common/api.js), served under each page's own path as `api.js`
 * beside its script, which loads after it: every file a page loads stays under that page.
 */
export function pageApiScript(): StaticAsset {
  return asset('text/javascript', readFileSync(join(PROJECT_ROOT, 'public', 'common', 'api.js')));
}

/** Each operation of a file of schema/operations/ by name, printed alone: the page sends exactly these. */
export function operationsOf(location: string, page: string): Record<string, string> {
  const file = loadOperations().find((o) => o.location === location);
  if (!file) throw new Error(`${location} is missing: ${page} cannot run without its operations`);
  return Object.fromEntries(file.document.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [[d.name.value, print(d)]] : [])));
}

/** The answer to a GET or HEAD of one of the pages' paths, or null when the path is not one of theirs. */
export function pageResponse(
  assets: PageAssets,
  pathname: string,
  ifNoneMatch: string | undefined,
): { status: number; headers: Record<string, string>; body: Buffer } | null {
  const found = assets[pathname];
  if (!found) return null;
  const headers = { ...PAGE_HEADERS, 'content-type': found.type, etag: found.etag };
  if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === found.etag)) return { status: 304, headers, body: Buffer.alloc(0) };
  return { status: 200, headers, body: found.body };
}
