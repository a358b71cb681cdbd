/**
 * The SQL functions of the migrations answer the columns the TypeScript row types expect: a column
 * renamed or added on one side only would otherwise reach clients as undefined, not as an error.
 */
import { ENROLLMENT_ROW_COLUMNS } from '../../src/domains/enrollment/enrollment.repository';
import { STATUS_COLUMNS } from '../../src/domains/enrollment/status-lookup';
import { RESIDENT_COLUMNS } from '../../src/domains/residents/residents.repository';
import { GRANT_ROW_COLUMNS } from '../../src/domains/subsidies/subsidies.repository';
import { residentIds } from '../helpers/seed';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

it('enrollment_status_lookup returns the columns of StatusRow, in order', async () => {
  const [row] = await server.ownerQuery<{ result: string }>(
    "SELECT pg_get_function_result('enrollment_status_lookup(text, text, integer)'::regprocedure) AS result",
  );
  const names = row.result
    .replace(/^TABLE\(|\)$/g, '')
    .split(', ')
    .map((column) => column.split(' ')[0]);
  expect(names).toEqual([...STATUS_COLUMNS]);
});

it('household_graph returns members, enrolments and grants with the columns of their row types; household_summary_graph, some of them', async () => {
  const [id] = residentIds('620721', 1, 9100);
  const [household] = await server.ownerQuery<{ id: string }>(
    "INSERT INTO household (tenant_code, booklet_no, region_code) VALUES ('620721', 'SQL-FN-1', '620721-03') RETURNING id",
  );
  await server.ownerQuery(`INSERT INTO resident (tenant_code, id_number, name, household_id, relationship) VALUES ('620721', $1, '白银', $2, '户主')`, [
    id,
    household.id,
  ]);
  await server.ownerQuery(
    `INSERT INTO enrollment (tenant_code, id_number, coverage_year, status, enrolled_on, standard_contribution, subsidy, amount_due, late)
     VALUES ('620721', $1, 2024, 'UNPAID', '2023-10-08', 38000, 0, 38000, false)`,
    [id],
  );
  await server.ownerQuery(
    `INSERT INTO subsidy_grant (tenant_code, id_number, coverage_year, category, mode, kind, amount, granted_on, status, funding)
     VALUES ('620721', $1, 2024, 'ORPHAN', 'FULL_SPONSORSHIP', 'AT_PAYMENT', 38000, '2023-10-08', 'SETTLED', '[]')`,
    [id],
  );
  const [{ graph }] = await server.ownerQuery<{ graph: Record<string, Array<Record<string, unknown>>> }>(
    "SELECT household_graph('620721', $1::uuid) AS graph",
    [household.id],
  );
  expect(Object.keys(graph.members[0]).sort()).toEqual([...RESIDENT_COLUMNS].sort());
  expect(Object.keys(graph.enrollments[0]).sort()).toEqual([...ENROLLMENT_ROW_COLUMNS].sort());
  expect(Object.keys(graph.grants[0]).sort()).toEqual([...GRANT_ROW_COLUMNS].sort());

  // The summary: the same rows, each with some of those columns and their values.
  const [{ graph: summary }] = await server.ownerQuery<{ graph: Record<string, Array<Record<string, unknown>>> }>(
    "SELECT household_summary_graph('620721', $1::uuid) AS graph",
    [household.id],
  );
  expect(summary.household).toEqual(graph.household);
  for (const part of ['members', 'enrollments', 'grants']) {
    expect(summary[part]).toHaveLength(graph[part].length);
    summary[part].forEach((row, i) => {
      expect(Object.keys(row).length).toBeLessThan(Object.keys(graph[part][i]).length);
      expect(graph[part][i]).toMatchObject(row);
    });
  }
});

