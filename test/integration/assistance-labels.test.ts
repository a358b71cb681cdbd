/**
 * Agencies' own labels for assistance categories (农村一类低保, 最低生活保障对象, 特困供养人员, 脱贫人口 …),
 * beside the codes, read against the categories that the tenant's notices subsidise.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { importAssistanceCsv } from '../../src/cli/import-assistance';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const MUTATION = 'mutation($rows: [AssistanceInput!]!) { importAssistance(identities: $rows) { accepted rejected rows { index status code error } } }';
/** People not registered yet: their certifications wait for them, with the category they were read as. */
const person = (county: string, seq: number) => makeResidentId(county, '1949-10-01', seq);
const certify = (tenant: string, rows: Array<{ idNumber: string; category?: string; categoryLabel?: string }>) =>
  server.gql(
    MUTATION,
    { rows: rows.map((r) => ({ certifiedBy: '区民政局', validFrom: '2023-01-01', ...r })) },
    { as: 'AGENCY', tenant, headers: { 'accept-language': 'zh-CN' } },
  );
/** The categories waiting for the person to register, as recorded. */
const categoryOf = async (tenant: string, idNumber: string) =>
  (
    await server.ownerQuery<{ category: string }>('SELECT category FROM pending_certification WHERE tenant_code = $1 AND id_number = $2 ORDER BY 1', [
      tenant,
      idNumber,
    ])
  ).map((r) => r.category);

describe("assistance categories by the agencies' labels", () => {
  it("reads a label as the one category the county's notice subsidises, and names the candidates when it may mean several", async () => {
    // 甘州区 subsidises 低保 by class (农村一至四类, 城市全额、差额), 脱贫人口 and 特困人员, and not 重度残疾人.
    const rows = [
      { idNumber: person('620702', 801), categoryLabel: '农村一类低保' },
      { idNumber: person('620702', 802), categoryLabel: '特困供养人员' },
      { idNumber: person('620702', 803), categoryLabel: '脱贫人口' },
      { idNumber: person('620702', 804), categoryLabel: '最低生活保障对象' },
      { idNumber: person('620702', 805), categoryLabel: '重度残疾人' },
      { idNumber: person('620702', 806), categoryLabel: '困难群众' },
      { idNumber: person('620702', 807), category: 'DIBAO_RURAL_2' },
      { idNumber: person('620702', 808), category: 'DIBAO_RURAL_2', categoryLabel: '农村三类低保' },
      { idNumber: person('620702', 809), categoryLabel: ' 城市全额低保 ' },
    ];
    const res = await certify('620702', rows);
    expect(res.errors).toBeUndefined();
    const result = res.data!.importAssistance;
    expect(result).toMatchObject({ accepted: 5, rejected: 4 });
    const byIndex = Object.fromEntries(result.rows.map((r: { index: number }) => [r.index, r]));
    expect(byIndex[3]).toMatchObject({ status: 'REJECTED', code: 'BAD_USER_INPUT' });
    expect(byIndex[3].error).toBe(
      '资助类别「最低生活保障对象」在甘州区的政策中可指 农村一类低保（DIBAO_RURAL_1）、农村二类低保（DIBAO_RURAL_2）、农村三类低保（DIBAO_RURAL_3）、农村四类低保（DIBAO_RURAL_4）、城市全额低保（DIBAO_URBAN_FULL）、城市差额低保（DIBAO_URBAN_PARTIAL）：请写明其中之一',
    );
    expect(byIndex[4].error).toMatch(
      /^资助类别「重度残疾人」（重度残疾人（SEVERE_DISABILITY））不在甘州区的资助政策中：甘州区资助的类别是 特困人员（EXTREME_POVERTY）、/,
    );
    expect(byIndex[5].error).toMatch(/^资助类别「困难群众」无法识别：请填写甘州区资助的类别之一：/);
    expect(byIndex[7].error).toBe('资助类别「农村三类低保」是 DIBAO_RURAL_3，与 category DIBAO_RURAL_2 不一致');
    expect(await categoryOf('620702', person('620702', 801))).toEqual(['DIBAO_RURAL_1']);
    expect(await categoryOf('620702', person('620702', 802))).toEqual(['EXTREME_POVERTY']);
    expect(await categoryOf('620702', person('620702', 803))).toEqual(['LIFTED_OUT_OF_POVERTY']);
    expect(await categoryOf('620702', person('620702', 809))).toEqual(['DIBAO_URBAN_FULL']);
  });

  it("reads the same label as the county's own category where its notice does not split it", async () => {
    // 平利县 subsidises 低保 as one category, and of the 监测对象 only 脱贫不稳定户.
    const rows = [
      { idNumber: person('610926', 811), categoryLabel: '最低生活保障对象' },
      { idNumber: person('610926', 812), categoryLabel: '农村一类低保' },
      { idNumber: person('610926', 813), categoryLabel: '监测对象' },
    ];
    const res = await certify('610926', rows);
    expect(res.data!.importAssistance).toMatchObject({ accepted: 3, rejected: 0 });
    for (const seq of [811, 812]) expect(await categoryOf('610926', person('610926', seq))).toEqual(['DIBAO']);
    expect(await categoryOf('610926', person('610926', 813))).toEqual(['AT_RISK_UNSTABLE_LIFTED']);
  });

  it('refuses grantAssistance with an ambiguous label, naming the candidates in extensions', async () => {
    const res = await server.gql(
      'mutation($input: AssistanceInput!) { grantAssistance(input: $input) { category } }',
      { input: { idNumber: person('620702', 821), categoryLabel: '农村低保', certifiedBy: '区民政局', validFrom: '2023-01-01' } },
      { as: 'AGENCY', tenant: '620702' },
    );
    expect(res.errors?.[0].extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'categoryLabel',
      candidates: ['DIBAO_RURAL_1', 'DIBAO_RURAL_2', 'DIBAO_RURAL_3', 'DIBAO_RURAL_4'],
    });
    const none = await server.gql(
      'mutation($input: AssistanceInput!) { grantAssistance(input: $input) { category } }',
      { input: { idNumber: person('620702', 822), certifiedBy: '区民政局', validFrom: '2023-01-01' } },
      { as: 'AGENCY', tenant: '620702' },
    );
    expect(none.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'category' });
  });

  it("imports an agency's CSV in GBK with its own labels, rejected rows named by their line", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'assistance-'));
    const file = join(dir, 'minzheng.csv');
    const lines = [
      '身份证号码,资助类别,认定部门,认定日期,有效期至',
      `${person('620702', 831)},农村二类低保,甘州区民政局,2023/1/5,`,
      `${person('620702', 832)},最低生活保障对象,甘州区民政局,2023/1/5,`,
      `${person('620702', 833)},EXTREME_POVERTY,甘州区民政局,2023/1/5,`,
    ];
    writeFileSync(file, iconv.encode(lines.join('\r\n') + '\r\n', 'gbk'));
    const tally = await importAssistanceCsv({
      file,
      url: server.url,
      token: server.token('AGENCY', ['620702']),
      tenant: '620702',
      batchSize: 10,
      batchPrefix: 'labels',
      language: 'zh-CN',
    });
    expect(tally).toMatchObject({ encoding: 'gb18030', accepted: 2, rejected: 1 });
    expect(tally.rejections).toEqual([
      expect.objectContaining({ line: 3, code: 'BAD_USER_INPUT', error: expect.stringContaining('可指 农村一类低保（DIBAO_RURAL_1）') }),
    ]);
    expect(await categoryOf('620702', person('620702', 831))).toEqual(['DIBAO_RURAL_2']);
  });
});
