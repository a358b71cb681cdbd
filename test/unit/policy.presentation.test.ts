/**
 * What the `policy` query shows, through the presenter (no HTTP): issue 22 point 14 (every inference
 * reaches clients beside its value), 17a (山丹's issuer is not stated) and "Also" (a clause for every
 * typed value). The inferences are generated from the year files; a second, independent walk of the YAML
 * checks that none is left out, and the list of paths is written here so that adding or dropping an
 * inference shows in review.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { formatMoney } from '../../src/common/money';
import { presentPolicy } from '../../src/domains/public-policy/public-policy.presenters';
import type { QuoteFacts } from '../../src/policy-engine/policy-engine';
import { inEnglish, outcome, policyOf, type Summary } from '../helpers/policy';
import { tenantCatalog } from '../helpers/tenants';

const present = (tenant: string, year: number) => {
  const { tenant: t, policy } = policyOf(tenant, year);
  return presentPolicy(inEnglish, t, policy);
};
const inferred = expect.any(String);

describe('14. every value the data marks inferred reaches clients', () => {
  it('平利 三: the 市、县 shares of the fiscal subsidy are a reading; 中央 and 省 are stated', () => {
    const shares = present('610926', 2022).fiscalShares.map((s) => [s.source, formatMoney(s.amount), s.inferred === null ? null : 'inferred']);
    expect(shares).toEqual([
      ['CENTRAL_FISCAL', '464.00', null],
      ['PROVINCIAL_FISCAL', '58.00', null],
      ['CITY_FISCAL', '5.80', 'inferred'],
      ['COUNTY_FISCAL', '52.20', 'inferred'],
    ]);
    expect(present('610926', 2022).fiscalShares[2].clause).toContain('1:9');
  });

  it.each<[string, string, number, QuoteFacts, string | null]>([
    [
      '甘州 四（二）3、七 call the fixed subsidies 医疗救助: the payer is a reading',
      '620702',
      2023,
      { paymentDate: '2022-10-15', categories: ['DIBAO_RURAL_1'] },
      'inferred',
    ],
    [
      '平利 三（一）5「按照最低生活保障对象给予定额资助」: the payer is a reading',
      '610926',
      2022,
      { paymentDate: '2021-11-01', categories: ['RETURNED_TO_POVERTY'] },
      'inferred',
    ],
    ['平利 三（一）1「由医疗救助资金给予全额资助」: stated', '610926', 2022, { paymentDate: '2021-11-01', categories: ['EXTREME_POVERTY'] }, null],
  ])('%s', (_sentence, tenant, year, facts, mark) => {
    const q = outcome(tenant, year, facts) as Summary;
    expect(q.raw.fundingShares[0].source).toBe('MEDICAL_ASSISTANCE_FUND');
    expect(q.raw.fundingShares[0].inferred ?? null).toEqual(mark ? inferred : null);
  });

  it('平利 三（一）4: the 70.00 of 脱贫不稳定 people is the sum of the three levels, marked on the rule', () => {
    const rule = present('610926', 2022).assistance.find((a) => a.category === 'AT_RISK_UNSTABLE_LIFTED')!;
    expect(rule.inferred).toContain('45 + 10 + 15');
    expect(rule.inferences).toEqual([expect.objectContaining({ path: 'assistance.rules[4]', inferred: expect.stringContaining('45 + 10 + 15') })]);
  });

  it('山丹 二: the subsidies set by 张医保发〔2021〕52号 name it', () => {
    expect(present('620725', 2022).assistance.find((a) => a.category === 'DIBAO')).toMatchObject({ amount: null, refersTo: '张医保发〔2021〕52号' });
  });

  it('贵阳 附件: 特殊单位 under 贵安新区 is a reading of the subtotal', () => {
    const region = present('520100', 2022).tenant.regions.find((r) => r.code === '520100-GA-05')!;
    expect(region).toMatchObject({ parentCode: '520100-GA', inferred: expect.stringContaining('130829') });
  });
});

describe('17a. 山丹: the notice names no issuer', () => {
  it('shows issuers null, the label, the seed, and the year of cover as an inference', () => {
    const p = present('620725', 2022);
    expect(p.notice).toMatchObject({ number: null, issuedOn: null, issuers: null, label: '2021年度', seedFile: 'seeds/004_2d44c409d6b3b256.txt' });
    expect(p.coverageYearInferred).toContain('2021年度');
  });
  it('shows the issuers where the notice names them', () => {
    expect(present('610926', 2022).notice.issuers).toEqual(['平利县人民政府办公室']);
  });
});

describe('Also: a clause (and any inference) for every typed value', () => {
  it('甘州 2023', () => {
    const { sources, collectionWindow } = present('620702', 2023);
    expect(sources.individualContribution.clause).toContain('三');
    expect(sources.individualContribution.clause).toContain('350');
    expect(sources.fiscalSubsidy?.clause).toContain('610');
    expect(sources.fiscalShares).toBeNull();
    expect(sources.collectionWindowStart).toBeNull();
    expect(sources.collectionWindowEarliestPayment).toMatchObject({ clause: expect.stringContaining('当年缴费次年享受'), inferred });
    expect(collectionWindow).toMatchObject({ start: null, earliestPayment: '2022-01-01' });
    expect(sources.collectionWindowEnd.clause).toContain('2022 年 12 月 31 日');
    expect(sources.coverageStart).toMatchObject({ clause: expect.stringContaining('2023 年 1 月 1 日'), inferred: null });
    expect(sources.notice.clause).toContain('2022年8月30日印发');
    expect(sources.coverageYear).toMatchObject({ clause: expect.stringContaining('当年缴费次年享受'), inferred: null });
  });
  it('贵阳贵安 2022', () => {
    const { sources, collectionWindow } = present('520100', 2022);
    expect(sources.coverageStart.inferred).toContain('calendar year');
    expect(sources.fiscalSubsidy?.clause).toContain('不低于580元');
    expect(collectionWindow).toMatchObject({ start: null, startText: '2021 年 9 月底', earliestPayment: '2021-09-30' });
    expect(sources.collectionWindowEarliestPayment.inferred).toContain('9月底');
  });
  it('山丹 2022', () => {
    const { sources } = present('620725', 2022);
    expect(sources.coverageYear.inferred).toContain('2021年度');
    expect(sources.coverageStart.inferred).not.toBeNull();
    expect(sources.fiscalSubsidy).toBeNull();
  });
  it('平利 2022: a stated start is its own earliest payment', () => {
    const { sources, collectionWindow } = present('610926', 2022);
    expect(collectionWindow).toMatchObject({ start: '2021-10-15', earliestPayment: '2021-10-15' });
    expect(sources.collectionWindowEarliestPayment).toEqual(sources.collectionWindowStart);
    expect(sources.fiscalShares?.clause).toContain('5:5');
  });

  it('平利 2022: the rules without typed fields, each with its clause', () => {
    const rules = present('610926', 2022).rules;
    const rule = (key: string) => rules.find((r) => r.key === key);
    expect(rules.find((r) => r.key.startsWith('lateEnrollment.circumstances') && r.detail === 'circumstance: LOST_CONTACT')).toMatchObject({
      clause: expect.stringContaining('三（五）'),
    });
    expect(rule('students.graduates')).toMatchObject({
      clause: expect.stringContaining('四（二）3（3）'),
      detail: expect.stringContaining('coverageYear: 2021'),
    });
    expect(rule('refunds.wrongLocation')).toMatchObject({ clause: expect.stringContaining('七（三）'), inferred });
    expect(rule('enrolment.eligibility.childViaGuardian')).toMatchObject({ detail: 'maxAge: 12', inferred });
    expect(rule('assistance.multipleCategories.tie')).toMatchObject({ inferred, detail: expect.stringContaining('EXTREME_POVERTY') });
    expect(rule('lateEnrollment.contribution')).toMatchObject({ detail: 'amount: 320.00' });
    expect(rules.some((r) => r.key.startsWith('assistance.rules'))).toBe(false);
  });
  it('肃南 2024: the newborn rule names the document it refers to', () => {
    expect(present('620721', 2024).rules.find((r) => r.key === 'newborn.window')).toMatchObject({ refersTo: '甘医保发〔2020〕41号', inferred });
  });

  /** Paths of every object holding `inferred`, walked over the YAML as parsed, independently of the presenter. */
  function inferredPathsInYaml(file: string): string[] {
    const raw = parseYaml(readFileSync(join(__dirname, '..', '..', 'tenants', file), 'utf8'), { merge: true });
    const paths: string[] = [];
    const walk = (node: unknown, path: string) => {
      if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${path}[${i}]`));
      if (!node || typeof node !== 'object') return;
      if ('inferred' in node) paths.push(path);
      for (const [k, v] of Object.entries(node)) walk(v, path ? `${path}.${k}` : k);
    };
    walk(raw, '');
    return paths.sort();
  }

  it('lists every inference of every year file (an independent walk of the YAML)', () => {
    for (const t of tenantCatalog().tenants) {
      for (const policy of t.policies.values()) {
        expect([
          policy.file,
          presentPolicy(inEnglish, t, policy)
            .inferences.map((i) => i.path)
            .sort(),
        ]).toEqual([policy.file, inferredPathsInYaml(policy.file)]);
      }
    }
  });

  it('lists these inferences, file by file', () => {
    const paths = Object.fromEntries(
      tenantCatalog().tenants.flatMap((t) => [...t.policies.values()].map((p) => [p.file, presentPolicy(inEnglish, t, p).inferences.map((i) => i.path)])),
    );
    expect(paths).toEqual({
      '520100/2022.yaml': [
        'collectionWindow.earliestPayment',
        'coverage.start',
        'coverage.end',
        'assistance.multipleCategories.tie',
        'lateEnrollment.assistance',
      ],
      '610926/2022.yaml': [
        'fiscalSubsidy.split[1].parts[1]',
        'assistance.rules[4]',
        'assistance.rules[5].funding[0]',
        'assistance.multipleCategories',
        'assistance.multipleCategories.tie',
        'assistance.identityChange',
        'lateEnrollment.openList',
        'newborn.window',
        'newborn.nextYear',
        'students.coverStart',
        'refunds.nonRefundable[0]',
        'refunds.nonRefundable[1]',
        'refunds.nonRefundable[2]',
        'refunds.wrongLocation',
        'enrolment.eligibility.childViaGuardian',
      ],
      '620702/2023.yaml': [
        'collectionWindow.earliestPayment',
        ...[2, 3, 4, 5, 6, 7, 8, 9, 10].map((i) => `assistance.rules[${i}].funding[0]`),
        'assistance.multipleCategories.tie',
        'assistance.insuredElsewhere',
        'assistance.newlyCertifiedAfterPayment',
        'lateEnrollment.general',
      ],
      '620721/2024.yaml': [
        'assistance.multipleCategories.tie',
        'assistance.insuredElsewhere',
        'lateEnrollment.general',
        'lateEnrollment.circumstances[1]',
        'lateEnrollment.openList',
        'lateEnrollment.assistance',
        'newborn.window',
      ],
      '620725/2022.yaml': [
        'coverageYearFrom',
        'coverage.start',
        'coverage.end',
        'assistance.multipleCategories.tie',
        'newborn.registrationWindow',
        'newborn.coverStart',
        'refunds.noneAfterCoverStarts',
      ],
    });
  });

  it('gives every inference its clause', () => {
    for (const t of tenantCatalog().tenants)
      for (const p of t.policies.values())
        for (const i of presentPolicy(inEnglish, t, p).inferences) expect([p.file, i.path, i.clause]).toEqual([p.file, i.path, expect.any(String)]);
  });
});
