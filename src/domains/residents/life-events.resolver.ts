/** Life events: death, emigration, transfer in, heads of household, splits and merges (ADMIN and STAFF). */
import { Arg, Ctx, Field, ID, InputType, Mutation, ObjectType, Resolver } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { Roles } from '../../graphql/access';
import { DateScalar } from '../../graphql/scalars';
import { lifeEventsService } from './life-events.service';
import { presentHousehold, presentResident } from './residents.presenters';
import { ApplicantTypeEnum, Household, IdTypeEnum, Resident, SexEnum } from './residents.types';
import type { ApplicantType, IdType } from './residents.service';

const WRITERS = ['ADMIN', 'STAFF'] as const;

@InputType({ description: 'A death as the registry records it.' })
export class DeathInput {
  @Field() idNumber!: string;
  @Field(() => DateScalar) diedOn!: string;
  @Field({ description: 'Where the death is known from: 公安户籍注销, 死亡医学证明 …' }) source!: string;
  @Field(() => DateScalar, {
    nullable: true,
    description: 'The day it is recorded (a refund it leads to is asked for that day); defaults to today (China time).',
  })
  recordedOn?: string | null;
}

@InputType({ description: '出国定居: the hukou leaves China.' })
export class EmigrationInput {
  @Field() idNumber!: string;
  @Field(() => DateScalar) emigratedOn!: string;
  @Field(() => String, { nullable: true, description: 'The country settled in.' }) destination?: string | null;
  @Field(() => DateScalar, { nullable: true, description: 'Defaults to today (China time).' }) recordedOn?: string | null;
}

@InputType({ description: "A person arriving from another place (转入), with the 参保登记表's details." })
export class TransferInInput {
  @Field() idNumber!: string;
  @Field(() => IdTypeEnum, { nullable: true }) idType?: IdType | null;
  @Field() name!: string;
  @Field(() => SexEnum, { nullable: true }) sex?: 'MALE' | 'FEMALE' | null;
  @Field(() => DateScalar, { nullable: true }) birthDate?: string | null;
  @Field(() => String, { nullable: true }) phone?: string | null;
  @Field(() => String, { nullable: true, description: 'Code or name (平利县老县镇).' }) hukouPlace?: string | null;
  @Field(() => String, { nullable: true, description: 'Code or name.' }) residencePermitPlace?: string | null;
  @Field(() => ApplicantTypeEnum, { nullable: true }) applicantType?: ApplicantType | null;
  @Field(() => String, { nullable: true }) school?: string | null;
  @Field(() => DateScalar) transferredInOn!: string;
  @Field(() => String, { nullable: true, description: 'Where from, as the form says; the national index names the tenant where it knows the transfer out.' })
  from?: string | null;
  @Field(() => ID, { nullable: true }) householdId?: string | null;
  @Field(() => String, { nullable: true }) relationship?: string | null;
}

@InputType()
export class MemberRelationshipInput {
  @Field() idNumber!: string;
  @Field({ description: 'To the head of the household: 户主, 配偶, 子女 …' }) relationship!: string;
}

@InputType({ description: '分户: members leave for a new booklet.' })
export class SplitHouseholdInput {
  @Field(() => ID) householdId!: string;
  @Field({ description: 'The new booklet number.' }) bookletNo!: string;
  @Field(() => ID, { nullable: true, description: 'Defaults to the region of the household split.' }) region?: string | null;
  @Field(() => String, { nullable: true }) address?: string | null;
  @Field(() => [MemberRelationshipInput], { description: 'Who leaves, with their relationship to the new head (exactly one 户主).' })
  members!: MemberRelationshipInput[];
  @Field(() => [MemberRelationshipInput], { nullable: true, description: 'Relationships that change among those who stay (a new 户主 when the head leaves).' })
  remaining?: MemberRelationshipInput[] | null;
  @Field(() => DateScalar, { nullable: true, description: 'Defaults to today (China time).' }) on?: string | null;
}

@InputType({ description: '合户: a household joins another.' })
export class MergeHouseholdsInput {
  @Field(() => ID) intoHouseholdId!: string;
  @Field(() => ID) fromHouseholdId!: string;
  @Field(() => [MemberRelationshipInput], { description: 'Every member of the household merged in, with their relationship to the head of the other.' })
  members!: MemberRelationshipInput[];
  @Field(() => DateScalar, { nullable: true }) on?: string | null;
}

@ObjectType()
class HouseholdSplit {
  @Field(() => Household) from!: Household;
  @Field(() => Household) to!: Household;
}

@Resolver()
export class LifeEventsResolver {
  @Roles(...WRITERS)
  @Mutation(() => Resident, { description: 'Records a death: DECEASED; running enrolments end and refunds follow the notice.' })
  async recordDeath(@Ctx() ctx: RequestContext, @Arg('input', () => DeathInput) input: DeathInput): Promise<Resident> {
    return presentResident(await lifeEventsService.recordDeath(ctx, input));
  }

  @Roles(...WRITERS)
  @Mutation(() => Resident, { description: '出国定居: EMIGRATED; running enrolments end and refunds follow the notice.' })
  async recordEmigration(@Ctx() ctx: RequestContext, @Arg('input', () => EmigrationInput) input: EmigrationInput): Promise<Resident> {
    return presentResident(await lifeEventsService.recordEmigration(ctx, input));
  }

  @Roles(...WRITERS)
  @Mutation(() => Resident, { description: '转入: registers a person arriving from elsewhere, linked to the transfer out the national index knows.' })
  async transferIn(@Ctx() ctx: RequestContext, @Arg('input', () => TransferInInput) input: TransferInInput): Promise<Resident> {
    return presentResident(await lifeEventsService.transferIn(ctx, input));
  }

  @Roles(...WRITERS)
  @Mutation(() => Household, { description: "Makes a member the 户主 from a date; the booklet's history keeps the former relationships." })
  async changeHouseholdHead(
    @Ctx() ctx: RequestContext,
    @Arg('householdId', () => ID) householdId: string,
    @Arg('newHeadIdNumber') newHeadIdNumber: string,
    @Arg('formerHeadRelationship', () => String, { nullable: true, description: 'What the former head is to the new one, when still a member.' })
    formerHeadRelationship: string | null,
    @Arg('relationships', () => [MemberRelationshipInput], { nullable: true, description: "Other members' relationships to the new head, where they change." })
    relationships: MemberRelationshipInput[] | null,
    @Arg('on', () => DateScalar, { nullable: true }) on: string | null,
  ) {
    return presentHousehold(await lifeEventsService.changeHead(ctx, householdId, newHeadIdNumber, formerHeadRelationship, relationships ?? [], on));
  }

  @Roles(...WRITERS)
  @Mutation(() => HouseholdSplit, { description: '分户: members leave for a new household (booklet).' })
  async splitHousehold(@Ctx() ctx: RequestContext, @Arg('input', () => SplitHouseholdInput) input: SplitHouseholdInput) {
    const { from, to } = await lifeEventsService.split(ctx, input);
    return { from: presentHousehold(from), to: presentHousehold(to) };
  }

  @Roles(...WRITERS)
  @Mutation(() => Household, { description: '合户: every member of one household joins another, which keeps its booklet; the other is closed.' })
  async mergeHouseholds(@Ctx() ctx: RequestContext, @Arg('input', () => MergeHouseholdsInput) input: MergeHouseholdsInput) {
    return presentHousehold(await lifeEventsService.merge(ctx, input));
  }
}
