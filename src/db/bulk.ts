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

/** An element that needs no quotes in an array's text: no space, quote, comma, backslash or brace. */
const BARE_ELEMENT = /^[^\s",\\{}]+$/;

/**
 * `values` as PostgreSQL's array text (`{1,2,NULL}`, `{"a b",c}`), read by PostgreSQL as the same values
 * as the text pg would send for the array; the array itself when an element is not a string, number,
 * bigint or boolean (pg converts it). pg quotes and escapes every element with two regular expressions:
 * in a profile of the imports (batches of 5,000 rows, some 50 arrays each) that was 6.5% of the API's
 * busy time. Here elements that need no quotes (numbers, dates, ID numbers, codes) go bare, and the
 * others are quoted as pg would. The arrays given to TenantTransaction.query go through it.
 */
export function arrayParameter(values: readonly unknown[]): string | readonly unknown[] {
  let text = '{';
  for (let i = 0; i < values.length; i += 1) {
    if (i > 0) text += ',';
    const value = values[i];
    if (value === null || value === undefined) text += 'NULL';
    else if (typeof value === 'number' || typeof value === 'bigint') text += String(value);
    else if (typeof value === 'boolean') text += value ? 'true' : 'false';
    else if (typeof value === 'string')
      text += BARE_ELEMENT.test(value) && (value.length !== 4 || value.toUpperCase() !== 'NULL') ? value : `"${value.replace(/[\\"]/g, '\\$&')}"`;
    else return values;
  }
  return `${text}}`;
}

/**
 * An INSERT … SELECT as one statement that answers, in one row, how many rows it wrote. On Citus an
 * INSERT … SELECT without RETURNING (or ON CONFLICT) writes its rows into the shards with COPY, which
 * row-level security refuses; with RETURNING they go in as INSERTs. The count keeps the answer small.
 */
export function countedInsert(insertSelect: string): string {
  return `WITH inserted AS (${insertSelect} RETURNING 1) SELECT count(*)::int AS inserted FROM inserted`;
}
