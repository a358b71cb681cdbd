/**
 * Issue 22: the notices at their edges. One table per point of the issue, each row built from the
 * notice's own sentence (quoted in the row) and the decision taken on it. Refunds (points 11, 13) are in
 * policy.refund.test.ts, what the `policy` query shows (14, 17a, Also) in policy.presentation.test.ts, and
 * the rules without a quote (16a, 16c, 16d, 16f) in policy.rules.test.ts.
 */
import type { ExplanationStep } from '../../src/policy-engine/explanation';
import type { QuoteFacts } from '../../src/policy-engine/policy-engine';
import { contribution, isRefusal, outcome, settle, type Summary } from '../helpers/policy';

interface Row {
  /** What the row shows. */
  case: string;
  /** The notice's words it rests on, with the clause. */
  sentence: string;
  tenant: string;
  year: number;
  facts: QuoteFacts;
  /** Matched against the quote (amounts in yuan) or the refusal { code, message, details }. */
  expected: Record<string, unknown>;
  /** A step the explanation must hold. */
  step?: Partial<ExplanationStep> & Record<string, unknown>;
  /** A step the explanation must not hold. */
  noStep?: string;
}

const inferred = expect.any(String);

function check(row: Row) {
  const answer = outcome(row.tenant, row.year, row.facts);
  expect(answer).toMatchObject(row.expected);
  if (row.step || row.noStep) {
    expect(isRefusal(answer)).toBe(false);
    const steps = (answer as Summary).steps;
    if (row.step) expect(steps).toContainEqual(expect.objectContaining(row.step));
    if (row.noStep) expect(steps.map((s) => s.rule)).not.toContain(row.noStep);
  }
}

const table = (rows: Row[]) => rows.map((r) => [`${r.case} — ${r.sentence}`, r] as const);

describe('1. a window needs a lower bound', () => {
  const GZ = { tenant: '620702', year: 2023 };
  const GY = { tenant: '520100', year: 2022 };
  const gz = '甘州 一「当年缴费次年享受居民医保待遇。2022 年…参保缴费截止日期为 2022 年 12 月 31 日」';
  const gy = '贵阳 三「集中征缴期为 2021 年 9 月底至 2022 年 3 月 31 日」';
  it.each(
    table([
      {
        case: '甘州: a payment in 2021 is for the 2021 campaign',
        sentence: gz,
        ...GZ,
        facts: { paymentDate: '2021-03-01' },
        expected: { code: 'ENROLLMENT_CLOSED', details: { rule: 'collection-window', inferred } },
      },
      {
        case: '甘州: 2021-12-31 is still the 2021 campaign',
        sentence: gz,
        ...GZ,
        facts: { paymentDate: '2021-12-31' },
        expected: { code: 'ENROLLMENT_CLOSED', details: { rule: 'collection-window' } },
      },
      {
        case: '甘州: from 2022-01-01, in the window, the step marked inferred',
        sentence: gz,
        ...GZ,
        facts: { paymentDate: '2022-01-01' },
        expected: { due: '350.00', late: false, cover: '2023-01-01..2023-12-31' },
        step: { rule: 'collection-window', inferred },
      },
      {
        case: '贵阳: January 2021 is long before "9月底"',
        sentence: gy,
        ...GY,
        facts: { paymentDate: '2021-01-15' },
        expected: { code: 'ENROLLMENT_CLOSED', details: { rule: 'collection-window', inferred } },
      },
      {
        case: '贵阳: 2021-09-29 is before the last day of September',
        sentence: gy,
        ...GY,
        facts: { paymentDate: '2021-09-29' },
        expected: { code: 'ENROLLMENT_CLOSED' },
      },
      {
        case: '贵阳: a payment after the year of cover is refused on an end date the notice does not state, and says so',
        sentence: gy,
        ...GY,
        facts: { paymentDate: '2023-01-05' },
        expected: { code: 'ENROLLMENT_CLOSED', details: { rule: 'coverage', inferred } },
      },
      {
        case: '贵阳: 2021-09-30 opens the window',
        sentence: gy,
        ...GY,
        facts: { paymentDate: '2021-09-30' },
        expected: { due: '320.00', late: false, cover: '2022-01-01..2022-12-31' },
      },
      {
        case: '平利 states its start: no inference',
        sentence: '平利 四「集中缴费期原则上为 10 月 15 日至 12 月 25 日」',
        tenant: '610926',
        year: 2022,
        facts: { paymentDate: '2021-10-15' },
        expected: { due: '320.00' },
        step: { rule: 'collection-window', inferred: null },
      },
    ]),
  )('%s', (_name, row) => check(row));
});

