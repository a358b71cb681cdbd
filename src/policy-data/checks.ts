/**
 * Cross-checks of a tenant-year beyond what the format says: amounts that must add up, subsidies within
 * the standard, dates in order and in a plausible year, the notice's title against its year of cover,
 * refund deadlines and milestones inside the collection window, and targets against their stated totals.
 * Problems that make the data unusable are errors (the year is refused); disagreements inside the notice
 * itself are warnings, the parts are kept, and both numbers are named (they surface in PolicyYear.warnings).
 * Every problem carries its path in the year document and its message in Chinese and English.
 */
import { compareDates, yearOf } from '../common/dates';
import { type Localized, text } from '../common/i18n';
import { formatMoney } from '../common/money';
import { allocateFunding, type FundingShare } from './funding';
import type { PolicyYearData } from './format';
import type { Region } from './model';

/** A path in the year document: keys and list indexes, as zod gives them. */
export type DocumentPath = ReadonlyArray<string | number>;

export interface CheckProblem {
  /** A stable name for the kind of problem (WINDOW_YEAR, NOTICE_NUMBER_IN_USE …); never translated. */
  code: string;
  path: DocumentPath;
  clause?: string;
  message: Localized;
}

export interface CheckResult {
  errors: CheckProblem[];
  warnings: CheckProblem[];
  fiscalShares: FundingShare[];
}

/** "assistance.rules[2].amount": how paths are written in messages, the API and the page. */
export function formatPath(path: DocumentPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join('');
}

/** Years a text names as a year ("2022 年", "2021年度"), in order. */
export function yearsNamedIn(words: string): number[] {
  return [...words.matchAll(/((?:19|20)\d{2})\s*年/g)].map((m) => Number(m[1]));
}

