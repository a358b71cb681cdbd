/**
 * A person's name and phone number as the registry keeps them. Names are written in the scripts of the
 * documents a county sees: Chinese characters (every CJK extension, 〇 included), with the middle dot ·
 * between the parts of a minority or foreign name in Chinese (阿依古丽·买买提); Uyghur in the Arabic
 * script, Tibetan, Mongolian and Yi for minority names in their own script; Latin for foreigners'
 * documents (passports, permanent residence cards). Nothing invisible or that turns text around: no
 * control, format or bidirectional characters (zero-width spaces, a right-to-left override), which
 * let a name look like another on screen and in files. Phones are mainland numbers: a mobile
 * 1[3-9]xxxxxxxxx, or a landline with its area code and an optional extension, with or without +86.
 * Bank accounts for the 一卡通 payout of reimbursements: 12 to 30 digits (a bank card, a passbook or a
 * social security card's account), with the bank's name where the payout file needs it.
 */
import { badInput } from '../../common/errors';
import { fieldName, type Localized, text } from '../../common/i18n';

/** The longest name taken, in characters: long transliterated minority and foreign names fit. */
export const MAX_NAME_LENGTH = 64;

/** Dots typed for the middle dot of a name (·, U+00B7): bullets, katakana and hyphenation points. */
const DOT_LOOKALIKES = /[\u2022\u2027\u2219\u22C5\u30FB\uFF65\u0387\u16EB\u2E31\u318D]/g;

const HAN = /^\p{Script=Han}$/u;
const LETTER_OR_MARK = /^[\p{L}\p{M}]$/u;
/** The scripts of names other than Chinese characters: Latin, Arabic (Uyghur), Tibetan, Mongolian, Yi. */
const OTHER_SCRIPTS = /^[\p{Script=Latin}\p{Script=Arabic}\p{Script=Tibetan}\p{Script=Mongolian}\p{Script=Yi}]$/u;
/** Combining marks shared by scripts (Latin diacritics, Arabic vowel signs): Script=Inherited and a mark. */
const INHERITED = /^\p{Script=Inherited}$/u;
const MARK = /^\p{M}$/u;
/** Between the parts of a name: the middle dot, a space, and for Latin names - ' ’ . , (O'NEILL, SMITH, JOHN). */
const SEPARATORS = new Set(['·', ' ', '-', "'", '’', '.', ',']);
/** Tibetan syllables are separated by the tsheg (་, and its non-breaking form ༌). */
const TIBETAN_TSHEG = new Set(['\u0F0B', '\u0F0C']);
/** Mongolian's vowel separator: a format character that traditional Mongolian spelling needs inside words. */
const MONGOLIAN_VOWEL_SEPARATOR = '\u180E';
const MONGOLIAN = /^\p{Script=Mongolian}$/u;
const LETTER = /^\p{L}$/u;
const mongolianLetter = (ch: string | undefined) => !!ch && MONGOLIAN.test(ch) && LETTER.test(ch);