describe("2. newborns near the year end (肃南 三（一）; 山丹's missing value)", () => {
  const SN = { tenant: '620721', year: 2024 };
  const SD = { tenant: '620725', year: 2022 };
  const sn = '肃南 三（一）「在出生3个月内为新生儿办理城乡居民医保参保缴费」';
  const sd = '山丹 一（三）3「自出生之日起3个月内…办理新生儿参保登记后…缴费」';
  it.each(
    table([
      {
        case: '肃南: born in November, paying in January, within 3 months: 380.00, cover unstated',
        sentence: sn,
        ...SN,
        facts: { paymentDate: '2024-01-20', birthDate: '2023-11-15' },
        expected: { due: '380.00', late: true, cover: null, unknowns: ['newborn.coverStart'] },
        step: { rule: 'newborn', inferred },
      },
      {
        case: '肃南: the last day is the same day 3 months later',
        sentence: `${sn}; 民法典第二百零一条`,
        ...SN,
        facts: { paymentDate: '2024-02-15', birthDate: '2023-11-15' },
        expected: { due: '380.00', cover: null, unknowns: ['newborn.coverStart'] },
      },
      {
        case: '肃南: a day later the 3 months are over, and the refusal says when they ended',
        sentence: sn,
        ...SN,
        facts: { paymentDate: '2024-02-16', birthDate: '2023-11-15' },
        expected: { code: 'ENROLLMENT_CLOSED', message: expect.stringContaining('2024-02-15'), details: { rule: 'late-enrolment' } },
      },
      {
        case: "肃南: born 11-30, no 2-30: the month's last day",
        sentence: `${sn}; 民法典第二百零二条`,
        ...SN,
        facts: { paymentDate: '2024-02-29', birthDate: '2023-11-30' },
        expected: { due: '380.00', cover: null },
      },
      {
        case: '山丹: born in November, paying in January within 3 months: covered from birth',
        sentence: '山丹 一（三）3「享受自出生之日起本年度城乡居民基本医疗保险相关待遇」',
        ...SD,
        facts: { paymentDate: '2022-01-20', birthDate: '2021-11-15' },
        expected: { due: '320.00', late: true, cover: '2021-11-15..2022-12-31' },
        step: { rule: 'newborn', inferred },
      },
      {
        case: '山丹: after the 3 months the missing value is the payment deadline, not lateEnrollment',
        sentence: sd,
        ...SD,
        facts: { paymentDate: '2022-02-16', birthDate: '2021-11-15' },
        expected: { code: 'POLICY_NOT_CONFIGURED', details: { missing: 'newborn.paymentDeadline', amountDue: '320.00' } },
      },
    ]),
  )('%s', (_name, row) => check(row));

  it('肃南: the amount is known to contribution() too (380.00, late)', () => {
    expect(contribution('620721', 2024, { paymentDate: '2024-01-20', birthDate: '2023-11-15' })).toMatchObject({ amountDue: 38000, late: true });
  });
});

describe("3. 山丹 一（三）3: 本年度 is the notice's 2021年度; the 3 months are for registration", () => {
  const SD = { tenant: '620725', year: 2022 };
  const cover = '一（三）3「新生儿缴费成功后，享受自出生之日起本年度城乡居民基本医疗保险相关待遇」';
  it.each(
    table([
      {
        case: 'born 2022-02-10, paid in its 3 months',
        sentence: cover,
        ...SD,
        facts: { paymentDate: '2022-05-10', birthDate: '2022-02-10' },
        expected: { due: '320.00', late: true, cover: '2022-02-10..2022-12-31' },
        step: { rule: 'newborn-cover-start', inferred },
      },
      {
        case: 'born 2022-02-10, paid after its 3 months',
        sentence: '一（三）3「自出生之日起3个月内…办理新生儿参保登记」',
        ...SD,
        facts: { paymentDate: '2022-05-11', birthDate: '2022-02-10' },
        expected: { code: 'POLICY_NOT_CONFIGURED', details: { missing: 'newborn.paymentDeadline' } },
      },
      {
        case: 'born 2021-08-10, paid in the window within 3 months: from birth',
        sentence: cover,
        ...SD,
        facts: { paymentDate: '2021-09-10', birthDate: '2021-08-10' },
        expected: { due: '320.00', late: false, cover: '2021-08-10..2022-12-31' },
      },
      {
        case: 'born 2021-03-01, paid in the window after 3 months: the ordinary year',
        sentence: '一（二）「2021年度…个人集中缴费于7月1日开始」',
        ...SD,
        facts: { paymentDate: '2021-09-10', birthDate: '2021-03-01' },
        expected: { cover: '2022-01-01..2022-12-31' },
      },
      {
        case: 'born 2021-06-15, paid before the window opens',
        sentence: '一（二）「于7月1日开始」',
        ...SD,
        facts: { paymentDate: '2021-06-20', birthDate: '2021-06-15' },
        expected: { code: 'ENROLLMENT_CLOSED', details: { rule: 'collection-window' } },
      },
    ]),
  )('%s', (_name, row) => check(row));
});

