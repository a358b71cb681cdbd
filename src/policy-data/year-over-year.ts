/**
 * Checks of a year against the year before it, the mistakes of a file copied from last year and half
 * updated: a date that did not move with the year (the window's end, the refund deadline, the
 * milestones), a title or label still naming last year, the notice number of another year.
 */
import { yearOf } from '../common/dates';
import { text } from '../common/i18n';
import type { CheckProblem } from './checks';
import { documentValues, isIsoDate } from './values';

export interface YearBefore {
  coverageYear: number;
  /** Its document as parsed (YAML to plain values, merge keys resolved). */
  raw: unknown;
  /** Its version, for the messages. */
  version?: number;
}

/** Texts that name the notice's year: left as they were, they were not updated. */
const YEAR_TEXTS = new Set(['notice.title', 'notice.label', 'collectionWindow.startText']);

export function checkAgainstYearBefore(coverageYear: number, raw: unknown, before: YearBefore): { errors: CheckProblem[]; warnings: CheckProblem[] } {
  const errors: CheckProblem[] = [];
  const warnings: CheckProblem[] = [];
  const shift = coverageYear - before.coverageYear;
  if (shift <= 0) return { errors, warnings };
  const now = documentValues(raw);
  const then = documentValues(before.raw);
  const years = shift === 1 ? text('一年', 'one year') : text(`${shift} 年`, `${shift} years`);
  for (const [key, value] of now) {
    const old = then.get(key)?.value ?? null;
    if (old === null || value.value === null) continue;
    if (isIsoDate(old) && isIsoDate(value.value)) {
      const moved = yearOf(value.value) - yearOf(old);
      if (value.value === old) {
        errors.push({
          code: 'DATE_NOT_MOVED',
          path: value.path,
          message: text(
            `${key} 仍是 ${old}，与 ${before.coverageYear} 年度相同：待遇年度推后了${years.zh}，这个日期也应随之调整`,
            `${key} is still ${old}, as in ${before.coverageYear}: the year of cover moved on ${years.en}, and this date with it`,
          ),
        });
      } else if (moved !== shift && value.value.slice(5) === old.slice(5)) {
        errors.push({
          code: 'DATE_NOT_MOVED',
          path: value.path,
          message: text(
            `${key} 从 ${old} 改成了 ${value.value}，推后了 ${moved} 年，而待遇年度推后了${years.zh}`,
            `${key} went from ${old} to ${value.value}, ${moved} years on, while the year of cover moved ${years.en}`,
          ),
        });
      } else if (moved !== shift) {
        warnings.push({
          code: 'DATE_SHIFTED',
          path: value.path,
          message: text(
            `${key} 相对待遇年度的位置变了：${before.coverageYear} 年度是 ${old}，${coverageYear} 年度是 ${value.value}；请核对`,
            `${key} sits differently against the year of cover: ${old} for ${before.coverageYear}, ${value.value} for ${coverageYear}; check it`,
          ),
        });
      }
    } else if (YEAR_TEXTS.has(key) && value.value === old && /(?:19|20)\d{2}/.test(old)) {
      errors.push({
        code: 'TEXT_NOT_UPDATED',
        path: value.path,
        message: text(`${key} 仍是 ${before.coverageYear} 年度的“${old}”`, `${key} is still ${before.coverageYear}'s "${old}"`),
      });
    }
  }
  return { errors, warnings };
}

/**
 * A notice number names one notice: the number of another year's notice is refused. The same year may
 * keep its number (a correction of the notice in force is a new version of the same year).
 */
export function checkNoticeNumber(number: string | null, coverageYear: number, numbersInUse: ReadonlyMap<string, readonly number[]>): CheckProblem[] {
  if (!number) return [];
  const years = (numbersInUse.get(number) ?? []).filter((y) => y !== coverageYear);
  if (years.length === 0) return [];
  return [
    {
      code: 'NOTICE_NUMBER_IN_USE',
      path: ['notice', 'number'],
      message: text(
        `文号 ${number} 已是 ${years.join('、')} 年度通知的文号：新年度的通知有自己的文号`,
        `${number} is already the number of the notice for ${years.join(', ')}: a new year's notice has a number of its own`,
      ),
    },
  ];
}
