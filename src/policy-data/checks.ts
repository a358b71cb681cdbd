/**
 * Cross-checks of a tenant-year beyond what the format says: amounts that must add up, subsidies within
 * the standard, dates in order, and targets against their stated totals. Problems that make the data
 * unusable are errors (the server does not start); disagreements inside the notice itself are warnings,
 * the parts are kept, and both numbers are named (they surface in PolicyYear.warnings).
 */
import { compareDates } from '../common/dates';
import { formatMoney } from '../common/money';
import { allocateFunding, type FundingShare } from './funding';
import type { PolicyYearData } from './format';
import type { Region } from './model';

export interface CheckProblem {
  field: string;
  clause?: string;
  message: string;
}

export interface CheckResult {
  errors: CheckProblem[];
  warnings: CheckProblem[];
  fiscalShares: FundingShare[];
}

export function checkPolicyYear(policy: PolicyYearData, regions: ReadonlyMap<string, Region>): CheckResult {
  const errors: CheckProblem[] = [];
  const warnings: CheckProblem[] = [];
  const error = (field: string, message: string, clause?: string) => errors.push({ field, message, clause });
  const warn = (field: string, message: string, clause?: string) => warnings.push({ field, message, clause });
  const standard = policy.individualContribution.amount;

  // Dates in order.
  const window = policy.collectionWindow;
  if (window.start && compareDates(window.start.date, window.end.date) > 0) {
    error('collectionWindow', `starts ${window.start.date} after it ends ${window.end.date}`, window.start.clause);
  }
  if (window.earliestPayment && compareDates(window.earliestPayment.date, window.end.date) > 0) {
    error('collectionWindow.earliestPayment', `the earliest payment ${window.earliestPayment.date} is after the window ends ${window.end.date}`, window.earliestPayment.clause);
  }
  if (compareDates(policy.coverage.start.date, policy.coverage.end.date) > 0) {
    error('coverage', `starts ${policy.coverage.start.date} after it ends ${policy.coverage.end.date}`, policy.coverage.start.clause);
  }
  if (compareDates(window.end.date, policy.coverage.end.date) > 0) {
    error('collectionWindow.end', `collection ends ${window.end.date}, after cover ends ${policy.coverage.end.date}`, window.end.clause);
  }
  if (Number(policy.coverage.start.date.slice(0, 4)) !== policy.coverageYear) {
    error('coverage.start', `cover starts in ${policy.coverage.start.date.slice(0, 4)}, not in ${policy.coverageYear}`, policy.coverage.start.clause);
  }
  policy.milestones.forEach((m, i) => {
    const previous = policy.milestones[i - 1];
    if (previous && (compareDates(previous.date, m.date) >= 0 || previous.share > m.share)) {
      error(`milestones[${i}]`, `milestones must rise in date and share: ${previous.date} ${previous.share} then ${m.date} ${m.share}`, m.clause);
    }
  });

  // The fiscal subsidy and its split.
  let fiscalShares: FundingShare[] = [];
  const fiscal = policy.fiscalSubsidy;
  if (fiscal?.split) {
    const allocation = allocateFunding(fiscal.split, fiscal.amount, fiscal.clause, undefined, fiscal.inferred);
    fiscalShares = allocation.shares;
    for (const problem of allocation.problems) error('fiscalSubsidy.split', problem, fiscal.clause);
  }
  const funding = policy.fundingStandard;
  if (funding && fiscal) {
    const sum = standard + fiscal.amount;
    if (funding.atLeast ? sum < funding.amount : sum !== funding.amount) {
      warn(
        'fundingStandard',
        `the funding standard ${formatMoney(funding.amount)} disagrees with individual ${formatMoney(standard)} + fiscal ${formatMoney(fiscal.amount)} = ${formatMoney(sum)}`,
        funding.clause,
      );
    }
  }

  // Assistance: within the standard, one rule per category, funding that adds up, stated net amounts.
  const seen = new Set<string>();
  policy.assistance?.rules.forEach((rule, i) => {
    const field = `assistance.rules[${i}] (${rule.category})`;
    if (seen.has(rule.category)) error(field, `a second rule for ${rule.category}`, rule.clause);
    seen.add(rule.category);
    if (rule.amount !== undefined && rule.amount > standard) {
      error(field, `subsidy ${formatMoney(rule.amount)} exceeds the individual standard ${formatMoney(standard)}`, rule.clause);
    }
    if (rule.full && rule.amount !== undefined && rule.amount !== standard) {
      warn(field, `a full subsidy of ${formatMoney(rule.amount)} differs from the standard ${formatMoney(standard)}`, rule.clause);
    }
    if (rule.netContribution !== undefined && rule.amount !== undefined && standard - rule.amount !== rule.netContribution) {
      warn(
        field,
        `the notice says the person pays ${formatMoney(rule.netContribution)}, but ${formatMoney(standard)} − ${formatMoney(rule.amount)} = ${formatMoney(standard - rule.amount)}`,
        rule.modeClause ?? rule.clause,
      );
    }
    const amount = rule.full ? standard : rule.amount;
    rule.funding?.forEach((f, j) => {
      for (const code of f.regions ?? []) {
        if (!regions.has(code)) error(`${field}.funding[${j}].regions`, `unknown region ${code}`, f.clause);
      }
      if (amount !== undefined) {
        for (const problem of allocateFunding(f.shares, amount, f.clause).problems) error(`${field}.funding[${j}]`, problem, f.clause);
      }
    });
  });
  checkTieOrder(policy, standard, error);
  const cutoff = policy.assistance?.certificationCutoff;
  if (cutoff && compareDates(cutoff.date, policy.coverage.end.date) > 0) {
    error('assistance.certificationCutoff', `cut-off ${cutoff.date} is after the year of cover ends`, cutoff.clause);
  }

  // Units managed by a region (肃南 三（三）): the regions exist.
  policy.enrolment?.units.forEach((unit, i) => {
    for (const code of [unit.region, ...Object.values(unit.byHukou ?? {})]) {
      if (code !== undefined && !regions.has(code)) error(`enrolment.units[${i}]`, `unknown region ${code}`, unit.clause);
    }
    if (!unit.region && !unit.byHukou) error(`enrolment.units[${i}]`, `${unit.unit}: give region or byHukou`, unit.clause);
  });

  // Targets: known regions, parts against their stated totals, dated counts against milestone shares.
  const targets = policy.targets;
  if (targets) {
    const byRegion = new Map(targets.regions.map((t) => [t.region, t]));
    targets.regions.forEach((row, i) => {
      if (!regions.has(row.region)) error(`targets.regions[${i}]`, `unknown region ${row.region}`, row.clause);
      for (const dated of row.byDate ?? []) {
        const milestone = policy.milestones.find((m) => m.date === dated.date);
        if (milestone && Math.round(row.target * milestone.share) !== dated.count) {
          warn(
            `targets.regions[${i}].byDate`,
            `${row.region} must reach ${dated.count} by ${dated.date}, but ${milestone.share * 100}% of ${row.target} is ${Math.round(row.target * milestone.share)}`,
            dated.clause,
          );
        }
      }
    });
    const childrenOf = (code: string | null) =>
      targets.regions.filter((t) => nearestTargetedAncestor(t.region, regions, byRegion) === code);
    const compare = (stated: number, parts: typeof targets.regions, field: string, clause: string, label: string) => {
      if (parts.length === 0) return;
      const sum = parts.reduce((s, p) => s + p.target, 0);
      if (sum !== stated) {
        const list = parts.map((p) => `${regions.get(p.region)?.name ?? p.region} ${p.target}`).join(' + ');
        warn(field, `${label} states ${stated}, but its parts add up to ${sum} (${list}); the parts are kept`, clause);
      }
    };
    for (const row of targets.regions) {
      compare(row.target, childrenOf(row.region), `targets.regions (${row.region})`, row.clause, regions.get(row.region)?.name ?? row.region);
    }
    if (targets.total) compare(targets.total.count, childrenOf(null), 'targets.total', targets.total.clause, 'the total');
  }

  return { errors, warnings, fiscalShares };
}