describe('4. ties between categories with the same subsidy', () => {
  const GY = { tenant: '520100', year: 2022 };
  const on = '2022-02-01';
  const gy = '贵阳 二「按照就高不就低、不重复享受的原则」';
  it.each(
    table([
      {
        case: "贵阳 特困 + 低保: 特困 (全额) from 医疗救助; the tie step names 低保's payers",
        sentence: `${gy}; 二（二）2「所需资金由医疗救助基金全额承担」`,
        ...GY,
        facts: { paymentDate: on, categories: ['DIBAO', 'EXTREME_POVERTY'], region: '520102' },
        expected: { category: 'EXTREME_POVERTY', mode: 'FULL_SPONSORSHIP', due: '0.00', funding: ['MEDICAL_ASSISTANCE_FUND 320.00'] },
        step: { rule: 'tie', inferred, detail: expect.stringContaining('72.00') },
      },
      {
        case: 'the input order does not matter',
        sentence: gy,
        ...GY,
        facts: { paymentDate: on, categories: ['EXTREME_POVERTY', 'DIBAO'], region: '520102' },
        expected: { category: 'EXTREME_POVERTY', funding: ['MEDICAL_ASSISTANCE_FUND 320.00'] },
        step: { rule: 'tie' },
      },
      {
        case: '贵阳 特困 + 计生: 计生, listed first; the tie step names 医疗救助',
        sentence: '贵阳 二（二）1「计生“两户”…所需资金贵阳市由县级财政全额承担」',
        ...GY,
        facts: { paymentDate: on, categories: ['EXTREME_POVERTY', 'FAMILY_PLANNING'], region: '520102' },
        expected: { category: 'FAMILY_PLANNING', funding: ['COUNTY_FISCAL 320.00'] },
        step: { rule: 'tie', detail: expect.stringContaining('医疗救助资金 320.00') },
      },
      {
        case: '贵阳 特困 + 计生 in 贵安新区',
        sentence: '贵阳 二（二）1「贵安新区由本级财政全额承担」',
        ...GY,
        facts: { paymentDate: on, categories: ['EXTREME_POVERTY', 'FAMILY_PLANNING'], region: '520100-GA-01' },
        expected: { category: 'FAMILY_PLANNING', funding: ['GUIAN_FISCAL 320.00'] },
      },
      {
        case: '贵阳 低保 + 计生: the full sponsorship',
        sentence: '贵阳 二（二）1「执行全额资助政策」',
        ...GY,
        facts: { paymentDate: on, categories: ['DIBAO', 'FAMILY_PLANNING'], region: '520102' },
        expected: { category: 'FAMILY_PLANNING', mode: 'FULL_SPONSORSHIP', funding: ['COUNTY_FISCAL 320.00'] },
      },
      {
        case: '平利 重残 + 监测: 重残, listed first, from 医疗救助; the funding marked by the tie',
        sentence: '平利 三「只能按一种身份享受对应的参保资助政策」',
        tenant: '610926',
        year: 2022,
        facts: { paymentDate: '2021-11-01', categories: ['AT_RISK_UNSTABLE_LIFTED', 'SEVERE_DISABILITY'] },
        expected: {
          category: 'SEVERE_DISABILITY',
          reimbursement: '70.00',
          funding: ['MEDICAL_ASSISTANCE_FUND 70.00'],
          raw: { fundingShares: [expect.objectContaining({ inferred })] },
        },
        step: { rule: 'tie', inferred },
      },
      {
        case: '甘州 三类低保 + 返贫: 低保, and no tie step (same fund, same mode)',
        sentence: '甘州 四（二）3「严格按照就高不重复原则实行参保资助」',
        tenant: '620702',
        year: 2023,
        facts: { paymentDate: '2022-10-15', categories: ['RETURNED_TO_POVERTY', 'DIBAO_RURAL_3'] },
        expected: { category: 'DIBAO_RURAL_3', subsidy: '190.00' },
        noStep: 'tie',
      },
      {
        case: '肃南 低保边缘 + 已脱贫: 低保边缘, listed first',
        sentence: '肃南 二（三）3–4「资助标准为100元」「资助标准继续为 100 元」',
        tenant: '620721',
        year: 2024,
        facts: { paymentDate: '2023-10-15', categories: ['LIFTED_OUT_OF_POVERTY', 'DIBAO_MARGINAL'] },
        expected: { category: 'DIBAO_MARGINAL', due: '280.00' },
        noStep: 'tie',
      },
    ]),
  )('%s', (_name, row) => check(row));
});