export function checkPolicyYear(policy: PolicyYearData, regions: ReadonlyMap<string, Region>): CheckResult {
  const errors: CheckProblem[] = [];
  const warnings: CheckProblem[] = [];
  const error = (code: string, path: DocumentPath, message: Localized, clause?: string) => errors.push({ code, path, message, clause });
  const warn = (code: string, path: DocumentPath, message: Localized, clause?: string) => warnings.push({ code, path, message, clause });
  const standard = policy.individualContribution.amount;

  checkDates(policy, error, warn);
  checkNotice(policy, error, warn);

  // The fiscal subsidy and its split.
  let fiscalShares: FundingShare[] = [];
  const fiscal = policy.fiscalSubsidy;
  if (fiscal?.split) {
    const allocation = allocateFunding(fiscal.split, fiscal.amount, fiscal.clause, undefined, fiscal.inferred);
    fiscalShares = allocation.shares;
    for (const problem of allocation.problems) error('FUNDING_SPLIT', ['fiscalSubsidy', 'split'], problem, fiscal.clause);
  }
  const funding = policy.fundingStandard;
  if (funding && fiscal) {
    const sum = standard + fiscal.amount;
    if (funding.atLeast ? sum < funding.amount : sum !== funding.amount) {
      warn(
        'FUNDING_STANDARD_SUM',
        ['fundingStandard', 'amount'],
        text(
          `筹资标准 ${formatMoney(funding.amount)} 元与个人缴费 ${formatMoney(standard)} 元 + 财政补助 ${formatMoney(fiscal.amount)} 元 = ${formatMoney(sum)} 元不一致`,
          `the funding standard ${formatMoney(funding.amount)} disagrees with individual ${formatMoney(standard)} + fiscal ${formatMoney(fiscal.amount)} = ${formatMoney(sum)}`,
        ),
        funding.clause,
      );
    }
  }

  // Assistance: within the standard, one rule per category, funding that adds up, stated net amounts.
  const seen = new Set<string>();
  policy.assistance?.rules.forEach((rule, i) => {
    const path = ['assistance', 'rules', i];
    const who = rule.category;
    if (seen.has(rule.category)) error('ASSISTANCE_TWICE', path, text(`${who} 有第二条资助规则`, `a second rule for ${who}`), rule.clause);
    seen.add(rule.category);
    if (rule.amount !== undefined && rule.amount > standard) {
      error(
        'SUBSIDY_ABOVE_STANDARD',
        [...path, 'amount'],
        text(
          `${who} 的资助 ${formatMoney(rule.amount)} 元超过个人缴费标准 ${formatMoney(standard)} 元`,
          `${who}: subsidy ${formatMoney(rule.amount)} exceeds the individual standard ${formatMoney(standard)}`,
        ),
        rule.clause,
      );
    }
    if (rule.full && rule.amount !== undefined && rule.amount !== standard) {
      warn(
        'FULL_SUBSIDY_AMOUNT',
        [...path, 'amount'],
        text(
          `${who} 为全额资助，写明的金额 ${formatMoney(rule.amount)} 元却不等于缴费标准 ${formatMoney(standard)} 元`,
          `${who}: a full subsidy of ${formatMoney(rule.amount)} differs from the standard ${formatMoney(standard)}`,
        ),
        rule.clause,
      );
    }
    if (rule.netContribution !== undefined && rule.amount !== undefined && standard - rule.amount !== rule.netContribution) {
      warn(
        'NET_CONTRIBUTION',
        [...path, 'netContribution'],
        text(
          `${who}：通知说个人缴纳 ${formatMoney(rule.netContribution)} 元，但 ${formatMoney(standard)} − ${formatMoney(rule.amount)} = ${formatMoney(standard - rule.amount)} 元`,
          `${who}: the notice says the person pays ${formatMoney(rule.netContribution)}, but ${formatMoney(standard)} − ${formatMoney(rule.amount)} = ${formatMoney(standard - rule.amount)}`,
        ),
        rule.modeClause ?? rule.clause,
      );
    }
    const amount = rule.full ? standard : rule.amount;
    rule.funding?.forEach((f, j) => {
      for (const code of f.regions ?? []) {
        if (!regions.has(code))
          error('UNKNOWN_REGION', [...path, 'funding', j, 'regions'], text(`${who}：没有区域 ${code}`, `${who}: unknown region ${code}`), f.clause);
      }
      if (amount !== undefined) {
        for (const problem of allocateFunding(f.shares, amount, f.clause).problems) {
          error('FUNDING_SPLIT', [...path, 'funding', j], text(`${who}：${problem.zh}`, `${who}: ${problem.en}`), f.clause);
        }
      }
    });
  });
  checkTieOrder(policy, standard, error);
  const cutoff = policy.assistance?.certificationCutoff;
  if (cutoff && compareDates(cutoff.date, policy.coverage.end.date) > 0) {
    error(
      'CUTOFF_AFTER_COVER',
      ['assistance', 'certificationCutoff', 'date'],
      text(`认定截止日 ${cutoff.date} 晚于待遇年度结束`, `cut-off ${cutoff.date} is after the year of cover ends`),
      cutoff.clause,
    );
  }

  // Units managed by a region (肃南 三（三）): the regions exist.
  policy.enrolment?.units.forEach((unit, i) => {
    const path = ['enrolment', 'units', i];
    for (const code of [unit.region, ...Object.values(unit.byHukou ?? {})]) {
      if (code !== undefined && !regions.has(code)) error('UNKNOWN_REGION', path, text(`没有区域 ${code}`, `unknown region ${code}`), unit.clause);
    }
    if (!unit.region && !unit.byHukou)
      error('UNIT_REGION', path, text(`${unit.unit}：请给出 region 或 byHukou`, `${unit.unit}: give region or byHukou`), unit.clause);
  });

  // Targets: known regions, parts against their stated totals, dated counts against milestone shares.
  const targets = policy.targets;
  if (targets) {
    const byRegion = new Map(targets.regions.map((t) => [t.region, t]));
    const nameOf = (code: string) => regions.get(code)?.name ?? code;
    targets.regions.forEach((row, i) => {
      if (!regions.has(row.region))
        error('UNKNOWN_REGION', ['targets', 'regions', i, 'region'], text(`没有区域 ${row.region}`, `unknown region ${row.region}`), row.clause);
      (row.byDate ?? []).forEach((dated, j) => {
        const milestone = policy.milestones.find((m) => m.date === dated.date);
        const expected = milestone ? Math.round(row.target * milestone.share) : null;
        if (milestone && expected !== dated.count) {
          warn(
            'TARGET_MILESTONE',
            ['targets', 'regions', i, 'byDate', j, 'count'],
            text(
              `${nameOf(row.region)} 须在 ${dated.date} 前完成 ${dated.count} 人，但任务数 ${row.target} 的 ${milestone.share * 100}% 是 ${expected} 人`,
              `${row.region} must reach ${dated.count} by ${dated.date}, but ${milestone.share * 100}% of ${row.target} is ${expected}`,
            ),
            dated.clause,
          );
        }
      });
    });
    const childrenOf = (code: string | null) => targets.regions.filter((t) => nearestTargetedAncestor(t.region, regions, byRegion) === code);
    const compare = (stated: number, parts: typeof targets.regions, path: DocumentPath, clause: string, label: Localized) => {
      if (parts.length === 0) return;
      const sum = parts.reduce((s, p) => s + p.target, 0);
      if (sum !== stated) {
        const list = parts.map((p) => `${nameOf(p.region)} ${p.target}`).join(' + ');
        warn(
          'TARGET_TOTAL',
          path,
          text(
            `${label.zh}写的是 ${stated}，但各部分合计 ${sum}（${list}）；以各部分为准`,
            `${label.en} states ${stated}, but its parts add up to ${sum} (${list}); the parts are kept`,
          ),
          clause,
        );
      }
    };
    targets.regions.forEach((row, i) => {
      compare(row.target, childrenOf(row.region), ['targets', 'regions', i, 'target'], row.clause, text(nameOf(row.region), nameOf(row.region)));
    });
    if (targets.total) compare(targets.total.count, childrenOf(null), ['targets', 'total', 'count'], targets.total.clause, text('总任务数', 'the total'));
  }

  return { errors, warnings, fiscalShares };
}

