/**
 * `npm run export:report -- --tenant 610926 --report progress --year 2022 --as-of 2021-11-30 [--format xlsx] [--out file]`
 *
 * The bureaus' reports as CSV or XLSX, from the running server: `progress` (per region against targets
 * and milestones), `follow-ups` (paid last year, not yet this year: 催缴), `incomplete-households` and
 * `waivers` (by reason). Without --token it signs an ADMIN token with the local development secret.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { signToken } from '../context/tokens';
import { todayInChina } from '../common/dates';
import { loadConfig } from '../common/config';
import { type Table, toCsv, toXlsx } from './report-table';
import { runMain } from './import-runner';

export const REPORTS = ['progress', 'follow-ups', 'incomplete-households', 'waivers'] as const;
export type ReportName = (typeof REPORTS)[number];

interface Client {
  url: string;
  token: string;
  tenant: string;
}

async function query<T>(client: Client, document: string, variables: Record<string, unknown>): Promise<T> {
  const response = await fetch(client.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${client.token}`, 'x-tenant-id': client.tenant },
    body: JSON.stringify({ query: document, variables }),
  });
  const body = (await response.json()) as { data?: T; errors?: Array<{ message: string; extensions?: { code?: string } }> };
  if (!body.data) throw new Error(`${body.errors?.[0]?.extensions?.code ?? response.status} ${body.errors?.[0]?.message ?? ''}`);
  return body.data;
}

export async function reportTable(client: Client, report: ReportName, year: number, asOf: string): Promise<Table> {
  if (report === 'progress') {
    type Row = { region: { code: string; name: string; kind: string }; target: number | null; paid: number; rate: number | null; milestone: { date: string; share: number } | null; required: number | null; onTrack: boolean | null; gap: number | null };
    const data = await query<{ enrollmentProgress: Row[] }>(
      client,
      'query($y: Int!, $d: Date!) { enrollmentProgress(coverageYear: $y, asOf: $d) { region { code name kind } target paid rate milestone { date share } required onTrack gap } }',
      { y: year, d: asOf },
    );
    return {
      title: `参保进度 ${year} ${asOf}`,
      columns: [{ header: '地区代码' }, { header: '地区', width: 16 }, { header: '任务数' }, { header: '已缴费人数' }, { header: '完成率' }, { header: '节点日期', width: 12 }, { header: '节点比例' }, { header: '节点应完成' }, { header: '是否达标' }, { header: '差额人数' }],
      rows: data.enrollmentProgress.map((r) => [
        r.region.code,
        r.region.name,
        r.target,
        r.paid,
        r.rate === null ? null : Number((r.rate * 100).toFixed(2)),
        r.milestone?.date ?? null,
        r.milestone ? r.milestone.share * 100 : null,
        r.required,
        r.onTrack === null ? null : r.onTrack ? '是' : '否',
        r.gap,
      ]),
    };
  }
  if (report === 'follow-ups') {
    const rows: Table['rows'] = [];
    let after: string | null = null;
    for (;;) {
      type Page = { followUps: { nodes: Array<{ idNumber: string; name: string; phone: string | null; household: { bookletNo: string; region: { name: string } } | null }>; pageInfo: { endCursor: string | null; hasNextPage: boolean } } };
      const page: Page = await query<Page>(
        client,
        'query($y: Int!, $after: String) { followUps(coverageYear: $y, first: 100, after: $after) { nodes { idNumber name phone household { bookletNo region { name } } } pageInfo { endCursor hasNextPage } } }',
        { y: year, after },
      );
      rows.push(...page.followUps.nodes.map((n) => [n.idNumber, n.name, n.phone, n.household?.region.name ?? null, n.household?.bookletNo ?? null]));
      if (!page.followUps.pageInfo.hasNextPage) break;
      after = page.followUps.pageInfo.endCursor;
    }
    return { title: `催缴名单 ${year}`, columns: [{ header: '身份证号码', width: 22 }, { header: '姓名' }, { header: '联系电话', width: 14 }, { header: '乡镇' }, { header: '户口簿号' }], rows };
  }
  if (report === 'incomplete-households') {
    // Pages small enough for the cost limit (a list counts times its page size).
    type Page = { incompleteHouseholds: Array<{ bookletNo: string; region: { name: string }; members: Array<{ idNumber: string; name: string; enrollments: Array<{ coverageYear: number; status: string }> }> }> };
    const rows: Table['rows'] = [];
    for (let after: string | null = null; ; ) {
      const page: Page = await query<Page>(
        client,
        'query($y: Int!, $after: String) { incompleteHouseholds(coverageYear: $y, first: 50, afterBookletNo: $after) { bookletNo region { name } members { idNumber name enrollments { coverageYear status } } } }',
        { y: year, after },
      );
      rows.push(...page.incompleteHouseholds.flatMap((h) => h.members.map((m) => [h.bookletNo, h.region.name, m.idNumber, m.name, m.enrollments.find((e) => e.coverageYear === year)?.status ?? '未参保'])));
      if (page.incompleteHouseholds.length < 50) break;
      after = page.incompleteHouseholds.at(-1)!.bookletNo;
    }
    return { title: `未全员参保户 ${year}`, columns: [{ header: '户口簿号' }, { header: '乡镇' }, { header: '身份证号码', width: 22 }, { header: '姓名' }, { header: '参保状态' }], rows };
  }
  const data = await query<{ waivers: Array<{ idNumber: string; reason: string; reasonText: string | null; recordedBy: string }> }>(
    client,
    'query($y: Int!) { waivers(coverageYear: $y) { idNumber reason reasonText recordedBy } }',
    { y: year },
  );
  const labels: Record<string, string> = { COMMERCIAL_INSURANCE: '参加商业保险', EMPLOYEE_INSURANCE: '参加职工医疗保险', HEALTHY_STABLE_INCOME: '身体健康、家庭收入稳定', OTHER: '其他原因' };
  return {
    title: `放弃参保 ${year}`,
    columns: [{ header: '身份证号码', width: 22 }, { header: '放弃原因', width: 22 }, { header: '其他原因说明', width: 20 }, { header: '登记人' }],
    rows: data.waivers.map((w) => [w.idNumber, labels[w.reason] ?? w.reason, w.reasonText, w.recordedBy]),
  };
}

if (require.main === module) {
  runMain(async () => {
    const { values } = parseArgs({
      options: {
        tenant: { type: 'string' },
        report: { type: 'string', default: 'progress' },
        year: { type: 'string' },
        'as-of': { type: 'string' },
        format: { type: 'string', default: 'csv' },
        url: { type: 'string', default: `http://localhost:${process.env.PORT ?? 4000}/graphql` },
        token: { type: 'string' },
        out: { type: 'string' },
      },
    });
    const report = values.report as ReportName;
    if (!values.tenant || !values.year || !REPORTS.includes(report) || !['csv', 'xlsx'].includes(values.format!) || (values.format === 'xlsx' && !values.out)) {
      process.stderr.write(`usage: npm run export:report -- --tenant <code> --year <year> [--report ${REPORTS.join('|')}] [--as-of YYYY-MM-DD] [--format csv|xlsx] [--out file]  (xlsx needs --out)\n`);
      process.exit(2);
    }
    const token = values.token ?? signToken({ sub: 'export:report', role: 'ADMIN', tenants: [values.tenant] }, loadConfig().jwtSecret, '1h');
    const table = await reportTable({ url: values.url!, token, tenant: values.tenant }, report, Number(values.year), values['as-of'] ?? todayInChina());
    if (values.format === 'xlsx') writeFileSync(values.out!, await toXlsx(table));
    else if (values.out) writeFileSync(values.out, toCsv(table));
    else process.stdout.write(toCsv(table));
  });
}