/** The name as kept (NFC, trimmed, the middle dot unified), or why it is refused. */
export function nameProblem(input: string): { name: string } | { error: Localized } {
  const name = input.normalize('NFC').trim().replace(DOT_LOOKALIKES, '·');
  if (!name) return { error: text('不能为空', 'must not be empty') };
  const chars = [...name];
  if (chars.length > MAX_NAME_LENGTH)
    return { error: text(`有 ${chars.length} 个字符，最多 ${MAX_NAME_LENGTH} 个`, `is ${chars.length} characters long; at most ${MAX_NAME_LENGTH}`) };
  for (let i = 0; i < chars.length; i += 1) {
    const ch = chars[i];
    if (HAN.test(ch) || (LETTER_OR_MARK.test(ch) && OTHER_SCRIPTS.test(ch)) || (INHERITED.test(ch) && MARK.test(ch)) || TIBETAN_TSHEG.has(ch)) continue;
    if (ch === MONGOLIAN_VOWEL_SEPARATOR && mongolianLetter(chars[i - 1]) && mongolianLetter(chars[i + 1])) continue;
    if (SEPARATORS.has(ch)) {
      if (i === 0 || i === chars.length - 1) return { error: text(`不能以“${ch}”开头或结尾`, `must not begin or end with "${ch}"`) };
      // One separator between two parts, or a comma or a full stop and a space (SMITH, JOHN; JR. LEE).
      const afterStop = ch === ' ' && (chars[i - 1] === ',' || chars[i - 1] === '.');
      if (SEPARATORS.has(chars[i - 1]) && !afterStop)
        return {
          error: text(
            `各部分之间有“${chars[i - 1]}${ch}”，两部分之间只能有一个分隔符`,
            `has "${chars[i - 1]}${ch}" between its parts; one separator between two parts`,
          ),
        };
      continue;
    }
    return {
      error: text(`第 ${i + 1} 个字符是${describe(ch).zh}，不能用于姓名`, `holds ${describe(ch).en} at character ${i + 1}, which is not part of a name`),
    };
  }
  if (!chars.some((ch) => HAN.test(ch) || LETTER_OR_MARK.test(ch))) return { error: text('没有任何汉字或字母', 'has no letter or character') };
  return { name };
}

/** The name as kept, or BAD_USER_INPUT naming `field`. */
export function checkName(input: string | null | undefined, field: string): string {
  const checked = nameProblem(input ?? '');
  if ('error' in checked) throw fieldError(field, checked.error);
  return checked.name;
}

/** A mobile number: 11 digits from 13x to 19x. */
const MOBILE = /^1[3-9]\d{9}$/;

/**
 * The phone number as kept, or why it is refused. Kept forms: a mobile as its 11 digits (13800138000);
 * a landline as area code, hyphen, number (0936-8221234, 010-62345678), with 转 and the extension when
 * there is one (0936-8221234转801). Typed forms taken: spaces, hyphens, dots and brackets between the
 * digits, a leading +86, 86 or 0086 (then the area code without its 0: +86 936 8221234), and an
 * extension after 转, 分机, ext, x, # or a last hyphen.
 */
