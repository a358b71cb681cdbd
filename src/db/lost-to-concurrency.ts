/**
 * Whether PostgreSQL gave a statement up because of other transactions rather than anything the statement
 * asked: a deadlock it broke (SQLSTATE 40P01) or a serialization failure (40001). Either rolls the
 * transaction back whole, so nothing of the request was written and the same request may succeed when
 * sent again. Citus relays a worker's error with the worker's code.
 */
export function lostToConcurrency(err: unknown): boolean {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return code === '40P01' || code === '40001';
}
