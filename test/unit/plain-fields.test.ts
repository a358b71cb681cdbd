/**
 * A field that is only a property is read without a resolver (graphql-jit then reads it inline); a field
 * with a role, a resolver of its own or arguments keeps type-graphql's, which runs its checks.
 */
import { type GraphQLObjectType } from 'graphql';
import { appSchema } from '../../src/server/schema';

const field = (type: string, name: string) => (appSchema().getType(type) as GraphQLObjectType).getFields()[name];

it.each([
  ['PaymentRowResult', 'status'],
  ['PaymentImport', 'rows'],
  ['EnrollmentStatus', 'amountDue'],
  ['Quote', 'explanation'],
])('%s.%s is read as a property', (type, name) => {
  expect(field(type, name).resolve).toBeUndefined();
});

it.each([
  ['EnrollmentStatus', 'enrolledElsewhere', 'a role: ADMIN and STAFF only'],
  ['Resident', 'bankName', 'a role and a field resolver'],
  ['Household', 'members', 'a field resolver'],
  ['EnrollmentConnection', 'totalCount', "a connection's count, asked of the database"],
])('%s.%s keeps its resolver (%s)', (type, name) => {
  expect(field(type, name).resolve).toEqual(expect.any(Function));
});