describe('5. 平利 三（一）4 names only 脱贫不稳定 people in 监测范围', () => {
  const PL = { tenant: '610926', year: 2022 };
  const pl = '平利 三（一）4「脱贫不稳定且纳入民政和乡村振兴部门农村低收入人口监测范围的人员」';
  it.each(
    table([
      {
        case: '脱贫不稳定: 70.00 先缴后补, 45/10/15; the amount marked as the sum',
        sentence: pl,
        ...PL,
        facts: { paymentDate: '2021-11-01', categories: ['AT_RISK_UNSTABLE_LIFTED'] },
        expected: { subsidy: '70.00', mode: 'REIMBURSEMENT', funding: ['PROVINCIAL_FISCAL 45.00', 'CITY_FISCAL 10.00', 'COUNTY_FISCAL 15.00'] },
        step: { rule: 'assistance', inferred: expect.stringContaining('45 + 10 + 15') },
      },
      {
        case: '边缘易致贫户: nothing',
        sentence: `${pl}; 八（三）「“三类人员”(脱贫不稳定户、边缘易致贫户、突发严重困难户)」`,
        ...PL,
        facts: { paymentDate: '2021-11-01', categories: ['AT_RISK_MARGINAL'] },
        expected: { subsidy: '0.00', due: '320.00', category: null },
      },
      {
        case: '突发严重困难户: nothing',
        sentence: pl,
        ...PL,
        facts: { paymentDate: '2021-11-01', categories: ['AT_RISK_SUDDEN_HARDSHIP'] },
        expected: { subsidy: '0.00', category: null },
      },
      {
        case: 'the unsplit code is refused: which kind?',
        sentence: pl,
        ...PL,
        facts: { paymentDate: '2021-11-01', categories: ['AT_RISK_OF_POVERTY'] },
        expected: { code: 'BAD_USER_INPUT', details: { field: 'categories' }, message: expect.stringContaining('AT_RISK_MARGINAL') },
      },
      {
        case: '甘州 subsidises 易返贫致贫人口 as a whole: a kind takes that rule',
        sentence: '甘州 四（一）4「乡村振兴部门认定的易返贫致贫人口…资助标准为 150 元」',
        tenant: '620702',
        year: 2023,
        facts: { paymentDate: '2022-10-15', categories: ['AT_RISK_MARGINAL'] },
        expected: { subsidy: '150.00', mode: 'REIMBURSEMENT' },
        step: { rule: 'assistance', detail: expect.stringContaining('a kind of AT_RISK_OF_POVERTY') },
      },
      {
        case: '肃南 names the three kinds',
        sentence: '肃南 二（三）2「农村易返贫致贫人口（含脱贫不稳定户、边缘易致贫户、突发严重疾病困难户）…资助标准为250元」',
        tenant: '620721',
        year: 2024,
        facts: { paymentDate: '2023-10-15', categories: ['AT_RISK_SUDDEN_HARDSHIP'] },
        expected: { subsidy: '250.00', due: '130.00' },
      },
      {
        case: '山丹: a kind takes the unstated 监测对象 rule',
        sentence: '山丹 二「符合条件的监测对象（县乡村振兴局认定的易返贫致贫人口）…按照…（张医保发〔2021〕52号）规定实施参保资助」',
        tenant: '620725',
        year: 2022,
        facts: { paymentDate: '2021-08-01', categories: ['AT_RISK_MARGINAL'] },
        expected: { due: '320.00', unknowns: ['assistance.AT_RISK_OF_POVERTY.amount'] },
      },
    ]),
  )('%s', (_name, row) => check(row));
});

describe('6. 肃南 late payers who keep their assistance: the amount due after assistance', () => {
  const rows: Array<[string, QuoteFacts['categories'], QuoteFacts['circumstances'], string]> = [
    ['一类低保 二（四）「个人缴费 70 元」', ['DIBAO_RURAL_1'], [], '70.00'],
    ['特困 二（四）「个人无需缴费」', ['EXTREME_POVERTY'], [], '0.00'],
    ['三类低保 二（四）「个人缴费 130 元」', ['DIBAO_RURAL_3'], [], '130.00'],
    ['已脱贫 二（四）「个人缴费 280 元」', ['LIFTED_OUT_OF_POVERTY'], [], '280.00'],
    ['退役军人 二（五）「当年退出现役的军人」', [], ['VETERAN_DISCHARGED'], '380.00'],
  ];
  it.each(rows)('%s, paid 2024-03-01 (二（五）「可不受集中缴费期限制」): %s %s → %s', (_sentence, categories, circumstances, due) => {
    const facts = { paymentDate: '2024-03-01', categories, circumstances };
    expect(outcome('620721', 2024, facts)).toMatchObject({ due, late: true, cover: null, unknowns: ['lateEnrollment.coverStart'] });
    const settled = settle('620721', 2024, facts);
    expect(isRefusal(settled)).toBe(false);
    const unstated = (settled as Exclude<typeof settled, { code: string }>).coverageUnstated!;
    expect(unstated.details).toMatchObject({ missing: 'lateEnrollment.coverStart', amountDue: due });
    expect(unstated.message).toContain(`the amount due is ${due}`);
    if (due !== '380.00') expect(unstated.message).not.toContain('380.00');
  });
});

