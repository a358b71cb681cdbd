/**
 * The agencies' own words for a category (农村一类低保, 最低生活保障对象, 特困供养人员, 脱贫人口 …), read
 * against the categories the tenant's notices subsidise: a label stands for a category only where the
 * tenant's policy data defines it. 最低生活保障对象 is 低保 in a county whose notice treats 低保 as one
 * category, and ambiguous in one whose notice subsidises its classes differently (甘州): then the error
 * names the candidates, so that the agency writes the class.
 */
import { DomainError } from '../../common/errors';
// As `bilingual`: `text` here is the label's text.
import { text as bilingual } from '../../common/i18n';
import type { RequestContext } from '../../context/request-context';
import { ASSISTANCE_CATEGORIES, ASSISTANCE_CATEGORY_NAMES, type AssistanceCategory, AT_RISK_KINDS, DIBAO_CLASSES, groupOf } from '../../policy-data/vocabulary';

const RURAL_DIBAO: readonly AssistanceCategory[] = ['DIBAO_RURAL_1', 'DIBAO_RURAL_2', 'DIBAO_RURAL_3', 'DIBAO_RURAL_4'];
const URBAN_DIBAO: readonly AssistanceCategory[] = ['DIBAO_URBAN_FULL', 'DIBAO_URBAN_PARTIAL'];
const ANY_DIBAO: readonly AssistanceCategory[] = ['DIBAO', ...DIBAO_CLASSES];
const ANY_AT_RISK: readonly AssistanceCategory[] = ['AT_RISK_OF_POVERTY', ...AT_RISK_KINDS];

/**
 * Labels as the lists of 民政, 乡村振兴 and 残联 write them, each with the categories it may mean. The
 * contract's own names (ASSISTANCE_CATEGORY_NAMES) are added below.
 */
const LABELS: Record<string, readonly AssistanceCategory[]> = {
  特困: ['EXTREME_POVERTY'],
  特困人员: ['EXTREME_POVERTY'],
  特困供养人员: ['EXTREME_POVERTY'],
  特困供养对象: ['EXTREME_POVERTY'],
  农村特困供养人员: ['EXTREME_POVERTY'],
  城乡特困人员: ['EXTREME_POVERTY'],
  城乡特困供养人员: ['EXTREME_POVERTY'],
  特困救助供养对象: ['EXTREME_POVERTY'],
  特困救助供养人员: ['EXTREME_POVERTY'],
  五保户: ['EXTREME_POVERTY'],
  孤儿: ['ORPHAN'],
  事实无人抚养儿童: ['ORPHAN'],
  低保: ANY_DIBAO,
  低保对象: ANY_DIBAO,
  低保户: ANY_DIBAO,
  最低生活保障对象: ANY_DIBAO,
  城乡低保对象: ANY_DIBAO,
  城乡最低生活保障对象: ANY_DIBAO,
  农村低保: RURAL_DIBAO,
  农村低保对象: RURAL_DIBAO,
  农村最低生活保障对象: RURAL_DIBAO,
  城市低保: URBAN_DIBAO,
  城镇低保: URBAN_DIBAO,
  城市低保对象: URBAN_DIBAO,
  城市最低生活保障对象: URBAN_DIBAO,
  农村一类低保: ['DIBAO_RURAL_1'],
  农村二类低保: ['DIBAO_RURAL_2'],
  农村三类低保: ['DIBAO_RURAL_3'],
  农村四类低保: ['DIBAO_RURAL_4'],
  农村低保一类: ['DIBAO_RURAL_1'],
  农村低保二类: ['DIBAO_RURAL_2'],
  农村低保三类: ['DIBAO_RURAL_3'],
  农村低保四类: ['DIBAO_RURAL_4'],
  一类低保: ['DIBAO_RURAL_1'],
  二类低保: ['DIBAO_RURAL_2'],
  三类低保: ['DIBAO_RURAL_3'],
  四类低保: ['DIBAO_RURAL_4'],
  城市全额低保: ['DIBAO_URBAN_FULL'],
  城市差额低保: ['DIBAO_URBAN_PARTIAL'],
  城镇全额低保: ['DIBAO_URBAN_FULL'],
  城镇差额低保: ['DIBAO_URBAN_PARTIAL'],
  低保边缘: ['DIBAO_MARGINAL'],
  低保边缘家庭: ['DIBAO_MARGINAL'],
  低保边缘家庭成员: ['DIBAO_MARGINAL'],
  返贫致贫人口: ['RETURNED_TO_POVERTY'],
  返贫人口: ['RETURNED_TO_POVERTY'],
  监测对象: ANY_AT_RISK,
  防返贫监测对象: ANY_AT_RISK,
  防止返贫监测对象: ANY_AT_RISK,
  易返贫致贫人口: ANY_AT_RISK,
  脱贫不稳定户: ['AT_RISK_UNSTABLE_LIFTED'],
  边缘易致贫户: ['AT_RISK_MARGINAL'],
  突发严重困难户: ['AT_RISK_SUDDEN_HARDSHIP'],
  突发严重疾病困难户: ['AT_RISK_SUDDEN_HARDSHIP'],
  脱贫人口: ['LIFTED_OUT_OF_POVERTY'],
  已脱贫人口: ['LIFTED_OUT_OF_POVERTY'],
  脱贫户: ['LIFTED_OUT_OF_POVERTY'],
  建档立卡贫困人口: ['LIFTED_OUT_OF_POVERTY'],
  原建档立卡贫困人口: ['LIFTED_OUT_OF_POVERTY'],
  重度残疾人: ['SEVERE_DISABILITY'],
  重度残疾人员: ['SEVERE_DISABILITY'],
  一二级残疾人: ['SEVERE_DISABILITY'],
  计生特殊家庭: ['FAMILY_PLANNING'],
  计划生育特殊家庭成员: ['FAMILY_PLANNING'],
  精减退职老职工: ['DOWNSIZED_1960S_WORKER'],
  肇事肇祸精神障碍患者: ['SEVERE_MENTAL_DISORDER'],
};
for (const [code, name] of Object.entries(ASSISTANCE_CATEGORY_NAMES) as Array<[AssistanceCategory, string]>) LABELS[normalise(name)] ??= [code];

