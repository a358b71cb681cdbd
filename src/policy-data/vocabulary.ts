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
  'LIFTED_OUT_OF_POVERTY',
  'SEVERE_DISABILITY',
  'LOW_INCOME_VULNERABLE',
  'FAMILY_PLANNING',
  'DOWNSIZED_1960S_WORKER',
  'SEVERE_MENTAL_DISORDER',
] as const;
export type AssistanceCategory = (typeof ASSISTANCE_CATEGORIES)[number];

/** The 低保 classes; a notice that does not split 低保 by class gives them its DIBAO rule. */
export const DIBAO_CLASSES: readonly AssistanceCategory[] = [
  'DIBAO_RURAL_1',
  'DIBAO_RURAL_2',
  'DIBAO_RURAL_3',
  'DIBAO_RURAL_4',
  'DIBAO_URBAN_FULL',
  'DIBAO_URBAN_PARTIAL',
];

export const SUBSIDY_MODES = ['NET_COLLECTION', 'REIMBURSEMENT', 'FULL_SPONSORSHIP'] as const;
export type SubsidyMode = (typeof SUBSIDY_MODES)[number];

/** Why someone may enrol outside the concentrated window. UNIVERSITY_STUDENT is this server's addition. */
export const CIRCUMSTANCES = [
  'VETERAN_DISCHARGED',
  'EMPLOYEE_INSURANCE_LAPSED',
  'RETURNING_GRADUATE',
  'RELEASED_FROM_PRISON',
  'NEWLY_CERTIFIED_ASSISTANCE',
  'UNIVERSITY_STUDENT',
] as const;
export type Circumstance = (typeof CIRCUMSTANCES)[number];

export const REFUND_REASONS = [
  'DUPLICATE_ENROLLMENT',
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
