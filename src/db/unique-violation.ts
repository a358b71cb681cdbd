/**
 * The constraint a unique violation (SQLSTATE 23505) broke, as the schema names it; null for any other
 * error, '' when the error does not say which. Citus relays a worker's error without its constraint
 * field and names the shard's copy of the constraint (the shard's number after the name): the name is
 * then read from the message and the number dropped. No constraint of the schema ends in a number.
 */
export function uniqueViolation(err: unknown): string | null {
  const e = (err ?? {}) as { code?: string; constraint?: string; message?: string };
  if (e.code !== '23505') return null;
  const name = e.constraint ?? /"([^"]+)"/.exec(e.message ?? '')?.[1];
  return name === undefined ? '' : name.replace(SHARD_NUMBER, '');
}

const SHARD_NUMBER = /_\d+$/;
