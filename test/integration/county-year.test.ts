/**
 * A county runs its whole year, over HTTP on real PostgreSQL with the notices' values: regions added,
 * renamed and retired (and seen by a second server), identity checks, life events (death, emigration,
 * transfer in, ID-number corrections, heads, splits, merges), waivers, the lists a township works from,
 * a resident's whole history in one query, certifications' lifecycle, and figures for a past day that
 * do not change when later events happen.
 */
import { startServer } from '../../src/app';
import { createLogger } from '../../src/common/logger';
import { loadConfig } from '../../src/common/config';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { nameOf } from '../helpers/names';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

type Role = 'ADMIN' | 'STAFF' | 'BANK' | 'TAX' | 'AGENCY';
const as = (role: Role, tenant: string) => ({ as: role, tenant });
const GZ = '620702'; // 甘州区 2023: 350.00, pay by 2022-12-31, cover from 2023-01-01
const PL = '610926'; // 平利县 2022: 320.00, window 2021-10-15 … 2021-12-25
const SD = '620725'; // 山丹县 2022: 320.00, window 2021-07-01 … 2021-12-31

let seq = 0;
const id = (county: string, birth = '1980-01-01') => makeResidentId(county, birth, 100 + (seq++ % 800));

async function ok<T = any>(query: string, variables: Record<string, unknown>, role: Role, tenant: string): Promise<T> {
  const res = await server.gql(query, variables, as(role, tenant));
  expect(res.errors).toBeUndefined();
  return res.data as T;
}

const ADD_REGIONS = `mutation($r: [RegionInput!]!) { addRegions(regions: $r) { accepted duplicates rejected rows { regionCode status code error } } }`;
const REGISTER = `mutation($input: HouseholdInput!) { registerHousehold(input: $input) { id bookletNo region { code name } members { idNumber relationship hukouPlace } } }`;
const PAY = `mutation($input: PaymentInput!) { recordPayment(input: $input) { receiptNo } }`;
const ENROLL = `mutation($input: EnrollInput!) { enroll(input: $input) { status amountDue } }`;

async function household(tenant: string, bookletNo: string, region: string, members: Array<Record<string, unknown>>, registeredOn = '2020-01-01') {
  return (await ok(REGISTER, { input: { bookletNo, region, registeredOn, members } }, 'STAFF', tenant)).registerHousehold as {
    id: string;
    members: Array<{ idNumber: string }>;
  };
}

async function pay(tenant: string, idNumber: string, coverageYear: number, amount: string, paidOn: string, receiptNo: string, channel = '农商银行') {
  return ok(PAY, { input: { idNumber, coverageYear, amount, paidOn, channel, receiptNo } }, 'BANK', tenant);
}

