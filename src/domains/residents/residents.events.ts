/** What the residents domain tells the domains that depend on it (enrolment, subsidies). */
import type { LocalDate } from '../../common/dates';
import { domainEvent } from '../../context/domain-events';
import type { HouseholdGraph } from './residents.repository';

/** 停保或流出: the person left the tenant on `on`; what they had running for later years ends. */
export const ResidentTransferredOut = domainEvent<{ idNumber: string; on: LocalDate }>('residents.transferred-out');

/** A household was read in one statement with what other domains keep of its members: they take their part. */
export const HouseholdGraphRead = domainEvent<HouseholdGraph>('residents.household-graph-read');