/** Spaces dropped, full-width brackets and letters as half-width: 农村一类低保（对象） as 农村一类低保(对象). */
function normalise(label: string): string {
  return label
    .normalize('NFKC')
    .replace(/\s+/g, '')
    .replace(/[“”"'‘’]/g, '');
}

/** Whether the text is a category's code or a label known here, before any tenant is asked about it. */
export function isCategoryWord(text: string): boolean {
  const word = normalise(text);
  return (
    (ASSISTANCE_CATEGORIES as readonly string[]).includes(word.toUpperCase()) || LABELS[word] !== undefined || LABELS[word.replace(/\(.*\)$/, '')] !== undefined
  );
}

/** The categories that any of the tenant's notices subsidises. */
export function categoriesOfTenant(ctx: RequestContext): Set<AssistanceCategory> {
  const defined = new Set<AssistanceCategory>();
  for (const policy of ctx.tenant.policies.values()) for (const rule of policy.data.assistance?.rules ?? []) defined.add(rule.category);
  return defined;
}

const named = (c: AssistanceCategory) => `${ASSISTANCE_CATEGORY_NAMES[c]}（${c}）`;

/**
 * The category an agency's label (or a code, in any case) stands for in this tenant, or a
 * BAD_USER_INPUT in Chinese on `field`: the label is unknown, names a category the tenant's notices do
 * not subsidise, or may mean several (the candidates are in the message and in `candidates`).
 */
export function categoryFromLabel(
  ctx: RequestContext,
  label: string,
  field: string,
  defined: ReadonlySet<AssistanceCategory> = categoriesOfTenant(ctx),
): AssistanceCategory | DomainError {
  const text = normalise(label);
  const asCode = text.toUpperCase();
  const meant: readonly AssistanceCategory[] | undefined = (ASSISTANCE_CATEGORIES as readonly string[]).includes(asCode)
    ? [asCode as AssistanceCategory]
    : (LABELS[text] ?? LABELS[text.replace(/\(.*\)$/, '')]);
  const offered = [...defined]
    .sort((a, b) => ASSISTANCE_CATEGORIES.indexOf(a) - ASSISTANCE_CATEGORIES.indexOf(b))
    .map(named)
    .join('、');
  if (!meant) {
    return new DomainError(
      'BAD_USER_INPUT',
      bilingual(
        `资助类别「${label}」无法识别：请填写${ctx.tenant.name}资助的类别之一：${offered}`,
        `the assistance category ${label} is not known: give one of the categories ${ctx.tenant.name} subsidises: ${[...defined].join(', ')}`,
      ),
      { field },
    );
  }
  let hits = meant.filter((c) => defined.has(c));
  // A class the notice does not subsidise apart (农村一类低保 where the notice says 低保): its group's category.
  if (hits.length === 0) hits = [...new Set(meant.map(groupOf).filter((g): g is AssistanceCategory => g !== null && defined.has(g)))];
  if (hits.length === 1) return hits[0];
  if (hits.length > 1) {
    return new DomainError(
      'BAD_USER_INPUT',
      bilingual(
        `资助类别「${label}」在${ctx.tenant.name}的政策中可指 ${hits.map(named).join('、')}：请写明其中之一`,
        `the assistance category ${label} may mean any of ${hits.join(', ')} in ${ctx.tenant.name}'s policy: name one`,
      ),
      { field, candidates: hits },
    );
  }
  return new DomainError(
    'BAD_USER_INPUT',
    bilingual(
      `资助类别「${label}」（${meant.map(named).join('、')}）不在${ctx.tenant.name}的资助政策中：${ctx.tenant.name}资助的类别是 ${offered}`,
      `the assistance category ${label} (${meant.join(', ')}) is not subsidised in ${ctx.tenant.name}'s policy, which subsidises ${[...defined].join(', ')}`,
    ),
    { field },
  );
}
