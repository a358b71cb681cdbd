/**
 * Progress against targets over HTTP on real PostgreSQL, checked against hand-computed counts for each
 * milestone rule: 甘州's 35/50/80/100% (八3), 平利's 80% by 11-30 with its per-town table (附件1), 肃南
 * without milestones, 贵阳贵安's region tree; follow-up lists, the daily collection and the exports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { todayInChina } from '../../src/common/dates';
import ExcelJS from 'exceljs';
import { reportTable } from '../../src/cli/export-report';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { toCsv, toXlsx } from '../../src/cli/report-table';
import { residentIds, seedResidents } from '../helpers/seed';
import { nameOf } from '../helpers/names';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const PROGRESS = `query($y: Int!, $d: Date!) { enrollmentProgress(coverageYear: $y, asOf: $d) {
  region { code name kind } target targetSource paid rate milestone { date share } required onTrack gap nextMilestone { date } } }`;
const IMPORT = `mutation($b: String!, $p: [PaymentInput!]!) { importPayments(batchId: $b, payments: $p) { accepted rejected rows { error } } }`;

async function progress(tenant: string, year: number, asOf: string) {
  const res = await server.gql(PROGRESS, { y: year, d: asOf }, { as: 'STAFF', tenant });
  expect(res.errors).toBeUndefined();
  return res.data!.enrollmentProgress as Array<Record<string, any>>;
}

async function importPaid(tenant: string, batch: string, rows: Array<{ idNumber: string; year: number; amount: string; paidOn: string; channel?: string }>) {
  const res = await server.gql(
    IMPORT,
    {
      b: batch,
      p: rows.map((r, i) => ({
        idNumber: r.idNumber,
        coverageYear: r.year,
        amount: r.amount,
        paidOn: r.paidOn,
        channel: r.channel ?? '税务代征',
        receiptNo: `${batch}-${i}`,
      })),
    },
    { as: 'TAX', tenant },
  );
  expect(res.data!.importPayments).toMatchObject({ rejected: 0 });
}

/** Moves the year's latest settings of targets back to `at`, in the history and the current row alike. */
async function setAt(tenant: string, year: number, at: string) {
  await server.ownerQuery(
    `UPDATE region_target_history h SET set_at = $3 WHERE tenant_code = $1 AND coverage_year = $2
        AND set_at = (SELECT max(set_at) FROM region_target_history WHERE tenant_code = $1 AND coverage_year = $2)`,
    [tenant, year, at],
  );
  await server.ownerQuery('UPDATE region_target SET set_at = $3 WHERE tenant_code = $1 AND coverage_year = $2', [tenant, year, at]);
}

