/**
 * The enrolment's state machine, written once. Every change of an enrolment's status, whichever domain
 * asks for it (payments, refunds, transfers out), is one of these events; the repository's writes take
 * their allowed starting states from this table, so a write that does not fit it changes nothing.
 *
 * `null` is "no enrolment yet". NOT_ENROLLED is a row kept after the payment that created it was reversed:
 * it enrols no one, like null, but the payment and its reversal stay on record. REFUNDED and TERMINATED are
 * ends of a year's enrolment that a person can start again from: enrolling or paying anew re-opens the row.
 */
import { DomainError } from '../../common/errors';
import { type Localized, text } from '../../common/i18n';
import { ENROLLMENT_STATUS_NAMES } from '../../policy-data/vocabulary';

export const ENROLLMENT_STATES = ['NOT_ENROLLED', 'UNPAID', 'PAID', 'REFUND_PENDING', 'REFUNDED', 'TERMINATED'] as const;
export type EnrollmentState = (typeof ENROLLMENT_STATES)[number];

export const ENROLLMENT_EVENTS = [
  'ENROL',
  'PAY',
  'REVERSE_PAYMENT',
  'REQUEST_REFUND',
  'APPROVE_REFUND',
  'REJECT_REFUND',
  'TRANSFER_OUT',
  'END_ON_DEATH',
  'END_ON_EMIGRATION',
] as const;
export type EnrollmentEvent = (typeof ENROLLMENT_EVENTS)[number];

/** The state an event undoes back to: the one the enrolment had before the event it reverses. */
export const AS_BEFORE = 'AS_BEFORE';

interface Transition {
  from: ReadonlyArray<EnrollmentState | null>;
  /** AS_BEFORE: back to the state before the event undone (no enrolment then: NOT_ENROLLED). */
  to: EnrollmentState | typeof AS_BEFORE;
  /** What the event is, for messages. */
  description: Localized;
  /**
   * Why the enrolment stops counting, kept with the day it did (enrollment.ended_on): the daily paid
   * counts take it off on that day, never before, so figures for past days do not change.
   */
  ends?: 'TRANSFER_OUT' | 'DEATH' | 'EMIGRATION' | 'REFUND';
}

export const TRANSITIONS: Readonly<Record<EnrollmentEvent, Transition>> = {
  ENROL: { from: [null, 'NOT_ENROLLED', 'REFUNDED', 'TERMINATED'], to: 'UNPAID', description: text('参保登记', 'enrol') },
  PAY: { from: [null, 'NOT_ENROLLED', 'UNPAID', 'REFUNDED', 'TERMINATED'], to: 'PAID', description: text('缴费', 'pay') },
  // A mistaken payment reversed before cover begins (after, it is a refund's business): the enrolment is
  // what it was before the payment, which PAY may have started from.
  REVERSE_PAYMENT: { from: ['PAID'], to: AS_BEFORE, description: text('冲正缴费', 'reverse the payment') },
  REQUEST_REFUND: { from: ['PAID'], to: 'REFUND_PENDING', description: text('申请退费', 'ask for a refund') },
  APPROVE_REFUND: { from: ['REFUND_PENDING'], to: 'REFUNDED', description: text('批准退费', 'approve a refund'), ends: 'REFUND' },
  REJECT_REFUND: { from: ['REFUND_PENDING'], to: 'PAID', description: text('驳回退费', 'reject a refund') },
  TRANSFER_OUT: { from: ['UNPAID', 'PAID'], to: 'TERMINATED', description: text('因转出终止参保', 'end on transfer out'), ends: 'TRANSFER_OUT' },
  // 参保身份自动丧失 (平利 七（五）): a death or a settlement abroad ends what is running; a refund pending is
  // left to its decision.
  END_ON_DEATH: { from: ['UNPAID', 'PAID'], to: 'TERMINATED', description: text('因死亡终止参保', 'end on death'), ends: 'DEATH' },
  END_ON_EMIGRATION: { from: ['UNPAID', 'PAID'], to: 'TERMINATED', description: text('因出国（境）定居终止参保', 'end on emigration'), ends: 'EMIGRATION' },
};

/** States in which a person counts as enrolled for the year (one scheme per person, follow-ups). */
export const ACTIVE_STATES: readonly EnrollmentState[] = ['UNPAID', 'PAID', 'REFUND_PENDING'];

export function canTransition(from: EnrollmentState | null, event: EnrollmentEvent): boolean {
  return TRANSITIONS[event].from.includes(from);
}

/**
 * The state the event leads to from `from`, or CONFLICT naming what the enrolment is. An event that undoes
 * another (REVERSE_PAYMENT) leads back to `before`, the state the undone event started from.
 */
export function transition(from: EnrollmentState | null, event: EnrollmentEvent, before?: EnrollmentState | null): EnrollmentState {
  const t = TRANSITIONS[event];
  if (!canTransition(from, event)) {
    throw new DomainError(
      'CONFLICT',
      text(
        `无法${t.description.zh}：参保状态为“${ENROLLMENT_STATUS_NAMES[from ?? 'NOT_ENROLLED']}”`,
        `cannot ${t.description.en}: the enrolment is ${from ?? 'not there'}`,
      ),
      { status: from ?? 'NOT_ENROLLED', event },
    );
  }
  if (t.to !== AS_BEFORE) return t.to;
  if (before === undefined || !TRANSITIONS.PAY.from.includes(before)) {
    throw new Error(
      `${event} needs the state the payment started from, one of ${TRANSITIONS.PAY.from.map((s) => s ?? 'null').join(', ')}; got ${String(before)}`,
    );
  }
  return before ?? 'NOT_ENROLLED';
}

/** The target of an event that leads to one fixed state (every event but those that undo another). */
export function fixedTarget(event: EnrollmentEvent): EnrollmentState {
  const to = TRANSITIONS[event].to;
  if (to === AS_BEFORE) throw new Error(`${event} leads back to the state before; it has no fixed target`);
  return to;
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
