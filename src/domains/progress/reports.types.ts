import { Field, Int, ObjectType } from 'type-graphql';
import { AssistanceCategoryEnum, SubsidyModeEnum } from '../../graphql/enums';
import { connectionTypes } from '../../graphql/connection';
import { MoneyScalar } from '../../graphql/scalars';
import type { AssistanceCategory, SubsidyMode } from '../../policy-data/vocabulary';
import { RegionType } from '../public-policy/public-policy.types';

@ObjectType({ description: 'One assisted person on a roster the bureau sends: identity mark, category and what they pay.' })
export class RosterLine {
  @Field() idNumber!: string;
  @Field() name!: string;
  @Field(() => RegionType, { nullable: true }) region!: RegionType | null;
  @Field(() => AssistanceCategoryEnum, { nullable: true, description: 'The category that applies (the highest); null where which one is unstated.' })
  category!: AssistanceCategory | null;
  @Field(() => [AssistanceCategoryEnum], { description: 'Every category certified on the day.' }) categories!: AssistanceCategory[];
  @Field(() => String, { nullable: true }) certifiedBy!: string | null;
  @Field(() => SubsidyModeEnum, { nullable: true }) mode!: SubsidyMode | null;
  @Field(() => MoneyScalar) standardContribution!: number;
  @Field(() => MoneyScalar, { nullable: true, description: 'Null where the notice leaves it unstated.' }) subsidy!: number | null;
  @Field(() => MoneyScalar, {
    nullable: true,
    description: 'What the tax office collects from the person: reduced, zero, or the standard (先缴后补); null where the notice leaves even that unstated.',
  })
  amountDue!: number | null;
  @Field(() => String, { nullable: true, description: 'Who pays the subsidy, as the notice names it.' }) fundingBody!: string | null;
  @Field({ description: "The person's enrolment for the year: NOT_ENROLLED, UNPAID, PAID …" }) enrollmentStatus!: string;
  @Field(() => String, { nullable: true, description: 'What is unstated, where something is.' }) note!: string | null;
}
const roster = connectionTypes(RosterLine, 'RosterLine');
@ObjectType()
export class RosterLineConnection extends roster.ConnectionType {}

@ObjectType()
export class MoneyCount {
  @Field(() => Int) count!: number;
  @Field(() => MoneyScalar) amount!: number;
}

@ObjectType()
export class PaymentsTotal extends MoneyCount {
  @Field(() => MoneyScalar, { description: 'Of which funding bodies paid for full sponsorships.' }) fundingBodyAmount!: number;
}

@ObjectType()
export class RefundsTotal extends MoneyCount {
  @Field(() => MoneyScalar, { description: 'Of which paid back to people.' }) paidOut!: number;
}

@ObjectType({ description: "A year's money to the fen: collected = payments − reversals − refunds (approved); what is held and unpaid beside it." })
export class CollectionBalance {
  @Field(() => Int) coverageYear!: number;
  @Field(() => PaymentsTotal) payments!: PaymentsTotal;
  @Field(() => MoneyCount) reversals!: MoneyCount;
  @Field(() => RefundsTotal) refunds!: RefundsTotal;
  @Field(() => MoneyScalar) collected!: number;
  @Field(() => MoneyCount, { description: 'Paid at the tax office but not enrolled: held in suspense.' }) heldInSuspense!: MoneyCount;
  @Field(() => MoneyCount, { description: 'Enrolled but unpaid: how many, and what they owe.' }) enrolledUnpaid!: MoneyCount;
}