describe('甘州 2023: 35% by 9-30, 50% by 10-31, 80% by 11-30, 100% by 12-25 (八3)', () => {
  const ids = residentIds('620702', 20, 200_000);

  beforeAll(async () => {
    await seedResidents(server, '620702', ids);
    // The notice gives no target: the bureau sets 20 for the district, with its source.
    const set = await server.gql(
      'mutation { setRegionTargets(coverageYear: 2023, targets: [{ region: "620702", target: 20 }], source: "区医保局参保任务分解表（测试）") { region { code } target } }',
      {},
      { as: 'ADMIN', tenant: '620702' },
    );
    expect(set.data!.setRegionTargets[0]).toEqual({ region: { code: '620702' }, target: 20 });
    // As if set before the window opened: progress for a day reads the targets set by then.
    await setAt('620702', 2023, '2022-09-01T09:00:00+08:00');
    const paid = (from: number, to: number, paidOn: string) => ids.slice(from, to).map((idNumber) => ({ idNumber, year: 2023, amount: '350.00', paidOn }));
    await importPaid('620702', 'P-A', paid(0, 7, '2022-09-10')); // 7 by 9-30
    await importPaid('620702', 'P-B', paid(7, 10, '2022-10-20')); // 10 by 10-31
    await importPaid('620702', 'P-C', paid(10, 15, '2022-11-25')); // 15 by 11-30, 12-25
  });

  it.each([
    ['2022-09-15', 7, null, null, null, null, '2022-09-30'],
    ['2022-09-30', 7, '2022-09-30', 7, true, 0, '2022-10-31'],
    ['2022-10-31', 10, '2022-10-31', 10, true, 0, '2022-11-30'],
    ['2022-11-30', 15, '2022-11-30', 16, false, 1, '2022-12-25'],
    ['2022-12-25', 15, '2022-12-25', 20, false, 5, null],
  ])('on %s: %i paid, milestone %s needs %s', async (asOf, paid, milestone, required, onTrack, gap, next) => {
    const [whole] = await progress('620702', 2023, asOf);
    expect(whole).toMatchObject({ region: { code: '620702', name: '甘州区', kind: 'TENANT' }, target: 20, paid, required, onTrack, gap, rate: paid / 20 });
    expect(whole.milestone?.date ?? null).toBe(milestone);
    expect(whole.nextMilestone?.date ?? null).toBe(next);
    expect(whole.targetSource).toContain('任务分解表');
  });

  it('counts a refunded enrolment out again', async () => {
    const refund = await server.gql(
      `mutation { requestRefund(input: { idNumber: "${ids[0]}", coverageYear: 2023, reason: DEATH, requestedOn: "2022-12-01" }) { status } }`,
      {},
      { as: 'STAFF', tenant: '620702' },
    );
    expect(refund.errors).toBeUndefined();
    expect((await progress('620702', 2023, '2022-12-25'))[0].paid).toBe(15); // REFUND_PENDING still counts
    await server.gql(`mutation { approveRefund(idNumber: "${ids[0]}", coverageYear: 2023) { status } }`, {}, { as: 'ADMIN', tenant: '620702' });
    // Refunded today: it counts no more from today, and the figures of past days stay as they were.
    expect((await progress('620702', 2023, '2022-12-25'))[0].paid).toBe(15);
    expect((await progress('620702', 2023, todayInChina()))[0].paid).toBe(14);
  });
});

describe('平利 2022: 80% by 11-30 and the per-town table (八（三）, 附件1)', () => {
  beforeAll(async () => {
    const household = async (booklet: string, region: string, people: number, seq: number) => {
      const members = Array.from({ length: people }, (_, i) => ({
        idNumber: makeResidentId('610926', `198${i}-0${i + 1}-0${i + 1}`, seq + i),
        name: nameOf(i, '程'),
        relationship: i === 0 ? '户主' : '子女',
        hukouPlace: '610926',
      }));
      const res = await server.gql(
        'mutation($i: HouseholdInput!) { registerHousehold(input: $i) { id } }',
        { i: { bookletNo: booklet, region, registeredOn: '2020-01-01', members } },
        { as: 'STAFF', tenant: '610926' },
      );
      expect(res.errors).toBeUndefined();
      return members.map((m) => m.idNumber);
    };
    const chengguan = await household('PG-1', '610926-01', 3, 500);
    const laoxian = await household('PG-2', '610926-02', 2, 600);
    await importPaid(
      '610926',
      'PL-A',
      chengguan.map((idNumber) => ({ idNumber, year: 2022, amount: '320.00', paidOn: '2021-11-20' })),
    );
    await importPaid(
      '610926',
      'PL-B',
      laoxian.map((idNumber) => ({ idNumber, year: 2022, amount: '320.00', paidOn: '2021-12-01', channel: '农商银行' })),
    );
  });

  it('before 11-30 no milestone is in force yet', async () => {
    const [whole, chengguan] = await progress('610926', 2022, '2021-11-25');
    expect(whole).toMatchObject({ target: 210000, paid: 3, milestone: null, required: null, onTrack: null, gap: null, nextMilestone: { date: '2021-11-30' } });
    expect(chengguan).toMatchObject({ region: { code: '610926-01', name: '城关镇' }, target: 48000, paid: 3 });
  });

  it('on 12-01 each town is judged by its own 11-30 count in 附件1', async () => {
    const rows = await progress('610926', 2022, '2021-12-01');
    const byCode = Object.fromEntries(rows.map((r) => [r.region.code, r]));
    expect(byCode['610926']).toMatchObject({
      target: 210000,
      paid: 5,
      milestone: { date: '2021-11-30', share: 0.8 },
      required: 168000,
      onTrack: false,
      gap: 167995,
    });
    expect(byCode['610926-01']).toMatchObject({ target: 48000, paid: 3, required: 38400, gap: 38397 });
    expect(byCode['610926-02']).toMatchObject({ target: 18800, paid: 2, required: 15040, gap: 15038 });
    expect(byCode['610926-11']).toMatchObject({ target: 8200, paid: 0, required: 6560, gap: 6560 });
  });

  it('refuses targets set by hand for a year whose notice states them', async () => {
    const res = await server.gql(
      'mutation { setRegionTargets(coverageYear: 2022, targets: [{ region: "610926-01", target: 1 }], source: "x") { paid } }',
      {},
      { as: 'ADMIN', tenant: '610926' },
    );
    expect(res.errors?.[0].extensions?.code).toBe('CONFLICT');
  });

  it("sums a day's collection by channel and region", async () => {
    const res = await server.gql(
      '{ dailyCollection(date: "2021-12-01") { date count amount byChannel { channel count amount } rows { channel region { name } count amount } } }',
      {},
      { as: 'TAX', tenant: '610926' },
    );
    expect(res.data!.dailyCollection).toEqual({
      date: '2021-12-01',
      count: 2,
      amount: '640.00',
      byChannel: [{ channel: '农商银行', count: 2, amount: '640.00' }],
      rows: [{ channel: '农商银行', region: { name: '老县镇' }, count: 2, amount: '640.00' }],
    });
  });

  it('exports the progress as XLSX and CSV for the bureau', async () => {
    const table = await reportTable({ url: server.url, token: server.token('ADMIN', ['610926']), tenant: '610926' }, 'progress', 2022, '2021-12-01');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await toXlsx(table)) as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet.getRow(1).values).toEqual([
      undefined,
      '地区代码',
      '地区',
      '任务数',
      '已缴费人数',
      '完成率',
      '节点日期',
      '节点比例',
      '节点应完成',
      '是否达标',
      '差额人数',
    ]);
    expect(sheet.getRow(3).values).toEqual([undefined, '610926-01', '城关镇', 48000, 3, 0.01, '2021-11-30', 80, 38400, '否', 38397]);
    const csv = toCsv(table);
    expect(csv.startsWith('\uFEFF地区代码,地区,任务数')).toBe(true);
    expect(csv.split('\n')[1]).toBe('610926,平利县,210000,5,0,2021-11-30,80,168000,否,167995');
  });
});