describe('regions added, renamed and retired at run time', () => {
  it("adds 甘州's townships and villages inside its division, with parents by default, and judges each row", async () => {
    const res = await ok(
      ADD_REGIONS,
      {
        r: [
          { code: '620702102', name: '大满镇', kind: 'TOWNSHIP' },
          { code: '620702102001', name: '大满村', kind: 'VILLAGE' },
          { code: '620702103', name: '沙井镇', kind: 'TOWNSHIP' },
          { code: '620702001', name: '东街街道', kind: 'TOWNSHIP' },
          { code: '620721102', name: '马蹄乡', kind: 'TOWNSHIP' },
          { code: '620702104', name: '乌江镇', kind: 'VILLAGE' },
          { code: '620702105', name: '大满镇', kind: 'TOWNSHIP' },
        ],
      },
      'ADMIN',
      GZ,
    );
    expect(res.addRegions).toMatchObject({ accepted: 4, duplicates: 0, rejected: 3 });
    expect(res.addRegions.rows.slice(4).map((r: { code: string }) => r.code)).toEqual(['BAD_USER_INPUT', 'BAD_USER_INPUT', 'CONFLICT']);
    const replay = await ok(ADD_REGIONS, { r: [{ code: '620702102', name: '大满镇', kind: 'TOWNSHIP' }] }, 'ADMIN', GZ);
    expect(replay.addRegions).toMatchObject({ accepted: 0, duplicates: 1 });
    const single = await server.gql(
      `mutation { addRegion(input: { code: "620702104", name: "乌江镇", kind: TOWNSHIP }) { code name kind parentCode } }`,
      {},
      as('STAFF', GZ),
    );
    expect(single.errors?.[0].extensions?.code).toBe('FORBIDDEN');
    const added = await ok(`mutation { addRegion(input: { code: "620702104001", name: "乌江村", kind: VILLAGE }) { code parentCode } }`, {}, 'ADMIN', GZ);
    expect(added.addRegion).toEqual({ code: '620702104001', parentCode: null }); // its township is not a region: the tenant
    const viewer = await ok('{ viewer { tenant { regions { code name kind parentCode } } } }', {}, 'STAFF', GZ);
    expect(viewer.viewer.tenant.regions).toEqual(
      expect.arrayContaining([
        { code: '620702102', name: '大满镇', kind: 'TOWNSHIP', parentCode: null },
        { code: '620702102001', name: '大满村', kind: 'VILLAGE', parentCode: '620702102' },
      ]),
    );
  });

  it('registers households in a region just added (甘州 had none), and searches follow the hierarchy', async () => {
    const village = await household(GZ, 'GZ-R-1', '620702102001', [{ idNumber: id(GZ), name: '张大满', relationship: '户主' }]);
    const street = await household(GZ, 'GZ-R-2', '620702001', [{ idNumber: id(GZ), name: '李东街', relationship: '户主' }]);
    const inTown = await ok(`{ residents(filter: { region: "620702102" }) { totalCount nodes { idNumber } } }`, {}, 'STAFF', GZ);
    expect(inTown.residents.totalCount).toBe(1);
    expect(inTown.residents.nodes[0].idNumber).toBe(village.members[0].idNumber);
    const households = await ok(`{ households(filter: { region: "620702001" }) { totalCount nodes { bookletNo } } }`, {}, 'STAFF', GZ);
    expect(households.households).toEqual({ totalCount: 1, nodes: [{ bookletNo: 'GZ-R-2' }] });
    expect(street.id).toBeTruthy();
  });

  it('shows a region added on one server to another server on the same database, without a restart', async () => {
    const config = loadConfig({ ...process.env, DATABASE_URL: server.databaseUrl, PORT: '0' });
    const other = await startServer(config, createLogger('silent'));
    try {
      await ok(`mutation { addRegion(input: { code: "620702105", name: "甘浚镇", kind: TOWNSHIP }) { code } }`, {}, 'ADMIN', GZ);
      const token = server.token('STAFF', [GZ]);
      const seen = async () => {
        const res = await fetch(other.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, 'x-tenant-id': GZ },
          body: JSON.stringify({ query: '{ viewer { tenant { regions { code } } } }' }),
        });
        const body = (await res.json()) as any;
        return body.data.viewer.tenant.regions.some((r: { code: string }) => r.code === '620702105');
      };
      let found = false;
      for (let i = 0; i < 40 && !found; i++) {
        found = await seen();
        if (!found) await new Promise((r) => setTimeout(r, 50));
      }
      expect(found).toBe(true);
    } finally {
      await other.close();
    }
  });

  it('renames from a date (reports before it keep the old name) and retires into a successor', async () => {
    await ok(`mutation { renameRegion(code: "620702102", name: "大满镇（新）", from: "2022-11-01") { name } }`, {}, 'ADMIN', GZ);
    const progress = async (asOf: string) =>
      (await ok(`query($d: Date!) { enrollmentProgress(coverageYear: 2023, asOf: $d) { region { code name } paid } }`, { d: asOf }, 'STAFF', GZ))
        .enrollmentProgress as Array<{ region: { code: string; name: string }; paid: number }>;
    expect((await progress('2022-10-31')).find((r) => r.region.code === '620702102')!.region.name).toBe('大满镇');
    expect((await progress('2022-11-30')).find((r) => r.region.code === '620702102')!.region.name).toBe('大满镇（新）');

    const sha = await household(GZ, 'GZ-R-3', '620702103', [{ idNumber: id(GZ), name: '赵沙井', relationship: '户主' }]);
    await pay(GZ, sha.members[0].idNumber, 2023, '350.00', '2022-10-09', 'GZ-R-3-PAY');
    const refused = await server.gql(`mutation { retireRegion(code: "620702103", on: "2022-12-01") { code } }`, {}, as('ADMIN', GZ));
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'successorCode' });
    const retired = await ok(
      `mutation { retireRegion(code: "620702103", on: "2022-12-01", successorCode: "620702102", reason: "撤乡并镇") { retiredOn successorCode } }`,
      {},
      'ADMIN',
      GZ,
    );
    expect(retired.retireRegion).toEqual({ retiredOn: '2022-12-01', successorCode: '620702102' });
    const late = await server.gql(
      REGISTER,
      { input: { bookletNo: 'GZ-R-4', region: '620702103', registeredOn: '2022-12-05', members: [{ idNumber: id(GZ), name: '钱', relationship: '户主' }] } },
      as('STAFF', GZ),
    );
    expect(late.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'region' });
    const before = await progress('2022-11-30');
    const after = await progress('2022-12-10');
    expect(before.find((r) => r.region.code === '620702103')!.paid).toBe(1);
    expect(after.find((r) => r.region.code === '620702103')).toBeUndefined();
    expect(after.find((r) => r.region.code === '620702102')!.paid).toBe(before.find((r) => r.region.code === '620702102')!.paid + 1);
  });

  it('counts a village moved to another township in that township only, from the day it moved', async () => {
    for (const [code, name] of [
      ['620702118', '乌江镇'],
      ['620702119', '碱滩镇'],
    ])
      await ok(`mutation($i: RegionInput!) { addRegion(input: $i) { code } }`, { i: { code, name, kind: 'TOWNSHIP' } }, 'ADMIN', GZ);
    for (const [code, name] of [
      ['620702118201', '东湾村'],
      ['620702119201', '西湾村'],
    ])
      await ok(`mutation($i: RegionInput!) { addRegion(input: $i) { code } }`, { i: { code, name, kind: 'VILLAGE' } }, 'ADMIN', GZ);
    const moved = await household(GZ, 'GZ-R-5', '620702118201', [{ idNumber: id(GZ), name: '孙东湾', relationship: '户主' }]);
    await pay(GZ, moved.members[0].idNumber, 2023, '350.00', '2022-10-09', 'GZ-R-5-PAY');
    await ok(`mutation { retireRegion(code: "620702118201", on: "2022-12-01", successorCode: "620702119201", reason: "区划调整") { code } }`, {}, 'ADMIN', GZ);
    const paidIn = async (asOf: string) => {
      const rows = (await ok(`query($d: Date!) { enrollmentProgress(coverageYear: 2023, asOf: $d) { region { code } paid } }`, { d: asOf }, 'STAFF', GZ))
        .enrollmentProgress as Array<{ region: { code: string }; paid: number }>;
      return ['620702118', '620702119'].map((code) => rows.find((r) => r.region.code === code)?.paid);
    };
    expect(await paidIn('2022-11-30')).toEqual([1, 0]);
    expect(await paidIn('2022-12-10')).toEqual([0, 1]);
    // Listed today where it is now.
    const listed = async (region: string) =>
      (await ok(`query($r: ID!) { enrollments(coverageYear: 2023, filter: { region: $r }) { totalCount } }`, { r: region }, 'STAFF', GZ)).enrollments
        .totalCount;
    expect([await listed('620702118'), await listed('620702119')]).toEqual([0, 1]);
  });
});

