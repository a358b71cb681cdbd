import { Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { APPLICANT_TYPES, type ApplicantType, ID_TYPES, type IdType, WAIVER_REASONS, type WaiverReason } from './residents.service';
import { asEnum, SortDirectionEnum } from '../../graphql/enums';
export { SortDirectionEnum };
import { DateScalar } from '../../graphql/scalars';
import { connectionTypes } from '../../graphql/connection';
import { RESIDENT_STATUSES, type ResidentStatus } from './residents.repository';
import { RegionType } from '../public-policy/public-policy.types';
import { BANK_ACCOUNT_DIGITS, MAX_NAME_LENGTH } from './names-and-phones';

export const IdTypeEnum = asEnum(ID_TYPES);
export const ApplicantTypeEnum = asEnum(APPLICANT_TYPES);
export const WaiverReasonEnum = asEnum(WAIVER_REASONS);
export const SexEnum = asEnum(['MALE', 'FEMALE'] as const);
export const ResidentStatusEnum = asEnum(RESIDENT_STATUSES);
export const ResidentOrderFieldEnum = asEnum(['ID_NUMBER', 'NAME'] as const);
export const WaiverOrderFieldEnum = asEnum(['SIGNED_ON', 'ID_NUMBER'] as const);
registerEnumType(IdTypeEnum, { name: 'IdType', description: 'Identity document; RESIDENT_ID_CARD (居民身份证) by default.' });
registerEnumType(ApplicantTypeEnum, { name: 'ApplicantType', description: '申请人身份 on the 参保登记表.' });
registerEnumType(WaiverReasonEnum, { name: 'WaiverReason', description: 'Reasons on the 放弃参保确认书.' });
registerEnumType(SexEnum, { name: 'Sex' });
registerEnumType(ResidentStatusEnum, {
  name: 'ResidentStatus',
  description: 'TRANSFERRED_OUT 停保或流出 to another place; DECEASED 死亡; EMIGRATED 出国定居 (the hukou left China).',
});
registerEnumType(ResidentOrderFieldEnum, { name: 'ResidentOrderField' });
registerEnumType(WaiverOrderFieldEnum, { name: 'WaiverOrderField' });

const NAME_RULE = `As on the identity document, at most ${MAX_NAME_LENGTH} characters: Chinese characters (every CJK extension), · between the parts of a name, Uyghur (Arabic script), Tibetan, Mongolian, Yi, or Latin letters with spaces, hyphens and apostrophes; no control, invisible or direction-changing characters (BAD_USER_INPUT naming the field).`;
const PHONE_RULE =
  'A mainland mobile (13800138000) or landline with its area code and an optional extension (0936-8221234转801), with or without +86; kept in that form. Other text is refused with BAD_USER_INPUT naming the field.';

const BANK_ACCOUNT_RULE = `The account the 一卡通 payout of 先缴后补 reimbursements goes to: ${BANK_ACCOUNT_DIGITS.min} to ${BANK_ACCOUNT_DIGITS.max} digits (spaces and hyphens between groups dropped). Shown masked everywhere but in exportPayoutFile.`;
const BANK_NAME_RULE = 'The bank of the account (开户银行), for the payout file; given only with an account.';

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
  @Field(() => ResidentStatusEnum) status!: ResidentStatus;
  @Field(() => DateScalar, { nullable: true }) transferredOutOn!: string | null;
  @Field(() => String, { nullable: true }) transferredTo!: string | null;
  @Field(() => DateScalar, { nullable: true }) diedOn!: string | null;
  @Field(() => String, { nullable: true, description: 'Where the death is known from: 公安户籍注销, 死亡医学证明 …' }) deathSource!: string | null;
  @Field(() => DateScalar, { nullable: true }) emigratedOn!: string | null;
  @Field(() => String, { nullable: true }) emigratedTo!: string | null;
  @Field(() => DateScalar, { nullable: true, description: 'The day the person transferred in from elsewhere.' }) transferredInOn!: string | null;
  @Field(() => String, {
    nullable: true,
    description: 'The tenant (code) whose transfer out this one follows, as the national index knows it, or the place given.',
  })
  transferredInFrom!: string | null;
  householdId!: string | null;
}