describe('肃南 2024 and 贵阳贵安 2022: targets without milestones, and the region tree', () => {
  it('肃南 has township targets and no milestones: a rate, no verdict', async () => {
    const id = makeResidentId('620721', '1970-01-01', 901);
    await server.gql(
      'mutation($i: HouseholdInput!) { registerHousehold(input: $i) { id } }',
      { i: { bookletNo: 'SN-P', region: '620721-03', members: [{ idNumber: id, name: '白银', relationship: '户主' }] } },
      { as: 'STAFF', tenant: '620721' },
    );
    await importPaid('620721', 'SN-A', [{ idNumber: id, year: 2024, amount: '380.00', paidOn: '2023-10-10' }]);
    const byCode = Object.fromEntries((await progress('620721', 2024, '2023-12-31')).map((r) => [r.region.code, r]));
    expect(byCode['620721']).toMatchObject({ target: 29500, paid: 1, milestone: null, onTrack: null });
    expect(byCode['620721-03']).toMatchObject({ region: { name: '白银乡' }, target: 626, paid: 1, rate: 1 / 626 });
  });

  it("贵阳贵安 counts a payment in 小河片区 for 花溪区, 贵阳市 and the whole, not for 贵安新区; the whole's target is the sum of its parts", async () => {
    const id = makeResidentId('520102', '1975-01-01', 902);
    await server.gql(
      'mutation($i: HouseholdInput!) { registerHousehold(input: $i) { id } }',
      { i: { bookletNo: 'GY-P', region: '520111-XH', members: [{ idNumber: id, name: '小河', relationship: '户主' }] } },
      { as: 'STAFF', tenant: '520100' },
    );
    await importPaid('520100', 'GY-A', [{ idNumber: id, year: 2022, amount: '320.00', paidOn: '2021-12-01' }]);
    const byCode = Object.fromEntries((await progress('520100', 2022, '2022-03-31')).map((r) => [r.region.code, r]));
    expect(byCode['520111-XH'].paid).toBe(1);
    expect(byCode['520111'].paid).toBe(1);
    expect(byCode['520100-GY'].paid).toBe(1);
    expect(byCode['520100-GA'].paid).toBe(0);
    expect(byCode['520100']).toMatchObject({ paid: 1, target: 2710446 });
  });
});

