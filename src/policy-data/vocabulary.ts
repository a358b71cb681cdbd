/**
 * The contract's enumerations (../shared/CONTRACT.md). Tenant files, the policy engine and the GraphQL
 * schema all read these lists, so a code cannot be spelled two ways.
 */
export const ASSISTANCE_CATEGORIES = [
  'EXTREME_POVERTY',
  'ORPHAN',
  'DIBAO',
  'DIBAO_RURAL_1',
  'DIBAO_RURAL_2',
  'DIBAO_RURAL_3',
  'DIBAO_RURAL_4',
  'DIBAO_URBAN_FULL',
  'DIBAO_URBAN_PARTIAL',
  'DIBAO_MARGINAL',
  'RETURNED_TO_POVERTY',
  'AT_RISK_OF_POVERTY',
  'AT_RISK_UNSTABLE_LIFTED',
  'AT_RISK_MARGINAL',
  'AT_RISK_SUDDEN_HARDSHIP',
  'LIFTED_OUT_OF_POVERTY',
  'SEVERE_DISABILITY',
  'LOW_INCOME_VULNERABLE',
  'FAMILY_PLANNING',
  'DOWNSIZED_1960S_WORKER',
  'SEVERE_MENTAL_DISORDER',
] as const;
export type AssistanceCategory = (typeof ASSISTANCE_CATEGORIES)[number];

/** What clerks call each category (CONTRACT.md's table), for pages and files in Chinese. */
export const ASSISTANCE_CATEGORY_NAMES: Readonly<Record<AssistanceCategory, string>> = {
  EXTREME_POVERTY: '特困人员',
  ORPHAN: '孤儿、事实无人抚养儿童',
  DIBAO: '低保对象',
  DIBAO_RURAL_1: '农村一类低保',
  DIBAO_RURAL_2: '农村二类低保',
  DIBAO_RURAL_3: '农村三类低保',
  DIBAO_RURAL_4: '农村四类低保',
  DIBAO_URBAN_FULL: '城市全额低保',
  DIBAO_URBAN_PARTIAL: '城市差额低保',
  DIBAO_MARGINAL: '低保边缘家庭成员',
  RETURNED_TO_POVERTY: '返贫致贫人口',
  AT_RISK_OF_POVERTY: '易返贫致贫人口（监测对象）',
  AT_RISK_UNSTABLE_LIFTED: '脱贫不稳定户',
  AT_RISK_MARGINAL: '边缘易致贫户',
  AT_RISK_SUDDEN_HARDSHIP: '突发严重困难户',
  LIFTED_OUT_OF_POVERTY: '已脱贫人口',
  SEVERE_DISABILITY: '重度残疾人',
  LOW_INCOME_VULNERABLE: '低收入家庭中的老年人、未成年人、重度残疾人和重病患者',
  FAMILY_PLANNING: '计生特殊家庭成员',
  DOWNSIZED_1960S_WORKER: '六十年代初精减退职老职工',
  SEVERE_MENTAL_DISORDER: '肇事肇祸精神障碍患者',
};

/** The 低保 classes; a notice that does not split 低保 by class gives them its DIBAO rule. */
export const DIBAO_CLASSES: readonly AssistanceCategory[] = [
  'DIBAO_RURAL_1',
  'DIBAO_RURAL_2',
  'DIBAO_RURAL_3',
  'DIBAO_RURAL_4',
  'DIBAO_URBAN_FULL',
  'DIBAO_URBAN_PARTIAL',
];

/**
 * The three kinds of 监测对象 (易返贫致贫人口) that AT_RISK_OF_POVERTY lumps together: 脱贫不稳定户, 边缘易致贫户,
 * 突发严重困难户 (平利 八（三）; 肃南 二（三）2 突发严重疾病困难户). A notice that subsidises 易返贫致贫人口 as a whole gives
 * each kind its AT_RISK_OF_POVERTY rule; 平利 三（一）4 subsidises only the first.
 */
