/**
 * `npm run import:payments -- --tenant 620702 [--url …] [--token T] [--batch-size 5000] [--errors out.csv] file.csv`
 *
 * The tax system's payments, from a CSV with the header idNumber,coverageYear,amount,paidOn,channel,
 * receiptNo (or 身份证号码,参保年度,金额,缴费日期,缴费渠道,票据号), into importPayments.
 */
import { type PaymentInput, TaxImportPaymentsDocument } from '../../schema/generated/client';
import { text } from '../common/i18n';
import { parseMoney } from '../common/money';
import type { CsvImportKind, CsvImportOptions } from './csv-import';
import { normaliseDate, runCsvImport } from './csv-import';

const PAYER_KINDS: Record<string, NonNullable<PaymentInput['payerKind']>> = {
  person: 'PERSON',
  本人: 'PERSON',
  family_member: 'FAMILY_MEMBER',
  家庭成员: 'FAMILY_MEMBER',
  employer: 'EMPLOYER',
  单位: 'EMPLOYER',
  funding_body: 'FUNDING_BODY',
  资助部门: 'FUNDING_BODY',
};
import { runImportCommand } from './import-runner';

export const PAYMENTS_CSV: CsvImportKind<PaymentInput> = {
  columns: {
    idnumber: 'idNumber',
    身份证号码: 'idNumber',
    coverageyear: 'coverageYear',
    参保年度: 'coverageYear',
    amount: 'amount',
    金额: 'amount',
    paidon: 'paidOn',
    缴费日期: 'paidOn',
    channel: 'channel',
    缴费渠道: 'channel',
    receiptno: 'receiptNo',
    票据号: 'receiptNo',
    // Other names the tax system's exports use.
    身份证号: 'idNumber',
    证件号码: 'idNumber',
    缴费年度: 'coverageYear',
    缴费金额: 'amount',
    实缴金额: 'amount',
    缴费时间: 'paidOn',
    收款渠道: 'channel',
    票证号码: 'receiptNo',
    电子税票号码: 'receiptNo',
    payerkind: 'payerKind',
    缴费人类型: 'payerKind',
    payer: 'payer',
    缴费人: 'payer',
  },
  required: ['idNumber', 'coverageYear', 'amount', 'paidOn', 'channel', 'receiptNo'],
  names: {
    idNumber: '身份证号码 (idNumber)',
    coverageYear: '参保年度 (coverageYear)',
    amount: '金额 (amount)',
    paidOn: '缴费日期 (paidOn)',
    channel: '缴费渠道 (channel)',
    receiptNo: '票据号 (receiptNo)',
  },
  toInput: (r) => ({
    idNumber: r.idNumber,
    coverageYear: Number(r.coverageYear),
    amount: r.amount,
    paidOn: normaliseDate(r.paidOn)!,
    channel: r.channel,
    receiptNo: r.receiptNo,
    ...(r.payerKind ? { payerKind: PAYER_KINDS[r.payerKind.trim().toLowerCase()] } : {}),
    ...(r.payer ? { payer: r.payer } : {}),
  }),
  label: (r) => r.receiptNo,
  invalid: (r) => {
    if (!/^\d{4}$/.test(r.coverageYear)) return { field: 'coverageYear', problem: text(`「${r.coverageYear}」不是年份`, `"${r.coverageYear}" is not a year`) };
    if (parseMoney(r.amount) === null)
      return { field: 'amount', problem: text(`「${r.amount}」不是以元为单位的金额（如 350.00）`, `"${r.amount}" is not an amount of yuan`) };
    if (!normaliseDate(r.paidOn))
      return {
        field: 'paidOn',
        problem: text(`「${r.paidOn}」不是日期（如 2023-10-02 或 2023/10/02）`, `"${r.paidOn}" is not a date (2023-10-02 or 2023/10/02)`),
      };
    if (r.payerKind && !PAYER_KINDS[r.payerKind.trim().toLowerCase()])
      return {
        field: 'payerKind',
        problem: text(`「${r.payerKind}」不是 本人、家庭成员、单位、资助部门 之一`, `"${r.payerKind}" is not one of 本人, 家庭成员, 单位, 资助部门`),
      };
    return null;
  },
  send: async (client, batchId, payments) => (await client.request(TaxImportPaymentsDocument, { batchId, payments })).importPayments,
};

export const importPaymentsCsv = (options: CsvImportOptions) => runCsvImport(PAYMENTS_CSV, options);

if (require.main === module) {
  runImportCommand(PAYMENTS_CSV, {
    script: 'import:payments',
    role: 'TAX',
    description:
      "Imports the tax system's payments from a CSV file into the running server, in batches, with a progress bar and the tally. Header: idNumber,coverageYear,amount,paidOn,channel,receiptNo (or 身份证号码,参保年度,金额,缴费日期,缴费渠道,票据号), optionally payer and payerKind (缴费人, 缴费人类型); dates 2023-10-02 or 2023/10/02. The file is UTF-8 (with or without BOM), GBK or GB18030, detected or named with --encoding; one that does not decode is refused before anything is sent. Money for someone not registered, or whose amount due the notice leaves unstated, is held in suspense (counted as held). Each batch has an id made from the file's name, so running the same file again adds nothing, and a batch that failed without writing anything (a timeout, HTTP 503, a conflict the server says to retry) is sent again, up to 5 times. Exits 1 when any row was rejected.",
    examples: [
      'npm run import:payments -- --tenant 620702 tax-2022-11-11.csv',
      'npm run import:payments -- --tenant 620702 --errors rejected.csv --token "$TAX_TOKEN" --url https://api.example/graphql tax.csv',
    ],
  });
}