describe('follow-up lists (催缴)', () => {
  const people = residentIds('620725', 7, 300_000);

  beforeAll(async () => {
    await seedResidents(server, '620725', people);
    // Paid for 2021 (no notice of 2021 is configured, so written beneath the API).
    await server.ownerQuery(
      `INSERT INTO enrollment (tenant_code, id_number, coverage_year, status, enrolled_on, standard_contribution, amount_due, paid_on, amount_paid)
       SELECT '620725', id, 2021, 'PAID', '2020-10-01', 28000, 28000, '2020-10-01', 28000 FROM UNNEST($1::text[]) AS id`,
      [people.slice(0, 6)],
    );
    await importPaid('620725', 'SD-A', [{ idNumber: people[0], year: 2022, amount: '320.00', paidOn: '2021-08-01' }]);
    await server.gql(
      `mutation { recordWaiver(input: { idNumber: "${people[1]}", coverageYear: 2022, reason: EMPLOYEE_INSURANCE }) { reason } }`,
      {},
      { as: 'STAFF', tenant: '620725' },
    );
  });

  it('lists those paid last year and not yet this year, without waivers, a page at a time', async () => {
    const first = await server.gql(
      '{ followUps(coverageYear: 2022, first: 2) { nodes { idNumber } pageInfo { endCursor hasNextPage } } }',
      {},
      { as: 'STAFF', tenant: '620725' },
    );
    const second = await server.gql(
      'query($a: String) { followUps(coverageYear: 2022, first: 10, after: $a) { nodes { idNumber } pageInfo { hasNextPage } } }',
      { a: first.data!.followUps.pageInfo.endCursor },
      { as: 'STAFF', tenant: '620725' },
    );
    const listed = [...first.data!.followUps.nodes, ...second.data!.followUps.nodes].map((n: { idNumber: string }) => n.idNumber);
    expect(listed).toEqual([...people.slice(2, 6)].sort());
    expect(first.data!.followUps.pageInfo.hasNextPage).toBe(true);
    expect(second.data!.followUps.pageInfo.hasNextPage).toBe(false);
  });

  it('exports the list with every page', async () => {
    const table = await reportTable({ url: server.url, token: server.token('ADMIN', ['620725']), tenant: '620725' }, 'follow-ups', 2022, '2021-12-01');
    expect(table.rows.map((r) => r[0])).toEqual([...people.slice(2, 6)].sort());
  });

  it('exports incomplete households and waivers too', async () => {
    const client = { url: server.url, token: server.token('ADMIN', ['620725']), tenant: '620725' };
    const waivers = await reportTable(client, 'waivers', 2022, '2021-12-01');
    expect(waivers.rows).toEqual([[people[1], '参加职工医疗保险', null, 'test-staff']]);
    const households = await reportTable(client, 'incomplete-households', 2022, '2021-12-01');
    expect(households.columns.map((c) => c.header)).toEqual(['户口簿号', '乡镇', '身份证号码', '姓名', '参保状态']);
  });

  it('is not for banks', async () => {
    expect(
      (await server.gql('{ followUps(coverageYear: 2022) { nodes { idNumber } } }', {}, { as: 'BANK', tenant: '620725' })).errors?.[0].extensions?.code,
    ).toBe('FORBIDDEN');
  });
});

