/**
 * What a draft would cost, on the tenant's own roll: the people registered now, grouped by the assistance
 * categories certified for them and their region, each group priced by the engine under the draft and
 * under the year before (a payment on the last day of each year's window). Then, per funding body, what
 * it would pay: residents their net contribution, the fiscal subsidy per person by level where the notice
 * splits it, and each category's subsidy by whoever the notice names as its payer. What a notice leaves
 * unstated is not guessed: it is named in the notes, and its amount is left out of the totals.
 */
import { DomainError } from '../../common/errors';
import { type Localized, text } from '../../common/i18n';
import { type Fen, formatMoney } from '../../common/money';
import type { PolicyYear, Tenant } from '../../policy-data/model';
import { ASSISTANCE_CATEGORY_NAMES, type AssistanceCategory } from '../../policy-data/vocabulary';
import type { PolicyEngine } from '../../policy-engine/policy-engine';
import type { RollGroup } from './policy-years.repository';

export interface BudgetCategory {
  /** The category that applies under the draft (the highest of those certified); null: none. */
  category: AssistanceCategory | null;
  people: number;
  subsidy: Fen;
  subsidyBefore: Fen | null;
}

export interface BudgetPayer {
  source: string;
  name: string;
  amount: Fen;
  before: Fen | null;
}

export interface Budget {
  people: number;
  categories: BudgetCategory[];
  payers: BudgetPayer[];
  notes: Localized[];
}

const PERSONAL = { source: 'INDIVIDUAL', name: '参保居民个人缴费' };
const UNSPLIT_FISCAL = { source: 'FISCAL', name: '各级财政（通知未分级）' };
const UNSTATED_PAYER = { source: 'UNSTATED', name: '资助（通知未写明出资方）' };

interface Priced {
  payers: Map<string, { name: string; amount: Fen }>;
  /** For each group (by index of the roll), the category that applies. */
  applied: Array<AssistanceCategory | null>;
  subsidies: Fen[];
  notes: Localized[];
}

export function simulateBudget(engine: PolicyEngine, tenant: Tenant, draft: PolicyYear, before: PolicyYear | null, roll: readonly RollGroup[]): Budget {
  const people = roll.reduce((n, g) => n + g.people, 0);
  const now = price(engine, tenant, draft, roll);
  const then = before ? price(engine, tenant, before, roll) : null;

  // People by the category that applies under the draft; the same people's subsidy under the year before.
  const categories = new Map<AssistanceCategory | null, BudgetCategory>();
  roll.forEach((group, i) => {
    const category = now.applied[i];
    const row = categories.get(category) ?? { category, people: 0, subsidy: 0, subsidyBefore: then ? 0 : null };
    row.people += group.people;
    row.subsidy += now.subsidies[i] * group.people;
    if (then && row.subsidyBefore !== null) row.subsidyBefore += then.subsidies[i] * group.people;
    categories.set(category, row);
  });
  const sources = [...new Set([...now.payers.keys(), ...(then?.payers.keys() ?? [])])];
  const order = (s: string) => (s === PERSONAL.source ? 0 : s.endsWith('FISCAL') ? 1 : s === UNSTATED_PAYER.source ? 3 : 2);
  sources.sort((a, b) => order(a) - order(b));
  const notes = [...now.notes.map((n) => text(`${draft.coverageYear} 年度草稿：${n.zh}`, `the ${draft.coverageYear} draft: ${n.en}`))];
  if (then && before) notes.push(...then.notes.map((n) => text(`${before.coverageYear} 年度：${n.zh}`, `${before.coverageYear}: ${n.en}`)));
  if (people === 0)
    notes.unshift(text('在册人员为零：先登记居民（import:roster），再看测算', 'nobody is on the roll: register residents (import:roster) to see a budget'));
  return {
    people,
    categories: [...categories.values()].sort((a, b) => b.people - a.people),
    payers: sources.map((source) => ({
      source,
      name: now.payers.get(source)?.name ?? then?.payers.get(source)?.name ?? source,
      amount: now.payers.get(source)?.amount ?? 0,
      before: then ? (then.payers.get(source)?.amount ?? 0) : null,
    })),
    notes,
  };
}