export const AT_RISK_KINDS: readonly AssistanceCategory[] = ['AT_RISK_UNSTABLE_LIFTED', 'AT_RISK_MARGINAL', 'AT_RISK_SUDDEN_HARDSHIP'];

/** A category that some notices split into kinds, with its kinds. */
export const CATEGORY_GROUPS: Readonly<Partial<Record<AssistanceCategory, readonly AssistanceCategory[]>>> = {
  DIBAO: DIBAO_CLASSES,
  AT_RISK_OF_POVERTY: AT_RISK_KINDS,
};

/** The group a category is a kind of (DIBAO for DIBAO_RURAL_1), or null. */
export function groupOf(category: AssistanceCategory): AssistanceCategory | null {
  for (const [group, kinds] of Object.entries(CATEGORY_GROUPS) as Array<[AssistanceCategory, readonly AssistanceCategory[]]>) {
    if (kinds.includes(category)) return group;
  }
  return null;
}

export const SUBSIDY_MODES = ['NET_COLLECTION', 'REIMBURSEMENT', 'FULL_SPONSORSHIP'] as const;
export type SubsidyMode = (typeof SUBSIDY_MODES)[number];

/**
 * Why someone may enrol outside the concentrated window. UNIVERSITY_STUDENT and LOST_CONTACT (失联人员,
 * 平利 三（五）) are this server's additions.
 */
export const CIRCUMSTANCES = [
  'VETERAN_DISCHARGED',
  'EMPLOYEE_INSURANCE_LAPSED',
  'RETURNING_GRADUATE',
  'RELEASED_FROM_PRISON',
  'NEWLY_CERTIFIED_ASSISTANCE',
  'UNIVERSITY_STUDENT',
  'LOST_CONTACT',
] as const;
export type Circumstance = (typeof CIRCUMSTANCES)[number];

export const REFUND_REASONS = [
  'DUPLICATE_ENROLLMENT',
  'DUPLICATE_CROSS_PROVINCE',
  'DEATH',
  'MISSING',
  'EMIGRATION',
  'EMPLOYEE_INSURANCE',
  'OTHER_POOL',
  'WRONG_LOCATION',
  'ENLISTMENT',
  'IMPRISONMENT',
] as const;
export type RefundReason = (typeof REFUND_REASONS)[number];

/**
 * A refund reason that is a narrower kind of another: 跨省重复缴费 (甘州 七) is one kind of duplicate. Where a
 * notice states a rule for the wider reason only, the narrower one takes it.
 */
export const REFUND_REASON_GROUPS: Readonly<Partial<Record<RefundReason, RefundReason>>> = {
  DUPLICATE_CROSS_PROVINCE: 'DUPLICATE_ENROLLMENT',
};

/** Who pays a share of a subsidy or of the fiscal contribution. */
export const FUNDING_SOURCES = {
  CENTRAL_FISCAL: '中央财政',
  PROVINCIAL_FISCAL: '省级财政',
  CITY_FISCAL: '市级财政',
  COUNTY_FISCAL: '县级财政',
  CITY_COUNTY_FISCAL: '市县级财政',
  GUIAN_FISCAL: '贵安新区本级财政',
  MEDICAL_ASSISTANCE_FUND: '医疗救助资金',
  HEALTH_COMMISSION: '卫生健康部门',
} as const;
export type FundingSource = keyof typeof FUNDING_SOURCES;

/**
 * TENANT is the whole tenant, as reports show it beside its regions. TOWNSHIP is a 乡、镇 or 街道 (9-digit
 * statistical code), VILLAGE a 村委会 or 居委会 (12 digits); UNIT a unit managed like a township (a farm,
 * a development zone).
 */
export const REGION_KINDS = ['TENANT', 'CITY_AREA', 'NEW_AREA', 'DISTRICT', 'SUB_DISTRICT', 'TOWNSHIP', 'UNIT', 'VILLAGE'] as const;
export type RegionKind = (typeof REGION_KINDS)[number];
