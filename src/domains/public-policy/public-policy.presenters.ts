/**
 * The policy model as the schema shows it: tenants, their regions, policy years and quotes. What people
 * read (explanation details, notes, warnings) is given in the request's language.
 */
import type { Localized } from '../../common/i18n';
import { formatMoney } from '../../common/money';
import type { RequestContext } from '../../context/request-context';
import type { PolicyYearData } from '../../policy-data/format';
import { type PolicyYear, regionNameOn, type Tenant } from '../../policy-data/model';
import type { ExplanationStep, UnknownValue } from '../../policy-engine/explanation';
import type { Quote } from '../../policy-engine/policy-engine';
import type { QuoteAnswer } from './public-policy.service';
import type {
  Citation,
  ExplanationStepType,
  MissingValue,
  PolicyInference,
  PolicyRule,
  PolicySources,
  PolicyYearType,
  QuoteType,
  RegionType,
  TenantType,
} from './public-policy.types';

/** What a presenter needs of the request: its language. */
export type Speaker = Pick<RequestContext, 'say'>;

/** A region of the tenant with its name on `asOf` (today's by default); a code it does not know shows as itself. */
export function presentRegion(tenant: Tenant, code: string, asOf?: string): RegionType {
  const region = tenant.regionsByCode.get(code);
  return region
    ? {
        code: region.code,
        name: regionNameOn(region, asOf),
        kind: region.kind,
        parentCode: region.parentCode,
        clause: region.clause ?? null,
        inferred: region.inferred ?? null,
        retiredOn: region.retiredOn ?? null,
        successorCode: region.successorCode ?? null,
      }
    : { code, name: code, kind: 'TOWNSHIP', parentCode: null, clause: null, inferred: null, retiredOn: null, successorCode: null };
}

export function presentTenant(tenant: Tenant): TenantType {
  return {
    code: tenant.code,
    name: tenant.name,
    regions: tenant.regions.map((r) => presentRegion(tenant, r.code)),
    coverageYears: tenant.coverageYears,
  };
}

export function presentPolicy(ctx: Speaker, tenant: Tenant, policy: PolicyYear): PolicyYearType {
  const p = policy.data;
  const inferencesOfYear = policyInferences(p);
  return {
    tenant: presentTenant(tenant),
    coverageYear: policy.coverageYear,
    version: policy.version,
    publishedAt: policy.publishedAt,
    coverageYearInferred: p.coverageYearFrom.inferred ?? null,
    notice: {
      number: p.notice.number,
      title: p.notice.title,
      issuedOn: p.notice.issuedOn,
      issuers: p.notice.issuers,
      label: p.notice.label ?? null,
      seedFile: p.notice.source,
    },
    individualContribution: p.individualContribution.amount,
    fiscalSubsidy: p.fiscalSubsidy?.amount ?? null,
    fiscalSubsidyIsMinimum: p.fiscalSubsidy?.atLeast ?? false,
    fiscalShares: policy.fiscalShares.map(({ source, name, amount, clause, inferred }) => ({ source, name, amount, clause, inferred: inferred ?? null })),
    fundingStandard: p.fundingStandard?.amount ?? null,
    collectionWindow: {
      start: p.collectionWindow.start?.date ?? null,
      end: p.collectionWindow.end.date,
      startText: p.collectionWindow.startText ?? null,
      earliestPayment: (p.collectionWindow.start ?? p.collectionWindow.earliestPayment)?.date ?? null,
    },
    coverage: { start: p.coverage.start.date, end: p.coverage.end.date },
    assistance: (p.assistance?.rules ?? []).map((r, i) => ({
      category: r.category,
      amount: r.amount ?? null,
      full: r.full,
      mode: r.mode ?? null,
      clause: r.clause,
      modeClause: r.modeClause ?? null,
      inferred: r.inferred ?? r.funding?.find((f) => f.inferred)?.inferred ?? null,
      inferences: inferencesOfYear.filter((inf) => inf.path === `assistance.rules[${i}]` || inf.path.startsWith(`assistance.rules[${i}].`)),
      refersTo: r.refersTo ?? null,
    })),
    targets: (p.targets?.regions ?? []).map((t) => ({ region: presentRegion(tenant, t.region), target: t.target, clause: t.clause })),
    targetTotal: p.targets?.total?.count ?? null,
    milestones: p.milestones.map((m) => ({ date: m.date, share: m.share, clause: m.clause })),
    warnings: policy.warnings.map((w) => ctx.say(w)),
    sources: policySources(p),
    inferences: inferencesOfYear,
    rules: policyRules(p),
  };
}

/** A quote as the schema shows it: the engine's answer, with `complete` saying whether anything is unknown. */
export function presentQuote(ctx: Speaker, quote: Quote): QuoteType {
  return {
    ...quote,
    fundingNote: quote.fundingNote && ctx.say(quote.fundingNote),
    explanation: presentExplanation(ctx, quote.explanation),
    unknowns: quote.unknowns.map((u) => presentUnknown(ctx, u)),
    complete: quote.unknowns.length === 0,
  };
}

