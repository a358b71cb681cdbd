/**
 * What the national one-scheme index (不重复参保) tells whom through the status lookup. A bank or the tax
 * system learns at most whether the person is insured elsewhere this year; a county's ADMIN and STAFF
 * learn which county only for a person registered with them, and that read is audited; and the common
 * lookup, which asks for neither, does not consult the index at all.
 */
import { makeResidentId } from '../../src/domains/residents/id-number';
import { startTestServer, type TestServer } from '../helpers/server';

const PL = '610926';
const GY = '520100';
const STATUS = (fields: string) => `query Lookup($id: String!, $year: Int!) { enrollmentStatus(idNumber: $id, coverageYear: $year) { status ${fields} } }`;

/** Someone enrolled and paid for 2022 in 贵阳贵安. */
async function insuredInGuiyang(server: TestServer, idNumber: string, receiptNo: string): Promise<void> {
  const registered = await server.gql(
    `mutation($input: HouseholdInput!) { registerHousehold(input: $input) { id } }`,
    { input: { bookletNo: `GY-${receiptNo}`, region: '520112', registeredOn: '2015-01-01', members: [{ idNumber, name: '外县', relationship: '户主' }] } },
    { as: 'STAFF', tenant: GY },
  );
  expect(registered.errors).toBeUndefined();
  const paid = await server.gql(
    `mutation($input: PaymentInput!) { recordPayment(input: $input) { receiptNo } }`,
    { input: { idNumber, coverageYear: 2022, amount: '320.00', paidOn: '2021-11-20', channel: '银行', receiptNo } },
    { as: 'BANK', tenant: GY },
  );
  expect(paid.errors).toBeUndefined();
}

describe('who learns where a person is insured', () => {
  let server: TestServer;
  // Insured in 贵阳贵安 and not registered in 平利: any ID number a caller of 平利 might type.
  const stranger = makeResidentId('520102', '1980-08-08', 417);
  // Insured in 贵阳贵安 and registered in 平利 too: a duplicate 平利 has to settle.
  const duplicate = makeResidentId('520102', '1981-09-09', 418);
  beforeAll(async () => {
    server = await startTestServer();
    await insuredInGuiyang(server, stranger, 'EW-1');
    await insuredInGuiyang(server, duplicate, 'EW-2');
    const registered = await server.gql(
      `mutation($input: HouseholdInput!) { registerHousehold(input: $input) { id } }`,
      {
        input: {
          bookletNo: 'PL-EW-2',
          region: '610926-08',
          registeredOn: '2015-01-01',
          members: [{ idNumber: duplicate, name: '重复', relationship: '户主', hukouPlace: '610926108' }],
        },
      },
      { as: 'STAFF', tenant: PL },
    );
    expect(registered.errors).toBeUndefined();
  });
  afterAll(async () => server?.close());

  it('a bank and the tax system: whether the person is insured elsewhere this year, never where', async () => {
    for (const role of ['BANK', 'TAX'] as const) {
      const yes = await server.gql(STATUS('insuredElsewhere'), { id: stranger, year: 2022 }, { as: role, tenant: PL });
      expect(yes.errors).toBeUndefined();
      expect(yes.data!.enrollmentStatus).toEqual({ status: 'NOT_ENROLLED', insuredElsewhere: true });
      const no = await server.gql(STATUS('insuredElsewhere'), { id: stranger, year: 2023 }, { as: role, tenant: PL });
      expect(no.data!.enrollmentStatus.insuredElsewhere).toBe(false);
      for (const id of [stranger, duplicate]) {
        const where = await server.gql(STATUS('insuredElsewhere enrolledElsewhere'), { id, year: 2022 }, { as: role, tenant: PL });
        expect(where.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['enrollmentStatus', 'enrolledElsewhere'], 'FORBIDDEN']]);
        expect(where.data!.enrollmentStatus).toEqual({ status: 'NOT_ENROLLED', insuredElsewhere: true, enrolledElsewhere: null });
        expect(JSON.stringify(where)).not.toContain(GY);
      }
    }
  });

  it("a county's STAFF and ADMIN: which county, for a person registered with them only", async () => {
    for (const role of ['STAFF', 'ADMIN'] as const) {
      const unknown = await server.gql(STATUS('insuredElsewhere enrolledElsewhere'), { id: stranger, year: 2022 }, { as: role, tenant: PL });
      expect(unknown.errors).toBeUndefined();
      expect(unknown.data!.enrollmentStatus).toEqual({ status: 'NOT_ENROLLED', insuredElsewhere: true, enrolledElsewhere: null });
      const own = await server.gql(STATUS('enrolledElsewhere'), { id: duplicate, year: 2022 }, { as: role, tenant: PL });
      expect(own.errors).toBeUndefined();
      expect(own.data!.enrollmentStatus.enrolledElsewhere).toEqual([GY]);
    }
  });

  it('records who read where a registered person is insured, and not the lookups that did not ask', async () => {
    const clerk = server.token('STAFF', [PL], 'clerk-where');
    await server.gql(STATUS('enrolledElsewhere'), { id: duplicate, year: 2022 }, { token: clerk, tenant: PL });
    const counter = server.token('STAFF', [PL], 'clerk-status-only');
    await server.gql(STATUS('insuredElsewhere'), { id: duplicate, year: 2022 }, { token: counter, tenant: PL });
    await server.auditWritten();
    const records = await server.ownerQuery<{ actor: string; operation: string; outcome: string }>(
      "SELECT actor, operation, outcome FROM audit_log WHERE tenant_code = $1 AND actor IN ('clerk-where', 'clerk-status-only') ORDER BY id",
      [PL],
    );
    expect(records).toEqual([{ actor: 'clerk-where', operation: 'Lookup', outcome: 'OK' }]);
  });
});

describe('the common lookup and the one-scheme index', () => {
  let server: TestServer;
  const id = makeResidentId('520102', '1982-10-10', 419);
  beforeAll(async () => {
    server = await startTestServer();
    await insuredInGuiyang(server, id, 'EW-3');
    // From here on, any use of the index fails the statement that uses it.
    for (const fn of [
      'scheme_elsewhere(p_id_numbers text[], p_year integer) RETURNS TABLE (id_number text, tenant_code text)',
      'insured_elsewhere(p_id_number text, p_year integer) RETURNS boolean',
    ]) {
      await server.ownerQuery(`CREATE OR REPLACE FUNCTION ${fn} LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'the one-scheme index was asked'; END $$`);
    }
  });
  afterAll(async () => server?.close());

  it('does not consult the index unless the operation selects what it says', async () => {
    const common = await server.gql(
      STATUS('amountDue amountPaid coverage { start end } idNumberMasked nameMasked'),
      { id, year: 2022 },
      { as: 'BANK', tenant: GY },
    );
    expect(common.errors).toBeUndefined();
    expect(common.data!.enrollmentStatus).toMatchObject({ status: 'PAID', amountPaid: '320.00' });
    const asked = await server.gql(STATUS('insuredElsewhere'), { id, year: 2022 }, { as: 'BANK', tenant: GY });
    expect(asked.errors?.[0].extensions?.code).toBe('INTERNAL_SERVER_ERROR');
  });
});
