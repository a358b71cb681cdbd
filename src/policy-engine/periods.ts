/**
 * Periods counted from an event, as the Civil Code counts them (民法典):
 * 第二百零一条 "按照年、月、日计算期间的，开始的当日不计入，自下一日开始计算" — the day of the event is not
 * counted, so the last day within N days of D is D + N (born 2022-03-10, 90 days: 2022-06-08);
 * 第二百零二条 "按照年、月计算期间的，到期月的对应日为期间的最后一日；没有对应日的，月末日为期间的最后一日" —
 * the last day within N months is the same day N months later, or the month's end (2023-11-30 + 3
 * months: 2024-02-29).
 * 第二百零三条 (a deadline on a holiday moves to the next working day) is not applied: these periods are for
 * payments, which the notices take through online channels on any day. The year files mark every period
 * counted this way as an inference.
 */
import { addDays, addMonths, dayNumber, type LocalDate, yearOf } from '../common/dates';
import { type Localized, text } from '../common/i18n';

export interface Period {
  days?: number;
  months?: number;
}

/** The last day of a period of days or months after `from`. */
export function lastDayWithin(from: LocalDate, period: Period): LocalDate {
  return period.days !== undefined ? addDays(from, period.days) : addMonths(from, period.months ?? 0);
}

/** "3 months", "90 days"; 3 个月, 90 天. */
export function describePeriod(period: Period): Localized {
  return period.days !== undefined ? text(`${period.days} 天`, `${period.days} days`) : text(`${period.months} 个月`, `${period.months} months`);
}

/** Days from `date` to 12-31 of its year, the day itself not counted (2021-10-03: 89). */
export function daysToYearEnd(date: LocalDate): number {
  return dayNumber(`${yearOf(date)}-12-31`) - dayNumber(date);
}

/** Age in 周岁 on `on`: whole years since birth, a year completed on the birthday. */
export function ageOn(birthDate: LocalDate, on: LocalDate): number {
  const years = yearOf(on) - yearOf(birthDate);
  return on.slice(5) >= birthDate.slice(5) ? years : years - 1;
}
