/**
 * The person's bank account for the 一卡通 payout of 先缴后补 reimbursements: given at registration, on
 * update and in a roster, validated, shown masked in every answer, and in full only in the payout file
 * an administrator exports, which the audit log records.
 */
import ExcelJS from 'exceljs';
import { payoutFileCsv } from '../../src/cli/export-disbursements';
import { makeResidentId } from '../../src/domains/residents/id-number';
import { startTestServer, type TestServer } from '../helpers/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server?.close());

const GZ = '620702';
const REGISTER = `mutation($i: ResidentInput!) { registerResident(input: $i) { idNumber bankAccountMasked bankName } }`;
const READ = `query($id: String!) { resident(idNumber: $id) { bankAccountMasked bankName changes { field before after } } }`;
const ACCOUNT = '6228480123456789012'; // 19 digits, a bank card
const PASSBOOK = '62010203040506070809101112'; // 26 digits, a passbook account
let seq = 0;
const nextId = (birth = '1966-07-08') => makeResidentId(GZ, birth, 600 + seq++);
const masked = (account: string) => `${account.slice(0, 4)}${'*'.repeat(account.length - 8)}${account.slice(-4)}`;

describe('given, validated and shown masked', () => {
  it('is registered with its bank and answered masked, never in full', async () => {
    const idNumber = nextId();
    const res = await server.gql(
      REGISTER,
      { i: { idNumber, name: '刘一卡', bankAccount: '6228 4801 2345 6789 012', bankName: '甘肃张掖农村商业银行' } },
      { as: 'STAFF', tenant: GZ },
    );
    expect(res.errors).toBeUndefined();
    expect(res.data!.registerResident).toEqual({ idNumber, bankAccountMasked: masked(ACCOUNT), bankName: '甘肃张掖农村商业银行' });
    const read = await server.gql(READ, { id: idNumber }, { as: 'ADMIN', tenant: GZ });
    expect(read.data!.resident).toMatchObject({ bankAccountMasked: '6228***********9012' });
    const [row] = await server.ownerQuery('SELECT bank_account, bank_name FROM resident WHERE tenant_code = $1 AND id_number = $2', [GZ, idNumber]);
    expect(row).toEqual({ bank_account: ACCOUNT, bank_name: '甘肃张掖农村商业银行' });
    // Nor in the audit record of the registration.
    const audit = await server.ownerQuery<{ variables: unknown }>(
      "SELECT variables FROM audit_log WHERE tenant_code = $1 AND 'registerResident' = ANY (fields)",
      [GZ],
    );
    expect(JSON.stringify(audit)).not.toContain(ACCOUNT);
  });

  it('is for ADMIN and STAFF to see, even masked: an agency reading the person gets FORBIDDEN for it', async () => {
    const idNumber = nextId();
    await server.gql(REGISTER, { i: { idNumber, name: '刘二卡', bankAccount: ACCOUNT } }, { as: 'STAFF', tenant: GZ });
    const agency = await server.gql(
      `query($id: String!) { resident(idNumber: $id) { name bankAccountMasked } }`,
      { id: idNumber },
      { as: 'AGENCY', tenant: GZ },
    );
    expect(agency.errors?.map((e) => e.extensions?.code)).toEqual(['FORBIDDEN']);
    expect(agency.data!.resident).toEqual({ name: '刘二卡', bankAccountMasked: null });
  });

  it.each([
    ['letters', { bankAccount: '6228abc123456789' }, 'bankAccount'],
    ['11 digits', { bankAccount: '62284801234' }, 'bankAccount'],
    ['31 digits', { bankAccount: '1'.repeat(31) }, 'bankAccount'],
    ['HTML', { bankAccount: '<b>6228480123456789012</b>' }, 'bankAccount'],
    ['a bank without an account', { bankName: '中国农业银行' }, 'bankName'],
    ['a bank name with a right-to-left override', { bankAccount: ACCOUNT, bankName: '农业\u202E银行' }, 'bankName'],
  ])('refuses %s with BAD_USER_INPUT naming the field', async (_what, bank, field) => {
    const idNumber = nextId();
    const res = await server.gql(REGISTER, { i: { idNumber, name: '刘三卡', ...bank } }, { as: 'STAFF', tenant: GZ });
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field });
    expect(await server.ownerQuery('SELECT 1 FROM resident WHERE tenant_code = $1 AND id_number = $2', [GZ, idNumber])).toEqual([]);
  });

  it('names the member in a household', async () => {
    const res = await server.gql(
      `mutation($input: HouseholdInput!) { registerHousehold(input: $input) { id } }`,
      {
        input: {
          bookletNo: 'BA-1',
          region: '620721-01',
          members: [{ idNumber: makeResidentId('620721', '1967-01-01', 613), name: '户主', relationship: '户主', bankAccount: '123' }],
        },
      },
      { as: 'STAFF', tenant: '620721' },
    );
    expect(res.errors?.[0].extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'members[0].bankAccount' });
  });

  it('is changed and removed on update, the change record keeping it masked', async () => {
    const idNumber = nextId();
    await server.gql(REGISTER, { i: { idNumber, name: '刘四卡', bankAccount: ACCOUNT, bankName: '中国农业银行' } }, { as: 'STAFF', tenant: GZ });
    const UPDATE = `mutation($id: String!, $c: ResidentUpdateInput!) { updateResident(idNumber: $id, changes: $c) { bankAccountMasked bankName } }`;
    const changed = await server.gql(UPDATE, { id: idNumber, c: { bankAccount: PASSBOOK, bankName: '甘肃张掖农村商业银行' } }, { as: 'STAFF', tenant: GZ });
    expect(changed.errors).toBeUndefined();
    expect(changed.data!.updateResident).toEqual({ bankAccountMasked: masked(PASSBOOK), bankName: '甘肃张掖农村商业银行' });
    const removed = await server.gql(UPDATE, { id: idNumber, c: { bankAccount: '' } }, { as: 'STAFF', tenant: GZ });
    expect(removed.data!.updateResident).toEqual({ bankAccountMasked: null, bankName: null });
    const history = (await server.gql(READ, { id: idNumber }, { as: 'STAFF', tenant: GZ })).data!.resident.changes;
    expect(history.filter((c: { field: string }) => c.field === 'bank_account')).toEqual([
      { field: 'bank_account', before: masked(ACCOUNT), after: masked(PASSBOOK) },
      { field: 'bank_account', before: masked(PASSBOOK), after: null },
    ]);
    const everything = JSON.stringify(await server.ownerQuery('SELECT * FROM resident_change WHERE tenant_code = $1 AND id_number = $2', [GZ, idNumber]));
    expect(everything).not.toContain(ACCOUNT);
    expect(everything).not.toContain(PASSBOOK);
    const audit = JSON.stringify(await server.ownerQuery("SELECT variables FROM audit_log WHERE tenant_code = $1 AND 'updateResident' = ANY (fields)", [GZ]));
    expect(audit).not.toContain(PASSBOOK);
  });

  it("comes from a roster's 银行账号 and 开户银行 columns; an account Excel stored as a number is refused, not cut", async () => {
    // 肃南, whose townships a roster names (620721-01).
    const [withAccount, asNumber] = [makeResidentId('620721', '1967-01-01', 611), makeResidentId('620721', '1967-01-01', 612)];
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('参保登记表');
    sheet.addRow(['户口簿号', '乡镇', '身份证号码', '姓名', '与户主关系', '银行账号', '开户银行']);
    sheet.addRow(['BA-R1', '620721-01', withAccount, '刘五卡', '户主', ACCOUNT, '中国农业银行']);
    sheet.addRow(['BA-R2', '620721-01', asNumber, '刘六卡', '户主', Number(ACCOUNT), '中国农业银行']); // what Excel keeps of it: 6228480123456789000
    const workbook = Buffer.from(await book.xlsx.writeBuffer()).toString('base64');
    const res = await server.gql(
      `mutation($w: String!) { importRoster(workbook: $w) { accepted rejected rows { row error } } }`,
      { w: workbook },
      { as: 'STAFF', tenant: '620721' },
    );
    expect(res.data!.importRoster).toMatchObject({ accepted: 1, rejected: 1 });
    expect(res.data!.importRoster.rows[1].error).toContain('15');
    const [row] = await server.ownerQuery("SELECT bank_account, bank_name FROM resident WHERE tenant_code = '620721' AND id_number = $1", [withAccount]);
    expect(row).toEqual({ bank_account: ACCOUNT, bank_name: '中国农业银行' });
  });
});