describe('follow-up lists on a past day count who lived here that day (as the budget does)', () => {
  const SN = '620721';
  const [stayer, returner, newcomer] = residentIds(SN, 3, 310_000);
  const staff = { as: 'STAFF', tenant: SN } as const;
  const LIST = 'query($d: Date!) { followUps(coverageYear: 2024, asOf: $d, first: 100) { totalCount nodes { idNumber } } }';
  const listed = async (asOf: string) => {
    const res = await server.gql(LIST, { d: asOf }, staff);
    expect(res.errors).toBeUndefined();
    const { totalCount, nodes } = res.data!.followUps;
    const ids = nodes.map((n: { idNumber: string }) => n.idNumber);
    expect(totalCount).toBe(ids.length);
    return ids;
  };
  const paidFor2023 = (ids: string[]) =>
    // No notice of 2023 is configured for 肃南, so written beneath the API.
    server.ownerQuery(
      `INSERT INTO enrollment (tenant_code, id_number, coverage_year, status, enrolled_on, standard_contribution, amount_due, paid_on, amount_paid)
       SELECT $1, id, 2023, 'PAID', '2022-10-01', 35000, 35000, '2022-10-01', 35000 FROM UNNEST($2::text[]) AS id`,
      [SN, ids],
    );

  beforeAll(async () => {
    await seedResidents(server, SN, [stayer, returner]);
    await paidFor2023([stayer, returner]);
  });

  it('leaves out someone transferred out and back for the days they were away', async () => {
    // Left after their 2023 cover had run out (so it stays paid), came back before paying for 2024.
    const out = await server.gql(`mutation { transferOut(idNumber: "${returner}", on: "2024-01-10", destination: "甘州区") { status } }`, {}, staff);
    expect(out.data?.transferOut).toEqual({ status: 'TRANSFERRED_OUT' });
    const back = await server.gql(
      `mutation($input: TransferInInput!) { transferIn(input: $input) { status transferredInOn } }`,
      { input: { idNumber: returner, name: nameOf(1, '肃南'), transferredInOn: '2024-03-01', from: '甘州区' } },
      staff,
    );
    expect(back.data?.transferIn).toEqual({ status: 'ACTIVE', transferredInOn: '2024-03-01' });

    expect(await listed('2024-01-05')).toEqual([stayer, returner].sort());
    expect(await listed('2024-02-01')).toEqual([stayer]);
    expect(await listed('2024-03-15')).toEqual([stayer, returner].sort());
  });

  it('leaves out someone transferred in for the days before they arrived', async () => {
    const arrived = await server.gql(
      `mutation($input: TransferInInput!) { transferIn(input: $input) { status transferredInOn } }`,
      { input: { idNumber: newcomer, name: nameOf(2, '肃南'), transferredInOn: '2023-11-01', from: '甘州区', hukouPlace: '620721' } },
      staff,
    );
    expect(arrived.data?.transferIn).toEqual({ status: 'ACTIVE', transferredInOn: '2023-11-01' });
    await paidFor2023([newcomer]);

    expect(await listed('2023-10-15')).toEqual([stayer, returner].sort());
    expect(await listed('2023-11-15')).toEqual([stayer, returner, newcomer].sort());
  });
});

