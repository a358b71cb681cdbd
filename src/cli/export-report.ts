/**
 * `npm run export:report -- --tenant 610926 --report progress --year 2022 --as-of 2021-11-30 [--format xlsx] [--out file]`
 *
 * The bureaus' reports as CSV or XLSX, from the running server: `progress` (per region against targets
 * and milestones), `follow-ups` (paid last year, not yet this year: 催缴), `incomplete-households` and
 * `waivers` (by reason). Without --token it signs an ADMIN token with the local development secret.
 */
import { writeFileSync } from 'node:fs';
import { Option } from 'commander';
import {
  PortalFollowUpsDocument,
  type PortalFollowUpsQuery,
  PortalIncompleteHouseholdsDocument,
  type PortalIncompleteHouseholdsQuery,
  PortalProgressDocument,
  PortalWaiversDocument,
  PortalFullSponsorshipRosterDocument,
  type PortalFullSponsorshipRosterQuery,
  PortalSubsidyTotalsDocument,
  PortalRefundRegisterDocument,
  type PortalRefundRegisterQuery,
  TaxPreCollectionRosterDocument,
  type TaxPreCollectionRosterQuery,
} from '../../schema/generated/client';
import { todayInChina } from '../common/dates';
import { type Table, toCsv, toXlsx } from './report-table';
import { ApiClient, type ClientOptions } from './client';
import { clientFor, command, date, integerIn, run, type ServerOptions, withServerOptions } from './command';

export const REPORTS = [
  'progress',
  'follow-ups',
  'incomplete-households',
  'waivers',
  'full-sponsorship-roster',
  'pre-collection-roster',
  'subsidy-totals',
  'refund-register',
] as const;
export type ReportName = (typeof REPORTS)[number];

