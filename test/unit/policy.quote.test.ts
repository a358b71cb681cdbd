/**
 * PolicyEngine.quote, table by table, with each notice's own numbers. Every row names the clause it
 * checks. Amounts are in yuan strings to read like the notices; the engine works in fen.
 */
import { DomainError } from '../../src/common/errors';
import { formatMoney } from '../../src/common/money';
import { PolicyEngine, type QuoteFacts } from '../../src/policy-engine/policy-engine';
import type { AssistanceCategory, Circumstance } from '../../src/policy-data/vocabulary';
import { tenantCatalog } from '../helpers/tenants';

const engine = new PolicyEngine();

function quote(tenant: string, year: number, facts: QuoteFacts) {
  const catalog = tenantCatalog();
  const t = catalog.get(tenant)!;
  const q = engine.quote(t, catalog.policy(tenant, year)!, facts);
  return {
    standard: formatMoney(q.standardContribution),
    subsidy: formatMoney(q.subsidy),
    category: q.appliedCategory,
    mode: q.mode,
    due: formatMoney(q.amountDue),
    reimbursement: formatMoney(q.reimbursement),
    net: formatMoney(q.netCost),
    month: q.reimbursementMonth,
    late: q.late,
    cover: q.coverage ? `${q.coverage.start}..${q.coverage.end}` : null,
    funding: q.fundingShares.map((s) => `${s.source} ${formatMoney(s.amount)}`),
    fundingStatus: q.fundingStatus,
    steps: q.explanation,
    unknowns: q.unknowns,
    raw: q,
  };
}

function failure(tenant: string, year: number, facts: QuoteFacts): { code: string; message: string; details: Record<string, unknown> } {
  try {
    quote(tenant, year, facts);
  } catch (err) {
    if (err instanceof DomainError) return { code: err.code, message: err.message, details: err.details };
    throw err;
  }
  throw new Error('expected the quote to fail');
}

type Row = [string, AssistanceCategory[], string, string, string | null, string, string, string];
// [clause, categories, subsidy, due, mode, reimbursement, net cost, first funding share]

