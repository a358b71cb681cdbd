import { Field, ID, InputType, Int, ObjectType } from 'type-graphql';
import { AssistanceCategoryEnum, type ImportRowStatus, ImportRowStatusEnum } from '../../graphql/enums';
import { DateScalar } from '../../graphql/scalars';
import type { AssistanceCategory } from '../../policy-data/vocabulary';

@ObjectType({ description: 'A certified category of a person in difficulty.' })
export class AssistanceIdentity {
  @Field(() => ID) id!: string;
  @Field() idNumber!: string;
  @Field(() => AssistanceCategoryEnum) category!: AssistanceCategory;
  @Field() certifiedBy!: string;
  @Field(() => DateScalar) validFrom!: string;
  @Field(() => DateScalar, { nullable: true }) validTo!: string | null;
}

@InputType()
export class AssistanceInput {
  @Field() idNumber!: string;
  @Field(() => AssistanceCategoryEnum) category!: AssistanceCategory;
  @Field({ description: 'The certifying agency: 民政局, 乡村振兴局, 残联 …' }) certifiedBy!: string;
  @Field(() => DateScalar) validFrom!: string;
  @Field(() => DateScalar, { nullable: true }) validTo?: string | null;
}

@ObjectType()
export class AssistanceRowResult {
  @Field(() => Int) index!: number;
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
