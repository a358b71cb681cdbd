/**
 * Per-request DataLoaders: nested fields (a household's members, …) are loaded in one set-based query
 * per level, whatever the number of parents. Created lazily, so requests that do not need them pay
 * nothing.
 */
import DataLoader from 'dataloader';
import type { RequestContext } from './request-context';
import { type ResidentRow, residentsOfHouseholds, type HouseholdRow, householdsByIds } from '../registry/registry.repository';

export class Loaders {
  readonly membersOfHousehold: DataLoader<string, ResidentRow[]>;
  readonly household: DataLoader<string, HouseholdRow | null>;

  constructor(ctx: RequestContext) {
    this.membersOfHousehold = new DataLoader(async (ids) => {
      const rows = await residentsOfHouseholds(ctx.db, ids);
      return ids.map((id) => rows.filter((r) => r.household_id === id));
    });
    this.household = new DataLoader(async (ids) => {
      const rows = await householdsByIds(ctx.db, ids);
      const byId = new Map(rows.map((r) => [r.id, r]));
      return ids.map((id) => byId.get(id) ?? null);
    });
  }
}
