/**
 * `npm run export:disbursements -- --tenant 620702 --month 2022-11 [--url …] [--token T] [--out file.csv]`
 *
 * The month's 先缴后补 reimbursements as a CSV for the bank that pays them into 一卡通 accounts
 * (身份证号码,姓名,参保年度,资助类别,金额), with a total line, on stdout or into --out.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { signToken } from '../context/tokens';
import { loadConfig } from '../common/config';
import { runMain } from './import-runner';

const QUERY = `query($month: String!) { disbursements(month: $month) { month count total paid items { idNumber name coverageYear category amount } } }`;

export async function disbursementsCsv(options: { url: string; token: string; tenant: string; month: string }): Promise<string> {
  const response = await fetch(options.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${options.token}`, 'x-tenant-id': options.tenant },
    body: JSON.stringify({ query: QUERY, variables: { month: options.month } }),
  });
  const body = (await response.json()) as {
    data?: { disbursements: { count: number; total: string; items: Array<{ idNumber: string; name: string; coverageYear: number; category: string; amount: string }> } };
    errors?: Array<{ message: string; extensions?: { code?: string } }>;
  };
  if (!body.data) throw new Error(`${body.errors?.[0]?.extensions?.code ?? response.status} ${body.errors?.[0]?.message ?? ''}`);
  const { items, count, total } = body.data.disbursements;
  const quote = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);
  return [
    '身份证号码,姓名,参保年度,资助类别,金额',
    ...items.map((i) => [i.idNumber, quote(i.name), i.coverageYear, i.category, i.amount].join(',')),
    `合计,${count},,,${total}`,
  ].join('\n') + '\n';
}

if (require.main === module) {
  runMain(async () => {
    const { values } = parseArgs({
      options: {
        tenant: { type: 'string' },
        month: { type: 'string' },
        url: { type: 'string', default: `http://localhost:${process.env.PORT ?? 4000}/graphql` },
        token: { type: 'string' },
        out: { type: 'string' },
      },
    });
    if (!values.tenant || !values.month) {
      process.stderr.write('usage: npm run export:disbursements -- --tenant <code> --month YYYY-MM [--url URL] [--token T] [--out file.csv]\n');
      process.exit(2);
    }
    const token = values.token ?? signToken({ sub: 'export:disbursements', role: 'ADMIN', tenants: [values.tenant] }, loadConfig().jwtSecret, '1h');
    const csv = await disbursementsCsv({ url: values.url!, token, tenant: values.tenant, month: values.month });
    if (values.out) writeFileSync(values.out, csv);
    else process.stdout.write(csv);
  });
}
