import type { DisbursementItemRow, GrantRow } from './subsidies.repository';
import type { Disbursement, SubsidyGrant } from './subsidies.types';

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

export const presentDisbursement = (i: DisbursementItemRow): Disbursement => ({
  idNumber: i.id_number,
  name: i.name,
  coverageYear: i.coverage_year,
  category: i.category as Disbursement['category'],
  kind: i.kind,
  amount: i.amount,
});