describe('甘州区 2023 (区医保发〔2022〕69号)', () => {
  const on = '2022-10-15';
  it('charges 350.00 in the window and covers 2023 (三, 一)', () => {
    const q = quote('620702', 2023, { paymentDate: on });
    expect(q).toMatchObject({ standard: '350.00', subsidy: '0.00', due: '350.00', net: '350.00', late: false, cover: '2023-01-01..2023-12-31', mode: null });
    expect(q.steps[0]).toMatchObject({ rule: 'coverage-year', clause: expect.stringContaining('一') });
    expect(q.steps[1]).toMatchObject({ rule: 'individual-contribution', clause: expect.stringContaining('三') });
  });
  const rows: Row[] = [
    ['四（一）1 特困 全额', ['EXTREME_POVERTY'], '350.00', '0.00', 'FULL_SPONSORSHIP', '0.00', '0.00', 'MEDICAL_ASSISTANCE_FUND 350.00'],
    ['四（一）1 孤儿 全额', ['ORPHAN'], '350.00', '0.00', 'FULL_SPONSORSHIP', '0.00', '0.00', 'MEDICAL_ASSISTANCE_FUND 350.00'],
    ['四（一）2 农村一类低保 250', ['DIBAO_RURAL_1'], '250.00', '350.00', 'REIMBURSEMENT', '250.00', '100.00', 'MEDICAL_ASSISTANCE_FUND 250.00'],
    ['四（一）2 农村二类低保 250', ['DIBAO_RURAL_2'], '250.00', '350.00', 'REIMBURSEMENT', '250.00', '100.00', 'MEDICAL_ASSISTANCE_FUND 250.00'],
    ['四（一）2 城市全额低保 250', ['DIBAO_URBAN_FULL'], '250.00', '350.00', 'REIMBURSEMENT', '250.00', '100.00', 'MEDICAL_ASSISTANCE_FUND 250.00'],
    ['四（一）2 农村三类低保 190', ['DIBAO_RURAL_3'], '190.00', '350.00', 'REIMBURSEMENT', '190.00', '160.00', 'MEDICAL_ASSISTANCE_FUND 190.00'],
    ['四（一）2 农村四类低保 190', ['DIBAO_RURAL_4'], '190.00', '350.00', 'REIMBURSEMENT', '190.00', '160.00', 'MEDICAL_ASSISTANCE_FUND 190.00'],
    ['四（一）2 城市差额低保 190', ['DIBAO_URBAN_PARTIAL'], '190.00', '350.00', 'REIMBURSEMENT', '190.00', '160.00', 'MEDICAL_ASSISTANCE_FUND 190.00'],
    ['四（一）3 返贫致贫 190', ['RETURNED_TO_POVERTY'], '190.00', '350.00', 'REIMBURSEMENT', '190.00', '160.00', 'MEDICAL_ASSISTANCE_FUND 190.00'],
    ['四（一）4 易返贫致贫 150', ['AT_RISK_OF_POVERTY'], '150.00', '350.00', 'REIMBURSEMENT', '150.00', '200.00', 'MEDICAL_ASSISTANCE_FUND 150.00'],
    ['四（一）5 已脱贫 100', ['LIFTED_OUT_OF_POVERTY'], '100.00', '350.00', 'REIMBURSEMENT', '100.00', '250.00', 'MEDICAL_ASSISTANCE_FUND 100.00'],
    [
      '四（二）3 就高不重复',
      ['LIFTED_OUT_OF_POVERTY', 'DIBAO_RURAL_1', 'AT_RISK_OF_POVERTY'],
      '250.00',
      '350.00',
      'REIMBURSEMENT',
      '250.00',
      '100.00',
      'MEDICAL_ASSISTANCE_FUND 250.00',
    ],
    [
      '四（二）3 特困 and 低保: full wins',
      ['DIBAO_RURAL_1', 'EXTREME_POVERTY'],
      '350.00',
      '0.00',
      'FULL_SPONSORSHIP',
      '0.00',
      '0.00',
      'MEDICAL_ASSISTANCE_FUND 350.00',
    ],
  ];
  it.each(rows)('%s', (_clause, categories, subsidy, due, mode, reimbursement, net, funding) => {
    const q = quote('620702', 2023, { paymentDate: on, categories });
    expect(q).toMatchObject({ subsidy, due, mode, reimbursement, net });
    expect(q.funding[0]).toBe(funding);
  });
  it('pays a 先缴后补 subsidy the month after payment (四（二）3 当月参保、次月资助)', () => {
    expect(quote('620702', 2023, { paymentDate: '2022-10-15', categories: ['LIFTED_OUT_OF_POVERTY'] }).month).toBe('2022-11');
    expect(quote('620702', 2023, { paymentDate: '2022-12-31', categories: ['LIFTED_OUT_OF_POVERTY'] }).month).toBe('2023-01');
  });
  it('names the highest category and lists the others (四（二）3)', () => {
    const q = quote('620702', 2023, { paymentDate: on, categories: ['LIFTED_OUT_OF_POVERTY', 'DIBAO_RURAL_3'] });
    expect(q.category).toBe('DIBAO_RURAL_3');
    const step = q.steps.find((s) => s.rule === 'multiple-categories')?.detail;
    expect(step?.en).toContain('LIFTED_OUT_OF_POVERTY 100.00');
    expect(step?.zh).toBe('同时符合多类资助条件（农村三类低保 190.00 元、已脱贫人口 100.00 元）：只按最高的农村三类低保资助');
  });
  it('refuses an unsplit 低保 where the notice subsidises 低保 by class', () => {
    expect(failure('620702', 2023, { paymentDate: on, categories: ['DIBAO'] }).code).toBe('BAD_USER_INPUT');
  });
  it('gives nothing for a category the notice does not name', () => {
    expect(quote('620702', 2023, { paymentDate: on, categories: ['DOWNSIZED_1960S_WORKER'] })).toMatchObject({
      subsidy: '0.00',
      due: '350.00',
      category: null,
    });
  });
  it('closes after the 2022-12-31 deadline (一)', () => {
    const f = failure('620702', 2023, { paymentDate: '2023-01-05' });
    expect(f.code).toBe('ENROLLMENT_CLOSED');
    expect(f.message).toContain('2022-12-31');
  });
  it("does not guess the veterans' rule it refers to 甘医保发〔2021〕55号 (五5)", () => {
    const f = failure('620702', 2023, { paymentDate: '2023-01-05', circumstances: ['VETERAN_DISCHARGED'] });
    expect(f).toMatchObject({ code: 'POLICY_NOT_CONFIGURED', details: { missing: 'lateEnrollment.circumstances' } });
    expect(f.message).toContain('甘医保发〔2021〕55号');
  });
  it('does not guess the newborn window it refers to 甘医保发〔2020〕41号 (五4)', () => {
    const f = failure('620702', 2023, { paymentDate: '2023-02-10', birthDate: '2023-02-01' });
    expect(f).toMatchObject({ code: 'POLICY_NOT_CONFIGURED', details: { missing: 'newborn.window' } });
  });
  it('closes once the year of cover is over', () => {
    expect(failure('620702', 2023, { paymentDate: '2024-01-01' }).code).toBe('ENROLLMENT_CLOSED');
  });
});

