/** The enrolment state machine: every allowed and every forbidden transition of the table. */
import { DomainError } from '../../src/common/errors';
import {
  canTransition,
  ENROLLMENT_EVENTS,
  ENROLLMENT_STATES,
  type EnrollmentEvent,
  fixedTarget,
  type EnrollmentState,
  statesFromSql,
  transition,
  TRANSITIONS,
} from '../../src/domains/enrollment/enrollment-state';

/** Events with a fixed target; REVERSE_PAYMENT, which leads back to where the payment started, below. */
const ALLOWED: Array<[EnrollmentState | null, EnrollmentEvent, EnrollmentState]> = [
  [null, 'ENROL', 'UNPAID'],
  ['NOT_ENROLLED', 'ENROL', 'UNPAID'],
  ['REFUNDED', 'ENROL', 'UNPAID'],
  ['TERMINATED', 'ENROL', 'UNPAID'],
  [null, 'PAY', 'PAID'],
  ['NOT_ENROLLED', 'PAY', 'PAID'],
  ['UNPAID', 'PAY', 'PAID'],
  ['REFUNDED', 'PAY', 'PAID'],
  ['TERMINATED', 'PAY', 'PAID'],
  ['PAID', 'REQUEST_REFUND', 'REFUND_PENDING'],
  ['REFUND_PENDING', 'APPROVE_REFUND', 'REFUNDED'],
  ['REFUND_PENDING', 'REJECT_REFUND', 'PAID'],
  ['UNPAID', 'TRANSFER_OUT', 'TERMINATED'],
  ['PAID', 'TRANSFER_OUT', 'TERMINATED'],
  ['UNPAID', 'END_ON_DEATH', 'TERMINATED'],
  ['PAID', 'END_ON_DEATH', 'TERMINATED'],
  ['UNPAID', 'END_ON_EMIGRATION', 'TERMINATED'],
  ['PAID', 'END_ON_EMIGRATION', 'TERMINATED'],
];

const key = (from: EnrollmentState | null, event: EnrollmentEvent) => `${from ?? 'none'} ${event}`;
const allowed = new Map<string, EnrollmentState>(ALLOWED.map(([from, event, to]) => [key(from, event), to]));
allowed.set(key('PAID', 'REVERSE_PAYMENT'), 'UNPAID');
const everyPair = [null, ...ENROLLMENT_STATES].flatMap((from) => ENROLLMENT_EVENTS.map((event) => [from, event] as const));

describe('enrolment state machine', () => {
  it.each(ALLOWED)('from %s, %s leads to %s', (from, event, to) => {
    expect(canTransition(from, event)).toBe(true);
    expect(transition(from, event)).toBe(to);
  });

  it.each([
    ['UNPAID', 'UNPAID'],
    [null, 'NOT_ENROLLED'],
    ['NOT_ENROLLED', 'NOT_ENROLLED'],
    ['REFUNDED', 'REFUNDED'],
    ['TERMINATED', 'TERMINATED'],
  ] as Array<[EnrollmentState | null, EnrollmentState]>)('a payment reversed: PAID goes back to where the payment started (%s → %s)', (before, to) => {
    expect(canTransition('PAID', 'REVERSE_PAYMENT')).toBe(true);
    expect(transition('PAID', 'REVERSE_PAYMENT', before)).toBe(to);
  });

  it('a reversal needs the state the payment started from, one PAY may start from', () => {
    expect(() => transition('PAID', 'REVERSE_PAYMENT')).toThrow(/needs the state the payment started from/);
    expect(() => transition('PAID', 'REVERSE_PAYMENT', 'REFUND_PENDING')).toThrow(/needs the state the payment started from/);
    expect(() => fixedTarget('REVERSE_PAYMENT')).toThrow(/no fixed target/);
  });

  it.each(everyPair.filter(([from, event]) => !allowed.has(key(from, event))))('from %s, %s is refused with CONFLICT', (from, event) => {
    expect(canTransition(from, event)).toBe(false);
    let error: unknown;
    try {
      transition(from, event);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('CONFLICT');
    expect((error as DomainError).details).toEqual({ status: from ?? 'NOT_ENROLLED', event });
  });

  it('gives writes the existing states each event may start from', () => {
    expect(statesFromSql('ENROL')).toBe("'NOT_ENROLLED', 'REFUNDED', 'TERMINATED'");
    expect(statesFromSql('PAY')).toBe("'NOT_ENROLLED', 'UNPAID', 'REFUNDED', 'TERMINATED'");
    expect(statesFromSql('REVERSE_PAYMENT')).toBe("'PAID'");
    expect(statesFromSql('REQUEST_REFUND')).toBe("'PAID'");
    expect(statesFromSql('TRANSFER_OUT')).toBe("'UNPAID', 'PAID'");
    expect(statesFromSql('END_ON_DEATH')).toBe("'UNPAID', 'PAID'");
    expect(statesFromSql('END_ON_EMIGRATION')).toBe("'UNPAID', 'PAID'");
  });

  it('keeps why and when an enrolment stopped counting for the events that end one, and for no other', () => {
    expect(Object.fromEntries(ENROLLMENT_EVENTS.map((e) => [e, TRANSITIONS[e].ends ?? null]))).toEqual({
      ENROL: null,
      PAY: null,
      REVERSE_PAYMENT: null,
      REQUEST_REFUND: null,
      APPROVE_REFUND: 'REFUND',
      REJECT_REFUND: null,
      TRANSFER_OUT: 'TRANSFER_OUT',
      END_ON_DEATH: 'DEATH',
      END_ON_EMIGRATION: 'EMIGRATION',
    });
    for (const e of ENROLLMENT_EVENTS) if (TRANSITIONS[e].ends) expect(['REFUNDED', 'TERMINATED']).toContain(TRANSITIONS[e].to);
  });
});
