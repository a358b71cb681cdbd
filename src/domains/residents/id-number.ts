/**
 * Resident identity card numbers (GB 11643-1999): 6-digit address code, 8-digit birth date, 3-digit
 * sequence (odd for men, even for women), and an ISO 7064 MOD 11-2 check character.
 */
import { compareDates, daysInMonth, digitsAt, type LocalDate, todayInChina } from '../../common/dates';
import { divisions } from '../../common/divisions';
import { type Localized, text } from '../../common/i18n';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS = '10X98765432';

export type Sex = 'MALE' | 'FEMALE';

export interface ResidentIdFacts {
  birthDate: LocalDate;
  sex: Sex;
}

/** The check character of a number's first 17 digits (`digits` may go on: only its first 17 are read). */
export function checkCharacter(digits: string): string {
  // By character code, not by splitting the text: every lookup and every imported row checks a number.
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += (digits.charCodeAt(i) - 48) * WEIGHTS[i];
  return CHECK_CHARACTERS[sum % 11];
}

/** Nobody alive was born before this; a birth date before it is a typing error. */
export const EARLIEST_BIRTH_DATE = '1900-01-01';

/**
 * The birth date and sex an ID number encodes, or a reason it is not a valid number: the form, a
 * division code as the first six digits (current or former, see src/common/divisions.ts), a birth date
 * that is a calendar date between 1900 and today, and the check character.
 */
export function parseResidentId(idNumber: string, today: LocalDate = todayInChina()): ResidentIdFacts | { error: Localized } {
  if (!/^\d{17}[\dX]$/.test(idNumber))
    return { error: text('居民身份证号码应为 17 位数字加 1 位数字或 X', 'a resident ID number has 17 digits and a digit or X') };
  // The date read from the digits before it is written out: an import checks every row's number.
  const month = digitsAt(idNumber, 10, 2);
  const day = digitsAt(idNumber, 12, 2);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(digitsAt(idNumber, 6, 4), month))
    return { error: text(`其中的出生日期 ${idNumber.slice(6, 14)} 不是有效日期`, `its birth date ${idNumber.slice(6, 14)} is not a calendar date`) };
  if (checkCharacter(idNumber) !== idNumber[17]) return { error: text('校验码不正确', 'its check character is wrong') };
  if (!divisions().isAddressCode(idNumber.slice(0, 6)))
    return { error: text(`前六位 ${idNumber.slice(0, 6)} 不是行政区划代码`, `its first six digits ${idNumber.slice(0, 6)} are not a division code`) };
  const birthDate = `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
  if (compareDates(birthDate, today) > 0) return { error: text('其中的出生日期晚于今天', 'its birth date is after today') };
  if (compareDates(birthDate, EARLIEST_BIRTH_DATE) < 0)
    return { error: text(`其中的出生日期早于 ${EARLIEST_BIRTH_DATE.slice(0, 4)} 年`, `its birth date is before ${EARLIEST_BIRTH_DATE.slice(0, 4)}`) };
  return { birthDate, sex: Number(idNumber[16]) % 2 === 1 ? 'MALE' : 'FEMALE' };
}

/** A valid ID number for tests and generators: address code, birth date and sequence given. */
export function makeResidentId(address: string, birthDate: LocalDate, sequence: number): string {
  const first17 = `${address}${birthDate.replace(/-/g, '')}${String(sequence).padStart(3, '0')}`;
  return first17 + checkCharacter(first17);
}

/**
 * What a lookup (a bank at the counter) may search by: a valid resident ID number, or the number of
 * another identity document (5 to 30 letters and digits, not all digits). Anything else is a typing
 * error that the caller must hear about, not a "not registered".
 */
export function lookupIdProblem(idNumber: string): Localized | null {
  if (/^\d+X?$/.test(idNumber)) {
    const facts = parseResidentId(idNumber);
    return 'error' in facts ? invalidResidentId(idNumber, facts.error) : null;
  }
  return /^[A-Z0-9]{5,30}$/.test(idNumber)
    ? null
    : text(
        `${maskIdNumber(idNumber)} 既不是居民身份证号码，也不是其他证件号码（5 至 30 位字母和数字）`,
        `${maskIdNumber(idNumber)} is neither a resident ID number nor another document's number (5 to 30 letters and digits)`,
      );
}

/** Why a number is not a valid resident ID number, masked: 6207**********1234 不是有效的居民身份证号码：校验码不正确. */
export function invalidResidentId(idNumber: string, problem: Localized): Localized {
  return text(
    `${maskIdNumber(idNumber)} 不是有效的居民身份证号码：${problem.zh}`,
    `${maskIdNumber(idNumber)} is not a valid resident ID number: ${problem.en}`,
  );
}

/** 620702199001011234 → 6207**********1234: the birth date digits are never shown. */
export function maskIdNumber(idNumber: string): string {
  if (idNumber.length <= 8) return '*'.repeat(idNumber.length);
  return `${idNumber.slice(0, 4)}${'*'.repeat(idNumber.length - 8)}${idNumber.slice(-4)}`;
}
