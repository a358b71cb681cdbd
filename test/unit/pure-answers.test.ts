/**
 * A field marked PureAnswer() has its answers given again without running it, and so without the auth
 * checker: it must be public. The compiled path checks it too (isPure); this keeps the marks honest.
 */
import { type GraphQLObjectType } from 'graphql';
import { appSchema } from '../../src/server/schema';

it('every root field marked PureAnswer() is Public(), and the quote is one', () => {
  const fields = Object.values((appSchema().getQueryType() as GraphQLObjectType).getFields());
  const pure = fields.filter((f) => (f.extensions as { pureAnswer?: boolean }).pureAnswer === true);
  expect(pure.map((f) => f.name)).toContain('quote');
  for (const field of pure) expect([field.name, (field.extensions as { public?: boolean }).public]).toEqual([field.name, true]);
});
