/**
 * `npm run import:payments -- --tenant 620702 [--url …] [--token T] [--batch-size 5000] [--errors out.csv] file.csv`
 *
 * The tax system's payments, from a CSV with the header idNumber,coverageYear,amount,paidOn,channel,
 * receiptNo (or 身份证号码,参保年度,金额,缴费日期,缴费渠道,票据号), into importPayments.
 */
import { isLocalDate } from '../common/dates';
import { parseMoney } from '../common/money';
import type { CsvImportKind, CsvImportOptions } from './csv-import';
import { runCsvImport } from './csv-import';
import { runImportCommand, runMain } from './import-runner';

export const PAYMENTS_CSV: CsvImportKind = {
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
  },
  required: ['idNumber', 'coverageYear', 'amount', 'paidOn', 'channel', 'receiptNo'],
  mutation: `mutation($batchId: String!, $rows: [PaymentInput!]!) {
    importPayments(batchId: $batchId, payments: $rows) { accepted duplicates rejected rows { index status error code } } }`,
  field: 'importPayments',
  toInput: (r) => ({ idNumber: r.idNumber, coverageYear: Number(r.coverageYear), amount: r.amount, paidOn: r.paidOn, channel: r.channel, receiptNo: r.receiptNo }),
  label: (r) => r.receiptNo,
  invalid: (r) => {
    if (!/^\d{4}$/.test(r.coverageYear)) return `coverageYear "${r.coverageYear}" is not a year`;
    if (parseMoney(r.amount) === null) return `amount "${r.amount}" is not an amount of yuan`;
    if (!isLocalDate(r.paidOn)) return `paidOn "${r.paidOn}" is not a date YYYY-MM-DD`;
    return null;
  },
};

export const importPaymentsCsv = (options: CsvImportOptions) => runCsvImport(PAYMENTS_CSV, options);

if (require.main === module) runMain(() => runImportCommand('import:payments', PAYMENTS_CSV, 'TAX'));