describe('7. an unstated amount does not abort a quote that a full sponsorship decides', () => {
  it.each(
    table([
      {
        case: '平利 计生 + 特困: fully sponsored; the 计生 amount named but not needed',
        sentence: '平利 三（一）1「由医疗救助资金给予全额资助」; 三（二）「继续按原政策进行补助」',
        tenant: '610926',
        year: 2022,
        facts: { paymentDate: '2021-11-01', categories: ['FAMILY_PLANNING', 'EXTREME_POVERTY'] },
        expected: {
          category: 'EXTREME_POVERTY',
          subsidy: '320.00',
          due: '0.00',
          mode: 'FULL_SPONSORSHIP',
          funding: ['MEDICAL_ASSISTANCE_FUND 320.00'],
          unknowns: [],
        },
        step: { rule: 'assistance-unstated', clause: expect.stringContaining('三（二）'), missing: 'assistance.FAMILY_PLANNING.amount' },
      },
      {
        case: '山丹 特困 + 低保: fully sponsored',
        sentence: '山丹 二「特困人员、孤儿实行全额资助政策…个人不再缴费」',
        tenant: '620725',
        year: 2022,
        facts: { paymentDate: '2021-08-01', categories: ['EXTREME_POVERTY', 'DIBAO'] },
        expected: { category: 'EXTREME_POVERTY', due: '0.00', funding: ['MEDICAL_ASSISTANCE_FUND 320.00'], unknowns: [] },
      },
      {
        case: '平利 计生 + 低保: how 计生 is paid is unstated too, so even the amount due is unknown',
        sentence: '平利 三（二）「按原政策」',
        tenant: '610926',
        year: 2022,
        facts: { paymentDate: '2021-11-01', categories: ['FAMILY_PLANNING', 'DIBAO'] },
        expected: {
          code: 'POLICY_NOT_CONFIGURED',
          details: { missing: 'assistance.FAMILY_PLANNING.amount', alsoMissing: ['assistance.FAMILY_PLANNING.mode'] },
        },
      },
    ]),
  )('%s', (_name, row) => check(row));

  it('山丹 低保 + 脱贫: settle() names both missing amounts (二「按照…（张医保发〔2021〕52号）规定」)', () => {
    expect(settle('620725', 2022, { paymentDate: '2021-08-01', categories: ['DIBAO', 'LIFTED_OUT_OF_POVERTY'] })).toMatchObject({
      code: 'POLICY_NOT_CONFIGURED',
      details: { missing: 'assistance.DIBAO.amount', alsoMissing: ['assistance.LIFTED_OUT_OF_POVERTY.amount'], amountDue: '320.00' },
    });
  });
});

describe('8. 平利 三（五）: 失联人员 may pay late', () => {
  const PL = { tenant: '610926', year: 2022 };
  const sentence = '三（五）「刑满释放人员、失联人员…参保缴费标准参照退役士兵规定执行」; 四（三）1「待遇享受期从居民医保缴费后的次月算起」';
  it.each(
    table([
      {
        case: 'paid in March: 320.00, covered from April',
        sentence,
        ...PL,
        facts: { paymentDate: '2022-03-15', circumstances: ['LOST_CONTACT'] },
        expected: { due: '320.00', late: true, cover: '2022-04-01..2022-12-31' },
        step: { rule: 'late-enrolment', clause: expect.stringContaining('失联人员') },
      },
      {
        case: 'paid in December: cover would start in 2023',
        sentence,
        ...PL,
        facts: { paymentDate: '2022-12-05', circumstances: ['LOST_CONTACT'] },
        expected: { code: 'ENROLLMENT_CLOSED', message: expect.stringContaining('2023-01-01') },
      },
      {
        case: 'a 低保 person among them loses the subsidy',
        sentence: '四（三）2「未在集中缴费期参保的人员，不享受个人缴费分类资助政策」',
        ...PL,
        facts: { paymentDate: '2022-03-15', circumstances: ['LOST_CONTACT'], categories: ['DIBAO'] },
        expected: { subsidy: '0.00', due: '320.00', cover: '2022-04-01..2022-12-31' },
      },
    ]),
  )('%s', (_name, row) => check(row));
});

describe('9. 肃南 二（五）: a late list that ends in 等', () => {
  const SN = { tenant: '620721', year: 2024 };
  const list =
    '二（五）「低收入人口（含特困人员、孤儿、城乡低保对象、农村返贫致贫人口、纳入监测范围的农村易返贫致贫人口、已脱贫人口等）、符合条件的职工医保断保人员等特殊人群」';
  it.each(
    table([
      {
        case: '低保边缘 is assisted (二（三）3) but not named: neither allowed nor refused',
        sentence: list,
        ...SN,
        facts: { paymentDate: '2024-03-01', categories: ['DIBAO_MARGINAL'] },
        expected: { code: 'POLICY_NOT_CONFIGURED', details: { missing: 'lateEnrollment.categories.DIBAO_MARGINAL', inferred } },
      },
      {
        case: '刑满释放 is not named',
        sentence: list,
        ...SN,
        facts: { paymentDate: '2024-03-01', circumstances: ['RELEASED_FROM_PRISON'] },
        expected: { code: 'POLICY_NOT_CONFIGURED', details: { missing: 'lateEnrollment.circumstances.RELEASED_FROM_PRISON' } },
      },
      {
        case: 'someone in no list is held to the window (marked)',
        sentence: list,
        ...SN,
        facts: { paymentDate: '2024-03-01' },
        expected: { code: 'ENROLLMENT_CLOSED', details: { rule: 'late-enrolment', inferred } },
      },
      {
        case: '低保边缘 in the window: 280.00 as before',
        sentence: '二（四）「城乡低保边缘家庭成员和已脱贫人口个人缴费 280 元」',
        ...SN,
        facts: { paymentDate: '2023-10-01', categories: ['DIBAO_MARGINAL'] },
        expected: { due: '280.00', late: false },
      },
      {
        case: 'a lapsed employee is let through; "符合条件的" is marked',
        sentence: '二（五）「符合条件的职工医保断保人员」',
        ...SN,
        facts: { paymentDate: '2024-03-01', circumstances: ['EMPLOYEE_INSURANCE_LAPSED'] },
        expected: { due: '380.00', late: true },
        step: { rule: 'late-enrolment', inferred: expect.stringContaining('符合条件的') },
      },
    ]),
  )('%s', (_name, row) => check(row));
});

