/**
 * Set-based bulk writes: rows travel as one array per column and PostgreSQL turns them back into rows
 * with UNNEST, so that 10,000 rows are one statement with a fixed text (prepared once per connection),
 * whatever their number.
 */

/** A column of a bulk write: its name in the row set, its PostgreSQL type, and how a row gives its value. */
export interface BulkColumn<Row> {
  name: string;
  type: 'text' | 'int' | 'bigint' | 'date' | 'uuid' | 'boolean' | 'jsonb';
  value: (row: Row) => unknown;
}

export interface BulkRows {
  /** `UNNEST($2::text[], …) AS alias(a, …)`, to put after FROM. */
  from: string;
  /** One array per column, in the order of the placeholders. */
  parameters: unknown[][];
}

/** `rows` as a set the statement reads with FROM; the placeholders start at `$firstParameter`. */
export function unnestRows<Row>(alias: string, columns: ReadonlyArray<BulkColumn<Row>>, rows: readonly Row[], firstParameter: number): BulkRows {
  const placeholders = columns.map((c, i) => `$${firstParameter + i}::${c.type}[]`).join(', ');
  return {
    from: `UNNEST(${placeholders}) AS ${alias}(${columns.map((c) => c.name).join(', ')})`,
    parameters: columns.map((c) => rows.map((row) => c.value(row))),
  };
}

/**
 * An INSERT … SELECT as one statement that answers, in one row, how many rows it wrote. On Citus an
 * INSERT … SELECT without RETURNING (or ON CONFLICT) writes its rows into the shards with COPY, which
 * row-level security refuses; with RETURNING they go in as INSERTs. The count keeps the answer small.
 */
export function countedInsert(insertSelect: string): string {
  return `WITH inserted AS (${insertSelect} RETURNING 1) SELECT count(*)::int AS inserted FROM inserted`;
}
