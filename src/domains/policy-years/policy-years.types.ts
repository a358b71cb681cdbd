/**
 * Policy years as managed data (CONTRACT.md: draftPolicyYear, PolicyDraftInput, PolicyDraft, PolicyIssue,
 * PolicyChange, publishPolicyYear). Messages follow Accept-Language; codes, paths and values do not.
 */
import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { Fen } from '../../common/money';
import { asEnum, AssistanceCategoryEnum } from '../../graphql/enums';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import type { PolicyOrigin } from '../../policy-data/model';
import type { AssistanceCategory } from '../../policy-data/vocabulary';
import { DateRangeType, TenantType } from '../public-policy/public-policy.types';
import type { DraftReview } from './policy-years.service';

export const PolicyOriginEnum = asEnum<PolicyOrigin>(['TENANT_FILE', 'API']);
registerEnumType(PolicyOriginEnum, {
  name: 'PolicyOrigin',
  description: 'Where a published version came from.',
  valuesConfig: {
    TENANT_FILE: { description: 'A file of tenants/ in the repository, imported when a server started.' },
    API: { description: 'A draft published with publishPolicyYear by a second administrator.' },
  },
});

export const PolicyChangeKindEnum = asEnum<'ADDED' | 'REMOVED' | 'CHANGED'>(['ADDED', 'REMOVED', 'CHANGED']);
registerEnumType(PolicyChangeKindEnum, { name: 'PolicyChangeKind' });

@InputType({ description: 'A year document to check (and later publish): the YAML of tenants/<code>/<year>.yaml.' })
export class PolicyDraftInput {
  @Field(() => ID, { description: 'The tenant, as in x-tenant-id.' }) tenant!: string;
  @Field(() => Int, { description: 'The year of cover the document is for.' }) coverageYear!: number;
  @Field({ description: 'The year document (YAML text), as docs/tenant-format.md describes it.' }) source!: string;
}

@ObjectType({ description: 'A problem of a draft: where it is (path, line) and what is wrong, in the language of Accept-Language.' })
export class PolicyIssue {
  @Field({ description: 'Where in the document, e.g. collectionWindow.end.date; empty for the document as a whole or a line of text.' }) path!: string;
  @Field() message!: string;
  @Field(() => Int, { nullable: true, description: '1-based line of the source where the problem sits.' }) line!: number | null;
  @Field(() => Int, { nullable: true }) column!: number | null;
  @Field({
    description: 'A stable name of the kind of problem: YAML_SYNTAX, FULL_WIDTH_COLON, SCHEMA, TO_FILL, DATE_NOT_MOVED, NOTICE_NUMBER_IN_USE, WINDOW_YEAR …',
  })
  code!: string;
  @Field(() => String, { nullable: true, description: 'The nearest notice clause on the way to the value.' }) clause!: string | null;
}

@ObjectType({ description: 'One value of the draft against the year before.' })
export class PolicyChange {
  @Field({
    description: 'The value, keyed so that rules pair across years: individualContribution.amount, assistance.rules[DIBAO_RURAL_1].amount, milestones[0].date.',
  })
  path!: string;
  @Field(() => String, { nullable: true, description: 'Null: the year before has no such value.' }) before!: string | null;
  @Field(() => String, { nullable: true, description: 'Null: the draft has no such value.' }) after!: string | null;
  @Field(() => PolicyChangeKindEnum) kind!: 'ADDED' | 'REMOVED' | 'CHANGED';
  @Field({ description: 'A clause, an inference or a note: what a value cites rather than the value.' }) citation!: boolean;
  @Field(() => String, { nullable: true, description: 'What the value is, in words (个人缴费标准), where it has a name.' }) label!: string | null;
  @Field(() => Int, { nullable: true, description: 'Its line in the draft.' }) line!: number | null;
}

