/**
 * A unique violation names the constraint it broke, on PostgreSQL in its constraint field, on Citus in
 * its message, with the shard's number after the name. A batch that loses a race for a key it judged
 * free (a receipt, an enrolment, the batch itself) is judged again; any other unique violation is an error.
 */
import { uniqueViolation } from '../../src/db/unique-violation';
import { takenMeanwhile } from '../../src/domains/enrollment/enrollment.repository';

const violation = (fields: { constraint?: string; message?: string }) =>
  Object.assign(new Error(fields.message ?? 'duplicate key'), { code: '23505', ...fields });

it.each([
  ['payment_pkey', true],
  ['enrollment_pkey', true],
  ['payment_batch_outcome_pkey', true],
  ['resident_pkey', false],
  ['payment_pkey_extra', false],
])('a unique violation of %s, named in its constraint field: %s', (constraint, taken) => {
  expect(takenMeanwhile(violation({ constraint }))).toBe(taken);
});

it.each([
  ['duplicate key value violates unique constraint "enrollment_pkey_102171"', true],
  ['duplicate key value violates unique constraint "payment_pkey_102040"', true],
  ['duplicate key value violates unique constraint "resident_pkey_102008"', false],
])('on Citus, the constraint read from the message: %s', (message, taken) => {
  expect(takenMeanwhile(violation({ message }))).toBe(taken);
});

it('another error, or none, is not a race lost', () => {
  expect(takenMeanwhile(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBe(false);
  expect(takenMeanwhile(new Error('enrollment_pkey'))).toBe(false);
  expect(takenMeanwhile(undefined)).toBe(false);
});

it('the constraint a unique violation broke, as the schema names it; null for another error', () => {
  expect(uniqueViolation(violation({ constraint: 'resident_one_head_per_household' }))).toBe('resident_one_head_per_household');
  expect(uniqueViolation(violation({ message: 'duplicate key value violates unique constraint "resident_one_head_per_household_102008"' }))).toBe(
    'resident_one_head_per_household',
  );
  expect(uniqueViolation(violation({ message: 'duplicate key' }))).toBe('');
  expect(uniqueViolation(Object.assign(new Error('deadlock detected'), { code: '40P01' }))).toBeNull();
  expect(uniqueViolation(undefined)).toBeNull();
});