type Report = (code: string, path: DocumentPath, message: Localized, clause?: string) => void;

/**
 * The dates of the year: in order, in a plausible year, the window opening before or when cover starts
 * (贵阳's may run on after it), refund deadlines, milestones and dated targets inside the window, and a
 * quoted clause that names the same year as its date.
 */
function checkDates(policy: PolicyYearData, error: Report, warn: Report): void {
  const year = policy.coverageYear;
  const window = policy.collectionWindow;
  const cover = policy.coverage;
  const plausible = (date: string) => yearOf(date) === year || yearOf(date) === year - 1;
  const lower = window.start ?? window.earliestPayment;
  const lowerPath = window.start ? ['collectionWindow', 'start', 'date'] : ['collectionWindow', 'earliestPayment', 'date'];

  if (window.start && compareDates(window.start.date, window.end.date) > 0) {
    error(
      'WINDOW_ORDER',
      ['collectionWindow', 'start', 'date'],
      text(`缴费期开始 ${window.start.date} 晚于结束 ${window.end.date}`, `starts ${window.start.date} after it ends ${window.end.date}`),
      window.start.clause,
    );
  }
  if (window.earliestPayment && compareDates(window.earliestPayment.date, window.end.date) > 0) {
    error(
      'WINDOW_ORDER',
      ['collectionWindow', 'earliestPayment', 'date'],
      text(
        `最早缴费日 ${window.earliestPayment.date} 晚于缴费期结束 ${window.end.date}`,
        `the earliest payment ${window.earliestPayment.date} is after the window ends ${window.end.date}`,
      ),
      window.earliestPayment.clause,
    );
  }
  if (compareDates(cover.start.date, cover.end.date) > 0) {
    error(
      'COVER_ORDER',
      ['coverage', 'start', 'date'],
      text(`待遇期开始 ${cover.start.date} 晚于结束 ${cover.end.date}`, `cover starts ${cover.start.date} after it ends ${cover.end.date}`),
      cover.start.clause,
    );
  }
  if (compareDates(window.end.date, cover.end.date) > 0) {
    error(
      'WINDOW_AFTER_COVER',
      ['collectionWindow', 'end', 'date'],
      text(`缴费期 ${window.end.date} 结束，晚于待遇期结束 ${cover.end.date}`, `collection ends ${window.end.date}, after cover ends ${cover.end.date}`),
      window.end.clause,
    );
  }
  if (yearOf(cover.start.date) !== year) {
    error(
      'COVER_YEAR',
      ['coverage', 'start', 'date'],
      text(`待遇从 ${yearOf(cover.start.date)} 年开始，不在待遇年度 ${year} 年`, `cover starts in ${yearOf(cover.start.date)}, not in ${year}`),
      cover.start.clause,
    );
  }
  if (yearOf(cover.end.date) !== year) {
    error(
      'COVER_YEAR',
      ['coverage', 'end', 'date'],
      text(`待遇在 ${yearOf(cover.end.date)} 年结束，不在待遇年度 ${year} 年`, `cover ends in ${yearOf(cover.end.date)}, not in ${year}`),
      cover.end.clause,
    );
  }
  if (lower && compareDates(lower.date, cover.start.date) > 0) {
    error(
      'WINDOW_AFTER_COVER_START',
      lowerPath,
      text(
        `缴费期从 ${lower.date} 开始，晚于待遇开始 ${cover.start.date}：缴费期应在待遇开始之前或当天开始`,
        `the window opens ${lower.date}, after cover starts ${cover.start.date}: it opens before cover starts, or on that day`,
      ),
      lower.clause,
    );
  }
  for (const [path, cited] of [
    [lowerPath, lower],
    [['collectionWindow', 'end', 'date'], window.end],
  ] as const) {
    if (cited && !plausible(cited.date)) {
      error(
        'WINDOW_YEAR',
        path,
        text(
          `缴费期日期 ${cited.date} 不在 ${year - 1} 年或 ${year} 年：${year} 年度的缴费期应在待遇年度之前一年或当年`,
          `the window's date ${cited.date} is in neither ${year - 1} nor ${year}: the window for ${year} cover lies in the year before it or in it`,
        ),
        cited.clause,
      );
    }
  }

  // Inside the window: the refund deadline, milestones, dated targets.
  const inside = (date: string) => (!lower || compareDates(lower.date, date) <= 0) && compareDates(date, window.end.date) <= 0;
  const span = `${lower?.date ?? '…'} — ${window.end.date}`;
  const deadline = policy.refunds?.deadline;
  if (deadline && !inside(deadline.date)) {
    error(
      'REFUND_DEADLINE_OUTSIDE_WINDOW',
      ['refunds', 'deadline', 'date'],
      text(`退费截止日 ${deadline.date} 不在缴费期 ${span} 内`, `the refund deadline ${deadline.date} lies outside the collection window ${span}`),
      deadline.clause,
    );
  }
  policy.milestones.forEach((m, i) => {
    const previous = policy.milestones[i - 1];
    if (previous && (compareDates(previous.date, m.date) >= 0 || previous.share > m.share)) {
      error(
        'MILESTONE_ORDER',
        ['milestones', i],
        text(
          `进度节点须按日期和比例递增：${previous.date} ${previous.share} 之后是 ${m.date} ${m.share}`,
          `milestones must rise in date and share: ${previous.date} ${previous.share} then ${m.date} ${m.share}`,
        ),
        m.clause,
      );
    }
    if (!inside(m.date)) {
      error(
        'MILESTONE_OUTSIDE_WINDOW',
        ['milestones', i, 'date'],
        text(`进度节点 ${m.date} 不在缴费期 ${span} 内`, `the milestone ${m.date} lies outside the collection window ${span}`),
        m.clause,
      );
    }
  });
  policy.targets?.regions.forEach((row, i) =>
    (row.byDate ?? []).forEach((dated, j) => {
      if (!inside(dated.date)) {
        error(
          'MILESTONE_OUTSIDE_WINDOW',
          ['targets', 'regions', i, 'byDate', j, 'date'],
          text(
            `${row.region} 的阶段任务日期 ${dated.date} 不在缴费期 ${span} 内`,
            `${row.region}'s dated target ${dated.date} lies outside the collection window ${span}`,
          ),
          dated.clause,
        );
      }
    }),
  );

  // A clause quoting the notice names the year of its date; one that names only other years was not updated.
  const cited: Array<[DocumentPath, { date: string; clause: string } | undefined]> = [
    [['collectionWindow', 'start'], window.start],
    [['collectionWindow', 'earliestPayment'], window.earliestPayment],
    [['collectionWindow', 'end'], window.end],
    [['coverage', 'start'], cover.start],
    [['coverage', 'end'], cover.end],
    [['refunds', 'deadline'], deadline],
    [['assistance', 'certificationCutoff'], policy.assistance?.certificationCutoff],
    ...policy.milestones.map((m, i): [DocumentPath, { date: string; clause: string }] => [['milestones', i], m]),
  ];
  for (const [path, value] of cited) {
    if (!value) continue;
    const named = yearsNamedIn(value.clause);
    if (named.length > 0 && !named.includes(yearOf(value.date))) {
      warn(
        'CLAUSE_YEAR',
        [...path, 'clause'],
        text(
          `引用的条款写的是 ${[...new Set(named)].join('、')} 年，日期却是 ${value.date}：条款或日期是否还没改？`,
          `the clause quoted names ${[...new Set(named)].join(', ')}, but the date is ${value.date}: was the clause or the date left from another year?`,
        ),
        value.clause,
      );
    }
  }
}

