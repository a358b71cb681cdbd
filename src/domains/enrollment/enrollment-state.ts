/**
 * The enrolment's state machine, written once. Every change of an enrolment's status, whichever domain
 * asks for it (payments, refunds, transfers out), is one of these events; the repository's writes take
 * their allowed starting states from this table, so a write that does not fit it changes nothing.
 *
 * `null` is "no enrolment yet". REFUNDED and TERMINATED are ends of a year's enrolment that a person can
 * start again from: enrolling or paying anew re-opens the row.
 */
import { DomainError } from '../../common/errors';

export const ENROLLMENT_STATES = ['UNPAID', 'PAID', 'REFUND_PENDING', 'REFUNDED', 'TERMINATED'] as const;
export type EnrollmentState = (typeof ENROLLMENT_STATES)[number];

export const ENROLLMENT_EVENTS = ['ENROL', 'PAY', 'REQUEST_REFUND', 'APPROVE_REFUND', 'REJECT_REFUND', 'TRANSFER_OUT', 'END_ON_DEATH', 'END_ON_EMIGRATION'] as const;
export type EnrollmentEvent = (typeof ENROLLMENT_EVENTS)[number];

interface Transition {
  from: ReadonlyArray<EnrollmentState | null>;
  to: EnrollmentState;
  /** What the event is, for messages. */
  description: string;
  /**
   * Why the enrolment stops counting, kept with the day it did (enrollment.ended_on): the daily paid
   * counts take it off on that day, never before, so figures for past days do not change.
   */
  ends?: 'TRANSFER_OUT' | 'DEATH' | 'EMIGRATION' | 'REFUND';
}

export const TRANSITIONS: Readonly<Record<EnrollmentEvent, Transition>> = {
  ENROL: { from: [null, 'REFUNDED', 'TERMINATED'], to: 'UNPAID', description: 'enrol' },
  PAY: { from: [null, 'UNPAID', 'REFUNDED', 'TERMINATED'], to: 'PAID', description: 'pay' },
  REQUEST_REFUND: { from: ['PAID'], to: 'REFUND_PENDING', description: 'ask for a refund' },
  APPROVE_REFUND: { from: ['REFUND_PENDING'], to: 'REFUNDED', description: 'approve a refund', ends: 'REFUND' },
  REJECT_REFUND: { from: ['REFUND_PENDING'], to: 'PAID', description: 'reject a refund' },
  TRANSFER_OUT: { from: ['UNPAID', 'PAID'], to: 'TERMINATED', description: 'end on transfer out', ends: 'TRANSFER_OUT' },
  // 参保身份自动丧失 (平利 七（五）): a death or a settlement abroad ends what is running; a refund pending is
  // left to its decision.
  END_ON_DEATH: { from: ['UNPAID', 'PAID'], to: 'TERMINATED', description: 'end on death', ends: 'DEATH' },
  END_ON_EMIGRATION: { from: ['UNPAID', 'PAID'], to: 'TERMINATED', description: 'end on emigration', ends: 'EMIGRATION' },
};

/** States in which a person counts as enrolled for the year (one scheme per person, follow-ups). */
export const ACTIVE_STATES: readonly EnrollmentState[] = ['UNPAID', 'PAID', 'REFUND_PENDING'];

export function canTransition(from: EnrollmentState | null, event: EnrollmentEvent): boolean {
  return TRANSITIONS[event].from.includes(from);
}

/** The state the event leads to from `from`, or CONFLICT naming what the enrolment is. */
export function transition(from: EnrollmentState | null, event: EnrollmentEvent): EnrollmentState {
  const t = TRANSITIONS[event];
  if (!canTransition(from, event)) {
    throw new DomainError('CONFLICT', `cannot ${t.description}: the enrolment is ${from ?? 'not there'}`, { status: from ?? 'NOT_ENROLLED', event });
  }
  return t.to;
}

/** `'A', 'B'`: the existing states an event may start from, for a WHERE status IN (…) of a write. */
export function statesFromSql(event: EnrollmentEvent): string {
  const states = TRANSITIONS[event].from.filter((s): s is EnrollmentState => s !== null);
  return states.map((s) => `'${s}'`).join(', ');
}

/** `'A', 'B'` for a list of states, for queries that read (active enrolments, say). */
export function statesSql(states: readonly EnrollmentState[]): string {
  return states.map((s) => `'${s}'`).join(', ');
}
