import { defineListLoader, defineLoader } from '../../graphql/loaders';
import { type HouseholdRow, householdsByIds, type ResidentRow, residentsOfHouseholds } from './residents.repository';

export const householdLoader = defineLoader<string, HouseholdRow | null>(async (ctx, ids) => {
  const byId = new Map((await householdsByIds(ctx.db, ids)).map((r) => [r.id, r]));
  return ids.map((id) => byId.get(id) ?? null);
});

/** Current members, the head first. */
export const membersOfHouseholdLoader = defineListLoader<string, ResidentRow>((ctx, ids) => residentsOfHouseholds(ctx.db, ids), (r) => r.household_id!);