describe('肃南 2024 (肃医保〔2023〕48号)', () => {
  const on = '2023-10-08';
  it('charges 380.00 from 2023-09-10 to 12-31 and covers 2024 (二（二）, 二（五）)', () => {
    expect(quote('620721', 2024, { paymentDate: '2023-09-10' })).toMatchObject({ due: '380.00', cover: '2024-01-01..2024-12-31', late: false });
    expect(quote('620721', 2024, { paymentDate: '2023-12-31' })).toMatchObject({ due: '380.00', late: false });
  });
  const rows: Array<[string, AssistanceCategory[], string, string, string]> = [
    // [clause, categories, subsidy, amount due, mode]
    ['二（三）1 特困 全额 380', ['EXTREME_POVERTY'], '380.00', '0.00', 'FULL_SPONSORSHIP'],
    ['二（三）1 孤儿 全额 380', ['ORPHAN'], '380.00', '0.00', 'FULL_SPONSORSHIP'],
    ['二（三）2 农村一类低保 310 → 70', ['DIBAO_RURAL_1'], '310.00', '70.00', 'NET_COLLECTION'],
    ['二（三）2 农村二类低保 310 → 70', ['DIBAO_RURAL_2'], '310.00', '70.00', 'NET_COLLECTION'],
    ['二（三）2 城市全额保障 310 → 70', ['DIBAO_URBAN_FULL'], '310.00', '70.00', 'NET_COLLECTION'],
    ['二（三）2 返贫致贫 310 → 70', ['RETURNED_TO_POVERTY'], '310.00', '70.00', 'NET_COLLECTION'],
    ['二（三）2 农村三类低保 250 → 130', ['DIBAO_RURAL_3'], '250.00', '130.00', 'NET_COLLECTION'],
    ['二（三）2 农村四类低保 250 → 130', ['DIBAO_RURAL_4'], '250.00', '130.00', 'NET_COLLECTION'],
    ['二（三）2 城市低保差额 250 → 130', ['DIBAO_URBAN_PARTIAL'], '250.00', '130.00', 'NET_COLLECTION'],
    ['二（三）2 易返贫致贫 250 → 130', ['AT_RISK_OF_POVERTY'], '250.00', '130.00', 'NET_COLLECTION'],
    ['二（三）3 低保边缘 100 → 280', ['DIBAO_MARGINAL'], '100.00', '280.00', 'NET_COLLECTION'],
    ['二（三）4 已脱贫 100 → 280', ['LIFTED_OUT_OF_POVERTY'], '100.00', '280.00', 'NET_COLLECTION'],
    ['二（三） 就高不重复', ['DIBAO_MARGINAL', 'DIBAO_RURAL_3', 'LIFTED_OUT_OF_POVERTY'], '250.00', '130.00', 'NET_COLLECTION'],
  ];
  it.each(rows)('%s', (_clause, categories, subsidy, due, mode) => {
    const q = quote('620721', 2024, { paymentDate: on, categories });
    expect(q).toMatchObject({ subsidy, due, mode, reimbursement: '0.00', net: due });
  });
  it("does not name who funds 肃南's subsidies, and says so", () => {
    const q = quote('620721', 2024, { paymentDate: on, categories: ['DIBAO_RURAL_1'] });
    expect(q.funding).toEqual([]);
    expect(q.steps.find((s) => s.rule === 'funding')?.detail).toEqual({
      zh: '通知未写明该项资助由谁出资',
      en: 'the notice does not name who funds this subsidy',
    });
  });
  it('is closed before 2023-09-10 and, for most people, after 2023-12-31', () => {
    expect(failure('620721', 2024, { paymentDate: '2023-09-09' }).code).toBe('ENROLLMENT_CLOSED');
    expect(failure('620721', 2024, { paymentDate: '2024-01-10' }).code).toBe('ENROLLMENT_CLOSED');
  });
  it('lets veterans and low-income people enrol any time, but does not say when their cover starts (二（五）)', () => {
    for (const [facts, due] of [
      [{ paymentDate: '2024-03-01', circumstances: ['VETERAN_DISCHARGED' as Circumstance] }, '380.00'],
      [{ paymentDate: '2024-03-01', circumstances: ['EMPLOYEE_INSURANCE_LAPSED' as Circumstance] }, '380.00'],
      [{ paymentDate: '2024-03-01', categories: ['DIBAO_RURAL_1' as AssistanceCategory] }, '70.00'],
    ] as const) {
      const q = quote('620721', 2024, facts);
      expect(q).toMatchObject({ due, late: true, cover: null });
      expect(q.unknowns).toEqual([expect.objectContaining({ path: 'lateEnrollment.coverStart', affects: ['coverage'] })]);
    }
    const catalog = tenantCatalog();
    const owed = engine.contribution(catalog.get('620721')!, catalog.policy('620721', 2024)!, { paymentDate: '2024-03-01', categories: ['DIBAO_RURAL_1'] });
    expect([owed.amountDue, owed.late]).toEqual([7000, true]);
  });
  it('gives newborns 3 months but does not state their cover start (三（一）)', () => {
    const q = quote('620721', 2024, { paymentDate: '2024-05-01', birthDate: '2024-02-01' });
    expect(q).toMatchObject({ due: '380.00', cover: null });
    expect(q.unknowns).toEqual([expect.objectContaining({ path: 'newborn.coverStart', refersTo: '甘医保发〔2020〕41号' })]);
    expect(failure('620721', 2024, { paymentDate: '2024-05-02', birthDate: '2024-02-01' }).code).toBe('ENROLLMENT_CLOSED');
  });
});

