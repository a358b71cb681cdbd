/** The 参保登记表 in Excel: good households registered, bad ones returned in the workbook with an error column. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as XLS from '@e965/xlsx';
import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { annotate, errorFileFor, importRosterFile } from '../../src/cli/import-roster';
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
  it("registers the good households and returns the bad one's rows marked in the workbook", async () => {
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
    expect(String(sheet.getRow(5).getCell(10).value)).toBe(
      `第 2 位成员的身份证号码：${maskIdNumber(broken(id('1992-03-03', 313)))} 不是有效的居民身份证号码：校验码不正确`,
    );
    expect(sheet.getRow(4).getCell(10).value).toBe('户 XL-2 未登记：第 5 行有误');
    expect(sheet.getRow(2).getCell(10).value).toBeNull();

    // Nothing of the bad household was written; the others were, with their town by name.
    const people = await server.ownerQuery<{ id_number: string; region_code: string }>(
      "SELECT r.id_number, h.region_code FROM resident r JOIN household h ON h.tenant_code = r.tenant_code AND h.id = r.household_id WHERE h.booklet_no LIKE 'XL-%' ORDER BY 1",
    );
    expect(people.map((p) => p.id_number).sort()).toEqual([id('1960-01-01', 311), id('1962-02-02', 312), id('1980-04-04', 315)].sort());
    expect(new Set(people.map((p) => p.region_code))).toEqual(new Set(['610926-01', '610926-03']));
  });

  it("refuses a file that is not a workbook, and a sheet without the form's columns", async () => {
    const notXlsx = await server.gql('mutation { importRoster(workbook: "aGVsbG8=") { accepted } }', {}, { as: 'STAFF', tenant: '610926' });
    expect(notXlsx.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'workbook' });
    const book = new ExcelJS.Workbook();
    book.addWorksheet('x').addRow(['姓名']);
    const noColumns = await server.gql(
      'mutation($w: String!) { importRoster(workbook: $w) { accepted } }',
      { w: Buffer.from(await book.xlsx.writeBuffer()).toString('base64') },
      { as: 'STAFF', tenant: '610926', headers: { 'accept-language': 'zh-CN' } },
    );
    expect(noColumns.errors?.[0].message).toContain('户口簿号');
    expect(noColumns.errors?.[0].message).toContain('找不到表头');
  });
});

describe('npm run import:roster', () => {
  it('sends whole households in chunks and marks the rejected rows in a copy of the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-'));
    const file = join(dir, 'pingli.xlsx');
    writeFileSync(file, await workbook(roster('CL', 410)));
    const progress: number[] = [];
    const tally = await importRosterFile({
      file,
      url: server.url,
      token: server.token('STAFF', ['610926']),
      tenant: '610926',
      chunkRows: 2,
      onProgress: (done) => progress.push(done),
    });
    expect(tally).toMatchObject({ households: 2, accepted: 3, rejected: 2 });
    expect([...tally.errors.keys()].sort()).toEqual([4, 5]);
    expect(progress).toEqual([2, 4, 5]);
    const marked = new ExcelJS.Workbook();
    await marked.xlsx.load((await annotate(file, tally.errors)) as unknown as ArrayBuffer);
    expect(marked.worksheets[0].getRow(1).getCell(10).value).toBe('错误');
    expect(marked.worksheets[0].getRow(4).getCell(10).value).toMatch(/^户 .* 未登记：第 \d+ 行有误$/);
  });
});

/** Rosters as townships have them: title rows, .xls, CSV in GBK, places by name. */
describe('rosters as township staff keep them', () => {
  const TITLE = ['平利县2022年度城乡居民基本医疗保险参保登记表'];
  const FILLED_BY = ['填报单位：城关镇', '', '', '填报日期：2021年9月1日'];
  const importFile = (bytes: Buffer) =>
    server.gql(
      'mutation($w: String!) { importRoster(workbook: $w, registeredOn: "2021-09-01") { households accepted rejected rows { row bookletNo status error } annotatedWorkbook } }',
      { w: bytes.toString('base64') },
      // As the townships' portal asks: row errors in Chinese (the error workbook is Chinese either way).
      { as: 'STAFF', tenant: '610926', headers: { 'accept-language': 'zh-CN' } },
    );
  type Row = { row: number; status: string; error: string | null };
  const rejected = (rows: Row[]) => Object.fromEntries(rows.filter((r) => r.status === 'REJECTED').map((r) => [r.row, r.error]));
  const placesOf = (prefix: string) =>
    server.ownerQuery<{ id_number: string; hukou_place: string | null; residence_permit_place: string | null }>(
      'SELECT r.id_number, r.hukou_place, r.residence_permit_place FROM resident r JOIN household h ON h.tenant_code = r.tenant_code AND h.id = r.household_id WHERE h.booklet_no LIKE $1 ORDER BY 1',
      [`${prefix}-%`],
    );
  const xlsxOf = async (base64: string) => {
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(Buffer.from(base64, 'base64') as unknown as ArrayBuffer);
    return book.worksheets[0];
  };

  it('passes over the title rows above the header, and names every row by its number in the file', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('参保登记表');
    sheet.addRow(TITLE);
    sheet.mergeCells('A1:I1');
    sheet.addRow(FILLED_BY);
    sheet.addRow(HEADER.map((h, i) => (i === 4 ? '* 姓名' : h)));
    for (const r of roster('TT', 510)) sheet.addRow(r);
    const res = await importFile(Buffer.from(await book.xlsx.writeBuffer()));
    expect(res.errors).toBeUndefined();
    const result = res.data!.importRoster;
    expect(result).toMatchObject({ households: 2, accepted: 3, rejected: 2 });
    // The header is row 3: the bad child is row 7 of the file, its household's head row 6.
    expect(rejected(result.rows)).toEqual({
      6: '户 TT-2 未登记：第 7 行有误',
      7: expect.stringMatching(/^第 2 位成员的身份证号码：.* 不是有效的居民身份证号码：校验码不正确/),
    });
    const marked = await xlsxOf(result.annotatedWorkbook);
    expect(marked.getRow(1).getCell(1).value).toBe(TITLE[0]);
    expect(marked.getRow(3).getCell(10).value).toBe('错误');
    expect(String(marked.getRow(7).getCell(10).value)).toContain('校验码');
    expect(marked.getRow(4).getCell(10).value).toBeNull();
  });

  it('reads an .xls (Excel 97-2003) workbook and answers the error file as .xlsx', async () => {
    const book = XLS.utils.book_new();
    XLS.utils.book_append_sheet(book, XLS.utils.aoa_to_sheet([TITLE, HEADER, ...roster('XS', 520)]), '参保登记表');
    const xls = XLS.write(book, { bookType: 'xls', type: 'buffer' }) as Buffer;
    expect(xls.subarray(0, 4).toString('hex')).toBe('d0cf11e0');
    const res = await importFile(xls);
    expect(res.errors).toBeUndefined();
    const result = res.data!.importRoster;
    expect(result).toMatchObject({ households: 2, accepted: 3, rejected: 2 });
    expect(Object.keys(rejected(result.rows))).toEqual(['5', '6']);
    const marked = await xlsxOf(result.annotatedWorkbook);
    expect(marked.getRow(2).getCell(10).value).toBe('错误');
    expect(String(marked.getRow(6).getCell(10).value)).toContain('校验码');
    // ID numbers stay text in the error file, every digit kept.
    expect(marked.getRow(3).getCell(4).value).toBe(id('1960-01-01', 521));
    expect((await placesOf('XS')).map((p) => p.id_number).sort()).toEqual([id('1960-01-01', 521), id('1962-02-02', 522), id('1980-04-04', 525)].sort());
  });

  it('reads a CSV in GBK with the places of hukou by name, as staff write them', async () => {
    const header = ['户口簿号', '乡镇', '身份证号码', '姓名', '与户主关系', '户籍所在地', '居住证登记地'];
    const rows = [
      ['GB-1', '老县镇', id('1951-06-01', 601), '钱一', '户主', '平利县老县镇', ''],
      ['GB-1', '老县镇', id('1953-06-02', 602), '孙二', '配偶', '老县镇', ''],
      ['GB-2', '城关镇', id('1975-06-03', 603), '周三', '户主', '甘州区梁家墩镇', '城关镇'],
      ['GB-3', '城关镇', id('1976-06-04', 604), '吴四', '户主', '梁家墩镇', ''],
      ['GB-4', '城关镇', id('1977-06-05', 605), '郑五', '户主', '610926100', ''],
    ];
    const text = [TITLE, header, ...rows].map((r) => r.join(',')).join('\r\n') + '\r\n';
    const gbk = iconv.encode(text, 'gbk');
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(gbk)).toThrow();
    const res = await importFile(gbk);
    expect(res.errors).toBeUndefined();
    const result = res.data!.importRoster;
    expect(result).toMatchObject({ households: 3, accepted: 4, rejected: 1 });
    // 梁家墩镇 alone is a township of 甘州区, not of 平利县: the clerk is told what to write.
    expect(rejected(result.rows)).toEqual({ 6: expect.stringMatching(/^第 1 位成员的户籍所在地.*梁家墩镇/) });
    const places = Object.fromEntries((await placesOf('GB')).map((p) => [p.id_number, [p.hukou_place, p.residence_permit_place]]));
    expect(places).toEqual({
      [id('1951-06-01', 601)]: ['610926102', null],
      [id('1953-06-02', 602)]: ['610926102', null],
      [id('1975-06-03', 603)]: ['620702100', '610926100'],
      [id('1977-06-05', 605)]: ['610926100', null],
    });
    const marked = await xlsxOf(result.annotatedWorkbook);
    expect(marked.getRow(2).getCell(8).value).toBe('错误');
    expect(marked.getRow(6).getCell(4).value).toBe('吴四');
    expect(String(marked.getRow(6).getCell(8).value)).toContain('梁家墩镇');
  });

  it('reads a CSV in UTF-8 with a byte-order mark, as Excel saves "CSV UTF-8"', async () => {
    const text = [HEADER, ['UB-1', '长安镇', '', id('1978-06-06', 606), '冯六', '户主', '', '长安镇', '普通居民(成年)']].map((r) => r.join(',')).join('\n');
    const res = await importFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]));
    expect(res.errors).toBeUndefined();
    expect(res.data!.importRoster).toMatchObject({ households: 1, accepted: 1, rejected: 0, annotatedWorkbook: null });
    expect(await placesOf('UB')).toEqual([{ id_number: id('1978-06-06', 606), hukou_place: '610926108', residence_permit_place: null }]);
  });

  it("refuses, in Chinese, a file without the form's header and bytes that are no roster", async () => {
    const noHeader = await importFile(iconv.encode([TITLE, ['姓名', '身份证号码'], ['王大', id('1960-01-01', 1)]].map((r) => r.join(',')).join('\n'), 'gbk'));
    expect(noHeader.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'workbook' });
    expect(noHeader.errors?.[0].message).toMatch(/^找不到表头：第 2 行缺少 户口簿号、乡镇、与户主关系 列/);
    const garbage = await importFile(Buffer.from([0x00, 0xff, 0xfe, 0x81, 0x00, 0x13, 0x37]));
    expect(garbage.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'workbook' });
    expect(garbage.errors?.[0].message).toContain('另存为 .xlsx');
  });
});

