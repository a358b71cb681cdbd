/**
 * The contract's two scalars. `Money` is the only place fen become yuan strings ("350.00") and back;
 * `Date` is graphql-scalars' LocalDate under the contract's name: a calendar date, never a JS Date.
 */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { GraphQLLocalDate } from 'graphql-scalars';
import { DomainError } from '../common/errors';
import { type Localized, text } from '../common/i18n';
import { type Fen, formatMoney, parseMoney } from '../common/money';

/** A value the scalar refuses; the error formatter gives its message in the request's language. */
function refused(message: Localized): GraphQLError {
  return new GraphQLError(message.en, { extensions: { code: 'BAD_USER_INPUT' }, originalError: new DomainError('BAD_USER_INPUT', message) });
}

const NOT_A_STRING = text(
  '金额应为以元为单位、带两位小数的字符串，如 "350.00"，不能是数字',
  'Money is a string of yuan with two decimals, e.g. "350.00", not a number',
);

function parseMoneyInput(value: unknown): Fen {
  if (typeof value !== 'string') {
    throw refused(NOT_A_STRING);
  }
  const fen = parseMoney(value);
  if (fen === null) {
    throw refused(
      text(
        `“${value}”不是金额：请以元为单位填写，最多两位小数，如 "350.00"`,
        `"${value}" is not an amount of money: give yuan with at most two decimals, e.g. "350.00"`,
      ),
    );
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
      throw refused(text('金额应为以元为单位、带两位小数的字符串，如 "350.00"', 'Money is a string of yuan with two decimals, e.g. "350.00"'));
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