/**
 * The notice itself: issued in the year of cover or the year before; its title names the year of cover,
 * or the year it names is declared (`notice.label`, as 山丹's 2021年度 for cover in 2022) and is the year
 * before; the year in its number (〔2022〕) is the year it was issued.
 */
function checkNotice(policy: PolicyYearData, error: Report, warn: Report): void {
  const year = policy.coverageYear;
  const notice = policy.notice;
  if (notice.issuedOn && yearOf(notice.issuedOn) !== year && yearOf(notice.issuedOn) !== year - 1) {
    error(
      'NOTICE_DATE_YEAR',
      ['notice', 'issuedOn'],
      text(
        `发文日期 ${notice.issuedOn} 不在 ${year - 1} 年或 ${year} 年：${year} 年度的通知应在待遇年度之前一年或当年印发`,
        `the notice is dated ${notice.issuedOn}, in neither ${year - 1} nor ${year}`,
      ),
      notice.clause,
    );
  }
  if (notice.issuedOn && compareDates(notice.issuedOn, policy.collectionWindow.end.date) > 0) {
    warn(
      'NOTICE_AFTER_WINDOW',
      ['notice', 'issuedOn'],
      text(
        `发文日期 ${notice.issuedOn} 晚于缴费期结束 ${policy.collectionWindow.end.date}`,
        `the notice is dated ${notice.issuedOn}, after the window ends ${policy.collectionWindow.end.date}`,
      ),
      notice.clause,
    );
  }
  const numberYear = notice.number ? /[〔[（(]((?:19|20)\d{2})[〕\]）)]/.exec(notice.number)?.[1] : undefined;
  if (numberYear && notice.issuedOn && Number(numberYear) !== yearOf(notice.issuedOn)) {
    warn(
      'NOTICE_NUMBER_YEAR',
      ['notice', 'number'],
      text(
        `文号 ${notice.number} 的年份 ${numberYear} 与发文日期 ${notice.issuedOn} 不一致`,
        `the number ${notice.number} names ${numberYear}, but the notice is dated ${notice.issuedOn}`,
      ),
      notice.clause,
    );
  }

  const titleYear = yearsNamedIn(notice.title)[0];
  if (titleYear === undefined || titleYear === year) return;
  const labelYear = notice.label ? /(?:19|20)\d{2}/.exec(notice.label)?.[0] : undefined;
  if (!notice.label || labelYear === undefined) {
    error(
      'TITLE_YEAR',
      ['notice', 'title'],
      text(
        `标题写的是 ${titleYear} 年，待遇年度却是 ${year} 年：若通知所称年度与待遇年度不同，请在 notice.label 写明通知所称年度，并在 coverageYearFrom 注明依据`,
        `the title names ${titleYear}, the year of cover is ${year}: where the notice's year differs from the year of cover, declare it in notice.label and cite why in coverageYearFrom`,
      ),
      notice.clause,
    );
  } else if (Number(labelYear) !== titleYear) {
    error(
      'TITLE_YEAR',
      ['notice', 'label'],
      text(`notice.label 写的是 ${notice.label}，标题却写 ${titleYear} 年`, `notice.label says ${notice.label}, but the title names ${titleYear}`),
      notice.clause,
    );
  } else if (Number(labelYear) !== year - 1) {
    error(
      'TITLE_YEAR',
      ['notice', 'label'],
      text(
        `通知所称 ${notice.label} 对应待遇年度 ${year} 不合理：通知所称年度是待遇年度本身，或其前一年（当年缴费、次年享受）`,
        `a notice labelled ${notice.label} cannot be for cover in ${year}: a notice's year is the year of cover, or the year before it (pay this year, covered the next)`,
      ),
      notice.clause,
    );
  }
}

