import { registerEnumType } from 'type-graphql';
import { ASSISTANCE_CATEGORIES, CIRCUMSTANCES, REFUND_REASONS, REGION_KINDS, SUBSIDY_MODES } from '../policy-data/vocabulary';
import { ROLES } from '../context/tokens';

/** A type-graphql enum object from a list of codes. */
export const asEnum = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const AssistanceCategoryEnum = asEnum(ASSISTANCE_CATEGORIES);
export const SubsidyModeEnum = asEnum(SUBSIDY_MODES);
export const CircumstanceEnum = asEnum(CIRCUMSTANCES);
export const RefundReasonEnum = asEnum(REFUND_REASONS);
export const RegionKindEnum = asEnum(REGION_KINDS);
export const RoleEnum = asEnum(ROLES);
/** The outcome of one row of a bulk import (payments, assistance lists, rosters). */
export const ImportRowStatusEnum = asEnum(['ACCEPTED', 'DUPLICATE', 'REJECTED'] as const);
export type ImportRowStatus = keyof typeof ImportRowStatusEnum;

registerEnumType(AssistanceCategoryEnum, {
  name: 'AssistanceCategory',
  description: 'Categories of people in difficulty (CONTRACT.md).',
  valuesConfig: {
    AT_RISK_OF_POVERTY: { description: '易返贫致贫人口 / 监测对象 as a whole; where a notice subsidises only one kind (平利), give the kind.' },
    AT_RISK_UNSTABLE_LIFTED: { description: '脱贫不稳定户: a kind of 监测对象.' },
    AT_RISK_MARGINAL: { description: '边缘易致贫户: a kind of 监测对象.' },
    AT_RISK_SUDDEN_HARDSHIP: { description: '突发严重困难户 (突发严重疾病困难户): a kind of 监测对象.' },
  },
});
registerEnumType(SubsidyModeEnum, {
  name: 'SubsidyMode',
  description: 'NET_COLLECTION 差额征缴; REIMBURSEMENT 先缴后补; FULL_SPONSORSHIP 全额资助/免征代缴.',
});
registerEnumType(CircumstanceEnum, {
  name: 'Circumstance',
  description: 'Why someone may enrol outside the concentrated window. UNIVERSITY_STUDENT: 平利 covers students from payment.',
  valuesConfig: { LOST_CONTACT: { description: '失联人员: people the authorities had lost contact with (平利 三（五）).' } },
});
registerEnumType(RefundReasonEnum, {
  name: 'RefundReason',
  valuesConfig: {
    DUPLICATE_CROSS_PROVINCE: { description: '跨省重复缴费: a duplicate payment in another province, one kind of DUPLICATE_ENROLLMENT (甘州 七).' },
  },
});
registerEnumType(RegionKindEnum, { name: 'RegionKind' });
registerEnumType(RoleEnum, { name: 'Role' });
/** The direction of a list's order. */
export const SortDirectionEnum = asEnum(['ASC', 'DESC'] as const);
registerEnumType(SortDirectionEnum, { name: 'SortDirection' });
registerEnumType(ImportRowStatusEnum, { name: 'ImportRowStatus', description: 'The outcome of one row of a bulk import.' });
