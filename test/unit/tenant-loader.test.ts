import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatMoney } from '../../src/common/money';
import { loadTenants } from '../../src/policy-data/loader';

const root = join(__dirname, '..', '..', 'tenants');

describe('tenants/', () => {
  const { catalog, warnings } = loadTenants(root);

  it('holds the five tenants by GB/T 2260 code with their years of cover', () => {
    expect(catalog.tenants.map((t) => [t.code, t.name, t.coverageYears])).toEqual([
      ['520100', '贵阳贵安', [2022]],
      ['610926', '平利县', [2022]],
      ['620702', '甘州区', [2023]],
      ['620721', '肃南裕固族自治县', [2024]],
      ['620725', '山丹县', [2022]],
    ]);
  });

  it("places 贵安新区's towns inside 520100 and 花溪's 片区 inside 花溪区", () => {
    const t = catalog.get('520100')!;
    expect(t.regionsByCode.get('520100-GA-02')).toMatchObject({ name: '湖潮乡', parentCode: '520100-GA' });
    expect(t.isWithin('520111-XH', '520100-GY')).toBe(true);
    expect(t.isWithin('520100-GA-02', '520100-GY')).toBe(false);
  });

  it('splits fiscal subsidies into exact fen by payer', () => {
    const shares = (code: string, year: number) => catalog.policy(code, year)!.fiscalShares.map((s) => `${s.source} ${formatMoney(s.amount)}`);
    // 平利 三: 中央464, 省、市116 at 5:5, then 市、县 at 1:9.
    expect(shares('610926', 2022)).toEqual(['CENTRAL_FISCAL 464.00', 'PROVINCIAL_FISCAL 58.00', 'CITY_FISCAL 5.80', 'COUNTY_FISCAL 52.20']);
    // 肃南 二（二）: 中央512, 省级112, 市县级16.
    expect(shares('620721', 2024)).toEqual(['CENTRAL_FISCAL 512.00', 'PROVINCIAL_FISCAL 112.00', 'CITY_COUNTY_FISCAL 16.00']);
    // 甘州 三 states 610 without a split.
    expect(catalog.policy('620702', 2023)!.data.fiscalSubsidy?.amount).toBe(61000);
    expect(shares('620702', 2023)).toEqual([]);
  });

  it("keeps 贵阳贵安's parts where its stated total disagrees, and says so with both numbers", () => {
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('520100/2022.yaml');
    expect(warnings[0]).toContain('2710466');
    expect(warnings[0]).toContain('2710446');
    expect(catalog.policy('520100', 2022)!.warnings).toHaveLength(1);
  });

  it("adds up 肃南's and 平利's township targets to their totals", () => {
    for (const [code, year, total] of [
      ['620721', 2024, 29500],
      ['610926', 2022, 210000],
    ] as const) {
      const targets = catalog.policy(code, year)!.data.targets!;
      expect(targets.total?.count).toBe(total);
      expect(targets.regions.reduce((s, r) => s + r.target, 0)).toBe(total);
    }
  });

  it("marks 山丹's year of cover as an inference", () => {
    expect(catalog.policy('620725', 2022)!.data.coverageYearFrom.inferred).toMatch(/2021年度/);
  });

  it('cites a clause on every value', () => {
    // Walk each policy file: every object holding a value the engine reads carries a clause.
    const missing: string[] = [];
    const valueKeys = [
      'amount',
      'date',
      'count',
      'share',
      'rule',
      'allowed',
      'target',
      'full',
      'days',
      'months',
      'order',
      'maxAge',
      'bornWithinDaysOfYearEnd',
      'coverFromFirstPayment',
      'categories',
      'circumstance',
      'circumstances',
      'reason',
      'reasons',
      'unit',
      'refersTo',
      'coveredTo',
    ];
    const walk = (node: unknown, path: string, inherited: boolean) => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`, inherited));
      if (!node || typeof node !== 'object') return;
      const o = node as Record<string, unknown>;
      const cited = inherited || typeof o.clause === 'string';
      // A list of cited entries (or an empty one) is not a value of its own.
      const holdsValue = (k: string) =>
        k in o && !(Array.isArray(o[k]) && ((o[k] as unknown[]).length === 0 || (o[k] as unknown[]).some((v) => typeof v === 'object')));
      if (!cited && valueKeys.some(holdsValue)) missing.push(path);
      for (const [k, v] of Object.entries(o)) walk(v, `${path}.${k}`, k === 'shares' || k === 'parts' ? cited : false);
    };
    for (const t of catalog.tenants) for (const p of t.policies.values()) walk(p.data, p.file, false);
    expect(missing).toEqual([]);
  });
});

describe('a broken year file is refused, naming file, field, line and clause, and the rest loads', () => {
  function brokenCopy(edit: (text: string) => string, yearFile = join('610926', '2022.yaml')): string {
    const dir = mkdtempSync(join(tmpdir(), 'tenants-'));
    cpSync(root, dir, { recursive: true });
    const file = join(dir, yearFile);
    const text = readFileSync(file, 'utf8');
    const edited = edit(text);
    if (edited === text) throw new Error('the edit changed nothing');
    writeFileSync(file, edited);
    return dir;
  }

  /** Loads the folder: the broken year is refused with its problems, every other tenant-year loads. */
  function refusal(dir: string): string {
    const { catalog, problems } = loadTenants(dir);
    expect(problems).toHaveLength(1);
    const [problem] = problems;
    const others = catalog.tenants.flatMap((t) => t.coverageYears.map((y) => `${t.code}/${y}`));
    expect(others).toHaveLength(4);
    expect(others).not.toContain(`${problem.tenantCode}/${problem.coverageYear}`);
    return problem.message;
  }

  it('an amount that is not a money string', () => {
    const dir = brokenCopy((t) => t.replace('amount: "160.00"', 'amount: 160'));
    expect(refusal(dir)).toMatch(/610926\/2022\.yaml: assistance\.rules\[2\]\.amount \(line 80\): money is a quoted yuan string.*\[clause: 三（一）2/);
  });

  it('a subsidy above the standard', () => {
    const dir = brokenCopy((t) => t.replace('amount: "160.00"', 'amount: "400.00"'));
    expect(refusal(dir)).toMatch(/assistance\.rules\[2\]\.amount \(line 80\): DIBAO: subsidy 400\.00 exceeds the individual standard 320\.00/);
  });

  it('shares that do not add up to their total', () => {
    const dir = brokenCopy((t) => t.replace('amount: "464.00"', 'amount: "460.00"'));
    expect(refusal(dir)).toMatch(/fiscalSubsidy\.split \(line 20\): parts add up to 576\.00, not 580\.00/);
  });

  it('a window that ends before it starts', () => {
    const dir = brokenCopy((t) => t.replace('date: 2021-10-15', 'date: 2021-12-26'));
    expect(refusal(dir)).toMatch(
      /collectionWindow\.start\.date \(line 37\): starts 2021-12-26 after it ends 2021-12-25.*dated target 2021-11-30 lies outside the collection window/,
    );
  });

  it('an unknown field (a typo)', () => {
    const dir = brokenCopy((t) => t.replace('individualContribution:', 'individualContributon:'));
    expect(refusal(dir)).toMatch(/610926\/2022\.yaml/);
  });

  // Issue 22, 1: a window needs a lower bound (甘州 gives only a deadline).
  it('a window with only a deadline and no inferred lower bound', () => {
    const dir = brokenCopy((t) => t.replace(/ {2}earliestPayment:\n( {4}.*\n)+/, ''), join('620702', '2023.yaml'));
    expect(refusal(dir)).toMatch(/620702\/2023\.yaml: collectionWindow\.earliestPayment \(line 23\): a window needs a lower bound/);
  });

  it('an earliest payment that is not marked as an inference', () => {
    const dir = brokenCopy((t) => t.replace(/ {4}inferred: The notice gives only the deadline.*\n/, ''), join('620702', '2023.yaml'));
    expect(refusal(dir)).toMatch(/collectionWindow\.earliestPayment\.inferred/);
  });

  it('a stated start beside an inferred one', () => {
    const dir = brokenCopy(
      (t) => t.replace('collectionWindow:\n', 'collectionWindow:\n  start: { date: 2022-09-01, clause: 一 }\n'),
      join('620702', '2023.yaml'),
    );
    expect(refusal(dir)).toMatch(/give start or earliestPayment, not both/);
  });

  // Issue 22, 4: equal subsidies need an explicit order.
  it('two categories with the same subsidy and no tie order', () => {
    const dir = brokenCopy((t) => t.replace(/ {4}tie:\n( {6}.*\n)+/, ''));
    expect(refusal(dir)).toMatch(/610926\/2022\.yaml: assistance\.multipleCategories \(line 45\): two categories give the same subsidy: give tie\.order/);
  });

  it('a tie order that leaves a category out', () => {
    const dir = brokenCopy((t) => t.replace('RETURNED_TO_POVERTY, FAMILY_PLANNING]', 'RETURNED_TO_POVERTY]'));
    expect(refusal(dir)).toMatch(/assistance\.multipleCategories\.tie\.order \(line 50\): FAMILY_PLANNING is missing from the order/);
  });

  it('a tie order that names a category twice', () => {
    const dir = brokenCopy((t) => t.replace('RETURNED_TO_POVERTY, FAMILY_PLANNING]', 'RETURNED_TO_POVERTY, FAMILY_PLANNING, DIBAO]'));
    expect(refusal(dir)).toMatch(/DIBAO is listed twice/);
  });

  // Issue 22, 17a: 山丹's notice names no issuer.
  it('accepts issuers: null, and refuses an empty list', () => {
    expect(catalogOf(root).policy('620725', 2022)!.data.notice.issuers).toBeNull();
    const dir = brokenCopy((t) => t.replace('issuers: null', 'issuers: []'), join('620725', '2022.yaml'));
    expect(refusal(dir)).toMatch(/620725\/2022\.yaml: notice\.issuers/);
  });

  it('a unit managed by a region the tenant does not have', () => {
    const dir = brokenCopy(
      (t) => t.replace('region: "620721-01"\n      clause: 三（三）', 'region: "620721-99"\n      clause: 三（三）'),
      join('620721', '2024.yaml'),
    );
    expect(refusal(dir)).toMatch(/enrolment\.units\[0\] \(line 145\): unknown region 620721-99/);
  });
});

function catalogOf(dir: string) {
  return loadTenants(dir).catalog;
}
