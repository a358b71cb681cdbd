/** What the assistance domain tells the domains that depend on it. */
import type { LocalDate } from '../../common/dates';
import { domainEvent } from '../../context/domain-events';

/** People certified for a category from `certifiedOn`: enrolments already paid may be owed a subsidy. */
export const IdentitiesCertified = domainEvent<{ idNumbers: readonly string[]; certifiedOn: LocalDate }>('assistance.identities-certified');
