/**
 * The bulk writes send each column as PostgreSQL's array text, written by arrayParameter instead of pg:
 * whatever a clerk types (quotes, commas, braces, spaces, the word NULL, Chinese), PostgreSQL must read
 * back the values that were sent.
 */
import { arrayParameter, type BulkColumn, unnestRows } from '../../src/db/bulk';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

it('PostgreSQL reads back every value arrayParameter sends, of every type the bulk writes use', async () => {
  const texts = [
    '620721194001010002',
    '税务代征',
    'a b',
    ' leading',
    'tab\there',
    'line\nbreak',
    'x"y',
    'a\\b',
    '{}',
    'a,b',
    '',
    'NULL',
    'null',
    'Null ',
    'NULLS',
    null,
    '"',
    'v\vtab',
    'form\ffeed',
    '全角\u3000空格',
    'no\u00a0break',
    'zero\u200bwidth',
    'trailing\\',
    'NaN',
    '1e21',
  ];
  const ints = [0, -1, 38000, null, 2147483647];
  const bigints = [0, 9007199254740991, -38000, null];
  const booleans = [true, false, null];
  const dates = ['2022-10-01', null, '2023-02-28'];
  const uuids = ['00000000-0000-4000-8000-000000000001', null];
  const jsonb = [JSON.stringify({ source: '中央财政', name: 'a "quoted", {braced} \\ name', amount: 1 }), null, '[]'];
  const [row] = await server.ownerQuery<Record<string, unknown[]>>(
    `SELECT $1::text[] AS texts, $2::int[] AS ints, $3::bigint[]::text[] AS bigints, $4::boolean[] AS booleans,
            $5::date[]::text[] AS dates, $6::uuid[]::text[] AS uuids, $7::jsonb[]::text[] AS jsonb`,
    [texts, ints, bigints, booleans, dates, uuids, jsonb].map(arrayParameter),
  );
  expect(row.texts).toEqual(texts);
  expect(row.ints).toEqual(ints);
  expect(row.bigints).toEqual(bigints.map((v) => (v === null ? null : String(v))));
  expect(row.booleans).toEqual(booleans);
  expect(row.dates).toEqual(dates);
  expect(row.uuids).toEqual(uuids);
  // jsonb prints its own spacing: compare the values.
  expect(row.jsonb.map((v) => (v === null ? null : JSON.parse(v as string)))).toEqual(jsonb.map((v) => (v === null ? null : JSON.parse(v))));
  expect(arrayParameter([])).toBe('{}');
});

it('an element of another kind leaves the array to pg', () => {
  const values = ['a', new Date('2022-10-01T00:00:00Z')];
  expect(arrayParameter(values)).toBe(values);
});

it('unnestRows gives back every row, a column whose rows all hold one value sent once and repeated', async () => {
  type Row = { id: string; year: number; paidOn: string | null; channel: string; payer: string | null; before: string | null; late: boolean };
  const columns: ReadonlyArray<BulkColumn<Row>> = [
    { name: 'id', type: 'text', value: (r) => r.id },
    { name: 'year', type: 'int', value: (r) => r.year },
    { name: 'paid_on', type: 'date', value: (r) => r.paidOn },
    { name: 'channel', type: 'text', value: (r) => r.channel },
    { name: 'payer', type: 'text', value: (r) => r.payer },
    { name: 'before', type: 'jsonb', value: (r) => r.before },
    { name: 'late', type: 'boolean', value: (r) => r.late },
  ];
  const read = async (rows: Row[]) => {
    const set = unnestRows('r', columns, rows, 1);
    const result = await server.ownerQuery<Record<string, unknown>>(
      `SELECT r.id, r.year, r.paid_on::text AS "paidOn", r.channel, r.payer, r.before::text AS before, r.late FROM ${set.from}`,
      set.parameters.map((p) => arrayParameter(p)),
    );
    return { set, rows: result.map((r) => ({ ...r, before: r.before === null ? null : JSON.stringify(JSON.parse(r.before as string)) })) };
  };
  const row = (id: string, over: Partial<Row> = {}): Row => ({
    id,
    year: 2023,
    paidOn: '2022-10-01',
    channel: '税务 "代征", {x}',
    payer: null,
    before: JSON.stringify({ status: 'UNPAID' }),
    late: false,
    ...over,
  });
  // Every column but the first the same in each row: each of those is sent as its one value.
  const same = [row('a'), row('b'), row('c')];
  const sent = await read(same);
  expect(sent.rows).toEqual(same);
  expect(sent.set.parameters.map((p) => p.length)).toEqual([3, 1, 1, 1, 1, 1, 1]);
  // Some columns differ: those are sent whole, the others still once.
  const mixed = [row('a', { paidOn: null, payer: '张三' }), row('b', { year: 2024, late: true }), row('c', { before: null })];
  const sentMixed = await read(mixed);
  expect(sentMixed.rows).toEqual(mixed);
  expect(sentMixed.set.parameters.map((p) => p.length)).toEqual([3, 3, 3, 1, 3, 3, 3]);
  // A value left undefined is sent as NULL, and the same as a NULL beside it.
  const unset = [row('a', { payer: undefined as unknown as null }), row('b')];
  const sentUnset = await read(unset);
  expect(sentUnset.rows).toEqual(unset.map((r) => ({ ...r, payer: null })));
  expect(sentUnset.set.parameters[4]).toHaveLength(1);
  // One row, and none.
  expect((await read([row('only')])).rows).toEqual([row('only')]);
  expect((await read([])).rows).toEqual([]);
});