describe('平利 2022 (平政办发〔2021〕105号)', () => {
  const on = '2021-11-01';
  it('charges 320.00 from 2021-10-15 to 12-25 and covers 2022 (三, 四)', () => {
    expect(quote('610926', 2022, { paymentDate: '2021-10-15' })).toMatchObject({ due: '320.00', cover: '2022-01-01..2022-12-31', late: false });
    expect(quote('610926', 2022, { paymentDate: '2021-12-25' })).toMatchObject({ due: '320.00', late: false });
    expect(failure('610926', 2022, { paymentDate: '2021-10-14' }).code).toBe('ENROLLMENT_CLOSED');
  });
  const rows: Row[] = [
    ['三（一）1 特困 全额, 医疗救助资金', ['EXTREME_POVERTY'], '320.00', '0.00', 'FULL_SPONSORSHIP', '0.00', '0.00', 'MEDICAL_ASSISTANCE_FUND 320.00'],
    ['三（一）1 孤儿 全额', ['ORPHAN'], '320.00', '0.00', 'FULL_SPONSORSHIP', '0.00', '0.00', 'MEDICAL_ASSISTANCE_FUND 320.00'],
    ['三（一）2 低保 160 先缴后补', ['DIBAO'], '160.00', '320.00', 'REIMBURSEMENT', '160.00', '160.00', 'MEDICAL_ASSISTANCE_FUND 160.00'],
    [
      '三（一）2 a 低保 class takes the 低保 rule',
      ['DIBAO_RURAL_2'],
      '160.00',
      '320.00',
      'REIMBURSEMENT',
      '160.00',
      '160.00',
      'MEDICAL_ASSISTANCE_FUND 160.00',
    ],
    ['三（一）3 重度残疾 70', ['SEVERE_DISABILITY'], '70.00', '320.00', 'REIMBURSEMENT', '70.00', '250.00', 'MEDICAL_ASSISTANCE_FUND 70.00'],
    [
      '三（一）4 脱贫不稳定 in 监测范围 省45+市10+县15',
      ['AT_RISK_UNSTABLE_LIFTED'],
      '70.00',
      '320.00',
      'REIMBURSEMENT',
      '70.00',
      '250.00',
      'PROVINCIAL_FISCAL 45.00',
    ],
    ['三（一）5 返贫致贫 as 低保', ['RETURNED_TO_POVERTY'], '160.00', '320.00', 'REIMBURSEMENT', '160.00', '160.00', 'MEDICAL_ASSISTANCE_FUND 160.00'],
    ['三 one category only', ['SEVERE_DISABILITY', 'DIBAO'], '160.00', '320.00', 'REIMBURSEMENT', '160.00', '160.00', 'MEDICAL_ASSISTANCE_FUND 160.00'],
  ];
  it.each(rows)('%s', (_clause, categories, subsidy, due, mode, reimbursement, net, funding) => {
    const q = quote('610926', 2022, { paymentDate: on, categories });
    expect(q).toMatchObject({ subsidy, due, mode, reimbursement, net, month: null });
    expect(q.funding[0]).toBe(funding);
  });
  it('splits the 监测对象 subsidy 45/10/15 by level (三（一）4)', () => {
    expect(quote('610926', 2022, { paymentDate: on, categories: ['AT_RISK_UNSTABLE_LIFTED'] }).funding).toEqual([
      'PROVINCIAL_FISCAL 45.00',
      'CITY_FISCAL 10.00',
      'COUNTY_FISCAL 15.00',
    ]);
  });
  it('does not guess the 计生 subsidy "按原政策" (三（二）)', () => {
    expect(failure('610926', 2022, { paymentDate: on, categories: ['FAMILY_PLANNING'] })).toMatchObject({
      code: 'POLICY_NOT_CONFIGURED',
      details: { missing: 'assistance.FAMILY_PLANNING.amount' },
    });
  });
  it('closes to ordinary residents after 12-25 (四（一）)', () => {
    expect(failure('610926', 2022, { paymentDate: '2022-01-10' }).code).toBe('ENROLLMENT_CLOSED');
  });
  const late: Array<[string, Circumstance, string, string]> = [
    ['三（三） 退役士兵', 'VETERAN_DISCHARGED', '2022-03-15', '2022-04-01..2022-12-31'],
    ['三（四） 回陕大学生', 'RETURNING_GRADUATE', '2022-06-30', '2022-07-01..2022-12-31'],
    ['四（二）1 职工医保断保', 'EMPLOYEE_INSURANCE_LAPSED', '2022-11-20', '2022-12-01..2022-12-31'],
    ['三（五） 刑满释放', 'RELEASED_FROM_PRISON', '2021-12-28', '2022-01-01..2022-12-31'],
    ['三（五） 新认定', 'NEWLY_CERTIFIED_ASSISTANCE', '2022-02-28', '2022-03-01..2022-12-31'],
  ];
  it.each(late)('%s pays 320.00 late and is covered from the next month (四（三）1)', (_c, circumstance, paymentDate, cover) => {
    expect(quote('610926', 2022, { paymentDate, circumstances: [circumstance] })).toMatchObject({ due: '320.00', late: true, cover });
  });
  it('refuses a December late payer, whose cover would start after the year ends (四（三）1)', () => {
    const f = failure('610926', 2022, { paymentDate: '2022-12-05', circumstances: ['EMPLOYEE_INSURANCE_LAPSED'] });
    expect(f.code).toBe('ENROLLMENT_CLOSED');
    expect(f.message).toContain('2023-01-01');
  });
  it('takes assistance away from a late payer, who pays 320.00 (四（三）2)', () => {
    const q = quote('610926', 2022, { paymentDate: '2022-02-10', categories: ['DIBAO'] });
    expect(q).toMatchObject({ due: '320.00', subsidy: '0.00', mode: null, late: true, cover: '2022-03-01..2022-12-31' });
    expect(q.steps.find((s) => s.rule === 'assistance-lost')?.clause).toContain('四（三）2');
  });
  const newborns: Array<[string, string, string, string]> = [
    // [case, birthDate, paymentDate, cover]
    ['四（二）2（1） within 90 days: from birth', '2022-03-10', '2022-06-08', '2022-03-10..2022-12-31'],
    ['四（二）2（1） after 90 days: from the next month', '2022-03-10', '2022-06-09', '2022-07-01..2022-12-31'],
    ['四（二）2（2） born late in the year before, paid within 90 days: the whole year', '2021-11-20', '2022-02-18', '2022-01-01..2022-12-31'],
    ['in the window a baby born before the year is covered from January 1', '2021-11-20', '2021-12-01', '2022-01-01..2022-12-31'],
  ];
  it.each(newborns)('newborn: %s', (_case, birthDate, paymentDate, cover) => {
    expect(quote('610926', 2022, { paymentDate, birthDate })).toMatchObject({ due: '320.00', cover });
  });
  it("refuses the next year's cover to a newborn paid after 90 days (四（二）2（2）)", () => {
    expect(failure('610926', 2022, { paymentDate: '2022-02-19', birthDate: '2021-11-20' }).code).toBe('ENROLLMENT_CLOSED');
  });
  it('covers a university student from the day of payment (四（二）3)', () => {
    expect(quote('610926', 2022, { paymentDate: '2021-11-05', circumstances: ['UNIVERSITY_STUDENT'] }).cover).toBe('2021-11-05..2022-12-31');
  });
});