export async function reportTable(options: ClientOptions, report: ReportName, year: number, asOf: string): Promise<Table> {
  const client = new ApiClient(options);
  if (report === 'progress') {
    const data = await client.request(PortalProgressDocument, { coverageYear: year, asOf });
    return {
      title: `参保进度 ${year} ${asOf}`,
      columns: [
        { header: '地区代码' },
        { header: '地区', width: 16 },
        { header: '任务数' },
        { header: '已缴费人数' },
        { header: '完成率' },
        { header: '节点日期', width: 12 },
        { header: '节点比例' },
        { header: '节点应完成' },
        { header: '是否达标' },
        { header: '差额人数' },
      ],
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
  if (report === 'full-sponsorship-roster' || report === 'pre-collection-roster') {
    const rows: Table['rows'] = [];
    for (let after: string | null = null; ;) {
      if (report === 'full-sponsorship-roster') {
        const page: PortalFullSponsorshipRosterQuery = await client.request(PortalFullSponsorshipRosterDocument, {
          coverageYear: year,
          asOf,
          first: 500,
          after,
        });
        const list = page.fullSponsorshipRoster;
        rows.push(
          ...list.nodes.map((n) => [
            n.idNumber,
            n.name,
            n.region?.name ?? null,
            n.category,
            n.certifiedBy,
            n.standardContribution,
            n.fundingBody,
            n.enrollmentStatus,
          ]),
        );
        if (!list.pageInfo.hasNextPage) break;
        after = list.pageInfo.endCursor;
      } else {
        const page: TaxPreCollectionRosterQuery = await client.request(TaxPreCollectionRosterDocument, { coverageYear: year, asOf, first: 500, after });
        const list = page.preCollectionRoster;
        rows.push(
          ...list.nodes.map((n) => [
            n.idNumber,
            n.name,
            n.category ?? n.categories.join('、'),
            n.mode,
            n.standardContribution,
            n.subsidy,
            n.amountDue,
            n.fundingBody,
            n.note,
          ]),
        );
        if (!list.pageInfo.hasNextPage) break;
        after = list.pageInfo.endCursor;
      }
    }
    return report === 'full-sponsorship-roster'
      ? {
          title: `全额资助对象花名册 ${year}`,
          columns: [
            { header: '身份证号码', width: 22 },
            { header: '姓名' },
            { header: '乡镇' },
            { header: '资助类别', width: 18 },
            { header: '认定部门' },
            { header: '代缴金额' },
            { header: '资金来源', width: 16 },
            { header: '参保状态' },
          ],
          rows,
        }
      : {
          title: `预征清册 ${year}`,
          columns: [
            { header: '身份证号码', width: 22 },
            { header: '姓名' },
            { header: '身份标识', width: 18 },
            { header: '资助方式', width: 16 },
            { header: '个人缴费标准' },
            { header: '资助金额' },
            { header: '应缴金额' },
            { header: '资金来源', width: 16 },
            { header: '备注', width: 30 },
          ],
          rows,
        };
  }
  if (report === 'subsidy-totals') {
    const { subsidyTotals: t } = await client.request(PortalSubsidyTotalsDocument, { coverageYear: year });
    return {
      title: `参保资助汇总 ${year}`,
      columns: [
        { header: '分组' },
        { header: '类别或资金来源', width: 24 },
        { header: '资助方式', width: 16 },
        { header: '人数' },
        { header: '金额' },
        { header: '已发放' },
        { header: '待发放' },
      ],
      rows: [
        ...t.byCategory.map((c) => ['按类别', c.category, c.mode, c.people, c.amount, c.paidOut, c.owed]),
        ...t.bySource.map((s) => ['按资金来源', s.name, null, null, s.amount, null, null]),
        ['合计', null, null, null, t.total, t.paidOut, t.owed],
      ],
    };
  }
  if (report === 'refund-register') {
    const rows: Table['rows'] = [];
    for (let after: string | null = null; ;) {
      const page: PortalRefundRegisterQuery = await client.request(PortalRefundRegisterDocument, { coverageYear: year, first: 500, after });
      rows.push(
        ...page.refundList.nodes.map((r) => [
          r.idNumber,
          r.coverageYear,
          r.requestNo,
          r.reason,
          r.requestedOn,
          r.status,
          r.amount,
          r.cancelledReimbursement,
          r.decidedBy,
          r.paidOn,
          r.payoutReference,
        ]),
      );
      if (!page.refundList.pageInfo.hasNextPage) break;
      after = page.refundList.pageInfo.endCursor;
    }
    return {
      title: `退费登记 ${year}`,
      columns: [
        { header: '身份证号码', width: 22 },
        { header: '参保年度' },
        { header: '申请序号' },
        { header: '退费原因', width: 20 },
        { header: '申请日期', width: 12 },
        { header: '状态' },
        { header: '退费金额' },
        { header: '取消的资助' },
        { header: '审核人' },
        { header: '支付日期', width: 12 },
        { header: '支付凭证' },
      ],
      rows,
    };
  }
  if (report === 'follow-ups') {
    const rows: Table['rows'] = [];
    let after: string | null = null;
    for (;;) {
      const page: PortalFollowUpsQuery = await client.request(PortalFollowUpsDocument, { coverageYear: year, first: 100, after });
      rows.push(...page.followUps.nodes.map((n) => [n.idNumber, n.name, n.phone, n.household?.region.name ?? null, n.household?.bookletNo ?? null]));
      if (!page.followUps.pageInfo.hasNextPage) break;
      after = page.followUps.pageInfo.endCursor;
    }
    return {
      title: `催缴名单 ${year}`,
      columns: [{ header: '身份证号码', width: 22 }, { header: '姓名' }, { header: '联系电话', width: 14 }, { header: '乡镇' }, { header: '户口簿号' }],
      rows,
    };
  }
  if (report === 'incomplete-households') {
    // Pages small enough for the cost limit (a list counts times its page size).
    const rows: Table['rows'] = [];
    for (let after: string | null = null; ;) {
      const page: PortalIncompleteHouseholdsQuery = await client.request(PortalIncompleteHouseholdsDocument, {
        coverageYear: year,
        first: 50,
        afterBookletNo: after,
      });
      rows.push(
        ...page.incompleteHouseholds.flatMap((h) =>
          h.members.map((m) => [h.bookletNo, h.region.name, m.idNumber, m.name, m.enrollments.find((e) => e.coverageYear === year)?.status ?? '未参保']),
        ),
      );
      if (page.incompleteHouseholds.length < 50) break;
      after = page.incompleteHouseholds.at(-1)!.bookletNo;
    }
    return {
      title: `未全员参保户 ${year}`,
      columns: [{ header: '户口簿号' }, { header: '乡镇' }, { header: '身份证号码', width: 22 }, { header: '姓名' }, { header: '参保状态' }],
      rows,
    };
  }
  const data = await client.request(PortalWaiversDocument, { coverageYear: year });
  const labels: Record<string, string> = {
    COMMERCIAL_INSURANCE: '参加商业保险',
    EMPLOYEE_INSURANCE: '参加职工医疗保险',
    HEALTHY_STABLE_INCOME: '身体健康、家庭收入稳定',
    OTHER: '其他原因',
  };
  return {
    title: `放弃参保 ${year}`,
    columns: [{ header: '身份证号码', width: 22 }, { header: '放弃原因', width: 22 }, { header: '其他原因说明', width: 20 }, { header: '登记人' }],
    rows: data.waivers.map((w) => [w.idNumber, labels[w.reason] ?? w.reason, w.reasonText, w.recordedBy]),
  };
}

if (require.main === module) {
  const cmd = withServerOptions(
    command(
      'export:report',
      "Writes one of the bureaus' reports from the running server as CSV (UTF-8 with BOM, on stdout or into --out) or XLSX (into --out), with Chinese headers and cells that start with = + - @ defused: progress per region against targets and milestones, follow-ups (paid last year, not yet this year: 催缴), incomplete households, waivers by reason, the 全额资助对象花名册, the 预征清册 for the tax office, subsidy totals by category and funding source, or the refund register (退费登记).",
      [
        'npm run export:report -- --tenant 610926 --year 2022 --as-of 2021-11-30 --format xlsx --out progress.xlsx',
        'npm run export:report -- --tenant 620725 --year 2022 --report follow-ups > cuijiao.csv',
      ],
    ),
    'ADMIN',
  )
    .requiredOption('--year <year>', 'the coverage year (参保年度)', integerIn(2000, 2100))
    .addOption(new Option('--report <name>', 'which report').choices(REPORTS).default('progress'))
    .option('--as-of <date>', 'the date the progress is counted on (YYYY-MM-DD); default: today, China time', date)
    .addOption(new Option('--format <format>', 'the file format').choices(['csv', 'xlsx']).default('csv'))
    .option('--out <file>', 'write the report there (XLSX needs it); default: CSV on stdout');
  run(cmd, async () => {
    const options = cmd.opts<ServerOptions & { year: number; report: ReportName; asOf?: string; format: 'csv' | 'xlsx'; out?: string }>();
    if (options.format === 'xlsx' && !options.out) cmd.error('error: --format xlsx needs --out <file>', { exitCode: 2 });
    const client = clientFor(options, 'export:report', 'ADMIN');
    const table = await reportTable(client.options, options.report, options.year, options.asOf ?? todayInChina());
    if (options.format === 'xlsx') writeFileSync(options.out!, await toXlsx(table));
    else if (options.out) writeFileSync(options.out, toCsv(table));
    else process.stdout.write(toCsv(table));
  });
}
