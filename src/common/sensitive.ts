/**
 * Personal information in free text (PIPL art. 28): resident ID numbers and phone numbers are masked
 * wherever they appear, so that no log line carries them, whatever produced the text (a PostgreSQL
 * error quoting a key, a variable echoed back …).
 */
const ID_NUMBER = /(?<![0-9A-Za-z])(\d{4})\d{2}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}([0-9Xx])(?![0-9A-Za-z])/g;
const MOBILE = /(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)/g;
const LANDLINE = /(?<!\d)(0\d{2,3})-\d{3,4}(\d{4})(?!\d)/g;
/** Bank card and account numbers (一卡通, passbooks, 社保卡): 12 to 30 digits, after ID numbers have been masked. */
const BANK_ACCOUNT = /(?<![0-9*])(\d{4})\d{4,22}(\d{4})(?![0-9*])/g;

/** Request ids and other UUIDs: hex digits that may look like a phone number, never personal data. */
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** Every pattern above holds seven digits in a row (a landline's after its dash): text without them has nothing to mask. */
const SEVEN_DIGITS = /\d{7}/;
/** A UUID alone (an id argument, most often), kept exactly as below, whatever digits it holds. */
const ONE_UUID = new RegExp(`^${UUID.source}$`, 'i');

export function maskSensitive(text: string): string {
  if (!SEVEN_DIGITS.test(text) || (text.length === 36 && ONE_UUID.test(text))) return text;
  // Mask between the UUIDs only, so that a request id survives exactly.
  let out = '';
  let from = 0;
  for (const match of text.matchAll(UUID)) {
    out += maskPart(text.slice(from, match.index)) + match[0];
    from = match.index + match[0].length;
  }
  return out + maskPart(text.slice(from));
}

function maskPart(text: string): string {
  return text
    .replace(ID_NUMBER, (match, head: string) => `${head}**********${match.slice(-4)}`)
    .replace(BANK_ACCOUNT, (match, head: string, tail: string) => `${head}${'*'.repeat(match.length - 8)}${tail}`)
    .replace(MOBILE, '$1****$2')
    .replace(LANDLINE, '$1-****$2');
}

/** A bank account as every answer shows it: the first and last four characters, the rest starred. */
export function maskBankAccount(account: string | null): string | null {
  if (!account) return null;
  const text = account.replace(/\s/g, '');
  return text.length <= 8 ? '*'.repeat(text.length) : `${text.slice(0, 4)}${'*'.repeat(text.length - 8)}${text.slice(-4)}`;
}

/** A copy of GraphQL variables fit for an audit record: personal data masked, long lists summarised. */
export function maskVariables(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return maskSensitive(value);
  if (Array.isArray(value)) {
    const shown = value.slice(0, 3).map((v) => maskVariables(v, depth + 1));
    return value.length > 3 ? { count: value.length, first: shown } : shown;
  }
  if (value && typeof value === 'object' && depth < 6) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskVariables(v, depth + 1)]));
  }
  return value;
}
