/**
 * Advisory locks held until the transaction ends (pg_advisory_xact_lock's two-key form): the first key
 * says what is locked, the second is the hash of which one. The first keys are all here, so that two
 * kinds of lock never share a number. (The server's session locks at start use the one-key form, a
 * separate space.)
 */
import type { TenantTransaction } from './tenant-transaction';

export const TRANSACTION_LOCKS = {
  /** With the tenant: one release of what is held runs at a time. */
  RELEASE_HELD: 72_001,
  /**
   * With the tenant and a month ("620702:2022-09"): that month's payout and refund requests hold it alone;
   * what schedules into the month, and refund decisions, hold it shared.
   */
  PAYOUT_MONTH: 72_002,
  /**
   * With the tenant and a batch id ("620702:TAX-2022-10-01"): one call of an import batch at a time, so that
   * a script's retry sent while its first call still runs waits for it, then is judged against what it
   * committed (a replay, when it committed).
   */
  IMPORT_BATCH: 72_003,
} as const;

/** Waits for, then holds until the transaction ends, the lock of `kind` on `key`. */
export async function lockUntilTransactionEnds(db: TenantTransaction, kind: keyof typeof TRANSACTION_LOCKS, key: string): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [TRANSACTION_LOCKS[kind], key]);
}

/**
 * Waits for, then holds until the transaction ends, the locks of `kind` on every one of `keys`, in one
 * statement, in the order of the locks' own numbers (the hashes): two transactions taking overlapping sets
 * then never each hold one the other waits for, whatever order their keys came in, two keys of one hash
 * included. PostgreSQL evaluates a volatile function of the output after ORDER BY has sorted the rows.
 */
export async function lockAllUntilTransactionEnds(db: TenantTransaction, kind: keyof typeof TRANSACTION_LOCKS, keys: readonly string[]): Promise<void> {
  await db.query('SELECT pg_advisory_xact_lock($1, k) FROM (SELECT DISTINCT hashtext(key) AS k FROM unnest($2::text[]) AS key) AS locks ORDER BY k', [
    TRANSACTION_LOCKS[kind],
    keys,
  ]);
}
