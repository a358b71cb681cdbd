import { type GraphQLResolveInfo, Kind, type OperationDefinitionNode, parse } from 'graphql';
import { argumentOfEveryCall, type SelectionAllowance, selectionWithin } from '../../src/graphql/selection';

const ALLOWED: SelectionAllowance = { id: true, members: { name: true, enrollments: { status: true } } };

/** The resolve info of the root field `household` of `query`, as an executor gives it. */
function infoOf(query: string): Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments' | 'operation'> {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = Object.fromEntries(
    document.definitions.flatMap((d) => (d.kind === Kind.FRAGMENT_DEFINITION ? [[d.name.value, d] as const] : [])),
  ) as GraphQLResolveInfo['fragments'];
  const fieldNodes = operation.selectionSet.selections.filter((s) => s.kind === Kind.FIELD && s.name.value === 'household') as GraphQLResolveInfo['fieldNodes'];
  return { fieldNodes, fragments, operation };
}

it.each([
  ['fields allowed, at every depth', '{ household(id: "x") { id members { name enrollments { status } } } }', true],
  ['__typename anywhere', '{ household(id: "x") { __typename members { __typename name } } }', true],
  ['aliases', '{ household(id: "x") { a: id members { n: name } } }', true],
  [
    'inline fragments and named ones',
    '{ household(id: "x") { ... on Household { id } members { ...M } } } fragment M on Resident { name enrollments { status } }',
    true,
  ],
  ['a field not allowed', '{ household(id: "x") { id members { phone } } }', false],
  ['a field not allowed, in a fragment', '{ household(id: "x") { members { ...M } } } fragment M on Resident { name phone }', false],
  ['a selection beneath a field allowed only as a leaf', '{ household(id: "x") { id { x } } }', false],
  ['another root field', '{ household(id: "x") { id } __typename }', false],
  ['the same root field twice', '{ household(id: "x") { id } other: household(id: "y") { id } }', false],
  ['a name of Object.prototype', '{ household(id: "x") { constructor } }', false],
])('%s', (_name, query, within) => {
  expect(selectionWithin(infoOf(query), ALLOWED)).toBe(within);
});

describe('argumentOfEveryCall', () => {
  it('gives the argument of each root call of the same field, under any alias and in fragments, from variables or literals', () => {
    const { fragments, operation } = infoOf(
      `mutation($x: String!, $p: [PaymentInput!]!) {
         a: importPayments(batchId: $x, payments: $p) { accepted }
         ... on Mutation { b: importPayments(batchId: "Y", payments: $p) { accepted } }
         ...More
         recordPayment(input: { batchId: "not this field" }) { receiptNo }
       }
       fragment More on Mutation { importPayments(batchId: "Z", payments: $p) { accepted } }`,
    );
    const info = { fieldName: 'importPayments', fragments, operation, variableValues: { x: 'X', p: [] } };
    expect(argumentOfEveryCall(info, 'batchId')).toEqual(['X', 'Y', 'Z']);
    expect(argumentOfEveryCall({ ...info, fieldName: 'recordPayment' }, 'batchId')).toEqual([]);
  });
});
