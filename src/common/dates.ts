/**
 * Calendar dates in China Standard Time, held as "YYYY-MM-DD" strings. Arithmetic goes through a day
 * number computed with Date.UTC, which is time-zone free; nothing here reads the local time zone.
 */
export type LocalDate = string;

const DAY_MS = 86_400_000;
const CST_OFFSET_MS = 8 * 3_600_000;

/** "YYYY-MM-DD" and a day of the calendar; read from the character codes, as the Date scalar checks every date a request carries. */
export function isLocalDate(text: string): boolean {
  if (typeof text !== 'string' || text.length !== 10 || text.charCodeAt(4) !== DASH || text.charCodeAt(7) !== DASH) return false;
  const y = digitsAt(text, 0, 4);
  const m = digitsAt(text, 5, 2);
  const d = digitsAt(text, 8, 2);
  if (y < 0 || m < 1 || m > 12 || d < 1) return false;
  return d <= daysInMonth(y, m);
}

const DASH = 45;
const ZERO = 48;

/** The number written by `length` ASCII digits from `start`, or -1 if any is not a digit. */
export function digitsAt(text: string, start: number, length: number): number {
  let value = 0;
  for (let i = start; i < start + length; i++) {
    const digit = text.charCodeAt(i) - ZERO;
    if (digit < 0 || digit > 9) return -1;
    value = value * 10 + digit;
  }
  return value;
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

let today: { date: LocalDate; from: number; until: number } = { date: '', from: 0, until: 0 };

/** Today's calendar date in China Standard Time (UTC+8, no daylight saving), whatever the host's zone. */
export function todayInChina(now?: Date): LocalDate {
  const ms = now ? now.getTime() : Date.now();
  // The day's date is kept with the instants it holds for: every ID number a request carries is checked against it.
  if (ms >= today.from && ms < today.until) return today.date;
  const day = Math.floor((ms + CST_OFFSET_MS) / DAY_MS);
  const from = day * DAY_MS - CST_OFFSET_MS;
  today = { date: fromDayNumber(day), from, until: from + DAY_MS };
  return today.date;
}
