/** Refund rules straight from the notices: 甘州 七、退费办理 and 平利 七（三）、七（五）. */
import { DomainError } from '../../src/common/errors';
import { formatMoney } from '../../src/common/money';
import { PolicyEngine } from '../../src/policy-engine/policy-engine';
import type { RefundFacts } from '../../src/policy-engine/refund';
import type { RefundReason } from '../../src/policy-data/vocabulary';
import { tenantCatalog } from '../helpers/tenants';

const engine = new PolicyEngine();

function refund(tenant: string, year: number, facts: Partial<RefundFacts> & { reason: RefundReason; requestedOn: string }) {
  const policy = tenantCatalog().policy(tenant, year)!;
  const full: RefundFacts = {
    status: 'PAID',
    amountPaid: policy.data.individualContribution.amount,
    coverStart: policy.data.coverage.start.date,
    mode: null,
    reimbursedPaidOut: 0,
    reimbursementPending: 0,
    ...facts,
  };
  try {
    const d = engine.refund(policy, full);
    return { amount: formatMoney(d.amount), cancelled: formatMoney(d.cancelledReimbursement), steps: d.explanation };
  } catch (err) {
    if (err instanceof DomainError) return { code: err.code, message: err.message, details: err.details };
    throw err;
  }
}

describe('甘州 2023 (区医保发〔2022〕69号 七)', () => {
  it.each<[RefundReason, string]>([
    ['DUPLICATE_CROSS_PROVINCE', '跨省重复缴费'],
    ['DEATH', '死亡'],
    ['MISSING', '失踪'],
    ['EMIGRATION', '出国定居'],
    ['EMPLOYEE_INSURANCE', '参加职工医保'],
    ['OTHER_POOL', '其他统筹地区居民医保'],
  ])('refunds 350.00 for %s (%s) within the collection period', (reason) => {
    expect(refund('620702', 2023, { reason, requestedOn: '2022-11-15' })).toMatchObject({ amount: '350.00', cancelled: '0.00' });
  });
  it('refuses a reason the notice does not list', () => {
    expect(refund('620702', 2023, { reason: 'WRONG_LOCATION', requestedOn: '2022-11-15' })).toMatchObject({
      code: 'REFUND_NOT_ALLOWED',
      details: { rule: 'reason' },
    });
  });
  it('refuses after the deadline of 2022-12-30, though the window runs to 12-31', () => {
    expect(refund('620702', 2023, { reason: 'DEATH', requestedOn: '2022-12-30' })).toMatchObject({ amount: '350.00' });
    expect(refund('620702', 2023, { reason: 'DEATH', requestedOn: '2022-12-31' })).toMatchObject({
      code: 'REFUND_NOT_ALLOWED',
      details: { rule: 'deadline', clause: expect.stringContaining('2022年12月30日') },
    });
  });
  it('refuses once cover has begun (待遇享受期开始后…个人缴费不再退回)', () => {
    expect(refund('620702', 2023, { reason: 'DEATH', requestedOn: '2023-01-02' })).toMatchObject({
      code: 'REFUND_NOT_ALLOWED',
      details: { rule: 'cover-started' },
    });
  });
  it('refunds only the personal part to people whose subsidy has been paid out (只退回个人缴费部分)', () => {
    const r = refund('620702', 2023, { reason: 'DEATH', requestedOn: '2022-12-20', mode: 'REIMBURSEMENT', reimbursedPaidOut: 25000 });
    expect(r).toMatchObject({ amount: '100.00', cancelled: '0.00' });
    expect((r as { steps: Array<{ clause: string | null }> }).steps.some((s) => s.clause?.includes('只退回个人缴费部分'))).toBe(true);
  });
  it('refunds everything paid and cancels a reimbursement still pending', () => {
    expect(refund('620702', 2023, { reason: 'DEATH', requestedOn: '2022-10-20', mode: 'REIMBURSEMENT', reimbursementPending: 25000 })).toMatchObject({
      amount: '350.00',
      cancelled: '250.00',
    });
  });
  it('refunds nothing to a fully sponsored person, who paid nothing', () => {
    expect(refund('620702', 2023, { reason: 'DEATH', requestedOn: '2022-10-20', mode: 'FULL_SPONSORSHIP', amountPaid: 0 })).toMatchObject({ amount: '0.00' });
  });
  it('refuses an enrolment that is not paid', () => {
    expect(refund('620702', 2023, { reason: 'DEATH', requestedOn: '2022-10-20', status: 'UNPAID' })).toMatchObject({ code: 'REFUND_NOT_ALLOWED' });
  });
});

