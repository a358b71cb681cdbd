/**
 * `npm run import:payments -- --tenant 620702 [--url …] [--token T] [--batch-size 5000] [--errors out.csv] file.csv`
 *
 * The tax system's payments, from a CSV with the header idNumber,coverageYear,amount,paidOn,channel,
 * receiptNo (or 身份证号码,参保年度,金额,缴费日期,缴费渠道,票据号), into importPayments.
 */
import { type PaymentInput, TaxImportPaymentsDocument } from '../../schema/generated/client';
import { isLocalDate } from '../common/dates';
import { parseMoney } from '../common/money';
import type { CsvImportKind, CsvImportOptions } from './csv-import';
import { runCsvImport } from './csv-import';
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
  },
  required: ['idNumber', 'coverageYear', 'amount', 'paidOn', 'channel', 'receiptNo'],
  toInput: (r) => ({ idNumber: r.idNumber, coverageYear: Number(r.coverageYear), amount: r.amount, paidOn: r.paidOn, channel: r.channel, receiptNo: r.receiptNo }),
  label: (r) => r.receiptNo,
  invalid: (r) => {
    if (!/^\d{4}$/.test(r.coverageYear)) return { field: 'coverageYear', problem: `"${r.coverageYear}" is not a year` };
    if (parseMoney(r.amount) === null) return { field: 'amount', problem: `"${r.amount}" is not an amount of yuan` };
    if (!isLocalDate(r.paidOn)) return { field: 'paidOn', problem: `"${r.paidOn}" is not a date YYYY-MM-DD` };
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
      'Imports the tax system\'s payments from a CSV file into the running server, in batches, with a progress bar and the tally. Header: idNumber,coverageYear,amount,paidOn,channel,receiptNo (or 身份证号码,参保年度,金额,缴费日期,缴费渠道,票据号). Each batch has an id made from the file\'s name, so running the same file again adds nothing. Exits 1 when any row was rejected.',
    examples: ['npm run import:payments -- --tenant 620702 tax-2022-11-11.csv', 'npm run import:payments -- --tenant 620702 --errors rejected.csv --token "$TAX_TOKEN" --url https://api.example/graphql tax.csv'],
  });
}
