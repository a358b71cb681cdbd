/**
 * Pages of lists that grow, without GraphQL types (services use these; src/graphql/connection.ts holds
 * the GraphQL side): `first` checked against the cap, keyset cursors, and the connection shape.
 */
import { badInput } from '../common/errors';
import { text } from '../common/i18n';
import { encodeCursor, NOT_A_CURSOR } from './cursor';

/** The largest page any list gives; the cost limit (src/graphql/limits.ts) is sized for it. */
export const MAX_PAGE = 500;

export interface Edge<T> {
  cursor: string;
  node: T;
}

export interface Connection<T> {
  /** A number, or a function that counts: the count runs only when a client asks for totalCount. */
  totalCount: number | (() => Promise<number>);
  edges: Array<Edge<T>>;
  nodes: T[];
  pageInfo: { endCursor: string | null; hasNextPage: boolean };
}

/** Checks `first` (1 to `max`) for a list field. */
export function pageSize(first: number, max = MAX_PAGE): number {
  if (!Number.isInteger(first) || first < 1 || first > max)
    throw badInput(text(`每页条数（first）须在 1 至 ${max} 之间`, `first must be between 1 and ${max}`), 'first');
  return first;
}

/**
 * A page from rows read with one more than asked for (`limit first + 1`): whether more follow, and each
 * node's cursor from the sort key `keyOf` gives.
 */
export function toConnection<Row, T>(
  rows: readonly Row[],
  first: number,
  totalCount: number | (() => Promise<number>),
  keyOf: (row: Row) => string,
  present: (row: Row) => T,
): Connection<T> {
  const page = rows.slice(0, first);
  const edges = page.map((row) => ({ cursor: encodeCursor(keyOf(row)), node: present(row) }));
  return {
    totalCount,
    edges,
    nodes: edges.map((e) => e.node),
    pageInfo: { endCursor: edges.at(-1)?.cursor ?? null, hasNextPage: rows.length > first },
  };
}

/** The direction of a list's order. */
export type SortDirection = 'ASC' | 'DESC';

/**
 * A keyset cursor: the sort key of the last row as a list of strings (its sort value, then what breaks
 * ties), so that the next page starts after it whatever was inserted meanwhile.
 */
export function encodeKeyCursor(key: readonly string[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** The key inside a cursor of `encodeKeyCursor`, with `parts` strings; BAD_USER_INPUT for anything else. */
export function decodeKeyCursor(cursor: string, parts: number): string[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = null;
  }
  if (!Array.isArray(key) || key.length !== parts || !key.every((k) => typeof k === 'string' && k.length <= 100)) {
    throw badInput(NOT_A_CURSOR, 'after');
  }
  return key as string[];
}

/** toConnection for keyset cursors: `keyOf` gives the row's sort key as strings. */
export function toKeyConnection<Row, T>(
  rows: readonly Row[],
  first: number,
  totalCount: number | (() => Promise<number>),
  keyOf: (row: Row) => readonly string[],
  present: (row: Row) => T,
): Connection<T> {
  const page = rows.slice(0, first);
  const edges = page.map((row) => ({ cursor: encodeKeyCursor(keyOf(row)), node: present(row) }));
  return { totalCount, edges, nodes: edges.map((e) => e.node), pageInfo: { endCursor: edges.at(-1)?.cursor ?? null, hasNextPage: rows.length > first } };
}

/** The same page with each node presented for the schema. */
export function mapConnection<Row, T>(page: Connection<Row>, present: (row: Row) => T): Connection<T> {
  const edges = page.edges.map((e) => ({ cursor: e.cursor, node: present(e.node) }));
  return { totalCount: page.totalCount, edges, nodes: edges.map((e) => e.node), pageInfo: page.pageInfo };
}
