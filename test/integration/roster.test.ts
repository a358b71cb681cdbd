/** The 参保登记表 in Excel: good households registered, bad ones returned in the workbook with an error column. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import { annotate, importRosterFile } from '../../src/cli/import-roster';
import { makeResidentId, maskIdNumber } from '../../src/domains/residents/id-number';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const HEADER = ['户口簿号', '乡镇', '地址', '身份证号码', '姓名', '与户主关系', '联系电话', '户籍所在地', '申请人身份'];
const id = (birth: string, seq: number) => makeResidentId('610926', birth, seq);
/** A valid number with its check character changed. */
const broken = (good: string) => `${good.slice(0, 17)}${good.endsWith('1') ? '2' : '1'}`;

/** Three households; the second has a child whose ID number is wrong. `base` keeps files apart. */
function roster(prefix: string, base: number): Array<Array<string>> {
  return [
    [`${prefix}-1`, '城关镇', '城关镇北街1号', id('1960-01-01', base + 1), '王大', '户主', '13912345678', '610926100', '普通居民(成年)'],
    [`${prefix}-1`, '城关镇', '', id('1962-02-02', base + 2), '李二', '配偶', '', '610926100', '普通居民(成年)'],
    [`${prefix}-2`, '610926-02', '老县镇', id('1970-03-03', base + 4), '张三', '户主', '', '610926101', '普通居民(成年)'],
    [`${prefix}-2`, '610926-02', '', broken(id('1992-03-03', base + 3)), '张小', '子女', '', '610926101', '中小学生'],
    [`${prefix}-3`, '长安镇', '', id('1980-04-04', base + 5), '赵四', '户主', '', '610926102', '普通居民(成年)'],
  ];
}

async function workbook(rows: string[][]): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('参保登记表');
  sheet.addRow(HEADER);
  for (const r of rows) sheet.addRow(r);
  return Buffer.from(await book.xlsx.writeBuffer());
}

describe('importRoster', () => {
  it('registers the good households and returns the bad one\'s rows marked in the workbook', async () => {
    const res = await server.gql(
      'mutation($w: String!) { importRoster(workbook: $w, registeredOn: "2021-09-01") { households accepted rejected rows { row bookletNo status error } annotatedWorkbook } }',
      { w: (await workbook(roster('XL', 310))).toString('base64') },
      { as: 'STAFF', tenant: '610926' },
    );
    expect(res.errors).toBeUndefined();
    const result = res.data!.importRoster;
    expect(result).toMatchObject({ households: 2, accepted: 3, rejected: 2 });
    expect(result.rows.filter((r: { status: string }) => r.status === 'REJECTED').map((r: { row: number }) => r.row)).toEqual([4, 5]);
    expect(result.rows.find((r: { row: number }) => r.row === 5).error).toContain('check character');
    expect(result.rows.find((r: { row: number }) => r.row === 4).error).toContain('row 5');

    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(result.annotatedWorkbook, 'base64') as unknown as ArrayBuffer);
    const sheet = book.worksheets[0];
    expect(sheet.getRow(1).getCell(10).value).toBe('错误');
    // The copy is for the clerks who correct it: its errors are in Chinese whatever the request's language.
    expect(String(sheet.getRow(5).getCell(10).value)).toBe(`第 2 位成员的身份证号码：${maskIdNumber(broken(id('1992-03-03', 313)))} 不是有效的居民身份证号码：校验码不正确`);
    expect(sheet.getRow(4).getCell(10).value).toBe('户 XL-2 未登记：第 5 行有误');
    expect(sheet.getRow(2).getCell(10).value).toBeNull();

    // Nothing of the bad household was written; the others were, with their town by name.
    const people = await server.ownerQuery<{ id_number: string; region_code: string }>(
      "SELECT r.id_number, h.region_code FROM resident r JOIN household h ON h.tenant_code = r.tenant_code AND h.id = r.household_id WHERE h.booklet_no LIKE 'XL-%' ORDER BY 1",
    );
    expect(people.map((p) => p.id_number).sort()).toEqual([id('1960-01-01', 311), id('1962-02-02', 312), id('1980-04-04', 315)].sort());
    expect(new Set(people.map((p) => p.region_code))).toEqual(new Set(['610926-01', '610926-03']));
  });

  it('refuses a file that is not a workbook, and a sheet without the form\'s columns', async () => {
    const notXlsx = await server.gql('mutation { importRoster(workbook: "aGVsbG8=") { accepted } }', {}, { as: 'STAFF', tenant: '610926' });
    expect(notXlsx.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'workbook' });
    const book = new ExcelJS.Workbook();
    book.addWorksheet('x').addRow(['姓名']);
    const noColumns = await server.gql('mutation($w: String!) { importRoster(workbook: $w) { accepted } }', { w: Buffer.from(await book.xlsx.writeBuffer()).toString('base64') }, { as: 'STAFF', tenant: '610926' });
    expect(noColumns.errors?.[0].message).toContain('户口簿号');
  });
});

describe('npm run import:roster', () => {
  it('sends whole households in chunks and marks the rejected rows in a copy of the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-'));
    const file = join(dir, 'pingli.xlsx');
    writeFileSync(file, await workbook(roster('CL', 410)));
    const progress: number[] = [];
    const tally = await importRosterFile({ file, url: server.url, token: server.token('STAFF', ['610926']), tenant: '610926', chunkRows: 2, onProgress: (done) => progress.push(done) });
    expect(tally).toMatchObject({ households: 2, accepted: 3, rejected: 2 });
    expect([...tally.errors.keys()].sort()).toEqual([4, 5]);
    expect(progress).toEqual([2, 4, 5]);
    const marked = new ExcelJS.Workbook();
    await marked.xlsx.load((await annotate(file, tally.errors)) as unknown as ArrayBuffer);
    expect(marked.worksheets[0].getRow(1).getCell(10).value).toBe('错误');
    expect(marked.worksheets[0].getRow(4).getCell(10).value).toMatch(/^户 .* 未登记：第 \d+ 行有误$/);
  });
});