describe('progress for a past day reads the targets as they stood at its end (China time)', () => {
  const SD = '620725';
  const SET =
    'mutation($t: Int!) { setRegionTargets(coverageYear: 2022, targets: [{ region: "620725", target: $t }], source: "县医保局参保任务分解表（测试）") { target } }';
  const set = async (target: number) => {
    const res = await server.gql(SET, { t: target }, { as: 'ADMIN', tenant: SD });
    expect(res.errors).toBeUndefined();
    return res.data!.setRegionTargets[0].target;
  };
  const PROGRESS_AT = `query($d: Date!) { enrollmentProgress(coverageYear: 2022, asOf: $d) { region { code } target targetSource targetSetAt targetPolicyVersion rate } }`;
  const wholeOn = async (tenant: string, asOf: string) => {
    const res = await server.gql(PROGRESS_AT, { d: asOf }, { as: 'STAFF', tenant });
    expect(res.errors).toBeUndefined();
    return res.data!.enrollmentProgress[0] as Record<string, any>;
  };

  it('山丹 2022 (the notice states no target): a target set again later leaves the days before with the first, and a day before any with none', async () => {
    // Set today, it is today's target (and the mutation answers it, the year having begun).
    expect(await set(100)).toBe(100);
    expect(await wholeOn(SD, todayInChina())).toMatchObject({ target: 100, targetSource: '县医保局参保任务分解表（测试）', targetPolicyVersion: null });
    // That setting is moved back to half past midnight of 2021-10-01, China time (16:30 UTC the day before).
    await setAt(SD, 2022, '2021-10-01T00:30:00+08:00');
    // Set again, to another figure, today.
    expect(await set(120)).toBe(120);

    expect(await wholeOn(SD, '2021-09-30')).toMatchObject({ target: null, targetSource: null, targetSetAt: null, rate: null });
    expect(await wholeOn(SD, '2021-10-01')).toMatchObject({ target: 100, targetSetAt: '2021-09-30T16:30:00.000Z' });
    expect(await wholeOn(SD, '2021-12-31')).toMatchObject({ target: 100, targetSetAt: '2021-09-30T16:30:00.000Z' });
    const today = await wholeOn(SD, todayInChina());
    expect(today.target).toBe(120);
    expect(Date.now() - Date.parse(today.targetSetAt)).toBeLessThan(10 * 60_000);

    // Every setting is kept, with when and by whom.
    const kept = await server.ownerQuery(
      `SELECT target, source, set_by FROM region_target_history WHERE tenant_code = $1 AND coverage_year = 2022 AND region_code = $1 ORDER BY set_at`,
      [SD],
    );
    expect(kept).toEqual([
      { target: 100, source: '县医保局参保任务分解表（测试）', set_by: 'test-admin' },
      { target: 120, source: '县医保局参保任务分解表（测试）', set_by: 'test-admin' },
    ]);
  });

  it('肃南 2024: a new version of the notice with other targets leaves a past day with the version then in force', async () => {
    const SN = '620721';
    const AT = `query($d: Date!) { enrollmentProgress(coverageYear: 2024, asOf: $d) { region { code } target targetSource targetPolicyVersion } }`;
    const targetsOn = async (asOf: string) => {
      const res = await server.gql(AT, { d: asOf }, { as: 'STAFF', tenant: SN });
      expect(res.errors).toBeUndefined();
      return Object.fromEntries((res.data!.enrollmentProgress as Array<Record<string, any>>).map((r) => [r.region.code, r]));
    };
    const before = await targetsOn('2023-12-31');
    expect([before['620721'].target, before['620721-03'].target]).toEqual([29500, 626]);
    expect(before['620721-03'].targetSource).toContain('白银乡 626 人');

    // A correction with another target for 白银乡 (made up here: no seed states one), drafted by one
    // administrator and published by another, today.
    const source = readFileSync(join(__dirname, '..', '..', 'tenants', SN, '2024.yaml'), 'utf8')
      .replace('total: { count: 29500, clause: 一 }', 'total: { count: 29574, clause: 一 }')
      .replace('{ region: "620721-03", target: 626, clause: 一 "白银乡 626 人" }', '{ region: "620721-03", target: 700, clause: 一 "白银乡 700 人（测试）" }');
    const admin = (sub: string) => ({ token: server.token('ADMIN', [SN], sub), tenant: SN });
    const draft = await server.gql(
      'mutation($i: PolicyDraftInput!) { draftPolicyYear(input: $i) { id errors { path message } } }',
      { i: { tenant: SN, coverageYear: 2024, source } },
      admin('admin-zhang'),
    );
    expect(draft.data!.draftPolicyYear.errors).toEqual([]);
    const published = await server.gql(
      'mutation($id: ID!) { publishPolicyYear(draftId: $id) { version } }',
      { id: draft.data!.draftPolicyYear.id },
      admin('admin-li'),
    );
    expect(published.data!.publishPolicyYear.version).toBe(2);

    const after = await targetsOn('2023-12-31');
    expect([after['620721'].target, after['620721-03'].target]).toEqual([29500, 626]);
    expect(after).toEqual(before);
    const now = await targetsOn(todayInChina());
    expect([now['620721'].target, now['620721-03'].target]).toEqual([29574, 700]);
    expect(now['620721-03'].targetSource).toContain('白银乡 700 人（测试）');
    // And each says which version's notice it is.
    expect([after['620721'].targetPolicyVersion, after['620721-03'].targetPolicyVersion]).toEqual([1, 1]);
    expect([now['620721'].targetPolicyVersion, now['620721-03'].targetPolicyVersion]).toEqual([2, 2]);
  });
});
