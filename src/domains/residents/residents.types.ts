import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { APPLICANT_TYPES, type ApplicantType, ID_TYPES, type IdType, WAIVER_REASONS, type WaiverReason } from './residents.service';
import { asEnum } from '../../graphql/enums';
import { DateScalar } from '../../graphql/scalars';
import { PageInfo } from '../../graphql/connection';
import { RegionType } from '../public-policy/public-policy.types';

export const IdTypeEnum = asEnum(ID_TYPES);
export const ApplicantTypeEnum = asEnum(APPLICANT_TYPES);
export const WaiverReasonEnum = asEnum(WAIVER_REASONS);
export const SexEnum = asEnum(['MALE', 'FEMALE'] as const);
export const ResidentStatusEnum = asEnum(['ACTIVE', 'TRANSFERRED_OUT'] as const);
registerEnumType(IdTypeEnum, { name: 'IdType', description: 'Identity document; RESIDENT_ID_CARD (居民身份证) by default.' });
registerEnumType(ApplicantTypeEnum, { name: 'ApplicantType', description: '申请人身份 on the 参保登记表.' });
registerEnumType(WaiverReasonEnum, { name: 'WaiverReason', description: 'Reasons on the 放弃参保确认书.' });
registerEnumType(SexEnum, { name: 'Sex' });
registerEnumType(ResidentStatusEnum, { name: 'ResidentStatus' });

@ObjectType({ description: 'A registered person; the ID number is the key within a tenant.' })
export class Resident {
  @Field() idNumber!: string;
  @Field(() => IdTypeEnum) idType!: IdType;
  @Field() name!: string;
  @Field(() => DateScalar, { nullable: true }) birthDate!: string | null;
  @Field(() => SexEnum, { nullable: true, description: 'From the ID number for resident ID cards.' }) sex!: 'MALE' | 'FEMALE' | null;
  @Field(() => String, { nullable: true }) phone!: string | null;
  @Field(() => String, { nullable: true, description: 'Relationship to the head of household: 户主, 配偶, 子女 …' })
  relationship!: string | null;
  @Field(() => String, { nullable: true, description: 'Division code of the hukou (户籍所在地).' }) hukouPlace!: string | null;
  @Field(() => String, { nullable: true, description: 'Division code where the residence permit was issued (居住证登记地).' })
  residencePermitPlace!: string | null;
  @Field(() => ApplicantTypeEnum, { nullable: true }) applicantType!: ApplicantType | null;
  @Field(() => String, { nullable: true, description: 'The school of a university student.' }) school!: string | null;
  @Field(() => ResidentStatusEnum) status!: 'ACTIVE' | 'TRANSFERRED_OUT';
  @Field(() => DateScalar, { nullable: true }) transferredOutOn!: string | null;
  @Field(() => String, { nullable: true }) transferredTo!: string | null;
  householdId!: string | null;
}

@ObjectType({ description: 'A person\'s membership of a household, with the dates kept.' })
export class HouseholdMembership {
  @Field() idNumber!: string;
  @Field() relationship!: string;
  @Field(() => DateScalar) joinedOn!: string;
  @Field(() => DateScalar, { nullable: true }) leftOn!: string | null;
}

@ObjectType({ description: 'A household booklet (户口簿) and its members.' })
export class Household {
  @Field(() => ID) id!: string;
  @Field() bookletNo!: string;
  @Field(() => RegionType) region!: RegionType;
  @Field(() => String, { nullable: true }) address!: string | null;
  @Field(() => [Resident], { description: 'Current members, the head first.' }) members!: Resident[];
  @Field(() => [HouseholdMembership], { description: 'Everyone who has belonged to it, with dates.' }) history!: HouseholdMembership[];
  regionCode!: string;
}

@ObjectType({ description: 'A change of a person\'s information (信息变更登记表).' })
export class ResidentChange {
  @Field() idNumber!: string;
  @Field() field!: string;
  @Field({ description: '关键信息: name, ID number or hukou.' }) keyInformation!: boolean;
  @Field(() => String, { nullable: true }) before!: string | null;
  @Field(() => String, { nullable: true }) after!: string | null;
  @Field() actor!: string;
  @Field() role!: string;
  @Field({ description: 'ISO 8601 instant.' }) changedAt!: string;
}

