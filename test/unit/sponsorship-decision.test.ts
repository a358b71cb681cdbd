/**
 * What a sponsorship run (全额资助) does with each certified person, from their enrolment and the funding
 * body's payment on record: enrol and pay them (NEW), pay a re-enrolment again on the payment on record
 * (RESUME), or refuse with CONFLICT and say why.
 */
import { DomainError } from '../../src/common/errors';
import type { EnrollmentRow, PaymentRow } from '../../src/domains/enrollment/enrollment.repository';
import { sponsorshipDecision } from '../../src/domains/enrollment/enrollment.service';
import type { EnrollmentState } from '../../src/domains/enrollment/enrollment-state';
import type { Settlement } from '../../src/policy-engine/policy-engine';

const settlement = { standardContribution: 32000 } as Settlement;
const enrolment = (status: EnrollmentState) => ({ id_number: 'x', coverage_year: 2022, status }) as EnrollmentRow;
const payment = (amount: number, reversed = false) =>
  ({ receipt_no: 'SP-2022-x', amount, reversed, reversed_on: reversed ? '2021-12-20' : null }) as PaymentRow;

it.each<[string, EnrollmentRow | undefined, PaymentRow | undefined, 'NEW' | 'RESUME' | RegExp]>([
  ['not enrolled, nothing on record: enrolled and paid', undefined, undefined, 'NEW'],
  ['enrolled and waiting, nothing on record: paid', enrolment('UNPAID'), undefined, 'NEW'],
  ['listed, never more, nothing on record: enrolled and paid', enrolment('NOT_ENROLLED'), undefined, 'NEW'],
  [
    'listed again after its sponsorship was reversed: not paid twice',
    enrolment('NOT_ENROLLED'),
    payment(32000, true),
    /is on record and was reversed; it is not made twice/,
  ],
  ['enrolled again after a refund, the payment on record of the amount due: paid again on it', enrolment('UNPAID'), payment(32000), 'RESUME'],
  ['refunded: an ended enrolment is not re-opened', enrolment('REFUNDED'), payment(32000), /is REFUNDED; a sponsorship run does not re-open/],
  ['terminated: the same', enrolment('TERMINATED'), undefined, /is TERMINATED; a sponsorship run does not re-open/],
  [
    'the payment on record is of another amount than the one due now',
    enrolment('UNPAID'),
    payment(28000),
    /is on record for 280\.00, not the 320\.00 due now; it is not made twice: settle it by hand/,
  ],
  ['the payment on record was reversed', enrolment('UNPAID'), payment(32000, true), /is on record and was reversed; it is not made twice/],
  ['a payment on record without an enrolment waiting for it', undefined, payment(32000), /is on record; it is not made twice/],
])('%s', (_, existing, before, expected) => {
  const decision = sponsorshipDecision(2022, existing, before, settlement);
  if (typeof expected === 'string') {
    expect(decision).toBe(expected);
    return;
  }
  expect(decision).toBeInstanceOf(DomainError);
  const error = decision as DomainError;
  expect(error.code).toBe('CONFLICT');
  expect(error.localized.en).toMatch(expected);
  expect(error.localized.zh).toMatch(/资助/);
});