export function phoneProblem(input: string): { phone: string } | { error: Localized } {
  const typed = input.normalize('NFKC').trim();
  if (!/^[0-9+()\-.\s转分机extEXT:#]+$/u.test(typed))
    return {
      error: text(
        '只能包含数字、+86、空格、连字符、括号和分机号（转、分机、ext）',
        'may hold only digits, +86, spaces, hyphens, brackets and an extension (转, 分机, ext)',
      ),
    };
  const [, numberPart, extension] = /^(.*?)(?:\s*(?:转|分机|ext\.?|x|#)\s*:?\s*(\d{1,6}))?$/i.exec(typed) ?? [];
  const read = readNumber(numberPart ?? '', extension ?? null);
  if ('phone' in read || extension) return read;
  // 0936-8221234-801: the extension after a last hyphen, where the digits before it are a landline.
  const hyphenated = /^(.*\d)\s*-\s*(\d{1,6})$/.exec(numberPart ?? '');
  const landline = hyphenated ? readNumber(hyphenated[1], hyphenated[2]) : null;
  return landline && 'phone' in landline && landline.phone.includes('-') ? landline : read;
}

function readNumber(numberPart: string, extension: string | null): { phone: string } | { error: Localized } {
  let digits = numberPart.replace(/[\s\-.()]/g, '');
  let international = false;
  const country = /^(?:\+86|0086|86(?=1[3-9]\d{9}$))/.exec(digits);
  if (country) {
    digits = digits.slice(country[0].length);
    international = country[0] !== '86';
  } else if (digits.startsWith('+'))
    return { error: text('不是中国大陆号码（+86），境外号码无法登记', 'is not a mainland China number (+86); a number abroad cannot be kept') };
  if (!/^\d+$/.test(digits)) return { error: text('不是电话号码', 'is not a phone number') };
  if (MOBILE.test(digits)) return extension ? { error: text('是手机号码，不能带分机号', 'is a mobile number with an extension') } : { phone: digits };
  // A landline: its area code with the leading 0 (010 and 02x, else four digits), then 7 or 8 digits
  // not starting with 0 or 1 (those begin area codes and service numbers).
  if (international && !digits.startsWith('0')) digits = `0${digits}`;
  const landline = /^(0(?:10|2\d|[3-9]\d{2}))([2-9]\d{6,7})$/.exec(digits);
  if (!landline)
    return {
      error: text(
        '既不是手机号码（11 位，1[3-9]…），也不是带区号的固定电话（0936-8221234）',
        'is neither a mobile number (11 digits, 1[3-9]…) nor a landline with its area code (0936-8221234)',
      ),
    };
  return { phone: `${landline[1]}-${landline[2]}${extension ? `转${extension}` : ''}` };
}

/** The phone as kept (null when none is given), or BAD_USER_INPUT naming `field`. */
export function checkPhone(input: string | null | undefined, field: string): string | null {
  if (input == null || !input.trim()) return null;
  const checked = phoneProblem(input);
  if ('error' in checked) throw fieldError(field, checked.error);
  return checked.phone;
}

/** A character as a clerk can find it: printable ones as themselves, the others by their code point. */
function describe(ch: string): Localized {
  const code = `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
  return /^[\p{L}\p{N}\p{P}\p{S}]$/u.test(ch)
    ? text(`“${ch}”（${code}）`, `"${ch}" (${code})`)
    : text(`不可见字符或控制字符（${code}）`, `an invisible or control character (${code})`);
}

/** BAD_USER_INPUT naming the field: 姓名不能为空 / name must not be empty. */
function fieldError(field: string, problem: Localized) {
  return badInput(text(`${fieldName(field)}${problem.zh}`, `${field} ${problem.en}`), field);
}

/** The shortest and longest account number taken: passbook accounts to bank cards and 社保卡 accounts. */
export const BANK_ACCOUNT_DIGITS = { min: 12, max: 30 } as const;

/** The account number as kept (its digits; spaces and hyphens typed between groups dropped), or why not. */
export function bankAccountProblem(input: string): { account: string } | { error: Localized } {
  const typed = input.normalize('NFKC').trim();
  if (!/^[\d\s-]+$/.test(typed))
    return { error: text('只能包含数字（数字组之间的空格和连字符会被去掉）', 'may hold only digits (spaces and hyphens between groups are dropped)') };
  const account = typed.replace(/[\s-]/g, '');
  if (account.length < BANK_ACCOUNT_DIGITS.min || account.length > BANK_ACCOUNT_DIGITS.max) {
    return {
      error: text(
        `有 ${account.length} 位数字，账号应为 ${BANK_ACCOUNT_DIGITS.min} 至 ${BANK_ACCOUNT_DIGITS.max} 位`,
        `has ${account.length} digits; an account number has ${BANK_ACCOUNT_DIGITS.min} to ${BANK_ACCOUNT_DIGITS.max}`,
      ),
    };
  }
  return { account };
}

/** The account as kept (null when none is given), or BAD_USER_INPUT naming `field`. */
export function checkBankAccount(input: string | null | undefined, field: string): string | null {
  if (input == null || !input.trim()) return null;
  const checked = bankAccountProblem(input);
  if ('error' in checked) throw fieldError(field, checked.error);
  return checked.account;
}

/** A bank's name (开户银行): letters and digits of any script, spaces and the brackets of branch names. */
export function checkBankName(input: string | null | undefined, field: string): string | null {
  const name = input?.normalize('NFC').trim() ?? '';
  if (!name) return null;
  if ([...name].length > 60) throw fieldError(field, text('超过 60 个字符', 'is longer than 60 characters'));
  const bad = [...name].find((ch) => !/^[\p{L}\p{M}\p{N} ()（）·.,&-]$/u.test(ch));
  if (bad) throw fieldError(field, text(`含有${describe(bad).zh}，不能用于银行名称`, `holds ${describe(bad).en}, which is not part of a bank's name`));
  return name;
}
