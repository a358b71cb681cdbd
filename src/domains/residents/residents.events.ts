/** What the residents domain tells the domains that depend on it (enrolment, subsidies). */
import type { LocalDate } from '../../common/dates';
import { domainEvent } from '../../context/domain-events';
import type { HouseholdGraph } from './residents.repository';

/** 停保或流出: the person left the tenant on `on`; what they had running for later years ends. */
export const ResidentTransferredOut = domainEvent<{ idNumber: string; on: LocalDate }>('residents.transferred-out');

/** A household was read in one statement with what other domains keep of its members: they take their part. */
export const HouseholdGraphRead = domainEvent<HouseholdGraph>('residents.household-graph-read');

/**
 * People registered (a household, one person, a transfer in, a number taken up by an ID-number
 * correction): certifications and held money waiting for them attach.
 */
export const ResidentsRegistered = domainEvent<{ idNumbers: readonly string[]; on: LocalDate }>('residents.registered');

/**
 * The person died (DEATH) or settled abroad (EMIGRATION) on `on`, recorded on `recordedOn`: what they
 * had running ends, and refunds follow the notice.
 */
export const ResidentLeftScheme = domainEvent<{ idNumber: string; on: LocalDate; recordedOn: LocalDate; reason: 'DEATH' | 'EMIGRATION' }>(
  'residents.left-scheme',
);

/**
 * An ID number is being corrected, in three steps of one transaction, so that every foreign key holds
 * at every statement (keys are checked at once: Citus checks a shard's keys on its worker and does not
 * defer them, and nothing cascades):
 *
 * 1. ResidentIdCorrectionBegun: the person is on record under both numbers; a domain whose rows other
 *    rows refer to by the number (enrolments) copies them under the new one.
 * 2. ResidentIdCorrected: every domain moves its rows to the new number.
 * 3. ResidentIdRetired: the copied rows are deleted under the old number; the person's last.
 */
export const ResidentIdCorrectionBegun = domainEvent<{ from: string; to: string }>('residents.id-correction-begun');
export const ResidentIdCorrected = domainEvent<{ from: string; to: string }>('residents.id-corrected');
export const ResidentIdRetired = domainEvent<{ from: string; to: string }>('residents.id-retired');

/**
 * A waiver (放弃参保确认书) is about to be recorded for the person and year: a domain that knows the
 * person has already paid for it refuses by throwing.
 */
export const WaiverRequested = domainEvent<{ idNumber: string; coverageYear: number }>('residents.waiver-requested');
