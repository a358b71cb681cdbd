/** Opaque cursors of pages: the sort key of the last row, base64url-encoded so that clients do not read into it. */
import { badInput } from '../common/errors';

export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

/** The key inside a cursor this server gave; `valid` rejects anything else with BAD_USER_INPUT. */
export function decodeCursor(cursor: string, valid: RegExp = /^[0-9A-Z]{5,30}$/): string {
  const value = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!valid.test(value)) throw badInput('after is not a cursor this server gave', 'after');
  return value;
}