describe('10. 平利 四（二）2（2）: the next-year newborn rule and the 90-day count', () => {
  const PL = { tenant: '610926', year: 2022 };
  const under90 = '四（二）2（2）「新生儿出生日期距离当年12月31日不足90天…如享受出生次年医保待遇，须在出生后90天内缴纳出生次年医疗保险费」';
  const birthYear = '四（二）2（2）「如享受出生当年医保待遇，须在出生后90天内缴纳出生当年医疗保险费，待遇享受期为出生之日至当年12月31日」';
  it.each(
    table([
      {
        case: 'born 94 days before 12-31, paid after the window: not the next-year rule',
        sentence: under90,
        ...PL,
        facts: { paymentDate: '2021-12-27', birthDate: '2021-09-28' },
        expected: { code: 'ENROLLMENT_CLOSED', details: { rule: 'late-enrolment' }, message: expect.stringContaining('94 days') },
      },
      {
        case: 'born 90 days before 12-31: 90 is not 不足90',
        sentence: under90,
        ...PL,
        facts: { paymentDate: '2021-12-27', birthDate: '2021-10-02' },
        expected: { code: 'ENROLLMENT_CLOSED', message: expect.stringContaining('needs fewer than 90') },
      },
      {
        case: 'born 89 days before 12-31: the whole next year',
        sentence: under90,
        ...PL,
        facts: { paymentDate: '2021-12-27', birthDate: '2021-10-03' },
        expected: { due: '320.00', late: true, cover: '2022-01-01..2022-12-31' },
        step: { rule: 'newborn', inferred },
      },
      {
        case: 'paid on the 90th day (born + 90)',
        sentence: `${under90}; 民法典第二百零一条`,
        ...PL,
        facts: { paymentDate: '2022-01-01', birthDate: '2021-10-03' },
        expected: { cover: '2022-01-01..2022-12-31' },
      },
      {
        case: 'paid on the 91st day',
        sentence: '四（二）2（2）「未在90天内缴纳相应年度医疗保险费，不能享受对应年度的医保待遇」',
        ...PL,
        facts: { paymentDate: '2022-01-02', birthDate: '2021-10-03' },
        expected: { code: 'ENROLLMENT_CLOSED', details: { rule: 'newborn', clause: expect.stringContaining('四（二）2（2）') } },
      },
      {
        case: 'paid in the window: the ordinary year, unchanged',
        sentence: '四「集中缴费期原则上为 10 月 15 日至 12 月 25 日」',
        ...PL,
        facts: { paymentDate: '2021-12-01', birthDate: '2021-11-20' },
        expected: { late: false, cover: '2022-01-01..2022-12-31' },
      },
      {
        case: 'born 2022-10-05, buying 2022 in January 2023, within 90 days: from birth',
        sentence: birthYear,
        ...PL,
        facts: { paymentDate: '2023-01-03', birthDate: '2022-10-05' },
        expected: { due: '320.00', late: true, cover: '2022-10-05..2022-12-31' },
      },
      {
        case: 'a day after its 90 days',
        sentence: birthYear,
        ...PL,
        facts: { paymentDate: '2023-01-04', birthDate: '2022-10-05' },
        expected: { code: 'ENROLLMENT_CLOSED', details: { rule: 'newborn' } },
      },
      {
        case: 'born 2022-09-01 (121 days before 12-31): the year is over',
        sentence: '四（二）2（1）「当年内可按照其他特殊人员缴费途径缴费参保」',
        ...PL,
        facts: { paymentDate: '2023-01-02', birthDate: '2022-09-01' },
        expected: { code: 'ENROLLMENT_CLOSED', details: { rule: 'coverage' } },
      },
      {
        case: 'born 2022-03-10, paid on the 90th day: from birth, the count marked',
        sentence: '四（二）2（1）「新生儿出生90天内…待遇享受期为出生之日起」',
        ...PL,
        facts: { paymentDate: '2022-06-08', birthDate: '2022-03-10' },
        expected: { cover: '2022-03-10..2022-12-31' },
        step: { rule: 'newborn', inferred: expect.stringContaining('第二百零一条') },
      },
      {
        case: 'born 2022-03-10, paid on the 91st day: from the next month',
        sentence: '四（二）2（1）「缴费完成后，待遇享受期为出生当年缴费的次月起」',
        ...PL,
        facts: { paymentDate: '2022-06-09', birthDate: '2022-03-10' },
        expected: { cover: '2022-07-01..2022-12-31' },
      },
    ]),
  )('%s', (_name, row) => check(row));
});