/**
 * Which category applies when several give the same subsidy is never left to the order of the file: where
 * two rules could tie (the same amount, or both full), `assistance.multipleCategories.tie.order` names every
 * category with a rule exactly once.
 */
function checkTieOrder(policy: PolicyYearData, standard: number, error: Report): void {
  const rules = policy.assistance?.rules ?? [];
  const tie = policy.assistance?.multipleCategories?.tie;
  const worth = (r: (typeof rules)[number]) => (r.full ? standard : r.amount);
  const tied = rules.some((a, i) => rules.some((b, j) => j > i && worth(a) !== undefined && worth(a) === worth(b)));
  const path = ['assistance', 'multipleCategories', 'tie'];
  if (!tie) {
    if (tied) {
      error(
        'TIE_ORDER',
        policy.assistance?.multipleCategories ? ['assistance', 'multipleCategories'] : ['assistance'],
        text(
          '有两个资助类别的资助额相同：请给出 assistance.multipleCategories.tie.order（谁先适用），注明条款并标为推定（inferred）',
          'two categories give the same subsidy: give tie.order (which applies first), citing the notice and marked inferred',
        ),
      );
    }
    return;
  }
  const seen = new Set<string>();
  for (const category of tie.order) {
    if (seen.has(category)) error('TIE_ORDER', [...path, 'order'], text(`${category} 重复列出`, `${category} is listed twice`), tie.clause);
    seen.add(category);
    if (!rules.some((r) => r.category === category))
      error('TIE_ORDER', [...path, 'order'], text(`${category} 在本年度没有资助规则`, `${category} has no rule in this year`), tie.clause);
  }
  for (const rule of rules)
    if (!seen.has(rule.category))
      error('TIE_ORDER', [...path, 'order'], text(`顺序中缺少 ${rule.category}`, `${rule.category} is missing from the order`), tie.clause);
}

/** The closest region above `code` that has its own target row, or null at the top. */
function nearestTargetedAncestor(code: string, regions: ReadonlyMap<string, Region>, targeted: ReadonlyMap<string, unknown>): string | null {
  for (let parent = regions.get(code)?.parentCode ?? null; parent; parent = regions.get(parent)?.parentCode ?? null) {
    if (targeted.has(parent)) return parent;
  }
  return null;
}
