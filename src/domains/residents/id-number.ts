/**
 * Resident identity card numbers (GB 11643-1999): 6-digit address code, 8-digit birth date, 3-digit
 * sequence (odd for men, even for women), and an ISO 7064 MOD 11-2 check character.
 */
import { isLocalDate, type LocalDate } from '../../common/dates';

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARACTERS = '10X98765432';

export type Sex = 'MALE' | 'FEMALE';

export interface ResidentIdFacts {
  birthDate: LocalDate;
  sex: Sex;
}

export function checkCharacter(first17: string): string {
  const sum = [...first17].reduce((total, digit, i) => total + Number(digit) * WEIGHTS[i], 0);
  return CHECK_CHARACTERS[sum % 11];
}

/** The birth date and sex an ID number encodes, or a reason it is not a valid number. */
export function parseResidentId(idNumber: string): ResidentIdFacts | { error: string } {
  if (!/^\d{17}[\dX]$/.test(idNumber)) return { error: 'a resident ID number has 17 digits and a digit or X' };
  const birthDate = `${idNumber.slice(6, 10)}-${idNumber.slice(10, 12)}-${idNumber.slice(12, 14)}`;
  if (!isLocalDate(birthDate)) return { error: `its birth date ${idNumber.slice(6, 14)} is not a calendar date` };
  if (checkCharacter(idNumber.slice(0, 17)) !== idNumber[17]) return { error: 'its check character is wrong' };
  return { birthDate, sex: Number(idNumber[16]) % 2 === 1 ? 'MALE' : 'FEMALE' };
}

/** A valid ID number for tests and generators: address code, birth date and sequence given. */
export function makeResidentId(address: string, birthDate: LocalDate, sequence: number): string {
  const first17 = `${address}${birthDate.replace(/-/g, '')}${String(sequence).padStart(3, '0')}`;
  return first17 + checkCharacter(first17);
}

/** 620702199001011234 → 6207**********1234: the birth date digits are never shown. */
export function maskIdNumber(idNumber: string): string {
  if (idNumber.length <= 8) return '*'.repeat(idNumber.length);
  return `${idNumber.slice(0, 4)}${'*'.repeat(idNumber.length - 8)}${idNumber.slice(-4)}`;
}