@ObjectType({ description: 'A published version of a tenant-year. Versions never change; the highest is in force.' })
export class PolicyVersion {
  @Field(() => Int) coverageYear!: number;
  @Field(() => Int) version!: number;
  @Field(() => PolicyOriginEnum) origin!: PolicyOrigin;
  @Field(() => String, { nullable: true }) noticeNumber!: string | null;
  @Field({ description: 'Who published it (tenants/<file> for a file imported at start).' }) publishedBy!: string;
  @Field({ description: 'ISO 8601 instant.' }) publishedAt!: string;
  @Field(() => String, { nullable: true, description: 'Who wrote the draft it was published from.' }) draftedBy!: string | null;
  @Field(() => ID, { nullable: true }) draftId!: string | null;
  @Field(() => String, { nullable: true, description: 'The file of tenants/ it was imported from.' }) file!: string | null;
  @Field({ description: 'SHA-256 of the document, hex: the same text gives the same digest.' }) sourceSha256!: string;
  @Field({ description: 'True for the version in force.' }) inForce!: boolean;
}

@ObjectType({ description: "A published version's document, as tenants/<code>/<year>.yaml holds it." })
export class PolicyYearDocument {
  @Field(() => PolicyVersion) version!: PolicyVersion;
  @Field({ description: 'The YAML exactly as published.' }) source!: string;
  @Field({ description: 'Where it belongs in the repository: <code>/<year>.yaml under tenants/.' }) fileName!: string;
}

@ObjectType({ description: 'What one case comes to under one year.' })
export class PreviewOutcome {
  @Field(() => DateScalar, { description: 'The day of the payment, or of the refund request.' }) date!: string;
  @Field({ description: 'OK, or the code the API would answer: ENROLLMENT_CLOSED, POLICY_NOT_CONFIGURED, REFUND_NOT_ALLOWED …' }) outcome!: string;
  @Field(() => String, { nullable: true }) message!: string | null;
  @Field(() => MoneyScalar, { nullable: true }) standardContribution!: Fen | null;
  @Field(() => MoneyScalar, { nullable: true }) subsidy!: Fen | null;
  @Field(() => MoneyScalar, { nullable: true }) amountDue!: Fen | null;
  @Field(() => MoneyScalar, { nullable: true }) reimbursement!: Fen | null;
  @Field(() => MoneyScalar, { nullable: true }) refund!: Fen | null;
  @Field(() => Boolean, { nullable: true }) late!: boolean | null;
  @Field(() => DateRangeType, { nullable: true }) coverage!: { start: string; end: string } | null;
  @Field(() => AssistanceCategoryEnum, { nullable: true }) appliedCategory!: AssistanceCategory | null;
  @Field(() => [String], { description: 'Values the notice leaves unstated that this answer waits for.' }) unknowns!: string[];
}

@ObjectType({ description: 'A standard case run on the draft beside the year before.' })
export class PreviewCase {
  @Field({
    description:
      'WINDOW_OPENS, WINDOW_CLOSES, BEFORE_WINDOW, LATE, LATE_MID_YEAR, CATEGORY_<category>, NEWBORN_IN_YEAR, NEWBORN_BEFORE_YEAR, REFUND_IN_WINDOW, REFUND_AFTER_COVER.',
  })
  key!: string;
  @Field() label!: string;
  @Field(() => PreviewOutcome) draft!: PreviewOutcome;
  @Field(() => PreviewOutcome, { nullable: true, description: 'Null when there is no year before.' }) before!: PreviewOutcome | null;
  @Field({ description: 'The draft answers otherwise than the year before: amounts, refusal, lateness or where cover starts in the year.' }) differs!: boolean;
}

@ObjectType({ description: 'People of the roll by the category that applies to them under the draft.' })
export class BudgetCategory {
  @Field(() => AssistanceCategoryEnum, { nullable: true, description: 'Null: no assistance.' }) category!: AssistanceCategory | null;
  @Field(() => Int) people!: number;
  @Field(() => MoneyScalar, { description: 'Their subsidies under the draft, in all.' }) subsidy!: Fen;
  @Field(() => MoneyScalar, { nullable: true, description: "The same people's subsidies under the year before." }) subsidyBefore!: Fen | null;
}