describe('12. 甘州: no late enrolment is a reading, and leaving employee insurance is unstated', () => {
  const GZ = { tenant: '620702', year: 2023 };
  it.each(
    table([
      {
        case: 'after 12-31: closed, the reading marked',
        sentence: '一「参保缴费截止日期为 2022 年 12 月 31 日」',
        ...GZ,
        facts: { paymentDate: '2023-01-05' },
        expected: { code: 'ENROLLMENT_CLOSED', details: { inferred: expect.stringContaining('截止日期') } },
      },
      {
        case: 'leaving employee insurance: no gap wanted, no rule stated',
        sentence: '八 2「做好职工转居民…医保关系转移接续工作，杜绝发生参保空档期」',
        ...GZ,
        facts: { paymentDate: '2023-03-01', circumstances: ['EMPLOYEE_INSURANCE_LAPSED'] },
        expected: { code: 'POLICY_NOT_CONFIGURED', details: { missing: 'lateEnrollment.circumstances' }, message: expect.stringContaining('八') },
      },
      {
        case: 'veterans: referred to 甘医保发〔2021〕55号 (unchanged)',
        sentence: '五 5「退役军人…按照…（甘医保发〔2021〕55号）文件精神执行」',
        ...GZ,
        facts: { paymentDate: '2023-01-05', circumstances: ['VETERAN_DISCHARGED'] },
        expected: { code: 'POLICY_NOT_CONFIGURED', details: { missing: 'lateEnrollment.circumstances', refersTo: '甘医保发〔2021〕55号' } },
      },
    ]),
  )('%s', (_name, row) => check(row));
});

describe('15. 平利 students: "自缴费完成之日起享受"', () => {
  const PL = { tenant: '610926', year: 2022 };
  const sentence = '四（二）3（1）「统一在学校所在地参加 2022 年度居民医保，自缴费完成之日起享受医保待遇」';
  it.each(
    table([
      {
        case: 'paid 2021-11-01: from that day, marked',
        sentence,
        ...PL,
        facts: { paymentDate: '2021-11-01', circumstances: ['UNIVERSITY_STUDENT'] },
        expected: { cover: '2021-11-01..2022-12-31', late: false },
        step: { rule: 'student-cover', inferred },
      },
      {
        case: 'paid after 12-25: no deadline for students is stated',
        sentence: `${sentence}; 四（一）「一般参保人员须在集中缴费期内缴纳」`,
        ...PL,
        facts: { paymentDate: '2022-01-10', circumstances: ['UNIVERSITY_STUDENT'] },
        expected: { code: 'POLICY_NOT_CONFIGURED', details: { missing: 'students.paymentDeadline', amountDue: '320.00' } },
      },
      {
        case: 'no circumstance, after 12-25: closed (unchanged)',
        sentence: '四（一）「超过集中缴费期未参保缴费的，不得享受参保年度的居民医保待遇」',
        ...PL,
        facts: { paymentDate: '2022-01-10' },
        expected: { code: 'ENROLLMENT_CLOSED' },
      },
    ]),
  )('%s', (_name, row) => check(row));
});

describe('16. rules left out, where a quote shows them (16b, 16e, 16h)', () => {
  const PL = { tenant: '610926', year: 2022 };
  const wrong = '平利 七（三）「以缴费地办理退费、拟参保地重新缴费的方式办理，待遇享受期从首次缴费时间起算」';
  it.each(
    table([
      {
        case: '甘州: an assisted student enrols at the hukou place; the amounts stand',
        sentence: '甘州 五 2「大中专学生中的特困人员、低保对象…参加户籍地居民医疗保险」',
        tenant: '620702',
        year: 2023,
        facts: { paymentDate: '2022-10-15', circumstances: ['UNIVERSITY_STUDENT'], categories: ['DIBAO_RURAL_1'] },
        expected: { due: '350.00', reimbursement: '250.00' },
        step: { rule: 'student-hukou', clause: expect.stringContaining('五、参保登记 2') },
      },
      {
        case: '贵阳: an assisted student may choose the hukou place',
        sentence: '贵阳 四（三）「若为享受政府资助参保的特殊困难学生…可以选择在户籍地参保」',
        tenant: '520100',
        year: 2022,
        facts: { paymentDate: '2022-02-01', circumstances: ['UNIVERSITY_STUDENT'], categories: ['DIBAO'], region: '520102' },
        expected: { subsidy: '320.00', due: '0.00' },
        step: { rule: 'student-hukou-option', clause: expect.stringContaining('四（三）') },
      },
      {
        case: '错缴异地: the first payment in the window decides',
        sentence: wrong,
        ...PL,
        facts: { paymentDate: '2022-02-10', wrongLocationPaidOn: '2021-11-01' },
        expected: { due: '320.00', late: false, cover: '2022-01-01..2022-12-31' },
      },
      {
        case: '错缴异地 with 低保: the subsidy kept, marked',
        sentence: `${wrong}; 四（三）2「未在集中缴费期参保的人员，不享受…分类资助」`,
        ...PL,
        facts: { paymentDate: '2022-02-10', wrongLocationPaidOn: '2021-11-01', categories: ['DIBAO'] },
        expected: { reimbursement: '160.00' },
        step: { rule: 'wrong-location', inferred },
      },
      {
        case: '错缴异地 late, as a veteran: cover from the month after the first payment',
        sentence: wrong,
        ...PL,
        facts: { paymentDate: '2022-02-10', wrongLocationPaidOn: '2022-01-20', circumstances: ['VETERAN_DISCHARGED'] },
        expected: { cover: '2022-02-01..2022-12-31' },
      },
      {
        case: 'a first payment after the second is bad input',
        sentence: wrong,
        ...PL,
        facts: { paymentDate: '2022-02-10', wrongLocationPaidOn: '2022-03-01' },
        expected: { code: 'BAD_USER_INPUT', details: { field: 'wrongLocationPaidOn' } },
      },
      {
        case: '甘州 says nothing of it',
        sentence: '甘州 七 (no such sentence)',
        tenant: '620702',
        year: 2023,
        facts: { paymentDate: '2022-10-10', wrongLocationPaidOn: '2022-10-01' },
        expected: { code: 'POLICY_NOT_CONFIGURED', details: { missing: 'refunds.wrongLocation' } },
      },
    ]),
  )('%s', (_name, row) => check(row));
});

