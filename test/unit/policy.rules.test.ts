/**
 * Issue 22, 16: the rules left out that are not a quote's business — assistance for people insured
 * elsewhere (16a), who may enrol (16c, 16f), which township manages a unit's people (16d) — and the
 * graduates' rule kept only for the record (16g). Each row quotes the notice's sentence.
 */
import { parseMoney } from '../../src/common/money';
import type { EligibilityFacts } from '../../src/policy-engine/rules';
import type { AssistanceCategory } from '../../src/policy-data/vocabulary';
import { attempt, engine, policyOf } from '../helpers/policy';

describe('16a. assistance for people insured in another pool, at the home standard', () => {
  const rows: Array<[string, string, number, AssistanceCategory[], string | null, Record<string, unknown>]> = [
    // [sentence, tenant, year, categories, contributionThere, expected]
    [
      '甘州 四（二）3「参加异地城乡居民基本医保的参保资助对象，按我区医疗救助参保资助标准落实参保资助政策」',
      '620702',
      2023,
      ['DIBAO_RURAL_1'],
      null,
      { amount: 25000, mode: 'REIMBURSEMENT', inferred: expect.any(String), clause: expect.stringContaining('四（二）3') },
    ],
    [
      '甘州 四（一）1「特困人员…实行全额资助」: the whole contribution owed there',
      '620702',
      2023,
      ['EXTREME_POVERTY'],
      '380.00',
      { amount: 38000, category: 'EXTREME_POVERTY' },
    ],
    [
      '甘州: a full subsidy needs the contribution owed there',
      '620702',
      2023,
      ['EXTREME_POVERTY'],
      null,
      { code: 'BAD_USER_INPUT', details: { field: 'contributionThere' } },
    ],
    [
      '肃南 二（三）「由户籍地医保部门按照户籍地医疗救助参保资助标准落实资助政策」',
      '620721',
      2024,
      ['DIBAO_RURAL_3'],
      null,
      { amount: 25000, clause: expect.stringContaining('二（三）') },
    ],
    ['平利 says nothing of it', '610926', 2022, ['DIBAO'], null, { code: 'POLICY_NOT_CONFIGURED', details: { missing: 'assistance.insuredElsewhere' } }],
  ];
  it.each(rows)('%s', (_sentence, tenant, year, categories, there, expected) => {
    const { tenant: t, policy } = policyOf(tenant, year);
    expect(attempt(() => engine.assistanceWhenInsuredElsewhere(t, policy, categories, there === null ? null : parseMoney(there)))).toMatchObject(expected);
  });
});

describe('16c, 16f. who may enrol', () => {
  const onDate = '2021-11-01';
  const rows: Array<[string, string, number, Omit<EligibilityFacts, 'onDate'>, Record<string, unknown>]> = [
    [
      '肃南 二（一）「非肃南户籍居民可持居住证参保」',
      '620721',
      2024,
      { hukouHere: false, residencePermit: true },
      { allowed: true, clause: expect.stringContaining('居住证') },
    ],
    [
      '肃南 二（一）「常住肃南户籍不在肃南的人员」',
      '620721',
      2024,
      { hukouHere: false, residesHere: true },
      { allowed: true, clause: expect.stringContaining('常住肃南') },
    ],
    [
      '肃南 二（一）: neither hukou, residence nor permit',
      '620721',
      2024,
      { hukouHere: false, residesHere: false, residencePermit: false },
      { code: 'ENROLLMENT_CLOSED', details: { rule: 'eligibility' } },
    ],
    ['甘州 二 3「在甘州區取得居住證且未在甘州區外參保的居民」', '620702', 2023, { hukouHere: false, residencePermit: true }, { allowed: true }],
    [
      '平利 二（一）「12周岁以下少年儿童,其监护人具有我县城乡户籍或居住证可视为取得居住证」: 11 周岁',
      '610926',
      2022,
      { hukouHere: false, guardianHukouOrPermit: true, birthDate: '2009-11-02' },
      { allowed: true, inferred: null },
    ],
    [
      '平利 二（一）: 12 周岁 is 以下 (民法典第一千二百五十九条)',
      '610926',
      2022,
      { hukouHere: false, guardianHukouOrPermit: true, birthDate: '2008-11-02' },
      { allowed: true, inferred: expect.stringContaining('第一千二百五十九条') },
    ],
    [
      '平利 二（一）: 13 周岁 that day',
      '610926',
      2022,
      { hukouHere: false, guardianHukouOrPermit: true, birthDate: '2008-11-01' },
      { code: 'ENROLLMENT_CLOSED', details: { clause: expect.stringContaining('二（一）') } },
    ],
    ['贵阳 sets no condition', '520100', 2022, { hukouHere: false }, { allowed: true, clause: null }],
  ];
  it.each(rows)('%s', (_sentence, tenant, year, facts, expected) => {
    const { policy } = policyOf(tenant, year);
    expect(attempt(() => engine.eligibility(policy, { ...facts, onDate }))).toMatchObject(expected);
  });
});

describe('16d. 肃南 三（三）: units managed by a township', () => {
  const rows: Array<[string, string, string | null, Record<string, unknown> | string]> = [
    ['「户籍在康乐的由康乐镇管理」', '甘肃省国营宝瓶河牧场', '620721-04', '620721-04'],
    ['「户籍在红湾寺镇的由红湾寺镇管理」', '甘肃省国营宝瓶河牧场', '620721-08', '620721-08'],
    [
      'a hukou in 皇城镇: not provided for',
      '甘肃省国营宝瓶河牧场',
      '620721-01',
      { code: 'POLICY_NOT_CONFIGURED', details: { missing: 'enrolment.units.甘肃省国营宝瓶河牧场' } },
    ],
    ['「甘肃省绵羊繁育技术推广站参保人员由皇城镇属地管理」', '甘肃省绵羊繁育技术推广站', null, '620721-01'],
    ['a unit the notice does not name', '山丹马场', null, { code: 'BAD_USER_INPUT' }],
  ];
  it.each(rows)('%s', (_sentence, unit, hukou, expected) => {
    const { tenant, policy } = policyOf('620721', 2024);
    const answer = attempt(() => engine.regionForUnitMember(tenant, policy, unit, hukou));
    if (typeof expected === 'string') expect(answer).toBe(expected);
    else expect(answer).toMatchObject(expected);
  });
});

describe("16g. 平利 四（二）3（3）: the graduates' rule concerns 2021 and changes no 2022 quote", () => {
  it('is recorded with its year and clause', () => {
    expect(policyOf('610926', 2022).policy.data.students?.graduates).toMatchObject({
      coverageYear: 2021,
      coveredTo: '2021-12-31',
      clause: expect.stringContaining('四（二）3（3）'),
    });
  });
});