describe('identity and input', () => {
  const STATUS = `query($id: String!) { enrollmentStatus(idNumber: $id, coverageYear: 2023) { status amountDueNote } }`;

  it('gives a bank BAD_USER_INPUT for an invalid ID number, and "not registered" only for a valid one', async () => {
    const valid = id(GZ, '1975-05-05');
    const badCheck = `${valid.slice(0, 17)}${valid[17] === '0' ? '1' : '0'}`;
    const badDivision = makeResidentId('999999', '1975-05-05', 123);
    const before1900 = makeResidentId('620702', '1899-12-31', 123);
    const future = makeResidentId('620702', '2099-01-01', 123);
    for (const number of [badCheck, badDivision, before1900, future, '12345']) {
      const res = await server.gql(STATUS, { id: number }, as('BANK', GZ));
      expect([number, res.errors?.[0].extensions?.code]).toEqual([number, 'BAD_USER_INPUT']);
    }
    const unknown = await ok(STATUS, { id: valid }, 'BANK', GZ);
    expect(unknown.enrollmentStatus).toEqual({ status: 'NOT_ENROLLED', amountDueNote: 'not registered in this tenant' });
    // A former code (张掖地区张掖市, before 甘州区 had its own) is still a real division code.
    expect((await ok(STATUS, { id: makeResidentId('622201', '1960-06-06', 111) }, 'BANK', GZ)).enrollmentStatus.status).toBe('NOT_ENROLLED');
    const reg = await server.gql(
      REGISTER,
      { input: { bookletNo: 'GZ-ID-1', region: '620702001', members: [{ idNumber: badDivision, name: '错', relationship: '户主' }] } },
      as('STAFF', GZ),
    );
    expect(reg.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'members[0].idNumber' });
    expect(reg.errors?.[0].message).toContain('999999');
  });

  it('in 平利, refuses a member without a hukou or residence permit there at registration, naming the field, and reads places as staff write them', async () => {
    const [a, b] = [id(PL), id(PL)];
    const missing = await server.gql(
      REGISTER,
      {
        input: {
          bookletNo: 'PL-ID-1',
          region: '610926-02',
          members: [
            { idNumber: a, name: '甲', relationship: '户主', hukouPlace: '平利县老县镇' },
            { idNumber: b, name: '乙', relationship: '配偶' },
          ],
        },
      },
      as('STAFF', PL),
    );
    expect(missing.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'members[1].hukouPlace' });
    const h = await household(PL, 'PL-ID-1', '610926-02', [
      { idNumber: a, name: '甲', relationship: '户主', hukouPlace: '平利县老县镇' },
      { idNumber: b, name: '乙', relationship: '配偶', hukouPlace: '陕西省安康市平利县长安镇' },
    ]);
    expect(h.members.map((m: any) => m.hukouPlace)).toEqual(['610926102', '610926108']);
    const wrong = await server.gql(
      REGISTER,
      { input: { bookletNo: 'PL-ID-2', region: '610926-02', members: [{ idNumber: id(PL), name: '丙', relationship: '户主', hukouPlace: '平利县不存在镇' }] } },
      as('STAFF', PL),
    );
    expect(wrong.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'members[0].hukouPlace' });
  });
});