/**
 * Which category applies when several give the same subsidy is never left to the order of the file: where
 * two rules could tie (the same amount, or both full), `assistance.multipleCategories.tie.order` names every
 * category with a rule exactly once.
 */
function checkTieOrder(policy: PolicyYearData, standard: number, error: (field: string, message: string, clause?: string) => void): void {
  const rules = policy.assistance?.rules ?? [];
  const tie = policy.assistance?.multipleCategories?.tie;
  const worth = (r: (typeof rules)[number]) => (r.full ? standard : r.amount);
  const tied = rules.some((a, i) => rules.some((b, j) => j > i && worth(a) !== undefined && worth(a) === worth(b)));
  if (!tie) {
    if (tied) error('assistance.multipleCategories.tie', 'two categories give the same subsidy: give tie.order (which applies first), citing the notice and marked inferred');
    return;
  }
  const field = 'assistance.multipleCategories.tie';
  const seen = new Set<string>();
  for (const category of tie.order) {
    if (seen.has(category)) error(field, `${category} is listed twice`, tie.clause);
    seen.add(category);
    if (!rules.some((r) => r.category === category)) error(field, `${category} has no rule in this year`, tie.clause);
  }
  for (const rule of rules) if (!seen.has(rule.category)) error(field, `${rule.category} is missing from the order`, tie.clause);
}

/** The closest region above `code` that has its own target row, or null at the top. */
function nearestTargetedAncestor(
  code: string,
  regions: ReadonlyMap<string, Region>,
  targeted: ReadonlyMap<string, unknown>,
): string | null {
  for (let parent = regions.get(code)?.parentCode ?? null; parent; parent = regions.get(parent)?.parentCode ?? null) {
    if (targeted.has(parent)) return parent;
  }
  return null;
}