function price(engine: PolicyEngine, tenant: Tenant, policy: PolicyYear, roll: readonly RollGroup[]): Priced {
  const p = policy.data;
  const payers = new Map<string, { name: string; amount: Fen }>();
  const add = (payer: { source: string; name: string }, amount: Fen) => {
    if (amount === 0) return;
    const row = payers.get(payer.source) ?? { name: payer.name, amount: 0 };
    row.amount += amount;
    payers.set(payer.source, row);
  };
  const notes: Localized[] = [];
  const noted = new Set<string>();
  const note = (key: string, message: Localized) => {
    if (noted.has(key)) return;
    noted.add(key);
    notes.push(message);
  };
  const everyone = roll.reduce((n, g) => n + g.people, 0);

  // The fiscal subsidy: per person enrolled, whoever is in difficulty or not.
  if (p.fiscalSubsidy) {
    if (policy.fiscalShares.length > 0) for (const share of policy.fiscalShares) add({ source: share.source, name: share.name }, share.amount * everyone);
    else add(UNSPLIT_FISCAL, p.fiscalSubsidy.amount * everyone);
    if (p.fiscalSubsidy.atLeast)
      note(
        'fiscal-floor',
        text(
          `财政补助按“不低于 ${formatMoney(p.fiscalSubsidy.amount)} 元”的下限计`,
          `the fiscal subsidy is counted at its floor, "at least ${formatMoney(p.fiscalSubsidy.amount)}"`,
        ),
      );
  } else {
    note('fiscal', text('通知没有写财政补助标准，未计入', 'the notice states no fiscal subsidy; none is counted'));
  }

  const applied: Array<AssistanceCategory | null> = [];
  const subsidies: Fen[] = [];
  roll.forEach((group) => {
    const categories = group.categories as AssistanceCategory[];
    try {
      const q = engine.quote(tenant, policy, { paymentDate: p.collectionWindow.end.date, categories, region: group.region_code });
      applied.push(q.appliedCategory);
      subsidies.push(q.subsidy);
      add(PERSONAL, q.netCost * group.people);
      const funded = q.fundingShares.reduce((s, share) => s + share.amount, 0);
      for (const share of q.fundingShares) add({ source: share.source, name: share.name }, share.amount * group.people);
      if (q.subsidy > funded) {
        add(UNSTATED_PAYER, (q.subsidy - funded) * group.people);
        const name = q.appliedCategory ? ASSISTANCE_CATEGORY_NAMES[q.appliedCategory] : '';
        note(
          `payer-${q.appliedCategory}`,
          text(
            `${name}的资助没有写明（全部）出资方${q.fundingNote ? `：${q.fundingNote.zh}` : ''}`,
            `${q.appliedCategory}: the payer of (part of) the subsidy is not stated${q.fundingNote ? `: ${q.fundingNote.en}` : ''}`,
          ),
        );
      }
      for (const unknown of q.unknowns)
        note(`unknown-${unknown.path}`, text(`${unknown.path} 通知未写明，按已知部分计`, `${unknown.path} is unstated; only what is known is counted`));
    } catch (err) {
      applied.push(categories[0] ?? null);
      subsidies.push(0);
      const reason = err instanceof DomainError ? err.localized : text((err as Error).message, (err as Error).message);
      note(
        `error-${categories.join(',')}`,
        text(
          `${categories.map((c) => ASSISTANCE_CATEGORY_NAMES[c]).join('、') || '普通居民'}：无法测算（${reason.zh}）`,
          `${categories.join(', ') || 'residents without assistance'}: cannot be priced (${reason.en})`,
        ),
      );
    }
  });
  return { payers, applied, subsidies, notes };
}
