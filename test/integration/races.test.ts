/**
 * Races over HTTP, with real concurrency on real PostgreSQL: many requests for the same person, the same
 * month or the same file at once. Whatever the interleaving, one of them does the work, the others get
 * the same answer or CONFLICT, the audit log has one OK record per change, and nothing is doubled.
 */
import { makeResidentId } from '../../src/domains/residents/id-number';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

describe('20 concurrent enrol calls for one person', () => {
  it('enrol once: one success and one OK audit record, the other 19 CONFLICT', async () => {
    const id = makeResidentId('620721', '1971-03-04', 381);
    const registered = await server.gql(`mutation($i: ResidentInput!) { registerResident(input: $i) { idNumber } }`, { i: { idNumber: id, name: '并发' } }, { as: 'STAFF', tenant: '620721' });
    expect(registered.errors).toBeUndefined();
    const token = server.token('STAFF', ['620721'], 'clerk-race');
    const ENROLL = `mutation($input: EnrollInput!) { enroll(input: $input) { status amountDue } }`;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => server.gql(ENROLL, { input: { idNumber: id, coverageYear: 2024, enrolledOn: '2023-10-08' } }, { token, tenant: '620721' })),
    );
    const ok = results.filter((r) => !r.errors);
    expect(ok).toHaveLength(1);
    expect(ok[0].data!.enroll).toEqual({ status: 'UNPAID', amountDue: '380.00' });
    expect(results.filter((r) => r.errors).map((r) => r.errors![0].extensions?.code)).toEqual(Array(19).fill('CONFLICT'));

    const audit = await server.ownerQuery<{ outcome: string; n: number }>(
      "SELECT outcome, count(*)::int AS n FROM audit_log WHERE tenant_code = '620721' AND actor = 'clerk-race' GROUP BY outcome ORDER BY outcome",
    );
    expect(audit).toEqual([
      { outcome: 'ERROR', n: 19 },
      { outcome: 'OK', n: 1 },
    ]);
    const [rows] = await server.ownerQuery<{ enrollments: number }>("SELECT count(*)::int AS enrollments FROM enrollment WHERE tenant_code = '620721' AND id_number = $1", [id]);
    expect(rows.enrollments).toBe(1);
  });
});