describe('17. the year of cover each label means; a split that needs the region', () => {
  it.each(
    table([
      {
        case: '山丹: "2021年度" is cover 2022, an inference, said first',
        sentence: '山丹 一（二）「2021年度…个人集中缴费于7月1日开始，2021年12月31日结束」; 三（三）「待遇享受期开始后…不再退回」',
        tenant: '620725',
        year: 2022,
        facts: { paymentDate: '2021-08-01' },
        expected: { raw: { coverageYear: 2022, noticeLabel: '2021年度', coverageYearSource: { inferred } } },
        step: { rule: 'coverage-year', inferred },
      },
      {
        case: '甘州: "2022" is cover 2023, stated',
        sentence: '甘州 一「当年缴费次年享受…待遇享受期为 2023 年 1 月 1 日至 12 月 31 日」',
        tenant: '620702',
        year: 2023,
        facts: { paymentDate: '2022-10-15' },
        expected: { raw: { coverageYear: 2023, noticeLabel: '2022', coverageYearSource: { clause: expect.stringContaining('一'), inferred: null } } },
      },
      {
        case: '贵阳 低保 without a region: the shares fall short, and why',
        sentence: '贵阳 二（一）2「余下部分贵阳市由市、县财政按 4:6 比例配套资助，贵安新区由本级财政全部配套资助」',
        tenant: '520100',
        year: 2022,
        facts: { paymentDate: '2022-02-01', categories: ['DIBAO'] },
        expected: { subsidy: '320.00', funding: [], fundingStatus: 'NEEDS_REGION', fundingNote: expect.stringMatching(/贵阳市.*贵安新区/) },
      },
      {
        case: '贵阳 低保 with a region: complete',
        sentence: '贵阳 二（一）2',
        tenant: '520100',
        year: 2022,
        facts: { paymentDate: '2022-02-01', categories: ['DIBAO'], region: '520102' },
        expected: { fundingStatus: 'COMPLETE', funding: ['MEDICAL_ASSISTANCE_FUND 140.00', 'CITY_FISCAL 72.00', 'COUNTY_FISCAL 108.00'] },
      },
      {
        case: '贵阳 特困 without a region: one payer everywhere',
        sentence: '贵阳 二（二）2「所需资金由医疗救助基金全额承担」',
        tenant: '520100',
        year: 2022,
        facts: { paymentDate: '2022-02-01', categories: ['EXTREME_POVERTY'] },
        expected: { fundingStatus: 'COMPLETE', funding: ['MEDICAL_ASSISTANCE_FUND 320.00'] },
      },
      {
        case: '肃南 names no payer',
        sentence: '肃南 二（三）2 (no payer named)',
        tenant: '620721',
        year: 2024,
        facts: { paymentDate: '2023-10-08', categories: ['DIBAO_RURAL_1'] },
        expected: { fundingStatus: 'NOT_STATED', funding: [] },
      },
      {
        case: 'no subsidy',
        sentence: '甘州 三「個人繳費標準統一為每人 350 元」',
        tenant: '620702',
        year: 2023,
        facts: { paymentDate: '2022-10-15' },
        expected: { fundingStatus: 'NO_SUBSIDY', fundingNote: null },
      },
    ]),
  )('%s', (_name, row) => check(row));

  it("every answer says its year of cover first (山丹's inferred)", () => {
    expect((outcome('620725', 2022, { paymentDate: '2021-08-01' }) as Summary).steps[0]).toMatchObject({
      rule: 'coverage-year',
      inferred,
      detail: expect.stringContaining('2021年度'),
    });
  });

  it('the shares of a COMPLETE answer add up to the subsidy', () => {
    const q = outcome('520100', 2022, { paymentDate: '2022-02-01', categories: ['DIBAO'], region: '520102' }) as Summary;
    expect(q.raw.fundingShares.reduce((sum, s) => sum + s.amount, 0)).toBe(q.raw.subsidy);
  });
});