describe('平利 2022 (平政办发〔2021〕105号 七（三）、七（五）)', () => {
  it('refunds a duplicate payment asked for before the window ends (12-25), not after', () => {
    expect(refund('610926', 2022, { reason: 'DUPLICATE_ENROLLMENT', requestedOn: '2021-12-25' })).toMatchObject({ amount: '320.00' });
    expect(refund('610926', 2022, { reason: 'DUPLICATE_ENROLLMENT', requestedOn: '2021-12-26' })).toMatchObject({
      code: 'REFUND_NOT_ALLOWED',
      details: { rule: 'deadline', clause: expect.stringContaining('七（三）') },
    });
  });
  it('treats joining employee insurance before the window ends as a duplicate to refund', () => {
    expect(refund('610926', 2022, { reason: 'EMPLOYEE_INSURANCE', requestedOn: '2021-12-01' })).toMatchObject({ amount: '320.00' });
  });
  it('refunds a payment made in the wrong place (错缴异地) until cover begins', () => {
    expect(refund('610926', 2022, { reason: 'WRONG_LOCATION', requestedOn: '2021-12-31' })).toMatchObject({ amount: '320.00' });
    expect(refund('610926', 2022, { reason: 'WRONG_LOCATION', requestedOn: '2022-01-01' })).toMatchObject({
      code: 'REFUND_NOT_ALLOWED',
      details: { rule: 'cover-started', clause: expect.stringContaining('七（五）') },
    });
  });
  it.each<RefundReason>(['ENLISTMENT', 'IMPRISONMENT', 'DEATH'])('never refunds for %s (原参保缴费不予退还)', (reason) => {
    expect(refund('610926', 2022, { reason, requestedOn: '2021-12-01' })).toMatchObject({
      code: 'REFUND_NOT_ALLOWED',
      details: { rule: 'non-refundable-reason' },
    });
  });
  it('refuses a reason the notice does not list', () => {
    expect(refund('610926', 2022, { reason: 'EMIGRATION', requestedOn: '2021-12-01' })).toMatchObject({
      code: 'REFUND_NOT_ALLOWED',
      details: { rule: 'reason' },
    });
  });
  it('keeps the personal part when a 低保 reimbursement was paid out', () => {
    expect(refund('610926', 2022, { reason: 'WRONG_LOCATION', requestedOn: '2021-12-20', mode: 'REIMBURSEMENT', reimbursedPaidOut: 16000 })).toMatchObject({
      amount: '160.00',
    });
  });
});

describe('issue 22, 11: 山丹 三（三） bars only a resident + employee duplicate once cover has begun', () => {
  // 三（三）「城乡居民与城镇职工只能参加一种基本医疗保险，不能重复参保，若发生重复参保缴费，待遇享受期开始后，城乡居民基本医疗保险个人缴费不再退回」;
  // 四（二）–（四） run refunds but state no reasons.
  it.each<[RefundReason, string, Record<string, unknown>]>([
    ['DEATH', '2022-02-01', { code: 'POLICY_NOT_CONFIGURED', details: { missing: 'refunds.reasons' }, message: expect.stringContaining('DEATH') }],
    ['EMPLOYEE_INSURANCE', '2022-02-01', { code: 'REFUND_NOT_ALLOWED', details: { rule: 'cover-started', clause: expect.stringContaining('三（三）') } }],
    ['DUPLICATE_ENROLLMENT', '2022-02-01', { code: 'REFUND_NOT_ALLOWED', details: { rule: 'cover-started', inferred: expect.any(String) } }],
    ['DUPLICATE_ENROLLMENT', '2021-12-01', { code: 'POLICY_NOT_CONFIGURED', details: { missing: 'refunds.reasons' } }],
    ['MISSING', '2022-03-01', { code: 'POLICY_NOT_CONFIGURED', details: { missing: 'refunds.reasons' } }],
  ])('%s asked on %s', (reason, requestedOn, expected) => {
    const r = refund('620725', 2022, { reason, requestedOn });
    expect(r).toMatchObject(expected);
    if (reason === 'DEATH') expect((r as { message: string }).message).not.toContain('三（三）');
  });
});

