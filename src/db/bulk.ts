/**
 * Set-based bulk writes: rows travel as one array per column and PostgreSQL turns them back into rows
 * with UNNEST, so that 10,000 rows are one statement with a fixed text (prepared once per connection),
 * whatever their number. A column whose rows all hold the same value travels as that value alone.
 */

/** A column of a bulk write: its name in the row set, its PostgreSQL type, and how a row gives its value. */
export interface BulkColumn<Row> {
  name: string;
  type: 'text' | 'int' | 'bigint' | 'date' | 'uuid' | 'boolean' | 'jsonb';
  value: (row: Row) => unknown;
}

export interface BulkRows {
  /** `UNNEST($2::text[], CASE … END, …) AS alias(a, …)` (see unnestRows), to put after FROM. */
  from: string;
  /** One array per column, in the order of the placeholders. */
  parameters: unknown[][];
}

/**
 * `rows` as a set the statement reads with FROM; the placeholders start at `$firstParameter`.
 *
 * A column after the first whose rows all hold one value (a tax batch's year, channel, payment day,
 * settlement) is sent as a one-element array, and PostgreSQL repeats that element as many times as the
 * first column has rows, which is always sent whole. The text stays the same whichever columns are
 * repeated. In an import of 10,000 payments, most of the enrolment's and payment's columns are the same
 * in every row: sent whole, each was 10,000 elements to write, send and parse back.
 */
export function unnestRows<Row>(alias: string, columns: ReadonlyArray<BulkColumn<Row>>, rows: readonly Row[], firstParameter: number): BulkRows {
  const rowsOfFirst = `cardinality($${firstParameter}::${columns[0].type}[])`;
  const placeholders = columns.map((c, i) => {
    const array = `$${firstParameter + i}::${c.type}[]`;
    return i === 0 ? array : `CASE WHEN cardinality(${array}) = 1 THEN array_fill((${array})[1], ARRAY[${rowsOfFirst}]) ELSE ${array} END`;
  });
  const parameters = columnArrays(columns, rows, firstParameter).parameters.map((values, i) =>
    i > 0 && values.length > 1 && allTheSame(values) ? [values[0]] : values,
  );
  return { from: `UNNEST(${placeholders.join(', ')}) AS ${alias}(${columns.map((c) => c.name).join(', ')})`, parameters };
}

/** Whether every value is the first, a string, number, boolean or null (undefined is sent as null too). */
function allTheSame(values: readonly unknown[]): boolean {
  const first = values[0] ?? null;
  if (first !== null && typeof first === 'object') return false;
  for (let i = 1; i < values.length; i += 1) if ((values[i] ?? null) !== first) return false;
  return true;
}

/**
 * `rows` as one array per column, and their placeholders (`$2::text[], …`, from `$firstParameter`): for a
 * statement that stores the arrays themselves, or reads them some other way than unnestRows' FROM.
 */
export function columnArrays<Row>(
  columns: ReadonlyArray<BulkColumn<Row>>,
  rows: readonly Row[],
  firstParameter: number,
): { placeholders: string; parameters: unknown[][] } {
  return {
    placeholders: columns.map((c, i) => `$${firstParameter + i}::${c.type}[]`).join(', '),
    parameters: columns.map((c) => rows.map((row) => c.value(row))),
  };
}

/**
 * Whether an element needs no quotes in an array's text: not empty, no space, quote, comma, backslash
 * or brace, and not the word NULL. By character code: an import sends some 40 elements a row.
 */
function bare(value: string): boolean {
  const n = value.length;
  if (n === 0 || (n === 4 && value.toUpperCase() === 'NULL')) return false;
  for (let i = 0; i < n; i += 1) {
    const c = value.charCodeAt(i);
    // Space and the control characters, the double quote, comma, backslash, braces, and what else JavaScript calls white space.
    if (c <= 32 || c === 34 || c === 44 || c === 92 || c === 123 || c === 125 || (c >= 0x80 && wideSpace(c))) return false;
  }
  return true;
}

/** The characters above ASCII that JavaScript's \s matches (a regular expression quoted them before). */
function wideSpace(c: number): boolean {
  return (
    c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/**
 * `values` as PostgreSQL's array text (`{1,2,NULL}`, `{"a b",c}`), read by PostgreSQL as the same values
 * as the text pg would send for the array; the array itself when an element is not a string, number,
 * bigint or boolean (pg converts it). pg quotes and escapes every element with two regular expressions:
 * in a profile of the imports (batches of 5,000 rows, some 50 arrays each) that was 6.5% of the API's
 * busy time. Here elements that need no quotes (numbers, dates, ID numbers, codes) go bare, and the
 * others are quoted as pg would. The elements are joined once: appended one by one, each left a
 * string piece to collect, the largest allocation of an import. The arrays given to
 * TenantTransaction.query go through it.
 */
export function arrayParameter(values: readonly unknown[]): string | readonly unknown[] {
  const parts = new Array<string>(values.length);
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i];
    if (value === null || value === undefined) parts[i] = 'NULL';
    else if (typeof value === 'string') parts[i] = bare(value) ? value : `"${value.replace(/[\\"]/g, '\\$&')}"`;
    else if (typeof value === 'number' || typeof value === 'bigint') parts[i] = String(value);
    else if (typeof value === 'boolean') parts[i] = value ? 'true' : 'false';
    else return values;
  }
  if (parts.length === 0) return '{}';
  // The braces joined with the elements, not around the joined text: that makes one flat string, which
  // pg measures and writes as it is, where a string put together of pieces is copied flat first.
  parts[0] = `{${parts[0]}`;
  parts[parts.length - 1] += '}';
  return parts.join(',');
}

/**
 * An INSERT … SELECT as one statement that answers, in one row, how many rows it wrote. On Citus an
 * INSERT … SELECT without RETURNING (or ON CONFLICT) writes its rows into the shards with COPY, which
 * row-level security refuses; with RETURNING they go in as INSERTs. The count keeps the answer small.
 */
export function countedInsert(insertSelect: string): string {
  return `WITH inserted AS (${insertSelect} RETURNING 1) SELECT count(*)::int AS inserted FROM inserted`;
}
