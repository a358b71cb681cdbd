import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { asEnum, AssistanceCategoryEnum, type ImportRowStatus, ImportRowStatusEnum } from '../../graphql/enums';
import { DateScalar } from '../../graphql/scalars';
import type { AssistanceCategory } from '../../policy-data/vocabulary';

export const CertificationStatusEnum = asEnum(['IN_FORCE', 'ENDED', 'NOT_YET', 'PENDING_REGISTRATION'] as const);
export type CertificationStatus = keyof typeof CertificationStatusEnum;
registerEnumType(CertificationStatusEnum, {
  name: 'CertificationStatus',
  description: 'On the day asked about (today by default): IN_FORCE, ENDED, NOT_YET (starts later); PENDING_REGISTRATION: waiting for the person to register.',
});
export const CertificationActionEnum = asEnum(['GRANT', 'ATTACH', 'END', 'CORRECT', 'REVOKE'] as const);
registerEnumType(CertificationActionEnum, {
  name: 'CertificationAction',
  description: 'ATTACH: a certification that waited for a registration joined the register.',
});

@ObjectType({ description: "One step in a certification's history, with what it was before and after." })
export class CertificationChange {
  @Field(() => ID) certificationId!: string;
  @Field() idNumber!: string;
  @Field(() => CertificationActionEnum) action!: keyof typeof CertificationActionEnum;
  @Field(() => DateScalar) effectiveOn!: string;
  @Field(() => String, { nullable: true }) reason!: string | null;
  @Field(() => GraphQLJSON, { nullable: true }) before!: unknown;
  @Field(() => GraphQLJSON, { nullable: true }) after!: unknown;
  @Field() actor!: string;
  @Field({ description: 'ISO 8601 instant.' }) at!: string;
}

@ObjectType({ description: 'A certified category of a person in difficulty.' })
export class AssistanceIdentity {
  @Field(() => ID) id!: string;
  @Field() idNumber!: string;
  @Field(() => AssistanceCategoryEnum) category!: AssistanceCategory;
  @Field() certifiedBy!: string;
  @Field(() => DateScalar) validFrom!: string;
  @Field(() => DateScalar, { nullable: true }) validTo!: string | null;
  @Field(() => CertificationStatusEnum) status!: CertificationStatus;
}

@InputType({ description: 'What a correction changes; what is not given stays.' })
export class CertificationCorrection {
  @Field(() => AssistanceCategoryEnum, { nullable: true }) category?: AssistanceCategory | null;
  @Field(() => String, { nullable: true }) certifiedBy?: string | null;
  @Field(() => DateScalar, { nullable: true }) validFrom?: string | null;
  @Field(() => DateScalar, { nullable: true }) validTo?: string | null;
}

@InputType({ description: 'A certified person: the category as its code (category) or as the agency writes it (categoryLabel).' })
export class AssistanceInput {
  @Field() idNumber!: string;
  @Field(() => AssistanceCategoryEnum, { nullable: true, description: "The category's code; or give categoryLabel." }) category?: AssistanceCategory | null;
  @Field(() => String, {
    nullable: true,
    description:
      "The category as the agency's list writes it (农村一类低保, 最低生活保障对象, 特困供养人员, 脱贫人口 …), read against the categories the tenant's notices subsidise; a label that may mean several of them is BAD_USER_INPUT naming the candidates (extensions.candidates). With category too, both must agree.",
  })
  categoryLabel?: string | null;
  @Field({ description: 'The certifying agency: 民政局, 乡村振兴局, 残联 …' }) certifiedBy!: string;
  @Field(() => DateScalar) validFrom!: string;
  @Field(() => DateScalar, { nullable: true }) validTo?: string | null;
}

@ObjectType()
export class AssistanceRowResult {
  @Field(() => Int) index!: number;
  @Field({ description: 'Accepted for a person not registered yet: it attaches when they register.' }) pending!: boolean;
  @Field() idNumberMasked!: string;
  @Field(() => ImportRowStatusEnum) status!: ImportRowStatus;
  @Field(() => String, { nullable: true }) error!: string | null;
  @Field(() => String, { nullable: true }) code!: string | null;
}

@ObjectType()
export class AssistanceImport {
  @Field(() => Int) accepted!: number;
  @Field(() => Int) duplicates!: number;
  @Field(() => Int) rejected!: number;
  @Field(() => [AssistanceRowResult]) rows!: AssistanceRowResult[];
}
