/**
 * The columns of a row type, listed once as values: the compiler refuses a list that misses a field of
 * the type or names one it lacks, and a test compares the list with what PostgreSQL returns.
 */
export function rowColumns<Row>() {
  return <const C extends ReadonlyArray<keyof Row & string>>(
    columns: C & ([Exclude<keyof Row, C[number]>] extends [never] ? unknown : { missing: Exclude<keyof Row, C[number]> }),
  ): C => columns;
}
