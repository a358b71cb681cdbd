/**
 * Answer what is known (issue 20, the engine's side): a value the notice leaves unstated blocks only what
 * depends on it. The quote answers the amounts the notice states and lists, machine-readably, each value
 * it does not (the policy path, the fields that wait for it, the clause that refers elsewhere and the
 * document referred to); a Settlement carries the same list for the payment code. Nothing is guessed.
 */
import { formatMoney } from '../../src/common/money';
import { presentQuote } from '../../src/domains/public-policy/public-policy.presenters';
import type { Settlement } from '../../src/policy-engine/policy-engine';
import { attempt, engine, inEnglish, isRefusal, outcome, policyOf, type Refusal, settle, summarise, type Summary } from '../helpers/policy';

const quoted = (tenant: string, year: number, facts: Parameters<typeof outcome>[2]) => {
  const q = outcome(tenant, year, facts);
  expect(isRefusal(q)).toBe(false);
  return q as Summary;
};

describe('cover unstated: the amounts stand, coverage is null', () => {
  it('贵阳 三「未在集中征缴期内缴纳…采取零星方式缴费，原则上按 900 元标准缴纳」: 900.00, cover sent to 黔医保发〔2021〕64号', () => {
    const q = quoted('520100', 2022, { paymentDate: '2022-04-10' });
    expect(q).toMatchObject({ due: '900.00', net: '900.00', late: true, cover: null });
    expect(q.raw.unknowns).toEqual([
      {
        path: 'lateEnrollment.coverStart',
        affects: ['coverage'],
        message: {
          zh: '筑医保通〔2021〕34号未写明集中缴费期后缴费的待遇起始时间（三 "未在集中征缴期内缴纳 2022 年城乡居民医保费的，采取零星方式缴费"）；通知规定未尽事宜按黔医保发〔2021〕64号执行',
          en: expect.stringContaining('does not state when cover starts'),
        },
        clause: expect.stringContaining('未尽事宜'),
        refersTo: '黔医保发〔2021〕64号',
      },
    ]);
    expect(q.steps.at(-1)).toMatchObject({
      rule: 'coverage-unstated',
      missing: 'lateEnrollment.coverStart',
      clause: expect.stringContaining('黔医保发〔2021〕64 号'),
    });
    expect(presentQuote(inEnglish, q.raw).complete).toBe(false);
  });

  it("肃南 三（一）「按照…（甘医保发〔2020〕41号）规定，在出生3个月内…参保缴费」: the newborn's cover refers to 41号", () => {
    const q = quoted('620721', 2024, { paymentDate: '2024-05-01', birthDate: '2024-02-01' });
    expect(q.raw.unknowns).toEqual([
      expect.objectContaining({ path: 'newborn.coverStart', clause: expect.stringContaining('三（一）'), refersTo: '甘医保发〔2020〕41号' }),
    ]);
  });

  it('the Settlement carries the same list, and the error that says what is due', () => {
    const s = settle('520100', 2022, { paymentDate: '2022-04-10' }) as Settlement;
    expect(s.coverage).toBeNull();
    expect(s.unknowns.map((u) => u.path)).toEqual(['lateEnrollment.coverStart']);
    expect(s.coverageUnstated?.details).toMatchObject({ missing: 'lateEnrollment.coverStart', amountDue: '900.00', refersTo: '黔医保发〔2021〕64号' });
  });
});

