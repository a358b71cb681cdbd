/**
 * The engine's explanations and refusals in Chinese, for the clerks (CONTRACT.md, "Language"): every
 * step's detail and every refusal carries both texts; the English stays what integrators read.
 */
import { DomainError } from '../../src/common/errors';
import type { QuoteFacts } from '../../src/policy-engine/policy-engine';
import { ASSISTANCE_CATEGORIES, CIRCUMSTANCES, REFUND_REASONS } from '../../src/policy-data/vocabulary';
import { engine, policyOf } from '../helpers/policy';
import { tenantCatalog } from '../helpers/tenants';

const quote = (tenant: string, year: number, facts: QuoteFacts) => {
  const { tenant: t, policy } = policyOf(tenant, year);
  return engine.quote(t, policy, facts);
};

const refusal = (fn: () => unknown): DomainError => {
  try {
    fn();
  } catch (err) {
    if (err instanceof DomainError) return err;
    throw err;
  }
  throw new Error('not refused');
};

describe('explanation details in Chinese', () => {
  it('甘州 2023, 农村一类低保 paid in the window: every step as a clerk reads it', () => {
    const q = quote('620702', 2023, { paymentDate: '2022-10-15', categories: ['DIBAO_RURAL_1'] });
    expect(q.explanation.map((s) => [s.rule, s.detail.zh])).toEqual([
      ['coverage-year', '区医保发〔2022〕69号所称“2022”，即待遇享受年度 2023 年'],
      ['individual-contribution', '2023 年度个人缴费标准为 350.00 元'],
      ['collection-window', '2022-10-15 缴费，在集中缴费期内（2022-01-01 至 2022-12-31，起始日系推定）'],
      ['assistance', '农村一类低保：定额资助 250.00 元'],
      ['subsidy-mode', '先缴后补：先缴纳 350.00 元，资助 250.00 元于 2022-11 返还（四（二）3 "当月参保，次月资助"）'],
      ['funding', '医疗救助资金 250.00 元'],
      ['coverage', '待遇享受期 2023-01-01 至 2023-12-31'],
    ]);
    // The English is what it was.
    expect(q.explanation.find((s) => s.rule === 'subsidy-mode')?.detail.en).toBe(
      '先缴后补: pay 350.00 now, 250.00 is paid back in 2022-11 (四（二）3 "当月参保，次月资助")',
    );
  });

  it('贵阳 2022, a late payment: the unknown cover start named in Chinese, with the document it refers to', () => {
    const q = quote('520100', 2022, { paymentDate: '2022-04-10' });
    expect(q.explanation.find((s) => s.rule === 'late-contribution')?.detail.zh).toBe('集中缴费期外的缴费标准为 900.00 元');
    expect(q.unknowns[0].message.zh).toMatch(/^筑医保通〔2021〕34号未写明集中缴费期后缴费的待遇起始时间.*通知规定未尽事宜按黔医保发〔2021〕64号执行$/);
  });

  it('山丹 2022, a notice without a number: its title in 《》', () => {
    const q = quote('620725', 2022, { paymentDate: '2021-08-01', categories: ['DIBAO'] });
    expect(q.explanation[0].detail.zh).toBe('《关于认真做好2021年度全县城乡居民基本医疗保险参保缴费工作的通知》所称“2021年度”，即待遇享受年度 2022 年');
    expect(q.fundingNote?.zh).toBe('资助由谁出资、各出多少，待通知未写明的资助标准明确后确定');
  });

  it('refusals: ENROLLMENT_CLOSED, POLICY_NOT_CONFIGURED, BAD_USER_INPUT, REFUND_NOT_ALLOWED', () => {
    const { tenant, policy } = policyOf('610926', 2022);
    const closed = refusal(() => engine.quote(tenant, policy, { paymentDate: '2022-01-10' }));
    expect(closed.localized.zh).toMatch(/^2022 年度集中缴费期已于 2021-12-25 结束（四（一）.*），2022-01-10 不在缴费期内，且没有准许此人逾期参保的规定$/);
    const unstated = refusal(() => engine.quote(tenant, policy, { paymentDate: '2021-11-01', categories: ['FAMILY_PLANNING'] }));
    expect(unstated.localized.zh).toMatch(/^平政办发〔2021〕105号未写明计生特殊家庭成员（三（二）.*）的资助标准$/);
    const kind = refusal(() => engine.quote(tenant, policy, { paymentDate: '2021-11-01', categories: ['AT_RISK_OF_POVERTY'] }));
    expect(kind.localized.zh).toMatch(
      /请改填具体类别 AT_RISK_UNSTABLE_LIFTED（脱贫不稳定户）、AT_RISK_MARGINAL（边缘易致贫户）、AT_RISK_SUDDEN_HARDSHIP（突发严重困难户）$/,
    );
    const paid = { status: 'PAID', amountPaid: 32000, coverStart: '2022-01-01', mode: null, reimbursedPaidOut: 0, reimbursementPending: 0 };
    const death = refusal(() => engine.refund(policy, { ...paid, reason: 'DEATH', requestedOn: '2021-12-01' }));
    expect(death.localized.zh).toMatch(/^死亡：已缴费用不予退还（七（五）/);
    expect(death.message).toMatch(/^DEATH: the contribution is not refunded \(七（五）/);
    const refund = engine.refund(policy, { ...paid, reason: 'WRONG_LOCATION', requestedOn: '2021-12-10' });
    expect(refund.explanation.map((s) => s.detail.zh)).toEqual(['异地错缴，可以退费', '退费 320.00 元']);
  });
});

describe('no English left in the Chinese', () => {
  /** Words that stay as they are in Chinese text: input names a clerk types, and what the data says in its own words. */
  const KEPT = /\b(region|contributionThere|no document named)\b/g;
  const english = (zh: string) => zh.replace(KEPT, '').match(/\b[A-Za-z]{3,}\b/g);

  it('holds for every step and refusal of quotes and refunds across every tenant-year, category and circumstance', () => {
    let checked = 0;
    for (const tenant of tenantCatalog().tenants) {
      for (const policy of tenant.policies.values()) {
        const window = policy.data.collectionWindow;
        const dates = [
          window.end.date,
          (window.start ?? window.earliestPayment)!.date,
          policy.data.coverage.start.date,
          `${policy.coverageYear}-07-01`,
          `${policy.coverageYear - 1}-01-05`,
        ];
        const facts: QuoteFacts[] = dates.flatMap((paymentDate) => [
          { paymentDate },
          ...ASSISTANCE_CATEGORIES.map((c) => ({ paymentDate, categories: [c] })),
          { paymentDate, categories: ['DIBAO_RURAL_1', 'LIFTED_OUT_OF_POVERTY', 'EXTREME_POVERTY'] },
          ...CIRCUMSTANCES.map((c) => ({ paymentDate, circumstances: [c] })),
          { paymentDate, birthDate: `${policy.coverageYear - 1}-12-20` },
          { paymentDate, birthDate: `${policy.coverageYear}-01-02` },
        ]);
        for (const f of facts) {
          try {
            const q = engine.quote(tenant, policy, f);
            for (const s of q.explanation) expect([s.rule, english(s.detail.zh)]).toEqual([s.rule, null]);
            for (const u of q.unknowns) expect([u.path, english(u.message.zh)]).toEqual([u.path, null]);
            if (q.fundingNote) expect(english(q.fundingNote.zh)).toBeNull();
          } catch (err) {
            if (!(err instanceof DomainError)) throw err;
            expect([err.code, english(err.localized.zh)]).toEqual([err.code, null]);
          }
          checked++;
        }
        for (const reason of REFUND_REASONS) {
          for (const requestedOn of dates) {
            try {
              const d = engine.refund(policy, {
                reason,
                requestedOn,
                status: 'PAID',
                amountPaid: 32000,
                coverStart: policy.data.coverage.start.date,
                mode: 'REIMBURSEMENT',
                reimbursedPaidOut: 100,
                reimbursementPending: 200,
              });
              for (const s of d.explanation) expect([s.rule, english(s.detail.zh)]).toEqual([s.rule, null]);
            } catch (err) {
              if (!(err instanceof DomainError)) throw err;
              expect([err.code, english(err.localized.zh)]).toEqual([err.code, null]);
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(500);
  });
});
