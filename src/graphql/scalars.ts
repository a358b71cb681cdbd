/**
 * The contract's two scalars. `Money` is the only place fen become yuan strings ("350.00") and back;
 * `Date` is graphql-scalars' LocalDate under the contract's name: a calendar date, never a JS Date.
 */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { GraphQLLocalDate } from 'graphql-scalars';
import { type Fen, formatMoney, parseMoney } from '../common/money';

function parseMoneyInput(value: unknown): Fen {
  if (typeof value !== 'string') {
    throw new GraphQLError('Money is a string of yuan with two decimals, e.g. "350.00", not a number', {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  const fen = parseMoney(value);
  if (fen === null) {
    throw new GraphQLError(`"${value}" is not an amount of money: give yuan with at most two decimals, e.g. "350.00"`, {
      extensions: { code: 'BAD_USER_INPUT' },
    });
  }
  return fen;
}

export const MoneyScalar = new GraphQLScalarType<Fen, string>({
  name: 'Money',
  description: 'An amount in yuan, as a string with exactly two decimals: "350.00", "5.80". Held as integer fen.',
  serialize(value) {
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw new TypeError(`Money must be integer fen, got ${String(value)}`);
    return formatMoney(value);
  },
  parseValue: parseMoneyInput,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) {
      throw new GraphQLError('Money is a string of yuan with two decimals, e.g. "350.00"', { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return parseMoneyInput(ast.value);
  },
});

export const DateScalar = new GraphQLScalarType({
  ...GraphQLLocalDate.toConfig(),
  name: 'Date',
  description: 'A calendar date YYYY-MM-DD in China Standard Time.',
  specifiedByURL: undefined,
});