describe('a subsidy unstated: what is due is still known where every candidate is 先缴后补', () => {
  it('山丹 二「低保对象…在2021年参保缴费后，县医保局于次月按照…（张医保发〔2021〕52号）规定实施参保资助」: 320.00 now, the reimbursement waits', () => {
    const q = quoted('620725', 2022, { paymentDate: '2021-08-01', categories: ['DIBAO'] });
    expect(q).toMatchObject({
      due: '320.00',
      mode: 'REIMBURSEMENT',
      category: 'DIBAO',
      subsidy: '0.00',
      reimbursement: '0.00',
      net: '320.00',
      month: '2021-09',
      fundingStatus: 'SUBSIDY_UNKNOWN',
      cover: '2022-01-01..2022-12-31',
    });
    expect(q.raw.unknowns).toEqual([
      {
        path: 'assistance.DIBAO.amount',
        affects: ['subsidy', 'reimbursement', 'netCost', 'fundingShares'],
        message: { zh: expect.stringContaining('未写明低保对象的资助标准（通知规定按张医保发〔2021〕52号执行）'), en: expect.stringContaining('DIBAO') },
        clause: expect.stringContaining('张医保发〔2021〕52号'),
        refersTo: '张医保发〔2021〕52号',
      },
    ]);
    expect(q.steps).toContainEqual(expect.objectContaining({ rule: 'assistance-unstated', missing: 'assistance.DIBAO.amount' }));
    expect(presentQuote(inEnglish, q.raw).complete).toBe(false);
  });

  it('山丹 低保 + 脱贫: neither amount, nor which applies (the notice states no rule for several categories)', () => {
    const q = quoted('620725', 2022, { paymentDate: '2021-08-01', categories: ['DIBAO', 'LIFTED_OUT_OF_POVERTY'] });
    expect(q).toMatchObject({ due: '320.00', category: null, mode: 'REIMBURSEMENT' });
    expect(q.raw.unknowns.map((u) => u.path)).toEqual(['assistance.DIBAO.amount', 'assistance.LIFTED_OUT_OF_POVERTY.amount', 'assistance.multipleCategories']);
    expect(q.raw.unknowns[0].affects).toContain('appliedCategory');
  });

  it('settle() refuses it by default, with the amount due, until enrolment can hold the unknown part', () => {
    expect(settle('620725', 2022, { paymentDate: '2021-08-01', categories: ['DIBAO'] })).toMatchObject({
      code: 'POLICY_NOT_CONFIGURED',
      details: { missing: 'assistance.DIBAO.amount', amountDue: '320.00' },
    });
    const answered = settle('620725', 2022, { paymentDate: '2021-08-01', categories: ['DIBAO'] }, { unknownSubsidy: 'answer' }) as Settlement;
    expect([formatMoney(answered.amountDue), answered.unknowns.map((u) => u.path)]).toEqual(['320.00', ['assistance.DIBAO.amount']]);
  });

  it('平利 三（二）「对农村原计划生育家庭(户)参保个人缴费继续按原政策进行补助」: nor how it is paid, so nothing is due for certain', () => {
    expect(outcome('610926', 2022, { paymentDate: '2021-11-01', categories: ['FAMILY_PLANNING'] })).toMatchObject({
      code: 'POLICY_NOT_CONFIGURED',
      details: { missing: 'assistance.FAMILY_PLANNING.amount', alsoMissing: ['assistance.FAMILY_PLANNING.mode'] },
    });
  });

  it('平利 计生 + 特困: the full sponsorship decides, the quote is complete', () => {
    const q = quoted('610926', 2022, { paymentDate: '2021-11-01', categories: ['FAMILY_PLANNING', 'EXTREME_POVERTY'] });
    expect(q).toMatchObject({ due: '0.00', mode: 'FULL_SPONSORSHIP', unknowns: [] });
    expect(presentQuote(inEnglish, q.raw).complete).toBe(true);
  });

  it('an identity change still refuses to guess (assistanceFor)', () => {
    const { tenant, policy } = policyOf('620725', 2022);
    expect(() => engine.assistanceFor(tenant, policy, ['DIBAO'], null)).toThrow(/张医保发〔2021〕52号/);
    expect(engine.assistanceFor(tenant, policy, ['DIBAO', 'EXTREME_POVERTY'], null)).toMatchObject({ category: 'EXTREME_POVERTY', amount: 32000 });
  });
});