describe('npm run import:roster, files as staff keep them', () => {
  it('names the rows of later chunks by their number in the file, and marks an .xls or .csv in an .xlsx copy', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'roster-'));
    // A title row, the header on row 2, eleven one-person households (rows 3–13), then a household of two
    // whose second member is wrong (rows 14–15): with three rows a chunk, row 15 travels in the fifth.
    const rows = Array.from({ length: 11 }, (_, i) => [
      `CK-${i + 1}`,
      '城关镇',
      '',
      id('1952-07-01', 700 + i),
      `陈${'甲乙丙丁戊己庚辛壬癸子'[i]}`,
      '户主',
      '',
      '610926100',
      '',
    ]);
    rows.push(
      ['CK-12', '城关镇', '', id('1952-07-02', 720), '陈丑', '户主', '', '610926100', ''],
      ['CK-12', '城关镇', '', broken(id('1990-07-03', 721)), '陈寅', '子女', '', '610926100', ''],
    );
    const file = join(dir, 'chengguan.csv');
    writeFileSync(file, iconv.encode([TITLE_CSV, HEADER, ...rows].map((r) => r.join(',')).join('\r\n'), 'gb18030'));
    const tally = await importRosterFile({ file, url: server.url, token: server.token('STAFF', ['610926']), tenant: '610926', chunkRows: 3 });
    expect(tally).toMatchObject({ households: 11, accepted: 11, rejected: 2 });
    expect(Object.fromEntries(tally.errors)).toEqual({ 14: '户 CK-12 未登记：第 15 行有误', 15: expect.stringContaining('校验码') });
    expect(errorFileFor(file)).toBe(join(dir, 'chengguan.errors.xlsx'));
    const marked = new ExcelJS.Workbook();
    await marked.xlsx.load((await annotate(file, tally.errors)) as unknown as ArrayBuffer);
    const sheet = marked.worksheets[0];
    expect(sheet.getRow(1).getCell(1).value).toBe(TITLE_CSV[0]);
    expect(sheet.getRow(2).getCell(10).value).toBe('错误');
    expect(sheet.getRow(14).getCell(10).value).toBe('户 CK-12 未登记：第 15 行有误');
    expect(sheet.getRow(13).getCell(10).value).toBeNull();
  });
});
const TITLE_CSV = ['城关镇2022年度城乡居民医保参保登记表'];
