/**
 * The contract's two scalars. `Money` is the only place fen become yuan strings ("350.00") and back;
 * `Date` is a calendar date "YYYY-MM-DD" as a string, never a JS Date, checked with the calendar
 * (2021-02-29 is refused) and refused in the request's language.
 */
import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { isLocalDate } from '../common/dates';
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

/** A value for Date: a string that is a calendar date YYYY-MM-DD. */
function checkedDate(value: unknown): string {
  if (typeof value === 'string' && isLocalDate(value)) return value;
  const shown = typeof value === 'string' ? JSON.stringify(value) : String(value);
  throw refused(text(`日期应为“年-月-日”（YYYY-MM-DD）格式的有效日期，收到 ${shown}`, `a Date is a calendar date YYYY-MM-DD, got ${shown}`));
}

export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date YYYY-MM-DD in China Standard Time.',
  serialize(value) {
    // Dates leave as the database gives them; anything else is a defect, not the caller's mistake.
    if (typeof value !== 'string' || !isLocalDate(value)) throw new TypeError(`Date must be a calendar date YYYY-MM-DD, got ${String(value)}`);
    return value;
  },
  parseValue: checkedDate,
  parseLiteral(ast) {
    return checkedDate(ast.kind === Kind.STRING ? ast.value : ast.kind);
  },
  extensions: { jsonSchema: { title: 'Date', type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}$' } },
});