@ObjectType({ description: 'A 放弃参保确认书.' })
export class Waiver {
  @Field() idNumber!: string;
  @Field(() => Int) coverageYear!: number;
  @Field(() => WaiverReasonEnum) reason!: WaiverReason;
  @Field(() => String, { nullable: true }) reasonText!: string | null;
  @Field() recordedBy!: string;
}

@ObjectType()
export class ResidentConnection {
  @Field(() => [Resident]) nodes!: Resident[];
  @Field(() => PageInfo) pageInfo!: PageInfo;
}

@InputType({ description: 'A person as the 参保登记表 records them.' })
export class MemberInput {
  @Field() idNumber!: string;
  @Field(() => IdTypeEnum, { nullable: true }) idType?: IdType | null;
  @Field() name!: string;
  @Field(() => SexEnum, { nullable: true, description: 'Checked against the ID number where given.' }) sex?: 'MALE' | 'FEMALE' | null;
  @Field(() => DateScalar, { nullable: true, description: 'Checked against the ID number where given.' }) birthDate?: string | null;
  @Field(() => String, { nullable: true }) phone?: string | null;
  @Field({ description: '户主 for the head (exactly one), otherwise 配偶, 子女 …' }) relationship!: string;
  @Field(() => String, { nullable: true }) hukouPlace?: string | null;
  @Field(() => String, { nullable: true }) residencePermitPlace?: string | null;
  @Field(() => ApplicantTypeEnum, { nullable: true }) applicantType?: ApplicantType | null;
  @Field(() => String, { nullable: true }) school?: string | null;
}

@InputType()
export class HouseholdInput {
  @Field() bookletNo!: string;
  @Field(() => ID) region!: string;
  @Field(() => String, { nullable: true }) address?: string | null;
  @Field(() => DateScalar, { nullable: true, description: 'Defaults to today (China time).' }) registeredOn?: string | null;
  @Field(() => [MemberInput]) members!: MemberInput[];
}

@InputType({ description: 'One person, alone or joining a household.' })
export class ResidentInput {
  @Field() idNumber!: string;
  @Field(() => IdTypeEnum, { nullable: true }) idType?: IdType | null;
  @Field() name!: string;
  @Field(() => SexEnum, { nullable: true }) sex?: 'MALE' | 'FEMALE' | null;
  @Field(() => DateScalar, { nullable: true }) birthDate?: string | null;
  @Field(() => String, { nullable: true }) phone?: string | null;
  @Field(() => String, { nullable: true }) hukouPlace?: string | null;
  @Field(() => String, { nullable: true }) residencePermitPlace?: string | null;
  @Field(() => ApplicantTypeEnum, { nullable: true }) applicantType?: ApplicantType | null;
  @Field(() => String, { nullable: true }) school?: string | null;
  @Field(() => ID, { nullable: true }) householdId?: string | null;
  @Field(() => String, { nullable: true }) relationship?: string | null;
  @Field(() => DateScalar, { nullable: true }) joinedOn?: string | null;
}

@InputType({ description: 'Fields to change; each change is recorded with before and after.' })
export class ResidentUpdateInput {
  @Field(() => String, { nullable: true }) newIdNumber?: string | null;
  @Field(() => String, { nullable: true }) name?: string | null;
  @Field(() => String, { nullable: true }) phone?: string | null;
  @Field(() => String, { nullable: true }) hukouPlace?: string | null;
  @Field(() => String, { nullable: true }) residencePermitPlace?: string | null;
  @Field(() => ApplicantTypeEnum, { nullable: true }) applicantType?: ApplicantType | null;
  @Field(() => String, { nullable: true }) school?: string | null;
}

@InputType()
export class WaiverInput {
  @Field() idNumber!: string;
  @Field(() => Int) coverageYear!: number;
  @Field(() => WaiverReasonEnum) reason!: WaiverReason;
  @Field(() => String, { nullable: true, description: 'Required for OTHER (其他原因).' }) reasonText?: string | null;
}

@InputType()
export class ResidentSearchInput {
  @Field(() => String, { nullable: true }) namePrefix?: string | null;
  @Field(() => String, { nullable: true }) idPrefix?: string | null;
  @Field(() => ID, { nullable: true, description: 'A region, with every region inside it.' }) region?: string | null;
}
