import { maskBankAccount } from '../../common/sensitive';
import type { DisbursementItemRow, DueGrantRow, GrantRow } from './subsidies.repository';
import type { Disbursement, DueReimbursement, PayoutFileLine, SubsidyGrant } from './subsidies.types';

export const presentGrant = (row: GrantRow): SubsidyGrant => ({
  category: row.category as SubsidyGrant['category'],
  mode: row.mode as SubsidyGrant['mode'],
  kind: row.kind,
  amount: row.amount,
  grantedOn: row.granted_on,
  payoutMonth: row.payout_month,
  status: row.status,
  payoutResult: row.payout_result,
  funding: row.funding,
  policyVersion: row.policy_version,
});

export const presentDisbursement = (i: DisbursementItemRow): Disbursement => ({
  idNumber: i.id_number,
  name: i.name,
  coverageYear: i.coverage_year,
  category: i.category as Disbursement['category'],
  kind: i.kind,
  amount: i.amount,
  bankAccountMasked: maskBankAccount(i.bank_account),
  payoutResult: i.payout_result,
  payoutNote: i.payout_note,
});

export const presentDue = (row: DueGrantRow): DueReimbursement => ({
  id: String(row.id),
  idNumber: row.id_number,
  name: row.name,
  coverageYear: row.coverage_year,
  category: row.category as DueReimbursement['category'],
  kind: row.kind,
  amount: row.amount,
  grantedOn: row.granted_on,
  funding: row.funding,
});

export const presentPayoutLine = (i: DisbursementItemRow): PayoutFileLine => ({
  idNumber: i.id_number,
  name: i.name,
  coverageYear: i.coverage_year,
  category: i.category as PayoutFileLine['category'],
  amount: i.amount,
  bankAccount: i.bank_account,
  bankName: i.bank_name,
});