@ObjectType({ description: "A person's membership of a household, with the dates kept." })
export class HouseholdMembership {
  @Field() idNumber!: string;
  @Field(() => ID, { nullable: true }) householdId?: string;
  @Field(() => String, { nullable: true, description: 'The booklet, where the membership is read from the person.' }) bookletNo?: string | null;
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
  @Field(() => DateScalar, { nullable: true, description: 'Set when it was merged into another household.' }) dissolvedOn!: string | null;
  regionCode!: string;
}

@ObjectType({ description: "A change of a person's information (信息变更登记表)." })
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

@ObjectType({ description: 'A 放弃参保确认书; a withdrawn one stays on record.' })
export class Waiver {
  @Field() idNumber!: string;
  @Field(() => Int) coverageYear!: number;
  @Field(() => WaiverReasonEnum) reason!: WaiverReason;
  @Field(() => String, { nullable: true }) reasonText!: string | null;
  @Field() recordedBy!: string;
  @Field(() => DateScalar, { nullable: true, description: 'The day on the form.' }) signedOn!: string | null;
  @Field(() => DateScalar, { nullable: true }) withdrawnOn!: string | null;
  @Field(() => String, { nullable: true }) withdrawalReason!: string | null;
}

export const { ConnectionType: ResidentConnection } = connectionTypes(Resident, 'Resident');
export type ResidentConnection = InstanceType<typeof ResidentConnection>;
export const { ConnectionType: HouseholdConnection } = connectionTypes(Household, 'Household');
export type HouseholdConnection = InstanceType<typeof HouseholdConnection>;
export const { ConnectionType: WaiverConnection } = connectionTypes(Waiver, 'Waiver');
export type WaiverConnection = InstanceType<typeof WaiverConnection>;

@InputType({ description: 'A person as the 参保登记表 records them.' })
export class MemberInput {
  @Field() idNumber!: string;
  @Field(() => IdTypeEnum, { nullable: true }) idType?: IdType | null;
  @Field({ description: NAME_RULE }) name!: string;
  @Field(() => SexEnum, { nullable: true, description: 'Checked against the ID number where given.' }) sex?: 'MALE' | 'FEMALE' | null;
  @Field(() => DateScalar, { nullable: true, description: 'Checked against the ID number where given.' }) birthDate?: string | null;
  @Field(() => String, { nullable: true, description: PHONE_RULE }) phone?: string | null;
  @Field({ description: '户主 for the head (exactly one), otherwise 配偶, 子女 …' }) relationship!: string;
  @Field(() => String, { nullable: true }) hukouPlace?: string | null;
  @Field(() => String, { nullable: true }) residencePermitPlace?: string | null;
  @Field(() => ApplicantTypeEnum, { nullable: true }) applicantType?: ApplicantType | null;
  @Field(() => String, { nullable: true }) school?: string | null;
  @Field(() => String, { nullable: true, description: BANK_ACCOUNT_RULE }) bankAccount?: string | null;
  @Field(() => String, { nullable: true, description: BANK_NAME_RULE }) bankName?: string | null;
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
  @Field({ description: NAME_RULE }) name!: string;
  @Field(() => SexEnum, { nullable: true }) sex?: 'MALE' | 'FEMALE' | null;
  @Field(() => DateScalar, { nullable: true }) birthDate?: string | null;
  @Field(() => String, { nullable: true, description: PHONE_RULE }) phone?: string | null;
  @Field(() => String, { nullable: true }) hukouPlace?: string | null;
  @Field(() => String, { nullable: true }) residencePermitPlace?: string | null;
  @Field(() => ApplicantTypeEnum, { nullable: true }) applicantType?: ApplicantType | null;
  @Field(() => String, { nullable: true }) school?: string | null;
  @Field(() => String, { nullable: true, description: BANK_ACCOUNT_RULE }) bankAccount?: string | null;
  @Field(() => String, { nullable: true, description: BANK_NAME_RULE }) bankName?: string | null;
  @Field(() => ID, { nullable: true }) householdId?: string | null;
  @Field(() => String, { nullable: true }) relationship?: string | null;
  @Field(() => DateScalar, { nullable: true }) joinedOn?: string | null;
}