describe('life events', () => {
  const RESIDENT = `query($id: String!) { resident(idNumber: $id) { status diedOn deathSource emigratedOn household { bookletNo } enrollments { coverageYear status endedOn endReason } refunds { reason status amount } } }`;
  const DEATH = `mutation($input: DeathInput!) { recordDeath(input: $input) { status diedOn } }`;

  it('甘州: a death before cover starts, within the collection period, asks for the refund the notice allows (七), and the person leaves their household', async () => {
    const [head, spouse, child] = [id(GZ, '1960-01-01'), id(GZ, '1962-02-02'), id(GZ, '1990-03-03')];
    const h = await household(GZ, 'GZ-L-1', '620702102', [
      { idNumber: head, name: '王甲', relationship: '户主' },
      { idNumber: spouse, name: '李乙', relationship: '配偶' },
      { idNumber: child, name: '王丙', relationship: '子女' },
    ]);
    await pay(GZ, spouse, 2023, '350.00', '2022-10-09', 'GZ-L-1-A');
    await ok(ENROLL, { input: { idNumber: child, coverageYear: 2023, enrolledOn: '2022-10-09' } }, 'STAFF', GZ);
    const died = await ok(DEATH, { input: { idNumber: spouse, diedOn: '2022-11-20', source: '公安户籍注销', recordedOn: '2022-11-25' } }, 'STAFF', GZ);
    expect(died.recordDeath).toEqual({ status: 'DECEASED', diedOn: '2022-11-20' });
    const r = (await ok(RESIDENT, { id: spouse }, 'STAFF', GZ)).resident;
    expect(r).toMatchObject({
      status: 'DECEASED',
      deathSource: '公安户籍注销',
      household: null,
      enrollments: [{ coverageYear: 2023, status: 'REFUND_PENDING' }],
      refunds: [{ reason: 'DEATH', status: 'PENDING', amount: '350.00' }],
    });
    const history = await ok(`query($id: ID!) { household(id: $id) { members { idNumber } history { idNumber leftOn } } }`, { id: h.id }, 'STAFF', GZ);
    expect(history.household.members.map((m: any) => m.idNumber)).toEqual([head, child]);
    expect(history.household.history.find((m: any) => m.idNumber === spouse).leftOn).toBe('2022-11-20');
    // An unpaid enrolment simply ends; the dead are refused new enrolments and payments.
    await ok(DEATH, { input: { idNumber: child, diedOn: '2022-11-21', source: '死亡医学证明' } }, 'STAFF', GZ);
    expect((await ok(RESIDENT, { id: child }, 'STAFF', GZ)).resident.enrollments).toEqual([
      { coverageYear: 2023, status: 'TERMINATED', endedOn: '2022-11-21', endReason: 'DEATH' },
    ]);
    const again = await server.gql(DEATH, { input: { idNumber: child, diedOn: '2022-11-21', source: 'x' } }, as('STAFF', GZ));
    expect(again.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', status: 'DECEASED' });
    const enrol = await server.gql(ENROLL, { input: { idNumber: child, coverageYear: 2023 } }, as('STAFF', GZ));
    expect(enrol.errors?.[0].extensions?.code).toBe('CONFLICT');
    const future = await server.gql(DEATH, { input: { idNumber: head, diedOn: '2099-01-01', source: 'x' } }, as('STAFF', GZ));
    expect(future.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'diedOn' });
    // Each one audited, the refused ones too.
    const audit = await ok(
      `{ auditLog(filter: { operation: "recordDeath" }, first: 2) { totalCount edges { cursor node { outcome errorCodes } } } }`,
      {},
      'ADMIN',
      GZ,
    );
    expect(audit.auditLog.totalCount).toBe(4);
    expect(audit.auditLog.edges.map((e: any) => e.node)).toEqual([
      { outcome: 'ERROR', errorCodes: ['BAD_USER_INPUT'] },
      { outcome: 'ERROR', errorCodes: ['CONFLICT'] },
    ]);
  });

  it('平利: a death ends the paid enrolment without a refund (七（五）"死亡…原参保缴费不予退还")', async () => {
    const p = id(PL, '1950-05-05');
    await household(PL, 'PL-L-1', '610926-03', [{ idNumber: p, name: '周', relationship: '户主', hukouPlace: '610926' }]);
    await pay(PL, p, 2022, '320.00', '2021-11-01', 'PL-L-1-A');
    await ok(DEATH, { input: { idNumber: p, diedOn: '2021-12-01', source: '公安户籍注销', recordedOn: '2021-12-02' } }, 'STAFF', PL);
    const r = (await ok(RESIDENT, { id: p }, 'STAFF', PL)).resident;
    expect(r.enrollments).toEqual([{ coverageYear: 2022, status: 'TERMINATED', endedOn: '2021-12-01', endReason: 'DEATH' }]);
    expect(r.refunds).toEqual([]);
  });

  it('甘州: 出国定居 (EMIGRATED) asks for the EMIGRATION refund the notice allows', async () => {
    const p = id(GZ, '1985-08-08');
    await household(GZ, 'GZ-L-2', '620702102', [{ idNumber: p, name: '出国者', relationship: '户主' }]);
    await pay(GZ, p, 2023, '350.00', '2022-10-10', 'GZ-L-2-A');
    const res = await ok(
      `mutation { recordEmigration(input: { idNumber: "${p}", emigratedOn: "2022-12-01", destination: "新西兰", recordedOn: "2022-12-02" }) { status emigratedOn emigratedTo } }`,
      {},
      'STAFF',
      GZ,
    );
    expect(res.recordEmigration).toEqual({ status: 'EMIGRATED', emigratedOn: '2022-12-01', emigratedTo: '新西兰' });
    expect((await ok(RESIDENT, { id: p }, 'STAFF', GZ)).resident.refunds).toEqual([{ reason: 'EMIGRATION', status: 'PENDING', amount: '350.00' }]);
  });

  it("transfers in, linked to the other tenant's transfer out, and refuses while another tenant still enrols the person", async () => {
    const mover = id(PL, '1970-07-07');
    await household(PL, 'PL-L-2', '610926-04', [{ idNumber: mover, name: '迁移者', relationship: '户主', hukouPlace: '610926104' }]);
    await ok(`mutation { transferOut(idNumber: "${mover}", on: "2022-03-01", destination: "甘州区") { status } }`, {}, 'STAFF', PL);
    const arrived = await ok(
      `mutation($input: TransferInInput!) { transferIn(input: $input) { status transferredInOn transferredInFrom } }`,
      { input: { idNumber: mover, name: '迁移者', transferredInOn: '2022-03-15', hukouPlace: '甘州区大满镇' } },
      'STAFF',
      GZ,
    );
    expect(arrived.transferIn).toEqual({ status: 'ACTIVE', transferredInOn: '2022-03-15', transferredInFrom: PL });
    // Enrolled in 肃南 for 2024: 山丹 (三（三）1) asks for the deregistration there first.
    const sn = id('620721', '1972-02-02');
    await household('620721', 'SN-L-1', '620721-01', [{ idNumber: sn, name: '牧民', relationship: '户主' }]);
    await pay('620721', sn, 2024, '380.00', '2023-10-08', 'SN-L-1-A');
    const refused = await server.gql(
      `mutation($input: TransferInInput!) { transferIn(input: $input) { status } }`,
      { input: { idNumber: sn, name: '牧民', transferredInOn: '2023-11-01' } },
      as('STAFF', SD),
    );
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', enrolledIn: ['620721'] });
  });

  it('attaches, at an ID-number correction, the certification and the money that waited for the right number', async () => {
    const wrong = id(GZ, '1967-07-07');
    const right = id(GZ, '1967-07-17');
    await household(GZ, 'GZ-L-6', '620702102', [{ idNumber: wrong, name: '待更正', relationship: '户主' }]);
    // The civil affairs bureau and the tax office use the right number, which is not registered yet.
    await ok(
      `mutation { grantAssistance(input: { idNumber: "${right}", category: DIBAO_RURAL_1, certifiedBy: "民政局", validFrom: "2022-01-01" }) { id } }`,
      {},
      'AGENCY',
      GZ,
    );
    const imported = await ok(
      `mutation($p: [PaymentInput!]!) { importPayments(batchId: "GZ-L-6-TAX", payments: $p) { accepted held } }`,
      { p: [{ idNumber: right, coverageYear: 2023, amount: '350.00', paidOn: '2022-10-12', channel: '税务代征', receiptNo: 'GZ-L-6-T' }] },
      'TAX',
      GZ,
    );
    expect(imported.importPayments).toEqual({ accepted: 1, held: 1 });
    await ok(`mutation { correctIdNumber(idNumber: "${wrong}", newIdNumber: "${right}", reason: "户籍核对") { idNumber } }`, {}, 'STAFF', GZ);
    const person = (
      await ok(
        `{ resident(idNumber: "${right}") { certifications { category } enrollments { status payments { receiptNo } subsidies { amount status } } } }`,
        {},
        'STAFF',
        GZ,
      )
    ).resident;
    expect(person.certifications).toEqual([{ category: 'DIBAO_RURAL_1' }]);
    expect(person.enrollments).toEqual([{ status: 'PAID', payments: [{ receiptNo: 'GZ-L-6-T' }], subsidies: [{ amount: '250.00', status: 'SCHEDULED' }] }]);
  });

  it('corrects an ID number in one transaction: the whole history continues under the new number, no row is left under the old', async () => {
    const wrong = id(GZ, '1966-06-06');
    const right = id(GZ, '1966-06-16');
    await household(GZ, 'GZ-L-3', '620702102', [{ idNumber: wrong, name: '更正前', relationship: '户主', phone: '13900000000' }]);
    await ok(`mutation { updateResident(idNumber: "${wrong}", changes: { phone: "13900000001" }) { phone } }`, {}, 'STAFF', GZ);
    // 农村一类低保: pays the full 350.00 and is reimbursed 250.00 the next month (甘州 四（二）2, 先缴后补).
    await ok(
      `mutation { grantAssistance(input: { idNumber: "${wrong}", category: DIBAO_RURAL_1, certifiedBy: "民政局", validFrom: "2022-01-01" }) { id } }`,
      {},
      'AGENCY',
      GZ,
    );
    await pay(GZ, wrong, 2023, '350.00', '2022-10-11', 'GZ-L-3-B');
    const corrected = await ok(
      `mutation { correctIdNumber(idNumber: "${wrong}", newIdNumber: "${right}", reason: "户籍核对") { idNumber birthDate } }`,
      {},
      'STAFF',
      GZ,
    );
    expect(corrected.correctIdNumber).toEqual({ idNumber: right, birthDate: '1966-06-16' });
    expect((await ok(`{ resident(idNumber: "${wrong}") { idNumber } }`, {}, 'STAFF', GZ)).resident).toBeNull();
    const r = (
      await ok(
        `{ resident(idNumber: "${right}") { enrollments { status payments { receiptNo } subsidies { amount } } certifications { category } certificationHistory { action } changes { field after } memberships { bookletNo } } }`,
        {},
        'STAFF',
        GZ,
      )
    ).resident;
    expect(r.enrollments).toEqual([{ status: 'PAID', payments: [{ receiptNo: 'GZ-L-3-B' }], subsidies: [{ amount: '250.00' }] }]);
    expect(r.certifications).toEqual([{ category: 'DIBAO_RURAL_1' }]);
    expect(r.certificationHistory).toEqual([{ action: 'GRANT' }]);
    expect(r.changes.map((c: any) => c.field)).toEqual(['phone', 'id_number']);
    expect(r.memberships).toEqual([{ bookletNo: 'GZ-L-3' }]);
    // Every tenant table holding an ID number: nothing left under the old one.
    const tables = await server.ownerQuery<{ table_name: string; data_type: string }>(
      "SELECT table_name, data_type FROM information_schema.columns WHERE table_schema = 'public' AND column_name = 'id_number' AND table_name NOT IN ('scheme_transfer') ORDER BY 1",
    );
    expect(tables.length).toBeGreaterThanOrEqual(12);
    for (const { table_name, data_type } of tables) {
      // An import call's outcomes keep their rows' ID numbers as an array (payment_batch_outcome).
      const holds = data_type === 'ARRAY' ? '$1 = ANY (id_number)' : 'id_number = $1';
      expect([table_name, (await server.ownerQuery(`SELECT count(*)::int AS n FROM ${table_name} WHERE ${holds}`, [wrong]))[0].n]).toEqual([table_name, 0]);
    }
    expect((await ok(`query { enrollmentStatus(idNumber: "${right}", coverageYear: 2023) { status } }`, {}, 'BANK', GZ)).enrollmentStatus.status).toBe('PAID');
  });

  it('makes a new head, splits a household and merges two, keeping every membership with its dates', async () => {
    const [x, y, z] = [id(GZ, '1950-01-01'), id(GZ, '1952-01-01'), id(GZ, '1980-01-01')];
    const h = await household(GZ, 'GZ-L-4', '620702102', [
      { idNumber: x, name: '老户主', relationship: '户主' },
      { idNumber: y, name: '配偶', relationship: '配偶' },
      { idNumber: z, name: '儿子', relationship: '子女' },
    ]);
    const head = await ok(
      `mutation { changeHouseholdHead(householdId: "${h.id}", newHeadIdNumber: "${y}", formerHeadRelationship: "配偶", on: "2021-05-01") { members { idNumber relationship } } }`,
      {},
      'STAFF',
      GZ,
    );
    expect(head.changeHouseholdHead.members).toEqual([
      { idNumber: y, relationship: '户主' },
      { idNumber: x, relationship: '配偶' },
      { idNumber: z, relationship: '子女' },
    ]);
    const split = await ok(
      `mutation($input: SplitHouseholdInput!) { splitHousehold(input: $input) { from { members { idNumber } } to { id bookletNo region { code } members { idNumber relationship } } } }`,
      { input: { householdId: h.id, bookletNo: 'GZ-L-5', members: [{ idNumber: z, relationship: '户主' }], on: '2021-06-01' } },
      'STAFF',
      GZ,
    );
    expect(split.splitHousehold.to).toMatchObject({ bookletNo: 'GZ-L-5', region: { code: '620702102' }, members: [{ idNumber: z, relationship: '户主' }] });
    expect(split.splitHousehold.from.members.map((m: any) => m.idNumber)).toEqual([y, x]);
    const merged = await ok(
      `mutation($input: MergeHouseholdsInput!) { mergeHouseholds(input: $input) { members { idNumber relationship } } }`,
      { input: { intoHouseholdId: h.id, fromHouseholdId: split.splitHousehold.to.id, members: [{ idNumber: z, relationship: '子女' }], on: '2021-07-01' } },
      'STAFF',
      GZ,
    );
    expect(merged.mergeHouseholds.members.map((m: any) => m.idNumber)).toEqual([y, x, z]);
    const closed = await ok(`{ householdByBooklet(bookletNo: "GZ-L-5") { id dissolvedOn members { idNumber } } }`, {}, 'STAFF', GZ);
    expect(closed.householdByBooklet).toMatchObject({ dissolvedOn: '2021-07-01', members: [] });
    // A household merged away takes no new members.
    const loner = id(GZ, '1999-09-09');
    await ok(`mutation($i: ResidentInput!) { registerResident(input: $i) { idNumber } }`, { i: { idNumber: loner, name: '单列' } }, 'STAFF', GZ);
    const joined = await server.gql(
      `mutation($h: ID!, $id: String!) { addHouseholdMember(householdId: $h, idNumber: $id, relationship: "子女", joinedOn: "2021-08-01") { id } }`,
      { h: closed.householdByBooklet.id, id: loner },
      as('STAFF', GZ),
    );
    expect(joined.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', field: 'householdId' });
    const z1 = (await ok(`{ resident(idNumber: "${z}") { memberships { bookletNo relationship joinedOn leftOn } } }`, {}, 'STAFF', GZ)).resident.memberships;
    expect(z1).toEqual([
      { bookletNo: 'GZ-L-4', relationship: '子女', joinedOn: '2020-01-01', leftOn: '2021-06-01' },
      { bookletNo: 'GZ-L-5', relationship: '户主', joinedOn: '2021-06-01', leftOn: '2021-07-01' },
      { bookletNo: 'GZ-L-4', relationship: '子女', joinedOn: '2021-07-01', leftOn: null },
    ]);
  });
});

describe('waivers (放弃参保确认书)', () => {
  it('refuses a waiver for someone already paid, and lets a waiver be withdrawn, keeping it on record', async () => {
    const [paid, unpaid] = [id(PL), id(PL)];
    await household(PL, 'PL-W-1', '610926-05', [
      { idNumber: paid, name: '已缴', relationship: '户主', hukouPlace: '610926' },
      { idNumber: unpaid, name: '未缴', relationship: '配偶', hukouPlace: '610926' },
    ]);
    await pay(PL, paid, 2022, '320.00', '2021-11-02', 'PL-W-1-A');
    const WAIVE = `mutation($input: WaiverInput!) { recordWaiver(input: $input) { signedOn } }`;
    const refused = await server.gql(WAIVE, { input: { idNumber: paid, coverageYear: 2022, reason: 'COMMERCIAL_INSURANCE' } }, as('STAFF', PL));
    expect(refused.errors?.[0].extensions).toMatchObject({ code: 'CONFLICT', status: 'PAID' });
    await ok(WAIVE, { input: { idNumber: unpaid, coverageYear: 2022, reason: 'HEALTHY_STABLE_INCOME', signedOn: '2021-11-05' } }, 'STAFF', PL);
    const withdrawn = await ok(
      `mutation { withdrawWaiver(idNumber: "${unpaid}", coverageYear: 2022, on: "2021-11-20", reason: "改为参保") { withdrawnOn withdrawalReason } }`,
      {},
      'STAFF',
      PL,
    );
    expect(withdrawn.withdrawWaiver).toEqual({ withdrawnOn: '2021-11-20', withdrawalReason: '改为参保' });
    const inForce = await ok(`{ waiverList(coverageYear: 2022, filter: { region: "610926-05" }) { totalCount } }`, {}, 'STAFF', PL);
    const all = await ok(
      `{ waiverList(coverageYear: 2022, filter: { region: "610926-05", includeWithdrawn: true }) { totalCount nodes { signedOn withdrawnOn } } }`,
      {},
      'STAFF',
      PL,
    );
    expect(inForce.waiverList.totalCount).toBe(0);
    expect(all.waiverList).toEqual({ totalCount: 1, nodes: [{ signedOn: '2021-11-05', withdrawnOn: '2021-11-20' }] });
    await ok(WAIVE, { input: { idNumber: unpaid, coverageYear: 2022, reason: 'OTHER', reasonText: '外出务工' } }, 'STAFF', PL); // a new one after the withdrawal
  });
});

describe('lists a township works from', () => {
  const people: string[] = [];
  beforeAll(async () => {
    await ok(
      ADD_REGIONS,
      {
        r: [
          { code: '620702106', name: '新墩镇', kind: 'TOWNSHIP' },
          { code: '620702106001', name: '新墩村', kind: 'VILLAGE' },
        ],
      },
      'ADMIN',
      GZ,
    );
    for (let i = 0; i < 6; i++) people.push(makeResidentId(GZ, `1970-01-0${i + 1}`, 700 + i));
    await household(
      GZ,
      'GZ-X-1',
      '620702106',
      people.slice(0, 3).map((p, i) => ({ idNumber: p, name: `欧阳${'一二三'[i]}`, relationship: i ? '子女' : '户主' })),
    );
    await household(
      GZ,
      'GZ-X-2',
      '620702106001',
      people.slice(3).map((p, i) => ({ idNumber: p, name: `刘${'四五六'[i]}明`, relationship: i ? '子女' : '户主' })),
    );
    await ok(
      `mutation { grantAssistance(input: { idNumber: "${people[4]}", category: DIBAO_RURAL_1, certifiedBy: "民政局", validFrom: "2022-01-01" }) { id } }`,
      {},
      'AGENCY',
      GZ,
    );
    await pay(GZ, people[0], 2023, '350.00', '2022-10-01', 'GZ-X-P0');
    await pay(GZ, people[3], 2023, '350.00', '2022-10-02', 'GZ-X-P3');
    await pay(GZ, people[4], 2023, '350.00', '2022-10-03', 'GZ-X-P4');
    await ok(ENROLL, { input: { idNumber: people[1], coverageYear: 2023, enrolledOn: '2022-10-04' } }, 'STAFF', GZ);
  });

  const LIST = `query($f: EnrollmentFilter, $first: Int, $after: String, $o: EnrollmentOrder) { enrollments(coverageYear: 2023, filter: $f, first: $first, after: $after, orderBy: $o) {
    totalCount edges { cursor node { idNumber status paidOn appliedCategory } } pageInfo { hasNextPage endCursor } } }`;

  it('lists enrolments by status, region with its villages, category and lateness, in a stable order, a page at a time', async () => {
    const town = await ok(LIST, { f: { region: '620702106' } }, 'STAFF', GZ);
    expect(town.enrollments.totalCount).toBe(4);
    expect(town.enrollments.edges.map((e: any) => e.node.idNumber)).toEqual([people[0], people[1], people[3], people[4]]);
    const paidInVillage = await ok(LIST, { f: { region: '620702106001', status: ['PAID'] } }, 'STAFF', GZ);
    expect(paidInVillage.enrollments.edges.map((e: any) => e.node.idNumber)).toEqual([people[3], people[4]]);
    const dibao = await ok(LIST, { f: { region: '620702106', category: 'DIBAO_RURAL_1' } }, 'STAFF', GZ);
    expect(dibao.enrollments.edges.map((e: any) => e.node.idNumber)).toEqual([people[4]]);
    expect((await ok(LIST, { f: { region: '620702106', late: true } }, 'STAFF', GZ)).enrollments.totalCount).toBe(0);
    const first = await ok(LIST, { f: { region: '620702106' }, first: 2, o: { field: 'PAID_ON', direction: 'DESC' } }, 'STAFF', GZ);
    const second = await ok(
      LIST,
      { f: { region: '620702106' }, first: 2, after: first.enrollments.pageInfo.endCursor, o: { field: 'PAID_ON', direction: 'DESC' } },
      'STAFF',
      GZ,
    );
    expect([...first.enrollments.edges, ...second.enrollments.edges].map((e: any) => e.node.idNumber)).toEqual([people[1], people[4], people[3], people[0]]);
    expect(first.enrollments.totalCount).toBe(4);
    expect(second.enrollments.pageInfo.hasNextPage).toBe(false);
    // The largest page is one the cost limit accepts.
    const largest = await server.gql(
      `{ enrollments(coverageYear: 2023, first: 500) { totalCount edges { cursor node { idNumber status amountDue paidOn } } pageInfo { hasNextPage } } }`,
      {},
      as('STAFF', GZ),
    );
    expect(largest.errors).toBeUndefined();
    const tooMany = await server.gql(LIST, { first: 501 }, as('STAFF', GZ));
    expect(tooMany.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
  });

  it('finds residents by part of the name and by the last digits of the ID number, and a household by its booklet', async () => {
    const byName = await ok(`{ residents(filter: { name: "阳二" }) { totalCount nodes { idNumber } } }`, {}, 'STAFF', GZ);
    expect(byName.residents).toEqual({ totalCount: 1, nodes: [{ idNumber: people[1] }] });
    const suffix = people[5].slice(-4);
    const bySuffix = await ok(
      `query($s: String) { residents(filter: { idSuffix: $s, region: "620702106" }) { nodes { idNumber name } edges { cursor } } }`,
      { s: suffix },
      'STAFF',
      GZ,
    );
    expect(bySuffix.residents.nodes).toEqual([{ idNumber: people[5], name: '刘六明' }]);
    const byNameOrder = await ok(
      `{ residents(filter: { region: "620702106" }, orderBy: { field: NAME, direction: ASC }) { nodes { name } } }`,
      {},
      'STAFF',
      GZ,
    );
    expect(byNameOrder.residents.nodes.map((n: any) => n.name)).toEqual([...byNameOrder.residents.nodes.map((n: any) => n.name)].sort());
    const booklet = await ok(
      `{ householdByBooklet(bookletNo: "GZ-X-2") { bookletNo region { code } members { idNumber enrollments { status } } } }`,
      {},
      'STAFF',
      GZ,
    );
    expect(booklet.householdByBooklet).toMatchObject({ bookletNo: 'GZ-X-2', region: { code: '620702106001' } });
    expect(booklet.householdByBooklet.members).toHaveLength(3);
  });

  it("answers a resident's whole history in one query, in as many statements for many people as for one (no N+1)", async () => {
    const HISTORY = `query($f: ResidentSearchInput, $n: Int) { residents(filter: $f, first: $n) { nodes { idNumber
      enrollments { coverageYear status enrolledOn paidOn endedOn payments { receiptNo paidOn } subsidies { amount grantedOn } }
      refunds { requestedOn status } waivers { signedOn withdrawnOn } changes { field changedAt }
      certifications { category validFrom validTo status } certificationHistory { action effectiveOn }
      memberships { bookletNo joinedOn leftOn } household { bookletNo } } } }`;
    const one = await server.gql(HISTORY, { f: { region: '620702106001' }, n: 1 }, as('STAFF', GZ));
    const three = await server.gql(HISTORY, { f: { region: '620702106' }, n: 6 }, as('STAFF', GZ));
    expect(one.errors).toBeUndefined();
    expect(three.errors).toBeUndefined();
    expect(three.data!.residents.nodes).toHaveLength(6);
    expect(three.extensions!.sqlStatements).toBe(one.extensions!.sqlStatements);
    const dibao = three.data!.residents.nodes.find((n: any) => n.idNumber === people[4]);
    expect(dibao).toMatchObject({
      certifications: [{ category: 'DIBAO_RURAL_1', validFrom: '2022-01-01', validTo: null, status: 'IN_FORCE' }],
      memberships: [{ bookletNo: 'GZ-X-2', joinedOn: '2020-01-01', leftOn: null }],
    });
    expect(dibao.enrollments[0].payments).toEqual([{ receiptNo: 'GZ-X-P4', paidOn: '2022-10-03' }]);
  });
});

describe('certifications (AGENCY)', () => {
  const CERTS = `query($id: String!) { resident(idNumber: $id) { certifications { id category validFrom validTo status history { action reason effectiveOn before after } } certificationHistory { action } } }`;

  it('ends, corrects and revokes a certification with reason and date, keeping its history', async () => {
    const p = id(GZ, '1958-08-08');
    await household(GZ, 'GZ-C-1', '620702102', [{ idNumber: p, name: '救助对象', relationship: '户主' }]);
    const granted = await ok(
      `mutation { grantAssistance(input: { idNumber: "${p}", category: DIBAO_MARGINAL, certifiedBy: "民政局", validFrom: "2022-01-01" }) { id status } }`,
      {},
      'AGENCY',
      GZ,
    );
    const cid = granted.grantAssistance.id;
    expect(granted.grantAssistance.status).toBe('IN_FORCE');
    await ok(
      `mutation { correctCertification(id: "${cid}", correction: { category: DIBAO }, reason: "录入错误", effectiveOn: "2022-02-01") { category } }`,
      {},
      'AGENCY',
      GZ,
    );
    const ended = await ok(`mutation { endCertification(id: "${cid}", endedOn: "2022-12-31", reason: "退出低保") { validTo status } }`, {}, 'AGENCY', GZ);
    expect(ended.endCertification).toEqual({ validTo: '2022-12-31', status: 'ENDED' });
    const r = (await ok(CERTS, { id: p }, 'AGENCY', GZ)).resident;
    expect(r.certifications[0].history.map((h: any) => [h.action, h.reason, h.effectiveOn])).toEqual([
      ['GRANT', null, '2022-01-01'],
      ['CORRECT', '录入错误', '2022-02-01'],
      ['END', '退出低保', '2022-12-31'],
    ]);
    expect(r.certifications[0].history[1].before).toMatchObject({ category: 'DIBAO_MARGINAL' });
    expect(r.certifications[0].history[1].after).toMatchObject({ category: 'DIBAO' });
    await ok(`mutation { revokeCertification(id: "${cid}", reason: "认定有误", revokedOn: "2023-01-05") { id } }`, {}, 'AGENCY', GZ);
    const after = (await ok(CERTS, { id: p }, 'AGENCY', GZ)).resident;
    expect(after.certifications).toEqual([]);
    expect(after.certificationHistory.map((h: any) => h.action)).toEqual(['GRANT', 'CORRECT', 'END', 'REVOKE']);
    const noReason = await server.gql(`mutation { endCertification(id: "999999", endedOn: "2022-12-31", reason: "x") { id } }`, {}, as('AGENCY', GZ));
    expect(noReason.errors?.[0].extensions?.code).toBe('NOT_FOUND');
  });

  it('certifies a person not yet registered: it waits and attaches when they register; the agency lists its people with their enrolment status (应保尽保)', async () => {
    const [early, later, unknown] = [id(GZ, '1945-04-04'), id(GZ, '1946-04-04'), id(GZ, '1947-04-04')];
    const waiting = await ok(
      `mutation { grantAssistance(input: { idNumber: "${early}", category: EXTREME_POVERTY, certifiedBy: "甘州区民政局", validFrom: "2022-06-01" }) { id status } }`,
      {},
      'AGENCY',
      GZ,
    );
    expect(waiting.grantAssistance.status).toBe('PENDING_REGISTRATION');
    const imported = await ok(
      `mutation($rows: [AssistanceInput!]!) { importAssistance(identities: $rows) { accepted rejected rows { pending status code } } }`,
      {
        rows: [
          { idNumber: later, category: 'DIBAO', certifiedBy: '甘州区民政局', validFrom: '2022-06-01' },
          { idNumber: '620702X', category: 'DIBAO', certifiedBy: '甘州区民政局', validFrom: '2022-06-01' },
        ],
      },
      'AGENCY',
      GZ,
    );
    expect(imported.importAssistance).toMatchObject({
      accepted: 1,
      rejected: 1,
      rows: [
        { pending: true, status: 'ACCEPTED' },
        { pending: false, code: 'BAD_USER_INPUT' },
      ],
    });
    const LISTQ = `query($f: CertifiedPeopleFilter) { certifiedPeople(coverageYear: 2023, filter: $f) { totalCount nodes { registered name enrollmentStatus certification { idNumber category status } } } }`;
    const before = await ok(LISTQ, { f: { certifiedBy: '甘州区民政局', asOf: '2022-10-01' } }, 'AGENCY', GZ);
    expect(before.certifiedPeople.nodes).toEqual([
      {
        registered: false,
        name: null,
        enrollmentStatus: 'NOT_ENROLLED',
        certification: { idNumber: early, category: 'EXTREME_POVERTY', status: 'PENDING_REGISTRATION' },
      },
      {
        registered: false,
        name: null,
        enrollmentStatus: 'NOT_ENROLLED',
        certification: { idNumber: later, category: 'DIBAO', status: 'PENDING_REGISTRATION' },
      },
    ]);
    await household(
      GZ,
      'GZ-C-2',
      '620702102',
      [
        { idNumber: early, name: '特困老人', relationship: '户主' },
        { idNumber: later, name: '低保家属', relationship: '配偶' },
      ],
      '2022-09-01',
    );
    const attached = (await ok(CERTS, { id: early }, 'AGENCY', GZ)).resident;
    expect(attached.certifications).toMatchObject([
      { category: 'EXTREME_POVERTY', status: 'IN_FORCE', history: [{ action: 'ATTACH', effectiveOn: '2022-09-01' }] },
    ]);
    // 特困人员 are sponsored in full (甘州 四（一）1): one sponsorship run enrols them paid.
    await ok(`mutation { sponsorEnrollments(coverageYear: 2023, paidOn: "2022-10-01") { enrolled } }`, {}, 'ADMIN', GZ);
    const after = await ok(LISTQ, { f: { certifiedBy: '甘州区民政局', asOf: '2022-10-01' } }, 'AGENCY', GZ);
    expect(after.certifiedPeople.nodes.map((n: any) => [n.registered, n.name, n.enrollmentStatus])).toEqual([
      [true, '特困老人', 'PAID'],
      [true, '低保家属', 'NOT_ENROLLED'],
    ]);
    const gaps = await ok(LISTQ, { f: { certifiedBy: '甘州区民政局', asOf: '2022-10-01', enrollmentStatus: ['NOT_ENROLLED'] } }, 'AGENCY', GZ);
    expect(gaps.certifiedPeople.totalCount).toBe(1);
    void unknown;
  });
});

describe('figures for a past day stay true', () => {
  const people = Array.from({ length: 8 }, (_, i) => makeResidentId(SD, `1975-0${(i % 9) + 1}-11`, 600 + i));
  const D = '2021-10-31';
  const REPORT = `query($d: Date!) {
    enrollmentProgress(coverageYear: 2022, asOf: $d) { region { code name } paid }
    followUps(coverageYear: 2022, asOf: $d, first: 100) { totalCount nodes { name } }
    inWeiqi: followUps(coverageYear: 2022, asOf: $d, region: "620725102") { totalCount nodes { name } }
    dailyCollection(date: "2021-10-15") { count amount rows { channel region { code name } count amount } } }`;

  it('answers the report as of day D identically after transfers, moves, corrections and deaths after D', async () => {
    await ok(
      ADD_REGIONS,
      {
        r: [
          { code: '620725101', name: '清泉镇', kind: 'TOWNSHIP' },
          { code: '620725102', name: '位奇镇', kind: 'TOWNSHIP' },
        ],
      },
      'ADMIN',
      SD,
    );
    const a = await household(
      SD,
      'SD-F-1',
      '620725101',
      people.slice(0, 4).map((p, i) => ({ idNumber: p, name: nameOf(i, '清'), relationship: i ? '子女' : '户主' })),
    );
    await household(
      SD,
      'SD-F-2',
      '620725102',
      people.slice(4).map((p, i) => ({ idNumber: p, name: nameOf(i, '位'), relationship: i ? '子女' : '户主' })),
    );
    // Paid for 2021 (no notice of 2021 is configured, so written beneath the API).
    await server.ownerQuery(
      `INSERT INTO enrollment (tenant_code, id_number, coverage_year, status, enrolled_on, standard_contribution, amount_due, paid_on, amount_paid, region_code)
       SELECT '620725', p, 2021, 'PAID', '2020-10-01', 28000, 28000, '2020-10-01', 28000, '620725101' FROM UNNEST($1::text[]) AS p`,
      [people],
    );
    await pay(SD, people[0], 2022, '320.00', '2021-10-15', 'SD-F-A');
    await pay(SD, people[4], 2022, '320.00', '2021-10-15', 'SD-F-B', '农业银行');
    const before = await ok(REPORT, { d: D }, 'ADMIN', SD);
    expect(before.followUps.totalCount).toBe(6);
    expect(before.enrollmentProgress[0].paid).toBe(2);

    // After D: a payment, a transfer out, a move to the other township, an ID correction, deaths, a refund.
    await pay(SD, people[1], 2022, '320.00', '2021-11-05', 'SD-F-C');
    await ok(`mutation { transferOut(idNumber: "${people[0]}", on: "2021-11-10", destination: "甘州区") { status } }`, {}, 'STAFF', SD);
    const other = (await ok(`{ householdByBooklet(bookletNo: "SD-F-2") { id } }`, {}, 'STAFF', SD)).householdByBooklet.id;
    await ok(
      `mutation { moveHouseholdMember(idNumber: "${people[2]}", toHouseholdId: "${other}", relationship: "其他", movedOn: "2021-11-12") { bookletNo } }`,
      {},
      'STAFF',
      SD,
    );
    const corrected = makeResidentId(SD, '1975-03-21', 650);
    await ok(`mutation { correctIdNumber(idNumber: "${people[3]}", newIdNumber: "${corrected}") { idNumber } }`, {}, 'STAFF', SD);
    await ok(
      `mutation { recordDeath(input: { idNumber: "${people[4]}", diedOn: "2021-11-15", source: "公安户籍注销", recordedOn: "2021-11-16" }) { status } }`,
      {},
      'STAFF',
      SD,
    );
    await ok(`mutation { recordDeath(input: { idNumber: "${people[5]}", diedOn: "2021-11-16", source: "死亡医学证明" }) { status } }`, {}, 'STAFF', SD);
    await ok(`mutation { renameRegion(code: "620725102", name: "位奇镇（改）", from: "2021-12-01") { name } }`, {}, 'ADMIN', SD);

    const after = await ok(REPORT, { d: D }, 'ADMIN', SD);
    // Listed by ID number, which a correction changes; the people listed are the same.
    const byName = (list: any) => ({ ...list, nodes: [...list.nodes].sort((x: any, y: any) => x.name.localeCompare(y.name)) });
    const sortFollowUps = (r: any) => ({ ...r, followUps: byName(r.followUps), inWeiqi: byName(r.inWeiqi) });
    expect(sortFollowUps(after)).toEqual(sortFollowUps(before));
    // Today the same events show: fewer to follow up, the dead and the departed gone from the list.
    const now = await ok(`{ followUps(coverageYear: 2022) { totalCount nodes { name } } }`, {}, 'ADMIN', SD);
    expect(now.followUps.nodes.map((n: any) => n.name).sort()).toEqual(['位二', '位三', '清二', '清三'].sort());
    expect(a.id).toBeTruthy();
  });
});
