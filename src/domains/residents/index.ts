/** Residents and households: the registry a township keeps on the notices' forms. */
import { HouseholdResolver, ResidentResolver } from './residents.resolver';
import { LifeEventsResolver } from './life-events.resolver';
import { RegionResolver } from './regions.resolver';
import { RosterResolver } from './roster.resolver';

export const residentsModule = {
  name: 'residents',
  resolvers: [HouseholdResolver, ResidentResolver, RosterResolver, RegionResolver, LifeEventsResolver],
} as const;