/** A quote answer as the schema shows it: presented once per language when the service keeps it. */
export function presentQuoteAnswer(ctx: Pick<RequestContext, 'say' | 'language'>, answer: QuoteAnswer): QuoteType {
  if (!answer.presented) return presentQuote(ctx, answer.quote);
  return (answer.presented[ctx.language] ??= presentQuote(ctx, answer.quote));
}

/** A step as it was kept: explanations stored before details had two languages hold the English only. */
export type StoredExplanationStep = Omit<ExplanationStep, 'detail'> & { detail: Localized | string };

/** The steps of an explanation, each detail in the request's language (an English-only stored one as it is). */
export function presentExplanation(ctx: Speaker, steps: readonly StoredExplanationStep[]): ExplanationStepType[] {
  return steps.map((step) => ({ ...step, detail: typeof step.detail === 'string' ? step.detail : ctx.say(step.detail) }));
}

export function presentUnknown(ctx: Speaker, unknown: UnknownValue): MissingValue {
  return { ...unknown, message: ctx.say(unknown.message) };
}

function cite(value: { clause?: string; inferred?: string; note?: string } | undefined): Citation | null {
  return value?.clause ? { clause: value.clause, inferred: value.inferred ?? null, note: value.note ?? null } : null;
}

function policySources(p: PolicyYearData): PolicySources {
  const window = p.collectionWindow;
  return {
    notice: cite(p.notice)!,
    coverageYear: cite(p.coverageYearFrom)!,
    individualContribution: cite(p.individualContribution)!,
    fiscalSubsidy: cite(p.fiscalSubsidy),
    fiscalShares: p.fiscalSubsidy?.split ? cite(p.fiscalSubsidy) : null,
    fundingStandard: cite(p.fundingStandard),
    collectionWindowStart: cite(window.start),
    collectionWindowEarliestPayment: cite(window.start ?? window.earliestPayment)!,
    collectionWindowEnd: cite(window.end)!,
    coverageStart: cite(p.coverage.start)!,
    coverageEnd: cite(p.coverage.end)!,
  };
}

const pathOf = (path: string, key: string | number) => (typeof key === 'number' ? `${path}[${key}]` : path ? `${path}.${key}` : key);

/**
 * Every `inferred:` in the year's data, by path, with the nearest clause on the way down. Generated from the
 * data itself, so no marked value can be left out of the API.
 */
export function policyInferences(data: PolicyYearData): PolicyInference[] {
  const found: PolicyInference[] = [];
  const walk = (node: unknown, path: string, clause: string | null) => {
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, pathOf(path, i), clause));
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    const here = typeof o.clause === 'string' ? o.clause : clause;
    if (typeof o.inferred === 'string') found.push({ path, clause: here, inferred: o.inferred });
    for (const [key, value] of Object.entries(o)) walk(value, pathOf(path, key), here);
  };
  walk(data, '', null);
  return found;
}

/** The sections whose rules have no typed field on PolicyYear. */
const RULE_SECTIONS = ['assistance', 'lateEnrollment', 'newborn', 'students', 'refunds', 'enrolment'] as const;
const CITATION_KEYS = new Set(['clause', 'inferred', 'note', 'refersTo']);
/** Keys whose numbers are fen. */
const MONEY_KEYS = new Set(['amount', 'netContribution']);

/** Every cited rule of the sections without typed fields (assistance.rules have their own type), by path. */
function policyRules(data: PolicyYearData): PolicyRule[] {
  const found: PolicyRule[] = [];
  const walk = (node: unknown, path: string, refersTo: string | null) => {
    if (path === 'assistance.rules') return;
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, pathOf(path, i), refersTo));
    if (!node || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    const reference = typeof o.refersTo === 'string' ? o.refersTo : refersTo;
    if (typeof o.clause === 'string') {
      const detail = Object.entries(o)
        .filter(([key, value]) => !CITATION_KEYS.has(key) && (typeof value !== 'object' || (Array.isArray(value) && value.every((v) => typeof v !== 'object'))))
        .map(
          ([key, value]) =>
            `${key}: ${Array.isArray(value) ? value.join(', ') : MONEY_KEYS.has(key) && typeof value === 'number' ? formatMoney(value) : String(value)}`,
        )
        .join('; ');
      found.push({
        key: path,
        detail,
        clause: o.clause,
        inferred: typeof o.inferred === 'string' ? o.inferred : null,
        note: typeof o.note === 'string' ? o.note : null,
        refersTo: reference,
      });
    }
    for (const [key, value] of Object.entries(o)) if (!CITATION_KEYS.has(key)) walk(value, pathOf(path, key), reference);
  };
  for (const section of RULE_SECTIONS) walk(data[section], section, null);
  return found;
}
