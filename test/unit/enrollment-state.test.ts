/** The enrolment state machine: every allowed and every forbidden transition of the table. */
import { DomainError } from '../../src/common/errors';
import {
  canTransition,
  ENROLLMENT_EVENTS,
  ENROLLMENT_STATES,
  type EnrollmentEvent,
  type EnrollmentState,
  statesFromSql,
  transition,
  TRANSITIONS,
} from '../../src/domains/enrollment/enrollment-state';

const ALLOWED: Array<[EnrollmentState | null, EnrollmentEvent, EnrollmentState]> = [
  [null, 'ENROL', 'UNPAID'],
  ['REFUNDED', 'ENROL', 'UNPAID'],
  ['TERMINATED', 'ENROL', 'UNPAID'],
  [null, 'PAY', 'PAID'],
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
const allowed = new Map(ALLOWED.map(([from, event, to]) => [key(from, event), to]));
const everyPair = [null, ...ENROLLMENT_STATES].flatMap((from) => ENROLLMENT_EVENTS.map((event) => [from, event] as const));

describe('enrolment state machine', () => {
  it.each(ALLOWED)('from %s, %s leads to %s', (from, event, to) => {
    expect(canTransition(from, event)).toBe(true);
    expect(transition(from, event)).toBe(to);
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
    expect(statesFromSql('ENROL')).toBe("'REFUNDED', 'TERMINATED'");
    expect(statesFromSql('PAY')).toBe("'UNPAID', 'REFUNDED', 'TERMINATED'");
    expect(statesFromSql('REQUEST_REFUND')).toBe("'PAID'");
    expect(statesFromSql('TRANSFER_OUT')).toBe("'UNPAID', 'PAID'");
    expect(statesFromSql('END_ON_DEATH')).toBe("'UNPAID', 'PAID'");
    expect(statesFromSql('END_ON_EMIGRATION')).toBe("'UNPAID', 'PAID'");
  });

  it('keeps why and when an enrolment stopped counting for the events that end one, and for no other', () => {
    expect(Object.fromEntries(ENROLLMENT_EVENTS.map((e) => [e, TRANSITIONS[e].ends ?? null]))).toEqual({
      ENROL: null,
      PAY: null,
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
