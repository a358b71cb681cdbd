/**
 * Per-request DataLoaders for nested fields: a household's members, their enrolments, an enrolment's
 * payments load in one set-based query per level, whatever the number of parents. Each domain defines
 * its own loaders here; the request context only keeps them for the request.
 */
import DataLoader from 'dataloader';
import type { RequestContext } from '../context/request-context';

export type RequestLoader<K, V> = (ctx: RequestContext) => DataLoader<K, V, string>;

/**
 * A loader made once per request on first use. `batch` gets the distinct keys of one tick and answers
 * one value per key, in their order; `keyOf` turns a key into the string it is cached under.
 */
export function defineLoader<K, V>(batch: (ctx: RequestContext, keys: readonly K[]) => Promise<V[]>, keyOf: (key: K) => string = String): RequestLoader<K, V> {
  const slot = {};
  return (ctx) => ctx.perRequest(slot, () => new DataLoader<K, V, string>((keys) => batch(ctx, keys), { cacheKeyFn: keyOf }));
}

/** A loader of lists: the rows `load` finds for all keys, grouped back by `groupOf`. */
export function defineListLoader<K, Row>(
  load: (ctx: RequestContext, keys: readonly K[]) => Promise<Row[]>,
  groupOf: (row: Row) => string,
  keyOf: (key: K) => string = String,
): RequestLoader<K, Row[]> {
  return defineLoader<K, Row[]>(async (ctx, keys) => {
    const groups = groupBy(await load(ctx, keys), groupOf);
    return keys.map((k) => groups.get(keyOf(k)) ?? []);
  }, keyOf);
}

export function groupBy<T, K>(rows: readonly T[], keyOf: (row: T) => K): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const row of rows) {
    const key = keyOf(row);
    const list = groups.get(key);
    if (list) list.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}
