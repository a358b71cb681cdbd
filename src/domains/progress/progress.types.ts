import { Field, Float, ID, InputType, Int, ObjectType } from 'type-graphql';
import { DateScalar, MoneyScalar } from '../../graphql/scalars';
import { Milestone, RegionType } from '../public-policy/public-policy.types';

@ObjectType({ description: "A region's (or the whole tenant's) enrolment against its target on a date." })
export class RegionProgress {
  @Field(() => RegionType, { description: 'The whole tenant comes first, as a region of kind TENANT.' }) region!: RegionType;
  @Field(() => Int, {
    nullable: true,
    description:
      "As it stood at the end of asOf (China time): the notice's, of the version in force then, else the latest an administrator had set by then. Null where neither had set one by then.",
  })
  target!: number | null;
  @Field(() => String, { nullable: true }) targetSource!: string | null;
  @Field(() => String, {
    nullable: true,
    description: "ISO 8601 instant an administrator set the target shown (the one in force at the end of asOf); null for a notice's target or none.",
  })
  targetSetAt!: string | null;
  @Field(() => Int, {
    nullable: true,
    description:
      'The version of the policy year (PolicyYear.version) whose notice states the target: the one in force at the end of asOf. Null for a target set by an administrator, or none.',
  })
  targetPolicyVersion!: number | null;
  @Field(() => Int, { description: 'Enrolments paid by asOf (its sub-regions included).' }) paid!: number;
  @Field(() => Float, { nullable: true }) rate!: number | null;
  @Field(() => Milestone, { nullable: true, description: 'The milestone in force on asOf: the latest whose date has come.' }) milestone!: Milestone | null;
  @Field(() => Int, { nullable: true, description: 'People to have paid by that milestone.' }) required!: number | null;
  @Field(() => Boolean, { nullable: true }) onTrack!: boolean | null;
  @Field(() => Int, { nullable: true, description: 'People still missing for that milestone.' }) gap!: number | null;
  @Field(() => Milestone, { nullable: true }) nextMilestone!: Milestone | null;
}

@ObjectType()
export class CollectionRow {
  @Field() channel!: string;
  @Field(() => RegionType, { nullable: true }) region!: RegionType | null;
  @Field(() => Int) count!: number;
  @Field(() => MoneyScalar) amount!: number;
}

@ObjectType()
export class ChannelTotal {
  @Field() channel!: string;
  @Field(() => Int) count!: number;
  @Field(() => MoneyScalar) amount!: number;
}

@ObjectType({ description: "A day's payments by channel and region." })
export class DailyCollection {
  @Field(() => DateScalar) date!: string;
  @Field(() => Int) count!: number;
  @Field(() => MoneyScalar) amount!: number;
  @Field(() => [ChannelTotal]) byChannel!: ChannelTotal[];
  @Field(() => [CollectionRow]) rows!: CollectionRow[];
}

@InputType()
export class RegionTargetInput {
  @Field(() => ID, { description: 'A region, or the tenant code for the whole tenant.' }) region!: string;
  @Field(() => Int) target!: number;
}
