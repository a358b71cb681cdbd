/**
 * Each of the five tenants set up from nothing through the API and its commands alone: regions (the
 * import:regions command where the county's townships come from the national division codes),
 * households, certifications, enrolments and payments, with the notices' amounts, ending with the bank's
 * status lookup and the bureau's progress report.
 */
import { importRegions, regionsCommand } from '../../src/cli/import-regions';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

async function ok<T = any>(query: string, variables: Record<string, unknown>, role: 'ADMIN' | 'STAFF' | 'BANK' | 'AGENCY' | 'TAX', tenant: string): Promise<T> {
  const res = await server.gql(query, variables, { as: role, tenant });
  expect(res.errors).toBeUndefined();
  return res.data as T;
}

const REGISTER = `mutation($input: HouseholdInput!) { registerHousehold(input: $input) { id members { idNumber hukouPlace } } }`;
const GRANT = `mutation($input: AssistanceInput!) { grantAssistance(input: $input) { status } }`;
const ENROLL = `mutation($input: EnrollInput!) { enroll(input: $input) { status amountDue } }`;
const PAY = `mutation($input: PaymentInput!) { recordPayment(input: $input) { receiptNo amount } }`;
const STATUS = `query($id: String!, $y: Int!) { enrollmentStatus(idNumber: $id, coverageYear: $y) { status amountPaid coverage { start end } } }`;
const PROGRESS = `query($y: Int!, $d: Date!) { enrollmentProgress(coverageYear: $y, asOf: $d) { region { code } paid target } }`;

interface Case {
  tenant: string;
  year: number;
  region: string;
  /** Where progress counts the payment (the region or one it lies in). */
  countedIn: string;
  category: string;
  enrolledOn: string;
  paidOn: string;
  /** Due from the 户主 (no assistance) and from the certified member. */
  amounts: [string, string];
  hukouPlace?: string;
  county: string;
  /** The certified member is fully sponsored (全额资助): enrolled paid by the sponsorship run, not at a bank. */
  sponsored?: boolean;
}

async function setUp(c: Case) {
  const [head, certified] = [makeResidentId(c.county, '1968-03-03', 501), makeResidentId(c.county, '1993-04-04', 502)];
  const household = await ok(
    REGISTER,
    {
      input: {
        bookletNo: `${c.tenant}-SETUP`,
        region: c.region,
        registeredOn: '2021-06-01',
        members: [
          { idNumber: head, name: '户主甲', relationship: '户主', hukouPlace: c.hukouPlace },
          { idNumber: certified, name: '成员乙', relationship: '子女', hukouPlace: c.hukouPlace },
        ],
      },
    },
    'STAFF',
    c.tenant,
  );
  expect(household.registerHousehold.members).toHaveLength(2);
  expect(
    (await ok(GRANT, { input: { idNumber: certified, category: c.category, certifiedBy: '民政局', validFrom: '2021-01-01' } }, 'AGENCY', c.tenant))
      .grantAssistance.status,
  ).toBe('IN_FORCE');
  expect((await ok(ENROLL, { input: { idNumber: head, coverageYear: c.year, enrolledOn: c.enrolledOn } }, 'STAFF', c.tenant)).enroll).toEqual({
    status: 'UNPAID',
    amountDue: c.amounts[0],
  });
  for (const [i, idNumber] of [head, certified].entries()) {
    if (i === 1 && c.sponsored) {
      expect(
        (
          await ok(
            `mutation($y: Int!, $d: Date!) { sponsorEnrollments(coverageYear: $y, paidOn: $d) { enrolled } }`,
            { y: c.year, d: c.paidOn },
            'ADMIN',
            c.tenant,
          )
        ).sponsorEnrollments.enrolled,
      ).toBe(1);
    } else {
      await ok(
        PAY,
        { input: { idNumber, coverageYear: c.year, amount: c.amounts[i], paidOn: c.paidOn, channel: '农商银行', receiptNo: `${c.tenant}-SETUP-${i}` } },
        'BANK',
        c.tenant,
      );
    }
    expect((await ok(STATUS, { id: idNumber, y: c.year }, 'BANK', c.tenant)).enrollmentStatus).toMatchObject({ status: 'PAID', amountPaid: c.amounts[i] });
  }
  const progress = (await ok(PROGRESS, { y: c.year, d: c.paidOn }, 'STAFF', c.tenant)).enrollmentProgress as Array<{ region: { code: string }; paid: number }>;
  expect(progress[0]).toMatchObject({ region: { code: c.tenant }, paid: 2 });
  expect(progress.find((r) => r.region.code === c.countedIn)!.paid).toBe(2);
}

function client(tenant: string) {
  return { url: server.url, token: server.token('ADMIN', [tenant]), tenant };
}

