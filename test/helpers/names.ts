/** Names for test people: a surname and a number written in Chinese, as names hold no digits (张一二). */
const DIGITS = '〇一二三四五六七八九';

export function nameOf(n: number, surname = '张'): string {
  return surname + [...String(n)].map((d) => DIGITS[Number(d)]).join('');
}
