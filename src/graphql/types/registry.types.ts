import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { DateScalar } from '../scalars';
import { Region } from './policy.types';

@ObjectType({ description: 'A registered person; the ID number is the key within a tenant.' })
export class Resident {
  @Field() idNumber!: string;
  @Field() name!: string;
  @Field(() => DateScalar, { nullable: true }) birthDate!: string | null;
  @Field(() => String, { nullable: true, description: 'MALE or FEMALE, from the ID number.' }) sex!: string | null;
  @Field(() => String, { nullable: true }) phone!: string | null;
  @Field(() => String, { nullable: true, description: 'Relationship to the head of household: 户主, 配偶, 子女 …' })
  relationship!: string | null;
  householdId!: string | null;
}

@ObjectType({ description: 'A household booklet (户口簿) and its members.' })
export class Household {
  @Field(() => ID) id!: string;
  @Field() bookletNo!: string;
  @Field(() => Region) region!: Region;
  @Field(() => String, { nullable: true }) address!: string | null;
  @Field(() => [Resident]) members!: Resident[];
}

@InputType()
export class MemberInput {
  @Field() idNumber!: string;
  @Field() name!: string;
  @Field(() => String, { nullable: true }) phone?: string | null;
  @Field({ description: '户主 for the head (exactly one), otherwise 配偶, 子女 …' }) relationship!: string;
}

@InputType()
export class HouseholdInput {
  @Field() bookletNo!: string;
  @Field(() => ID) region!: string;
  @Field(() => String, { nullable: true }) address?: string | null;
  @Field(() => [MemberInput]) members!: MemberInput[];
}
