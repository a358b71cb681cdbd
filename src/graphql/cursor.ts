/** Opaque cursors of pages: the sort key of the last row, base64url-encoded so that clients do not read into it. */
import { badInput } from '../common/errors';
import { text } from '../common/i18n';

/** The refusal of an `after` that no page of this server gave. */
export const NOT_A_CURSOR = text('分页游标（after）不是本服务给出的', 'after is not a cursor this server gave');

export function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

/** The key inside a cursor this server gave; `valid` rejects anything else with BAD_USER_INPUT. */
export function decodeCursor(cursor: string, valid: RegExp = /^[0-9A-Z]{5,30}$/): string {
  const value = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!valid.test(value)) throw badInput(NOT_A_CURSOR, 'after');
  return value;
}