describe('贵阳贵安 2022 (筑医保通〔2021〕34号)', () => {
  const on = '2022-02-01';
  it('charges 320.00 until 2022-03-31 (一, 三)', () => {
    expect(quote('520100', 2022, { paymentDate: '2021-10-01' })).toMatchObject({ due: '320.00', late: false, cover: '2022-01-01..2022-12-31' });
    expect(quote('520100', 2022, { paymentDate: '2022-03-31' })).toMatchObject({ due: '320.00', late: false });
  });
  it('never covers a baby before birth, even when paid in the window', () => {
    expect(quote('520100', 2022, { paymentDate: '2022-02-20', birthDate: '2022-02-01' }).cover).toBe('2022-02-01..2022-12-31');
  });
  const rows: Array<[string, AssistanceCategory[], string | null, string, string, string[]]> = [
    // [clause, categories, region, subsidy, due, funding]
    ['二（一）1 脱贫人口 140, 贵阳 县级财政', ['LIFTED_OUT_OF_POVERTY'], '520102', '140.00', '180.00', ['COUNTY_FISCAL 140.00']],
    ['二（一）1 脱贫人口 140, 贵安 本级财政', ['LIFTED_OUT_OF_POVERTY'], '520100-GA-01', '140.00', '180.00', ['GUIAN_FISCAL 140.00']],
    [
      '二（一）2 低保 320: 救助140, 市县 4:6',
      ['DIBAO'],
      '520111-XH',
      '320.00',
      '0.00',
      ['MEDICAL_ASSISTANCE_FUND 140.00', 'CITY_FISCAL 72.00', 'COUNTY_FISCAL 108.00'],
    ],
    ['二（一）2 低保 320: 救助140, 贵安 180', ['DIBAO'], '520100-GA', '320.00', '0.00', ['MEDICAL_ASSISTANCE_FUND 140.00', 'GUIAN_FISCAL 180.00']],
    [
      '二（一）2 a 低保 class takes the 低保 rule',
      ['DIBAO_URBAN_PARTIAL'],
      '520181',
      '320.00',
      '0.00',
      ['MEDICAL_ASSISTANCE_FUND 140.00', 'CITY_FISCAL 72.00', 'COUNTY_FISCAL 108.00'],
    ],
    ['二（一）3 低收入 60', ['LOW_INCOME_VULNERABLE'], '520102', '60.00', '260.00', ['MEDICAL_ASSISTANCE_FUND 60.00']],
    ['二（二）1 计生 全额, 贵阳 县级', ['FAMILY_PLANNING'], '520123', '320.00', '0.00', ['COUNTY_FISCAL 320.00']],
    ['二（二）1 计生 全额, 贵安 本级', ['FAMILY_PLANNING'], '520100-GA-04', '320.00', '0.00', ['GUIAN_FISCAL 320.00']],
    ['二（二）2 特困 全额 救助基金', ['EXTREME_POVERTY'], '520102', '320.00', '0.00', ['MEDICAL_ASSISTANCE_FUND 320.00']],
    ['二（二）2 孤儿 视同特困', ['ORPHAN'], null, '320.00', '0.00', ['MEDICAL_ASSISTANCE_FUND 320.00']],
    ['二（二）2 精减退职老职工', ['DOWNSIZED_1960S_WORKER'], null, '320.00', '0.00', ['MEDICAL_ASSISTANCE_FUND 320.00']],
    ['二（二）2 肇事肇祸精神障碍', ['SEVERE_MENTAL_DISORDER'], null, '320.00', '0.00', ['MEDICAL_ASSISTANCE_FUND 320.00']],
    ['二 就高不就低', ['LOW_INCOME_VULNERABLE', 'LIFTED_OUT_OF_POVERTY'], '520102', '140.00', '180.00', ['COUNTY_FISCAL 140.00']],
  ];
  it.each(rows)('%s', (_clause, categories, region, subsidy, due, funding) => {
    const q = quote('520100', 2022, { paymentDate: on, categories, region });
    expect(q).toMatchObject({ subsidy, due, reimbursement: '0.00', net: due });
    expect(q.funding).toEqual(funding);
  });
  it('needs the region to say who funds a subsidy that differs between 贵阳 and 贵安', () => {
    const q = quote('520100', 2022, { paymentDate: on, categories: ['LIFTED_OUT_OF_POVERTY'] });
    expect(q.funding).toEqual([]);
    const detail = q.steps.find((s) => s.rule === 'funding')?.detail;
    expect(detail?.en).toContain('give region');
    expect(detail?.zh).toContain('请填写区划（region）');
  });
  it('charges 900.00 after 2022-03-31 but does not state when that cover starts (三)', () => {
    const q = quote('520100', 2022, { paymentDate: '2022-04-10' });
    expect(q).toMatchObject({ due: '900.00', late: true, cover: null });
    expect(q.unknowns).toEqual([expect.objectContaining({ path: 'lateEnrollment.coverStart', refersTo: '黔医保发〔2021〕64号' })]);
    const catalog = tenantCatalog();
    const settled = engine.settle(catalog.get('520100')!, catalog.policy('520100', 2022)!, { paymentDate: '2022-04-10' });
    expect(settled.coverageUnstated?.message).toContain('900.00');
    const owed = engine.contribution(catalog.get('520100')!, catalog.policy('520100', 2022)!, { paymentDate: '2022-04-10', categories: ['DIBAO'] });
    expect([owed.standardContribution, owed.subsidy, owed.amountDue, owed.late]).toEqual([90000, 0, 90000, true]);
  });
  it('refuses an unknown region', () => {
    expect(failure('520100', 2022, { paymentDate: on, region: '999999' }).code).toBe('BAD_USER_INPUT');
  });
});

