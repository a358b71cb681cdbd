/**
 * `npm run export:disbursements -- --tenant 620702 --month 2022-11 [--url …] [--token T] [--out file.csv]`
 *
 * The month's 先缴后补 reimbursements as a CSV for the bank that pays them into 一卡通 accounts
 * (身份证号码,姓名,参保年度,资助类别,金额), with a total line, on stdout or into --out.
 */
import { writeFileSync } from 'node:fs';
import { InvalidArgumentError } from 'commander';
import { PortalDisbursementsDocument } from '../../schema/generated/client';
import { ApiClient, type ClientOptions } from './client';
import { clientFor, command, run, type ServerOptions, withServerOptions } from './command';

export async function disbursementsCsv(options: ClientOptions & { month: string }): Promise<string> {
  const { disbursements } = await new ApiClient(options).request(PortalDisbursementsDocument, { month: options.month });
  const { items, count, total } = disbursements;
  const quote = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  return [
    '身份证号码,姓名,参保年度,资助类别,金额',
    ...items.map((i) => [i.idNumber, quote(i.name), i.coverageYear, i.category, i.amount].join(',')),
    `合计,${count},,,${total}`,
  ].join('\n') + '\n';
}

if (require.main === module) {
  const cmd = withServerOptions(
    command(
      'export:disbursements',
      'Writes the month\'s 先缴后补 reimbursements as a CSV for the bank that pays them into 一卡通 accounts (身份证号码,姓名,参保年度,资助类别,金额, then a 合计 line), from the running server, on stdout or into --out.',
      ['npm run export:disbursements -- --tenant 620702 --month 2022-11 --out 2022-11.csv', 'npm run export:disbursements -- --tenant 620702 --month 2022-11 > 2022-11.csv'],
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
    const csv = await disbursementsCsv({ ...client.options, month: options.month });
    if (options.out) writeFileSync(options.out, csv);
    else process.stdout.write(csv);
  });
}
