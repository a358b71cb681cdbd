/**
 * Names and phones over HTTP, at registration, on update and in a 参保登记表 roster: invisible, reversed,
 * endless names and HTML in a phone are refused with BAD_USER_INPUT naming the field, and nothing is
 * written; the names of the scripts people's documents are written in are kept as typed.
 */
import ExcelJS from 'exceljs';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const TENANT = '620721';
const REGISTER = `mutation($i: ResidentInput!) { registerResident(input: $i) { idNumber name phone } }`;
const HOUSEHOLD = `mutation($input: HouseholdInput!) { registerHousehold(input: $input) { id } }`;
const UPDATE = `mutation($id: String!, $c: ResidentUpdateInput!) { updateResident(idNumber: $id, changes: $c) { name phone } }`;
let seq = 0;
const nextId = () => makeResidentId(TENANT, '1985-06-07', 500 + seq++);
const registered = async (idNumber: string) =>
  (await server.ownerQuery('SELECT 1 FROM resident WHERE tenant_code = $1 AND id_number = $2', [TENANT, idNumber])).length > 0;

describe('refused with BAD_USER_INPUT naming the field, nothing written', () => {
  it.each([
    ['zero-width characters', '\u200B\u200C\u200D'],
    ['a right-to-left override', '张\u202E三丰'],
    ['10,000 characters', '张'.repeat(10_000)],
    ['HTML', '<img src=x onerror=alert(1)>'],
  ])('a name of %s, at registration', async (_what, name) => {
    const idNumber = nextId();
    const res = await server.gql(REGISTER, { i: { idNumber, name } }, { as: 'STAFF', tenant: TENANT });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    expect(await registered(idNumber)).toBe(false);
  });

  it('a name in a household, naming the member', async () => {
    const [head, child] = [nextId(), nextId()];
    const res = await server.gql(
      HOUSEHOLD,
      {
        input: {
          bookletNo: 'NP-1',
          region: '620721-01',
          members: [
            { idNumber: head, name: '安永福', relationship: '户主' },
            { idNumber: child, name: '安\u2066小\u2069明', relationship: '子女' },
          ],
        },
      },
      { as: 'STAFF', tenant: TENANT },
    );
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'members[1].name' });
    expect(await registered(head)).toBe(false);
  });

  it.each([['<script>alert(1)</script>'], ['1380013800<b>0</b>'], ['12800138000'], ['+852 9123 4567']])('a phone %j', async (phone) => {
    const idNumber = nextId();
    const res = await server.gql(REGISTER, { i: { idNumber, name: '李四', phone } }, { as: 'STAFF', tenant: TENANT });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'phone' });
    expect(await registered(idNumber)).toBe(false);
  });

  it('on update, changing nothing', async () => {
    const idNumber = nextId();
    expect((await server.gql(REGISTER, { i: { idNumber, name: '王五', phone: '13800138000' } }, { as: 'STAFF', tenant: TENANT })).errors).toBeUndefined();
    const name = await server.gql(UPDATE, { id: idNumber, c: { name: '王\u200B五', phone: '13900139000' } }, { as: 'STAFF', tenant: TENANT });
    expect(name.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'name' });
    const phone = await server.gql(UPDATE, { id: idNumber, c: { phone: '<b>13900139000</b>' } }, { as: 'STAFF', tenant: TENANT });
    expect(phone.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'phone' });
    const [row] = await server.ownerQuery('SELECT name, phone FROM resident WHERE tenant_code = $1 AND id_number = $2', [TENANT, idNumber]);
    expect(row).toEqual({ name: '王五', phone: '13800138000' });
    expect(await server.ownerQuery('SELECT 1 FROM resident_change WHERE tenant_code = $1 AND id_number = $2', [TENANT, idNumber])).toEqual([]);
  });

  it('in a roster: the row rejected with its field, its household not registered, the others are', async () => {
    const [good, badName, sameHousehold, badPhone] = [nextId(), nextId(), nextId(), nextId()];
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('参保登记表');
    sheet.addRow(['户口簿号', '乡镇', '身份证号码', '姓名', '与户主关系', '联系电话']);
    sheet.addRow(['NP-R1', '620721-01', good, '马·阿里', '户主', '0937-6621234']);
    sheet.addRow(['NP-R2', '620721-01', badName, '马\u202E力', '户主', '']);
    sheet.addRow(['NP-R2', '620721-01', sameHousehold, '马小力', '子女', '']);
    sheet.addRow(['NP-R3', '620721-01', badPhone, '马大力', '户主', '<a href=x>13800138000</a>']);
    const workbook = Buffer.from(await book.xlsx.writeBuffer()).toString('base64');
    const res = await server.gql(
      `mutation($w: String!) { importRoster(workbook: $w) { households accepted rejected rows { row status error } } }`,
      { w: workbook },
      { as: 'STAFF', tenant: TENANT, headers: { 'accept-language': 'zh-CN' } },
    );
    expect(res.errors).toBeUndefined();
    const result = res.data!.importRoster;
    expect(result).toMatchObject({ households: 1, accepted: 1, rejected: 3 });
    // Asked in Chinese, as the townships' portal asks: the member, the field and the character at fault.
    expect(result.rows[1].error).toBe('第 1 位成员的姓名第 2 个字符是不可见字符或控制字符（U+202E），不能用于姓名');
    expect(result.rows[3].error).toMatch(/^第 1 位成员的联系电话只能包含数字/);
    expect(await registered(good)).toBe(true);
    for (const id of [badName, sameHousehold, badPhone]) expect(await registered(id)).toBe(false);
  });
});

describe("taken as written in the scripts of people's documents", () => {
  it.each([
    ['a Uyghur name in the Arabic script', 'ئايگۈل مەمەت'],
    ['a Tibetan name', 'བཀྲ་ཤིས་བདེ་ལེགས'],
    ['a Mongolian name', 'ᠪᠠᠲᠣ'],
    ['a Yi name', 'ꆈꌠꁱꂷ'],
    ['a minority name in Chinese with the middle dot', '阿依古丽·买买提'],
    ['a name with a character of CJK extension B', '𠀾明'],
    ["a foreigner's name in Latin letters", "O'NEILL, MARY-JANE"],
  ])('%s', async (_what, name) => {
    const idNumber = nextId();
    const res = await server.gql(REGISTER, { i: { idNumber, name } }, { as: 'STAFF', tenant: TENANT });
    expect(res.errors).toBeUndefined();
    expect(res.data!.registerResident.name).toBe(name);
  });

  it('phones kept in one form: a mobile by its 11 digits, a landline with its area code and extension', async () => {
    const cases: Array<[string, string]> = [
      ['+86 138 0013 8000', '13800138000'],
      ['(0936)822 1234 转 801', '0936-8221234转801'],
      ['+86 10 6234 5678', '010-62345678'],
    ];
    for (const [typed, kept] of cases) {
      const res = await server.gql(REGISTER, { i: { idNumber: nextId(), name: '赵六', phone: typed } }, { as: 'STAFF', tenant: TENANT });
      expect(res.errors).toBeUndefined();
      expect(res.data!.registerResident.phone).toBe(kept);
    }
  });
});