describe('山丹 2022 (2021年度 notice; year of cover inferred)', () => {
  it('charges 320.00 from 2021-07-01 to 12-31 (一（一）, 一（二）)', () => {
    expect(quote('620725', 2022, { paymentDate: '2021-07-01' })).toMatchObject({ due: '320.00', cover: '2022-01-01..2022-12-31' });
    expect(failure('620725', 2022, { paymentDate: '2021-06-30' }).code).toBe('ENROLLMENT_CLOSED');
  });
  it('sponsors 特困 and 孤儿 in full from the medical assistance fund (二)', () => {
    expect(quote('620725', 2022, { paymentDate: '2021-08-01', categories: ['EXTREME_POVERTY', 'ORPHAN'] })).toMatchObject({
      due: '0.00',
      mode: 'FULL_SPONSORSHIP',
      funding: ['MEDICAL_ASSISTANCE_FUND 320.00'],
    });
  });
  it('does not guess the 低保 amount set by 张医保发〔2021〕52号 (二): 320.00 is due, the reimbursement waits', () => {
    const q = quote('620725', 2022, { paymentDate: '2021-08-01', categories: ['DIBAO'] });
    expect(q).toMatchObject({ due: '320.00', mode: 'REIMBURSEMENT', category: 'DIBAO', month: '2021-09' });
    expect(q.unknowns).toEqual([expect.objectContaining({ path: 'assistance.DIBAO.amount', refersTo: '张医保发〔2021〕52号' })]);
  });
  it('covers a newborn paid within 3 months from birth (一（三）3)', () => {
    expect(quote('620725', 2022, { paymentDate: '2022-05-10', birthDate: '2022-02-10' }).cover).toBe('2022-02-10..2022-12-31');
  });
  it('does not say until when a newborn registered in its 3 months may pay (一（三）3)', () => {
    expect(failure('620725', 2022, { paymentDate: '2022-05-11', birthDate: '2022-02-10' })).toMatchObject({
      code: 'POLICY_NOT_CONFIGURED',
      details: { missing: 'newborn.paymentDeadline', amountDue: '320.00' },
    });
  });
  it('does not say whether anyone else may pay after 12-31', () => {
    expect(failure('620725', 2022, { paymentDate: '2022-01-11' })).toMatchObject({ code: 'POLICY_NOT_CONFIGURED', details: { missing: 'lateEnrollment' } });
  });
});
