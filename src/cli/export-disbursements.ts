/**
 * `npm run export:disbursements -- --tenant 620702 --month 2022-11 [--url …] [--token T] [--out file.csv]`
 *
 * The month's 先缴后补 reimbursements as a CSV for the bank that pays them into 一卡通 accounts
 * (身份证号码,姓名,参保年度,资助类别,金额,银行账号,开户银行), with a total line, on stdout or into --out.
 * It asks exportPayoutFile, the one answer that shows the accounts in full: each export is in the
 * audit log under the administrator who ran it.
 */
import { writeFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { PortalExportPayoutFileDocument } from '../../schema/generated/client';
import { ApiClient, type ClientOptions } from './client';
import { clientFor, command, run, type ServerOptions, withServerOptions } from './command';

export interface PayoutCsv {
  csv: string;
  count: number;
  /** People in the file without an account on record: the bank cannot pay them. */
  withoutAccount: number;
}

export async function payoutFileCsv(options: ClientOptions & { month: string }): Promise<PayoutCsv> {
  const { exportPayoutFile: file } = await new ApiClient(options).request(PortalExportPayoutFileDocument, { month: options.month });
  const quote = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  const csv =
    [
      '身份证号码,姓名,参保年度,资助类别,金额,银行账号,开户银行',
      ...file.lines.map((l) => [l.idNumber, quote(l.name), l.coverageYear, l.category, l.amount, l.bankAccount ?? '', quote(l.bankName ?? '')].join(',')),
      `合计,${file.count},,,${file.total},,`,
    ].join('\n') + '\n';
  return { csv, count: file.count, withoutAccount: file.withoutAccount };
}

if (require.main === module) {
  const cmd = withServerOptions(
    command(
      'export:disbursements',
      "Writes the month's 先缴后补 reimbursements as a CSV for the bank that pays them into 一卡通 accounts (身份证号码,姓名,参保年度,资助类别,金额,银行账号,开户银行, then a 合计 line), from the running server, on stdout or into --out. The accounts are in full: each export is recorded in the audit log. People without an account on record are counted on stderr.",
      [
        'npm run export:disbursements -- --tenant 620702 --month 2022-11 --out 2022-11.csv',
        'npm run export:disbursements -- --tenant 620702 --month 2022-11 > 2022-11.csv',
      ],
    ),
    'ADMIN',
  )
    .requiredOption('--month <YYYY-MM>', 'the payout month', (value) => {
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(value)) throw new InvalidArgumentError('give a month as YYYY-MM, e.g. 2022-11');
      return value;
    })
    .option('--out <file.csv>', 'write the CSV there instead of stdout');
  run(cmd, async () => {
    const options = cmd.opts<ServerOptions & { month: string; out?: string }>();
    const client = clientFor(options, 'export:disbursements', 'ADMIN');
    const { csv, count, withoutAccount } = await payoutFileCsv({ ...client.options, month: options.month });
    if (options.out) writeFileSync(options.out, csv);
    else process.stdout.write(csv);
    if (withoutAccount > 0)
      process.stderr.write(
        `${withoutAccount} of ${count} people have no bank account on record: the bank cannot pay them until one is registered (updateResident bankAccount)\n`,
      );
  });
}
