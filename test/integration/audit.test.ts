/**
 * The audit log keeps what the attacker's trial found missing: refused mutations, whom a mutation with
 * inline arguments changed, and who read whose personal data (PIPL).
 */
import { makeResidentId } from '../../src/domains/residents/id-number';
import { appSchema } from '../../src/server/schema';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const LOG = `query($f: AuditFilterInput) { auditLog(first: 20, filter: $f) { nodes { kind actor role operation fields arguments outcome errorCodes } } }`;
const auditOf = async (filter: Record<string, unknown>, tenant = '620721') =>
  (await server.gql(LOG, { f: filter }, { as: 'ADMIN', tenant })).data!.auditLog.nodes as Array<Record<string, any>>;

it('records refused mutations: a role that may not, and a tenant the token does not name', async () => {
  const staff = server.token('STAFF', ['620721'], 'clerk-refused');
  const forbidden = await server.gql('mutation { markDisbursementsPaid(month: "2024-01") { month } }', {}, { token: staff, tenant: '620721' });
  expect(forbidden.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  const elsewhere = server.token('STAFF', ['620702'], 'clerk-elsewhere');
  const outside = await server.gql('mutation { markDisbursementsPaid(month: "2024-01") { month } }', {}, { token: elsewhere, tenant: '620721' });
  expect(outside.errors?.[0].extensions?.code).toBe('FORBIDDEN');

  expect(await auditOf({ actor: 'clerk-refused' })).toEqual([
    expect.objectContaining({
      kind: 'MUTATION',
      role: 'STAFF',
      fields: ['markDisbursementsPaid'],
      outcome: 'ERROR',
      errorCodes: ['FORBIDDEN'],
      arguments: { markDisbursementsPaid: { month: '2024-01' } },
    }),
  ]);
  expect(await auditOf({ actor: 'clerk-elsewhere' })).toEqual([expect.objectContaining({ outcome: 'ERROR', errorCodes: ['FORBIDDEN'] })]);
});

it('records whom a mutation with inline arguments changed, masked', async () => {
  const id = makeResidentId('620721', '1988-05-06', 733);
  const token = server.token('STAFF', ['620721'], 'clerk-inline');
  const res = await server.gql(
    `mutation { registerResident(input: { idNumber: "${id}", name: "内联", phone: "13900002222" }) { idNumber } }`,
    {},
    { token, tenant: '620721' },
  );
  expect(res.errors).toBeUndefined();
  const [record] = await auditOf({ actor: 'clerk-inline' });
  expect(record).toMatchObject({ kind: 'MUTATION', outcome: 'OK', fields: ['registerResident'] });
  const text = JSON.stringify(record.arguments);
  expect(text).toContain(`${id.slice(0, 4)}**********${id.slice(-4)}`);
  expect(text).not.toContain(id);
  expect(text).not.toContain('13900002222');
});

it("records who read whose personal data, and not a bank's masked status lookup", async () => {
  const id = makeResidentId('620721', '1979-07-08', 744);
  await server.gql(
    'mutation($i: ResidentInput!) { registerResident(input: $i) { idNumber } }',
    { i: { idNumber: id, name: '读取' } },
    { as: 'STAFF', tenant: '620721' },
  );
  const reader = server.token('AGENCY', ['620721'], 'agency-reader');
  const read = await server.gql('query Look($id: String!) { resident(idNumber: $id) { name } }', { id }, { token: reader, tenant: '620721' });
  expect(read.data!.resident).toEqual({ name: '读取' });
  const bank = server.token('BANK', ['620721'], 'bank-reader');
  await server.gql('query($id: String!) { enrollmentStatus(idNumber: $id, coverageYear: 2024) { status } }', { id }, { token: bank, tenant: '620721' });

  const [record] = await auditOf({ actor: 'agency-reader', kind: 'READ' });
  expect(record).toMatchObject({ kind: 'READ', role: 'AGENCY', operation: 'Look', fields: ['resident'], outcome: 'OK' });
  expect(JSON.stringify(record.arguments)).toContain(`${id.slice(0, 4)}**********${id.slice(-4)}`);
  expect(await auditOf({ actor: 'bank-reader' })).toEqual([]);
});

it('marks exactly the root queries that answer personal information in clear', () => {
  const marked = Object.values(appSchema().getQueryType()!.getFields())
    .filter((f) => (f.extensions as { personalData?: boolean }).personalData)
    .map((f) => f.name)
    .sort();
  expect(marked).toEqual([
    'assistanceIdentities',
    'certifiedPeople',
    'disbursements',
    'dueReimbursements',
    'duplicateEnrollments',
    'enrollments',
    'followUps',
    'fullSponsorshipRoster',
    'heldPayments',
    'household',
    'householdByBooklet',
    'households',
    'incompleteHouseholds',
    'paymentBatch',
    'preCollectionRoster',
    'refundList',
    'refunds',
    'resident',
    'residentChanges',
    'residents',
    'waitingValues',
    'waiverList',
    'waivers',
  ]);
});
