/**
 * The engine against the real tenants/, with answers in yuan strings so that table rows read like the
 * notices. `outcome` gives either the quote or the refusal, so one table can hold both.
 */
import { DomainError } from '../../src/common/errors';
import type { Localized } from '../../src/common/i18n';
import { formatMoney } from '../../src/common/money';
import { PolicyEngine, type QuoteFacts, type SettleOptions } from '../../src/policy-engine/policy-engine';
import { tenantCatalog } from './tenants';

export const engine = new PolicyEngine();

/** What a presenter needs of a request, for one that asks in English or in Chinese. */
export const inEnglish = { say: (message: Localized) => message.en };
export const inChinese = { say: (message: Localized) => message.zh };

export function policyOf(tenant: string, year: number) {
  const catalog = tenantCatalog();
  return { tenant: catalog.get(tenant)!, policy: catalog.policy(tenant, year)! };
}

export interface Refusal {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/** Runs `fn`; a DomainError becomes a Refusal, anything else is rethrown. */
export function attempt<T>(fn: () => T): T | Refusal {
  try {
    return fn();
  } catch (err) {
    if (err instanceof DomainError) return { code: err.code, message: err.message, details: err.details };
    throw err;
  }
}

export function summarise(q: ReturnType<PolicyEngine['quote']>) {
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
    fundingNote: q.fundingNote?.en ?? null,
    unknowns: q.unknowns.map((u) => u.path),
    /** The steps with their English details, as integrators read them; `raw` keeps both. */
    steps: q.explanation.map((s) => ({ ...s, detail: s.detail.en })),
    raw: q,
  };
}

export type Summary = ReturnType<typeof summarise>;

/** The quote (amounts in yuan), or the refusal. */
export function outcome(tenant: string, year: number, facts: QuoteFacts): Summary | Refusal {
  const { tenant: t, policy } = policyOf(tenant, year);
  return attempt(() => summarise(engine.quote(t, policy, facts)));
}

export function settle(tenant: string, year: number, facts: QuoteFacts, options?: SettleOptions) {
  const { tenant: t, policy } = policyOf(tenant, year);
  return attempt(() => engine.settle(t, policy, facts, options));
}

export function contribution(tenant: string, year: number, facts: QuoteFacts) {
  const { tenant: t, policy } = policyOf(tenant, year);
  return attempt(() => engine.contribution(t, policy, facts));
}

export const isRefusal = (value: unknown): value is Refusal => !!value && typeof value === 'object' && 'code' in value && 'details' in value;