describe('issue 22, 13: 甘州 七 refunds a duplicate "因跨省重复缴费", not any duplicate', () => {
  // 七「在缴费期内因跨省重复缴费、死亡、失踪、出国定居、参加职工医保或其他统筹地区居民医保的，可申请退费」
  it('refunds a duplicate across provinces', () => {
    expect(refund('620702', 2023, { reason: 'DUPLICATE_CROSS_PROVINCE', requestedOn: '2022-11-15' })).toMatchObject({ amount: '350.00' });
  });
  it('refuses a duplicate of unstated kind, naming the three it refunds', () => {
    const r = refund('620702', 2023, { reason: 'DUPLICATE_ENROLLMENT', requestedOn: '2022-11-15' });
    expect(r).toMatchObject({ code: 'REFUND_NOT_ALLOWED', details: { rule: 'reason', clause: expect.stringContaining('跨省重复缴费') } });
    for (const name of ['DUPLICATE_CROSS_PROVINCE', 'EMPLOYEE_INSURANCE', 'OTHER_POOL']) expect((r as { message: string }).message).toContain(name);
  });
  it('refunds joining another pool as before', () => {
    expect(refund('620702', 2023, { reason: 'OTHER_POOL', requestedOn: '2022-11-15' })).toMatchObject({ amount: '350.00' });
  });
  it('平利 七（三） refunds any 重复缴费 before 12-25, so a duplicate across provinces too', () => {
    const r = refund('610926', 2022, { reason: 'DUPLICATE_CROSS_PROVINCE', requestedOn: '2021-12-20' });
    expect(r).toMatchObject({ amount: '320.00' });
    expect(refund('610926', 2022, { reason: 'DUPLICATE_CROSS_PROVINCE', requestedOn: '2021-12-26' })).toMatchObject({
      code: 'REFUND_NOT_ALLOWED',
      details: { rule: 'deadline' },
    });
  });
});

describe('issue 22 inventory 16: 平利 七（五） before cover begins is a reading, marked', () => {
  it.each<RefundReason>(['ENLISTMENT', 'IMPRISONMENT', 'DEATH'])(
    '%s before 2022-01-01 carries the inference (「当年参加居民医保人员…原参保缴费不予退还」)',
    (reason) => {
      expect(refund('610926', 2022, { reason, requestedOn: '2021-12-01' })).toMatchObject({
        code: 'REFUND_NOT_ALLOWED',
        details: { rule: 'non-refundable-reason', inferred: expect.stringContaining('当年参加居民医保人员') },
      });
    },
  );
});

describe('notices that do not state refund rules', () => {
  it('贵阳贵安 refers to 黔税发〔2020〕6号', () => {
    expect(refund('520100', 2022, { reason: 'DEATH', requestedOn: '2021-12-01' })).toMatchObject({
      code: 'POLICY_NOT_CONFIGURED',
      details: { missing: 'refunds' },
      message: expect.stringContaining('黔税发〔2020〕6号'),
    });
  });
  it('肃南 states none', () => {
    expect(refund('620721', 2024, { reason: 'DEATH', requestedOn: '2023-12-01' })).toMatchObject({ code: 'POLICY_NOT_CONFIGURED' });
  });
  it('山丹 states only that a duplicate is not refunded once cover has begun', () => {
    expect(refund('620725', 2022, { reason: 'DUPLICATE_ENROLLMENT', requestedOn: '2022-02-01' })).toMatchObject({
      code: 'REFUND_NOT_ALLOWED',
      details: { rule: 'cover-started' },
    });
    expect(refund('620725', 2022, { reason: 'DUPLICATE_ENROLLMENT', requestedOn: '2021-12-01' })).toMatchObject({
      code: 'POLICY_NOT_CONFIGURED',
      details: { missing: 'refunds.reasons' },
    });
  });
});