@InputType({ description: 'Fields to change; each change is recorded with before and after.' })
export class ResidentUpdateInput {
  @Field(() => String, { nullable: true }) newIdNumber?: string | null;
  @Field(() => String, { nullable: true, description: NAME_RULE }) name?: string | null;
  @Field(() => String, { nullable: true, description: `${PHONE_RULE} An empty string removes it.` }) phone?: string | null;
  @Field(() => String, { nullable: true }) hukouPlace?: string | null;
  @Field(() => String, { nullable: true }) residencePermitPlace?: string | null;
  @Field(() => ApplicantTypeEnum, { nullable: true }) applicantType?: ApplicantType | null;
  @Field(() => String, { nullable: true }) school?: string | null;
  @Field(() => String, { nullable: true, description: `${BANK_ACCOUNT_RULE} An empty string removes the account and its bank's name.` }) bankAccount?:
    string | null;
  @Field(() => String, { nullable: true, description: BANK_NAME_RULE }) bankName?: string | null;
}

@InputType()
export class WaiverInput {
  @Field() idNumber!: string;
  @Field(() => Int) coverageYear!: number;
  @Field(() => WaiverReasonEnum) reason!: WaiverReason;
  @Field(() => String, { nullable: true, description: 'Required for OTHER (其他原因).' }) reasonText?: string | null;
  @Field(() => DateScalar, { nullable: true, description: 'The day on the form; defaults to today (China time).' }) signedOn?: string | null;
}

@InputType()
export class ResidentSearchInput {
  @Field(() => String, { nullable: true }) namePrefix?: string | null;
  @Field(() => String, { nullable: true }) idPrefix?: string | null;
  @Field(() => String, { nullable: true, description: 'Part of the name, anywhere in it (王 finds 王小明 and 李王芳).' }) name?: string | null;
  @Field(() => String, { nullable: true, description: 'The last digits of the ID number, as a counter clerk types them (1234, 123X).' }) idSuffix?:
    string | null;
  @Field(() => ID, { nullable: true, description: 'A region, with every region inside it.' }) region?: string | null;
  @Field(() => [ResidentStatusEnum], { nullable: true }) status?: ResidentStatus[] | null;
}

@InputType()
export class ResidentOrder {
  @Field(() => ResidentOrderFieldEnum) field!: 'ID_NUMBER' | 'NAME';
  @Field(() => SortDirectionEnum, { defaultValue: 'ASC' }) direction!: 'ASC' | 'DESC';
}

@InputType()
export class HouseholdFilter {
  @Field(() => ID, { nullable: true, description: 'A region, with every region inside it.' }) region?: string | null;
  @Field(() => String, { nullable: true }) bookletPrefix?: string | null;
  @Field(() => String, { nullable: true, description: "Part of the 户主's name." }) headName?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Households merged away too.' }) includeDissolved?: boolean | null;
}

@InputType()
export class WaiverFilter {
  @Field(() => WaiverReasonEnum, { nullable: true }) reason?: WaiverReason | null;
  @Field(() => ID, { nullable: true, description: "A region, with every region inside it (the person's household)." }) region?: string | null;
  @Field(() => Boolean, { nullable: true, description: 'Withdrawn waivers too.' }) includeWithdrawn?: boolean | null;
}

@InputType()
export class WaiverOrder {
  @Field(() => WaiverOrderFieldEnum) field!: 'SIGNED_ON' | 'ID_NUMBER';
  @Field(() => SortDirectionEnum, { defaultValue: 'ASC' }) direction!: 'ASC' | 'DESC';
}
