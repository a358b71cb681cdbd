/**
 * Calendar dates in China Standard Time, held as "YYYY-MM-DD" strings. Arithmetic goes through a day
 * number computed with Date.UTC, which is time-zone free; nothing here reads the local time zone.
 */
export type LocalDate = string;

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;
const CST_OFFSET_MS = 8 * 3_600_000;

export function isLocalDate(text: string): boolean {
  const match = DATE_PATTERN.exec(text);
  if (!match) return false;
  const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= daysInMonth(y, m);
}

function parts(date: LocalDate): [number, number, number] {
  return [Number(date.slice(0, 4)), Number(date.slice(5, 7)), Number(date.slice(8, 10))];
}

function fromParts(y: number, m: number, d: number): LocalDate {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The Gregorian rule, without a Date object: every date a request carries is checked with it. */
export function daysInMonth(year: number, month: number): number {
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1];
}

/** Days since 1970-01-01 for a calendar date. */
export function dayNumber(date: LocalDate): number {
  const [y, m, d] = parts(date);
  return Date.UTC(y, m - 1, d) / DAY_MS;
}

export function fromDayNumber(day: number): LocalDate {
  const dt = new Date(day * DAY_MS);
  return fromParts(dt.getUTCFullYear(), dt.getUTCMonth() + 1, dt.getUTCDate());
}

export function addDays(date: LocalDate, days: number): LocalDate {
  return fromDayNumber(dayNumber(date) + days);
}

/** Same day `months` later, clamped to the month's end (2023-11-30 + 3 months = 2024-02-29). */
export function addMonths(date: LocalDate, months: number): LocalDate {
  const [y, m, d] = parts(date);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return fromParts(year, month, Math.min(d, daysInMonth(year, month)));
}

/** First day of the month after `date`: 2022-02-15 → 2022-03-01. */
export function firstDayOfNextMonth(date: LocalDate): LocalDate {
  const [y, m] = parts(date);
  return m === 12 ? fromParts(y + 1, 1, 1) : fromParts(y, m + 1, 1);
}

/** "YYYY-MM" of the month after `date`. */
export function nextMonth(date: LocalDate): string {
  return firstDayOfNextMonth(date).slice(0, 7);
}

export function yearOf(date: LocalDate): number {
  return Number(date.slice(0, 4));
}

export function compareDates(a: LocalDate, b: LocalDate): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

export function maxDate(a: LocalDate, b: LocalDate): LocalDate {
  return a > b ? a : b;
}

/** Today's calendar date in China Standard Time (UTC+8, no daylight saving), whatever the host's zone. */
export function todayInChina(now: Date = new Date()): LocalDate {
  return fromDayNumber(Math.floor((now.getTime() + CST_OFFSET_MS) / DAY_MS));
}
