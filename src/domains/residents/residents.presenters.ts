/** Resident and household rows as the schema shows them. */
import type { ChangeRow, HouseholdRow, MembershipRow, ResidentRow, WaiverRow } from './residents.repository';
import type { WaiverReason } from './residents.service';
import type { HouseholdMembership, Resident, ResidentChange, Waiver } from './residents.types';

export const presentResident = (row: ResidentRow): Resident => ({
  idNumber: row.id_number,
  idType: row.id_type as Resident['idType'],
  name: row.name,
  birthDate: row.birth_date,
  sex: row.sex,
  phone: row.phone,
  relationship: row.relationship,
  hukouPlace: row.hukou_place,
  residencePermitPlace: row.residence_permit_place,
  applicantType: row.applicant_type as Resident['applicantType'],
  school: row.school,
  status: row.status,
  transferredOutOn: row.transferred_out_on,
  transferredTo: row.transferred_to,
  diedOn: row.died_on ?? null,
  deathSource: row.death_source ?? null,
  emigratedOn: row.emigrated_on ?? null,
  emigratedTo: row.emigrated_to ?? null,
  transferredInOn: row.transferred_in_on ?? null,
  transferredInFrom: row.transferred_in_from ?? null,
  householdId: row.household_id,
});

/** A household without its members and region, which field resolvers add. */
export type HouseholdParent = ReturnType<typeof presentHousehold>;
export const presentHousehold = (row: HouseholdRow) => ({
  id: row.id,
  bookletNo: row.booklet_no,
  address: row.address,
  regionCode: row.region_code,
  dissolvedOn: row.dissolved_on ?? null,
});

export const presentMembership = (row: MembershipRow & { booklet_no?: string }): HouseholdMembership => ({
  idNumber: row.id_number,
  householdId: row.household_id,
  bookletNo: row.booklet_no ?? null,
  relationship: row.relationship,
  joinedOn: row.joined_on,
  leftOn: row.left_on,
});

export const presentChange = (row: ChangeRow): ResidentChange => ({
  idNumber: row.id_number,
  field: row.field,
  keyInformation: row.key_information,
  before: row.before,
  after: row.after,
  actor: row.actor,
  role: row.role,
  changedAt: row.changed_at.toISOString(),
});

export const presentWaiver = (w: WaiverRow): Waiver => ({
  idNumber: w.id_number,
  coverageYear: w.coverage_year,
  reason: w.reason as WaiverReason,
  reasonText: w.reason_text,
  recordedBy: w.recorded_by,
  signedOn: w.signed_on ?? null,
  withdrawnOn: w.withdrawn_on ?? null,
  withdrawalReason: w.withdrawal_reason ?? null,
});