it("enrollment_status_in_tenant answers enrollment_status_lookup's row as JSON, and of a paid enrolment what is shown", async () => {
  const [unpaid, paid, stranger, notEnrolled] = residentIds('620721', 4, 9200);
  const [household] = await server.ownerQuery<{ id: string }>(
    "INSERT INTO household (tenant_code, booklet_no, region_code) VALUES ('620721', 'SQL-FN-2', '620721-03') RETURNING id",
  );
  await server.ownerQuery(
    `INSERT INTO resident (tenant_code, id_number, name, household_id, relationship)
     VALUES ('620721', $1, '金昌', $3, '户主'), ('620721', $2, '武威', $3, '子女'), ('620721', $4, '张掖', $3, '子女')`,
    [unpaid, paid, household.id, notEnrolled],
  );
  await server.ownerQuery(
    `INSERT INTO enrollment (tenant_code, id_number, coverage_year, status, enrolled_on, standard_contribution, subsidy, amount_due, late, circumstances)
     VALUES ('620721', $1, 2024, 'UNPAID', '2023-10-08', 38000, 0, 38000, false, '{}'),
            ('620721', $2, 2024, 'UNPAID', '2023-10-08', 38000, 0, 38000, false, '{}')`,
    [unpaid, paid],
  );
  await server.ownerQuery(
    `INSERT INTO assistance_identity (tenant_code, id_number, category, certified_by, valid_from, recorded_by)
     VALUES ('620721', $1, 'DIBAO', 'CIVIL_AFFAIRS', '2023-01-01', 'test')`,
    [unpaid],
  );
  await server.ownerQuery(`UPDATE enrollment SET status = 'PAID', amount_paid = 38000 WHERE tenant_code = '620721' AND id_number = $1`, [paid]);
  for (const id of [unpaid, paid, stranger, notEnrolled]) {
    const [columns] = await server.ownerQuery("SELECT * FROM enrollment_status_lookup('620721', $1, 2024)", [id]);
    const [{ status }] = await server.ownerQuery<{ status: Record<string, unknown> }>("SELECT enrollment_status_in_tenant('620721', $1, 2024) AS status", [id]);
    // A paid enrolment: only what the API shows of it, with the lookup's values.
    if (id === paid) {
      expect(Object.keys(status).sort()).toEqual(['amount_due', 'amount_paid', 'cover_end', 'cover_start', 'name', 'status']);
      expect(columns).toMatchObject(status);
    } else expect(status).toEqual({ ...columns });
    if (id === unpaid)
      expect(status).toMatchObject({
        status: 'UNPAID',
        amount_due: 38000,
        region_code: '620721-03',
        identities: [{ category: 'DIBAO', valid_from: '2023-01-01', valid_to: null }],
      });
    // Paid: the amount due is the enrolment's own; the facts the policy engine would need are not read.
    if (id === paid) {
      expect(status).toMatchObject({ name: '武威', status: 'PAID', amount_due: 38000, amount_paid: 38000 });
      expect(columns).toMatchObject({ household_id: household.id, region_code: null, identities: null });
    }
    if (id === notEnrolled) expect(status).toMatchObject({ name: '张掖', status: null, region_code: '620721-03', identities: null });
    if (id === stranger) expect(status).toMatchObject({ name: null, status: null });
  }
  // Several people at once (the API's coalesced lookups): the same answers, in the order asked, repeats included.
  const asked = [paid, stranger, unpaid, paid, notEnrolled];
  const [{ each }] = await server.ownerQuery<{ each: unknown[] }>("SELECT enrollment_status_each_in_tenant('620721', $1, 2024) AS each", [asked]);
  const alone = [];
  for (const id of asked) alone.push((await server.ownerQuery("SELECT enrollment_status_in_tenant('620721', $1, 2024) AS status", [id]))[0].status);
  expect(each).toEqual(alone);
  expect((await server.ownerQuery("SELECT enrollment_status_each_in_tenant('620721', '{}', 2024) AS each"))[0].each).toEqual([]);
  // An array numbered from 0 pairs each answer with its own ID number all the same.
  const [{ zeroBased }] = await server.ownerQuery<{ zeroBased: unknown[] }>(
    "SELECT enrollment_status_each_in_tenant('620721', ('[0:1]={' || $1 || ',' || $2 || '}')::text[], 2024) AS \"zeroBased\"",
    [stranger, paid],
  );
  expect(zeroBased).toEqual([alone[1], alone[0]]);
});

it('scheme_membership_apply enters new entries and skips, without failing, entries already in the index', async () => {
  const [kept, added, another] = residentIds('620721', 3, 9300);
  const apply = (ids: string[]) =>
    server.ownerQuery("SELECT scheme_membership_apply($1::text[], $2::int[], '{}', '{}') FROM (SELECT set_config('app.tenant', '620721', true)) AS tenant", [
      ids,
      ids.map(() => 2031),
    ]);
  const entries = () =>
    server.ownerQuery<{ id_number: string }>(
      "SELECT id_number FROM scheme_membership WHERE tenant_code = '620721' AND coverage_year = 2031 AND id_number = ANY($1) ORDER BY id_number",
      [[kept, added, another]],
    );
  await apply([kept]);
  await apply([added, kept, another]);
  expect((await entries()).map((e) => e.id_number)).toEqual([kept, added, another].sort());
  await apply([kept]);
  expect(await entries()).toHaveLength(3);
});

it('scheme_membership_apply opens no subtransaction: a transaction of many calls keeps its snapshots plain', async () => {
  // Past 64 subtransactions holding an ID, a backend is marked overflowed and every snapshot taken
  // meanwhile consults pg_subtrans. The block ends by raising its count, which also rolls the entries back.
  const ids = residentIds('620721', 70, 9400);
  const [{ version }] = await server.ownerQuery<{ version: number }>("SELECT current_setting('server_version_num')::int AS version");
  if (version < 160000) {
    // pg_stat_get_backend_subxact came with PostgreSQL 16 (the Citus cluster of docs/scale.md runs 15):
    // there, that the function has no block that catches errors, which is what opens a subtransaction.
    const [{ source }] = await server.ownerQuery<{ source: string }>("SELECT prosrc AS source FROM pg_proc WHERE proname = 'scheme_membership_apply'");
    expect(source).not.toMatch(/\bEXCEPTION\b/i);
    return;
  }
  await expect(
    server.ownerQuery(`DO $$
      DECLARE v_count int; v_overflowed boolean;
      BEGIN
        PERFORM set_config('app.tenant', '620721', true);
        FOR k IN 1..70 LOOP
          PERFORM scheme_membership_apply(ARRAY[(ARRAY['${ids.join("','")}'])[k]], ARRAY[2031], '{}', '{}');
        END LOOP;
        SELECT s.subxact_count, s.subxact_overflowed INTO v_count, v_overflowed
          FROM pg_stat_get_backend_idset() AS b(procnumber), pg_stat_get_backend_subxact(b.procnumber) AS s
         WHERE pg_stat_get_backend_pid(b.procnumber) = pg_backend_pid();
        RAISE EXCEPTION 'subtransactions: %, overflowed: %', v_count, v_overflowed;
      END $$`),
  ).rejects.toThrow('subtransactions: 0, overflowed: f');
});
