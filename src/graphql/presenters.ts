/** Rows to GraphQL shapes, in one place; ID numbers leave here masked where the type says so. */
import type { AssistanceIdentityRow } from '../assistance/assistance.service';
import type { GrantRow } from '../assistance/subsidy.repository';
import type { EnrollmentRow, PaymentRow } from '../enrollment/enrollment.repository';
import type { Circumstance } from '../policy/vocabulary';
import { maskIdNumber } from '../registry/id-number';
import type { ChangeRow, HouseholdRow, MembershipRow, ResidentDetailRow } from '../registry/registry.repository';
import type { AssistanceIdentity, Enrollment, Payment } from './types/enrollment.types';
import type { HouseholdMembership, Resident, ResidentChange } from './types/registry.types';
import type { SubsidyGrant } from './types/subsidy.types';

export const presentResident = (row: ResidentDetailRow): Resident => ({
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
  householdId: row.household_id,
});

export const presentHousehold = (row: HouseholdRow) => ({ id: row.id, bookletNo: row.booklet_no, address: row.address, regionCode: row.region_code });

export const presentMembership = (row: MembershipRow): HouseholdMembership => ({
  idNumber: row.id_number,
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

export const presentEnrollment = (row: EnrollmentRow): Omit<Enrollment, 'payments'> => ({
  idNumber: row.id_number,
  coverageYear: row.coverage_year,
  status: row.status,
  enrolledOn: row.enrolled_on,
  circumstances: row.circumstances as Circumstance[],
  standardContribution: row.standard_contribution,
  subsidy: row.subsidy,
  appliedCategory: row.applied_category as Enrollment['appliedCategory'],
  mode: row.subsidy_mode as Enrollment['mode'],
  amountDue: row.amount_due,
  late: row.late,
  paidOn: row.paid_on,
  amountPaid: row.amount_paid,
  coverage: row.cover_start && row.cover_end ? { start: row.cover_start, end: row.cover_end } : null,
});

export const presentPayment = (row: PaymentRow): Payment => ({
  receiptNo: row.receipt_no,
  idNumberMasked: maskIdNumber(row.id_number),
  coverageYear: row.coverage_year,
  amount: row.amount,
  paidOn: row.paid_on,
  channel: row.channel,
  batchId: row.batch_id,
});

export const presentGrant = (row: GrantRow): SubsidyGrant => ({
  category: row.category as SubsidyGrant['category'],
  mode: row.mode as SubsidyGrant['mode'],
  kind: row.kind,
  amount: row.amount,
  grantedOn: row.granted_on,
  payoutMonth: row.payout_month,
  status: row.status,
  funding: row.funding,
});

export const presentIdentity = (row: AssistanceIdentityRow): AssistanceIdentity => ({
  id: String(row.id),
  idNumber: row.id_number,
  category: row.category,
  certifiedBy: row.certified_by,
  validFrom: row.valid_from,
  validTo: row.valid_to,
});