@ObjectType({ description: 'What one funding body would pay for the roll.' })
export class BudgetPayer {
  @Field({
    description: 'INDIVIDUAL (the residents), a FundingShare source (CENTRAL_FISCAL, MEDICAL_ASSISTANCE_FUND …), FISCAL (not split by level), UNSTATED.',
  })
  source!: string;
  @Field() name!: string;
  @Field(() => MoneyScalar, { description: 'Under the draft.' }) amount!: Fen;
  @Field(() => MoneyScalar, { nullable: true, description: 'Under the year before.' }) before!: Fen | null;
  @Field(() => MoneyScalar, { nullable: true, description: 'amount − before.' }) difference!: Fen | null;
}

@ObjectType({ description: "The draft priced on the tenant's own roll, against the year before." })
export class PolicyBudget {
  @Field(() => DateScalar, { description: 'The day the roll and its certifications are read on.' }) asOf!: string;
  @Field(() => Int, { description: 'Residents on the roll (living, not moved away).' }) people!: number;
  @Field(() => Int, { nullable: true, description: 'The year compared with.' }) comparedWith!: number | null;
  @Field(() => [BudgetCategory]) categories!: BudgetCategory[];
  @Field(() => [BudgetPayer]) payers!: BudgetPayer[];
  @Field(() => MoneyScalar, { description: 'What the roll pays and is paid for under the draft, in all.' }) total!: Fen;
  @Field(() => MoneyScalar, { nullable: true }) totalBefore!: Fen | null;
  @Field(() => [String], { description: 'What the figures leave out: values the notices do not state, payers not named.' }) notes!: string[];
}

@ObjectType('PolicyDraft', {
  description: 'A year document checked against the format, the year itself and the year before; publishable by another administrator when it has no errors.',
})
export class PolicyDraftType {
  @Field(() => ID) id!: string;
  @Field(() => TenantType) tenant!: TenantType;
  @Field(() => Int) coverageYear!: number;
  @Field(() => [PolicyIssue], { description: 'Every error, in the order of the text; the draft cannot be published while there is one.' })
  errors!: PolicyIssue[];
  @Field(() => [PolicyIssue]) warnings!: PolicyIssue[];
  @Field(() => [PolicyChange], { description: 'Against the year before, value by value (empty without a year before).' }) changes!: PolicyChange[];
  @Field({ description: 'The document as submitted (for a draft started from the year before, the blanks to fill).' }) source!: string;
  @Field({ description: 'Who submitted it; another administrator publishes it.' }) author!: string;
  @Field({ description: 'ISO 8601 instant.' }) createdAt!: string;
  @Field(() => PolicyVersion, { nullable: true, description: 'The year before, in force, which it is checked and compared against.' })
  comparedWith!: PolicyVersion | null;
  @Field(() => PolicyVersion, { nullable: true, description: 'The version of the same year in force, which publishing would replace.' })
  replaces!: PolicyVersion | null;
  @Field(() => Int, { nullable: true, description: 'Set for a draft started from the year before: that year.' }) startedFromYear!: number | null;
  @Field(() => Int, { nullable: true }) startedFromVersion!: number | null;
  @Field({
    description:
      'True when it has no errors and the version it replaces is still the one in force (publishPolicyYear checks again when asked, and refuses its author).',
  })
  publishable!: boolean;
  @Field(() => PolicyVersion, { nullable: true, description: 'The version it was published as.' }) published!: PolicyVersion | null;
  /** What the field resolvers (preview, budget) work from; not a field. */
  review!: DraftReview;
}

@ObjectType({ description: 'The standard cases on the draft beside the year before.' })
export class PolicyPreview {
  @Field(() => Int, { nullable: true, description: 'The year compared with.' }) comparedWith!: number | null;
  @Field(() => [PreviewCase]) cases!: PreviewCase[];
  @Field(() => Int, { description: 'Cases answered otherwise than the year before.' }) differing!: number;
}
