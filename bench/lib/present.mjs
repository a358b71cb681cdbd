// How the API presents what the floor and PostGraphile return as stored: the Money scalar's "350.00"
// (src/common/money.ts) and the bank's masks (src/domains/residents/id-number.ts, maskName in the
// enrolment service). The floor answers with them; the bench maps PostGraphile's answers with them, as
// its client would, to check that every target answers the same question.

/** Fen (a number or pg's bigint string) to "350.00"; null stays null. */
export function money(fen) {
  if (fen === null || fen === undefined) return null;
  const n = Number(fen);
  const abs = Math.abs(n);
  return `${n < 0 ? '-' : ''}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** 620702199001011234 → 6207**********1234. */
export const maskIdNumber = (id) => (id.length <= 8 ? '*'.repeat(id.length) : `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`);

/** 张三 → 张*. */
export function maskName(name) {
  const chars = [...name];
  return chars.length <= 1 ? '*' : chars[0] + '*'.repeat(chars.length - 1);
}