describe('the payout', () => {
  // 甘州 先缴后补: 农村一类低保 paid in October 2022, 250.00 reimbursed in November into the account.
  const withAccount = makeResidentId(GZ, '1958-01-02', 901);
  const without = makeResidentId(GZ, '1958-01-03', 902);
  beforeAll(async () => {
    for (const [idNumber, bank] of [
      [withAccount, { bankAccount: ACCOUNT, bankName: '甘肃张掖农村商业银行' }],
      [without, {}],
    ] as const) {
      expect((await server.gql(REGISTER, { i: { idNumber, name: '低保户', ...bank } }, { as: 'STAFF', tenant: GZ })).errors).toBeUndefined();
      const certified = await server.gql(
        `mutation($input: AssistanceInput!) { grantAssistance(input: $input) { id } }`,
        { input: { idNumber, category: 'DIBAO_RURAL_1', certifiedBy: '民政局', validFrom: '2022-01-01' } },
        { as: 'AGENCY', tenant: GZ },
      );
      expect(certified.errors).toBeUndefined();
      const paid = await server.gql(
        `mutation($input: PaymentInput!) { recordPayment(input: $input) { receiptNo } }`,
        { input: { idNumber, coverageYear: 2023, amount: '350.00', paidOn: '2022-10-12', channel: '银行', receiptNo: `BA-${idNumber}` } },
        { as: 'BANK', tenant: GZ },
      );
      expect(paid.errors).toBeUndefined();
    }
  });

  it('lists the month masked, and exports the file with the account in full, audited', async () => {
    const list = await server.gql(`{ disbursements(month: "2022-11") { items { idNumber bankAccountMasked } } }`, {}, { as: 'ADMIN', tenant: GZ });
    expect(list.data!.disbursements.items).toEqual([
      { idNumber: withAccount, bankAccountMasked: masked(ACCOUNT) },
      { idNumber: without, bankAccountMasked: null },
    ]);
    const { csv, withoutAccount } = await payoutFileCsv({
      url: server.url,
      token: server.token('ADMIN', [GZ], 'finance-export'),
      tenant: GZ,
      month: '2022-11',
    });
    expect(withoutAccount).toBe(1);
    expect(csv.split('\n')).toEqual([
      '身份证号码,姓名,参保年度,资助类别,金额,银行账号,开户银行',
      `${withAccount},低保户,2023,DIBAO_RURAL_1,250.00,${ACCOUNT},甘肃张掖农村商业银行`,
      `${without},低保户,2023,DIBAO_RURAL_1,250.00,,`,
      '合计,2,,,500.00,,',
      '',
    ]);
    const records = await server.ownerQuery("SELECT fields, outcome, variables FROM audit_log WHERE tenant_code = $1 AND actor = 'finance-export'", [GZ]);
    expect(records).toEqual([{ fields: ['exportPayoutFile'], outcome: 'OK', variables: expect.anything() }]);
    expect(JSON.stringify(records)).not.toContain(ACCOUNT);
  });

  it('is exported by ADMIN only', async () => {
    const staff = await server.gql(`mutation { exportPayoutFile(month: "2022-11") { count } }`, {}, { as: 'STAFF', tenant: GZ });
    expect(staff.errors?.[0].extensions?.code).toBe('FORBIDDEN');
  });
});
