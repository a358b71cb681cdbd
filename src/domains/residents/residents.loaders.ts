import { defineListLoader, defineLoader } from '../../graphql/loaders';
import { membershipsOfPeople } from './life-events.repository';
import {
  type BankAccountRow,
  bankAccountsOf,
  type ChangeRow,
  changesOfPeople,
  type HouseholdRow,
  householdsByIds,
  type MembershipRow,
  type ResidentRow,
  residentsOfHouseholds,
  type WaiverRow,
  waiversOfPeople,
} from './residents.repository';

export const householdLoader = defineLoader<string, HouseholdRow | null>(async (ctx, ids) => {
  const byId = new Map((await householdsByIds(ctx.db, ids)).map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id) ?? null);
});

/** Current members, the head first. */
export const membersOfHouseholdLoader = defineListLoader<string, ResidentRow>(
  (ctx, ids) => residentsOfHouseholds(ctx.db, ids),
  (r) => r.household_id!,
);

/** A person's change records, oldest first. */
export const changesOfPersonLoader = defineListLoader<string, ChangeRow>(
  (ctx, ids) => changesOfPeople(ctx.db, ids),
  (r) => r.id_number,
);
/** A person's waivers, withdrawn ones too. */
export const waiversOfPersonLoader = defineListLoader<string, WaiverRow>(
  (ctx, ids) => waiversOfPeople(ctx.db, ids),
  (r) => r.id_number,
);
/** Every household a person belonged to, with dates. */
export const membershipsOfPersonLoader = defineListLoader<string, MembershipRow & { booklet_no: string }>(
  (ctx, ids) => membershipsOfPeople(ctx.db, ids),
  (r) => r.id_number,
);
/** A person's payout account (in clear: the presenter masks it). */
export const bankAccountLoader = defineLoader<string, BankAccountRow | null>(async (ctx, ids) => {
  const byId = new Map((await bankAccountsOf(ctx.db, ids)).map((r) => [r.id_number, r]));
  return ids.map((id) => byId.get(id) ?? null);
});