describe('a late enrolment where the notice does not say whether assistance still applies', () => {
  /** A year as its tenant file has it, without `lateEnrollment.assistance`; `lateForAll` lets everyone pay late (made up). */
  const silentOnLateAssistance = (tenant: string, year: number, lateForAll: boolean) => {
    const { tenant: t, policy } = policyOf(tenant, year);
    const { assistance: _, ...late } = policy.data.lateEnrollment!;
    const general = lateForAll ? { ...late.general!, allowed: true } : late.general;
    return { t, policy: { ...policy, data: { ...policy.data, lateEnrollment: { ...late, general } } } };
  };
  const lateQuote = (tenant: string, year: number, lateForAll: boolean, facts: Parameters<typeof outcome>[2]) => {
    const { t, policy } = silentOnLateAssistance(tenant, year, lateForAll);
    return attempt(() => summarise(engine.quote(t, policy, facts)));
  };

  it('甘州 一类低保, 先缴后补 (四（二）2): the standard is due either way; whether anything is paid back waits', () => {
    const q = lateQuote('620702', 2023, true, { paymentDate: '2023-02-01', categories: ['DIBAO_RURAL_1'] }) as Summary;
    expect(q).toMatchObject({
      due: '350.00',
      mode: 'REIMBURSEMENT',
      category: 'DIBAO_RURAL_1',
      subsidy: '0.00',
      reimbursement: '0.00',
      net: '350.00',
      month: null,
      late: true,
      fundingStatus: 'SUBSIDY_UNKNOWN',
    });
    expect(q.raw.unknowns[0]).toEqual({
      path: 'lateEnrollment.assistance',
      affects: ['subsidy', 'reimbursement', 'netCost', 'fundingShares'],
      message: { zh: expect.stringContaining('未明确逾期参保能否享受参保资助'), en: expect.stringContaining('DIBAO_RURAL_1') },
      clause: expect.stringContaining('一、缴费期限'),
      refersTo: null,
    });
    // Cover after the window is unstated too: each unknown blocks only its own fields.
    expect(q.unknowns).toEqual(['lateEnrollment.assistance', 'lateEnrollment.coverStart']);
    expect(q.steps).toContainEqual(expect.objectContaining({ rule: 'assistance-unstated', missing: 'lateEnrollment.assistance', amount: null }));
  });

  it('a class whose own amount is unstated as well: each value is listed, so stating one does not close the other', () => {
    const { t, policy } = silentOnLateAssistance('620702', 2023, true);
    const rules = policy.data.assistance!.rules.map((r) => (r.category === 'DIBAO_RURAL_1' ? { ...r, amount: undefined } : r));
    const amountUnstated = { ...policy, data: { ...policy.data, assistance: { ...policy.data.assistance!, rules } } };
    const q = attempt(() => summarise(engine.quote(t, amountUnstated, { paymentDate: '2023-02-01', categories: ['DIBAO_RURAL_1'] }))) as Summary;
    expect(q).toMatchObject({ due: '350.00', mode: 'REIMBURSEMENT', fundingStatus: 'SUBSIDY_UNKNOWN' });
    expect(q.unknowns).toEqual(['lateEnrollment.assistance', 'assistance.DIBAO_RURAL_1.amount', 'lateEnrollment.coverStart']);
    expect(attempt(() => engine.settle(t, amountUnstated, { paymentDate: '2023-02-01', categories: ['DIBAO_RURAL_1'] }))).toMatchObject({
      code: 'POLICY_NOT_CONFIGURED',
      details: { missing: 'lateEnrollment.assistance', alsoMissing: ['assistance.DIBAO_RURAL_1.amount'], amountDue: '350.00' },
    });
  });

  it('two 先缴后补 classes: which one applies waits as well', () => {
    const q = lateQuote('620702', 2023, true, { paymentDate: '2023-02-01', categories: ['DIBAO_RURAL_1', 'DIBAO_RURAL_3'] }) as Summary;
    expect(q).toMatchObject({ due: '350.00', category: null, mode: 'REIMBURSEMENT' });
    expect(q.raw.unknowns[0].affects).toContain('appliedCategory');
  });

  it('特困 is sponsored in full (四（二）1): what is due depends on it, so POLICY_NOT_CONFIGURED names it', () => {
    expect(lateQuote('620702', 2023, true, { paymentDate: '2023-02-01', categories: ['EXTREME_POVERTY'] })).toMatchObject({
      code: 'POLICY_NOT_CONFIGURED',
      details: { missing: 'lateEnrollment.assistance', clause: expect.stringContaining('一、缴费期限') },
    });
  });

  it('肃南 一类低保 is collected net (二（三）): refused, naming the value, not the enrolment', () => {
    const refusal = lateQuote('620721', 2024, false, { paymentDate: '2024-05-01', categories: ['DIBAO_RURAL_1'] });
    expect(refusal).toMatchObject({ code: 'POLICY_NOT_CONFIGURED', details: { missing: 'lateEnrollment.assistance' } });
    expect((refusal as Refusal).details).not.toHaveProperty('amountDue');
  });

  it('settle() refuses it by default, with the amount due', () => {
    const { t, policy } = silentOnLateAssistance('620702', 2023, true);
    expect(attempt(() => engine.settle(t, policy, { paymentDate: '2023-02-01', categories: ['DIBAO_RURAL_1'] }))).toMatchObject({
      code: 'POLICY_NOT_CONFIGURED',
      details: { missing: 'lateEnrollment.assistance', amountDue: '350.00' },
    });
  });

  it('someone without a category the notice assists is answered as before', () => {
    expect(lateQuote('620702', 2023, true, { paymentDate: '2023-02-01' })).toMatchObject({
      due: '350.00',
      fundingStatus: 'NO_SUBSIDY',
      unknowns: ['lateEnrollment.coverStart'],
    });
  });
});

describe('a complete answer', () => {
  it('has no unknowns', () => {
    const q = quoted('620702', 2023, { paymentDate: '2022-10-15', categories: ['DIBAO_RURAL_1'] });
    expect(q.raw.unknowns).toEqual([]);
    expect(presentQuote(inEnglish, q.raw).complete).toBe(true);
  });
});
