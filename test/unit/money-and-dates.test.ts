import { addMonths, daysInMonth, firstDayOfNextMonth, isLocalDate, todayInChina } from '../../src/common/dates';
import { formatMoney, parseMoney, splitByRatio } from '../../src/common/money';
import { GraphQLError, Kind } from 'graphql';
import type { DomainError } from '../../src/common/errors';
import { DateScalar } from '../../src/graphql/scalars';

describe('money in fen', () => {
  it.each([
    ['350.00', 35000],
    ['5.80', 580],
    ['350', 35000],
    ['0.5', 50],
    ['0', 0],
  ])('parses %s as %i fen', (text, fen) => expect(parseMoney(text)).toBe(fen));
  it.each(['', '-1.00', '1.234', '1e3', '01.00', ' 1.00', '1,000.00', 'NaN'])('refuses "%s"', (text) => {
    expect(parseMoney(text)).toBeNull();
  });
  it('formats with exactly two decimals', () => {
    expect([35000, 580, 5, 0].map(formatMoney)).toEqual(['350.00', '5.80', '0.05', '0.00']);
    expect(() => formatMoney(1.5)).toThrow();
  });
  it('splits ratios into whole fen that add up (平利 5:5 then 1:9; 贵阳 4:6)', () => {
    expect(splitByRatio(11600, [5, 5])).toEqual([5800, 5800]);
    expect(splitByRatio(5800, [1, 9])).toEqual([580, 5220]);
    expect(splitByRatio(18000, [4, 6])).toEqual([7200, 10800]);
    expect(splitByRatio(100, [1, 1, 1])).toEqual([34, 33, 33]);
  });
});

describe('calendar dates in China Standard Time', () => {
  it('validates real calendar dates only', () => {
    expect(['2024-02-29', '2022-12-31'].every(isLocalDate)).toBe(true);
    expect(['2023-02-29', '2022-13-01', '2022-1-01', '2022-12-32'].some(isLocalDate)).toBe(false);
  });
  it('counts the days of every month of 1899 to 2101 as the calendar does (leap years by the 4, 100 and 400 rule)', () => {
    for (let year = 1899; year <= 2101; year += 1) {
      for (let month = 1; month <= 12; month += 1) {
        expect([year, month, daysInMonth(year, month)]).toEqual([year, month, new Date(Date.UTC(year, month, 0)).getUTCDate()]);
      }
    }
    expect([1900, 2000, 2100].map((y) => daysInMonth(y, 2))).toEqual([28, 29, 28]);
  });
  it('adds months clamped to the month end, and finds the next month', () => {
    expect(addMonths('2023-11-30', 3)).toBe('2024-02-29');
    expect(addMonths('2024-02-01', 3)).toBe('2024-05-01');
    expect(firstDayOfNextMonth('2022-12-15')).toBe('2023-01-01');
  });
  it('takes "today" in UTC+8 whatever the host zone', () => {
    expect(todayInChina(new Date('2022-12-31T16:00:00Z'))).toBe('2023-01-01');
    expect(todayInChina(new Date('2022-12-31T15:59:59Z'))).toBe('2022-12-31');
  });
});

describe('the Date scalar', () => {
  it('takes calendar dates and refuses the rest in both languages, with BAD_USER_INPUT', () => {
    expect(DateScalar.parseValue('2024-02-29')).toBe('2024-02-29');
    expect(DateScalar.parseLiteral({ kind: Kind.STRING, value: '2022-12-31' })).toBe('2022-12-31');
    for (const wrong of ['2023-02-29', '2022-13-01', '2022-1-01', '2021-12-01T00:00:00Z', 20211201]) {
      let error: unknown;
      try {
        DateScalar.parseValue(wrong);
      } catch (err) {
        error = err;
      }
      expect(error).toBeInstanceOf(GraphQLError);
      const refused = error as GraphQLError;
      expect(refused.extensions.code).toBe('BAD_USER_INPUT');
      expect(refused.message).toContain('YYYY-MM-DD');
      expect((refused.originalError as DomainError).localized.zh).toContain('日期应为');
    }
    expect(() => DateScalar.parseLiteral({ kind: Kind.INT, value: '20211201' })).toThrow(GraphQLError);
  });

  it('serializes the dates the database gives and nothing else', () => {
    expect(DateScalar.serialize('2021-12-31')).toBe('2021-12-31');
    expect(() => DateScalar.serialize(new Date())).toThrow(TypeError);
  });
});