describe('each tenant set up from nothing through the API and its commands', () => {
  it('甘州区 (620702): import:regions brings its 23 townships, 1 development zone and 279 villages; then a household in a village pays 350.00, 农村一类低保 too (先缴后补)', async () => {
    const tally = await importRegions(client('620702'), { villages: true });
    expect(tally).toMatchObject({ tenantName: '甘州区', townships: 23, units: 1, villages: 279, accepted: 303, duplicates: 0, rejected: [] });
    const again = await importRegions(client('620702'), { villages: true });
    expect(again).toMatchObject({ townships: 0, units: 0, villages: 0, accepted: 0 });
    const regions = (await ok('{ viewer { tenant { regions { code name parentCode } } } }', {}, 'STAFF', '620702')).viewer.tenant.regions as Array<{
      code: string;
      parentCode: string | null;
    }>;
    const village = regions.find((r) => r.parentCode === '620702102')!; // a village of 大满镇
    expect(village.code).toMatch(/^620702102\d{3}$/);
    await setUp({
      tenant: '620702',
      county: '620702',
      year: 2023,
      region: village.code,
      countedIn: '620702102',
      category: 'DIBAO_RURAL_1',
      enrolledOn: '2022-10-01',
      paidOn: '2022-10-09',
      amounts: ['350.00', '350.00'],
    });
  });

  it("山丹县 (620725): its 10 townships (8, and its two farms kept as the notice's units); 320.00, and 特困人员 sponsored in full (二)", async () => {
    const tally = await importRegions(client('620725'), { villages: false });
    expect(tally.kept.map((k) => [k.code, k.as])).toEqual([
      ['620725400', '620725-U2'],
      ['620725402', '620725-U1'],
    ]);
    expect(tally).toMatchObject({ townships: 8, units: 0, accepted: 8, rejected: [] });
    const regions = (await ok('{ viewer { tenant { regions { code kind } } } }', {}, 'STAFF', '620725')).viewer.tenant.regions as Array<{
      code: string;
      kind: string;
    }>;
    expect(regions.filter((r) => r.kind === 'TOWNSHIP' || r.kind === 'UNIT')).toHaveLength(10);
    await setUp({
      tenant: '620725',
      county: '620725',
      year: 2022,
      region: '620725101',
      countedIn: '620725101',
      category: 'EXTREME_POVERTY',
      enrolledOn: '2021-10-01',
      paidOn: '2021-10-10',
      amounts: ['320.00', '0.00'],
      sponsored: true,
    });
  });

  it("肃南县 (620721): its townships are the notice's; 380.00, and 130.00 for 农村三类低保 (差额征缴)", async () => {
    await setUp({
      tenant: '620721',
      county: '620721',
      year: 2024,
      region: '620721-01',
      countedIn: '620721-01',
      category: 'DIBAO_RURAL_3',
      enrolledOn: '2023-10-01',
      paidOn: '2023-10-08',
      amounts: ['380.00', '130.00'],
    });
  });

  it("平利县 (610926): villages added under the notice's towns; hukou places as staff write them; 320.00", async () => {
    const tally = await importRegions(client('610926'), { villages: true });
    expect(tally.kept).toHaveLength(11);
    expect(tally).toMatchObject({ townships: 0, villages: 152, accepted: 152, rejected: [] });
    const regions = (await ok('{ viewer { tenant { regions { code name parentCode } } } }', {}, 'STAFF', '610926')).viewer.tenant.regions as Array<{
      code: string;
      parentCode: string | null;
    }>;
    const village = regions.find((r) => r.code.startsWith('610926102') && r.code.length === 12)!;
    expect(village.parentCode).toBe('610926-02'); // 老县镇 as the notice numbers it
    const due = (
      await ok(
        `{ quote(input: { tenant: "610926", coverageYear: 2022, paymentDate: "2021-11-01", categories: [DIBAO] }) { amountDue } }`,
        {},
        'STAFF',
        '610926',
      )
    ).quote.amountDue;
    await setUp({
      tenant: '610926',
      county: '610926',
      year: 2022,
      region: village.code,
      countedIn: '610926-02',
      category: 'DIBAO',
      enrolledOn: '2021-10-20',
      paidOn: '2021-11-01',
      amounts: ['320.00', due],
      hukouPlace: '平利县老县镇',
    });
  });

  it("贵阳贵安 (520100): its districts' townships; 320.00", async () => {
    const tally = await importRegions(client('520100'), { villages: false });
    expect(tally.rejected).toEqual([]);
    expect(tally.accepted).toBeGreaterThan(100);
    const due = (
      await ok(
        `{ quote(input: { tenant: "520100", coverageYear: 2022, paymentDate: "2021-12-01", categories: [DIBAO] }) { amountDue } }`,
        {},
        'STAFF',
        '520100',
      )
    ).quote.amountDue;
    await setUp({
      tenant: '520100',
      county: '520102',
      year: 2022,
      region: '520102016',
      countedIn: '520100-GY',
      category: 'DIBAO',
      enrolledOn: '2021-11-01',
      paidOn: '2021-12-01',
      amounts: ['320.00', due],
    });
  });

  it('documents the command with examples (--help)', () => {
    let help = '';
    regionsCommand()
      .configureOutput({ writeOut: (s) => (help += s) })
      .outputHelp();
    expect(help).toContain('--tenant <code>');
    expect(help).toContain('npm run import:regions -- --tenant 620702');
  });
});
