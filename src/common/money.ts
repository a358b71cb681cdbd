/**
 * Money is integer fen (分) everywhere inside the server. Only the `Money` GraphQL scalar and the
 * tenant-file loader convert to and from the yuan string form "350.00".
 */
export type Fen = number;

const MONEY_PATTERN = /^(0|[1-9]\d{0,11})(?:\.(\d{1,2}))?$/;

/** Parses "350", "350.5" or "350.00" (yuan) into fen. Returns null for anything else, floats included. */
export function parseMoney(text: string): Fen | null {
  const match = MONEY_PATTERN.exec(text);
  if (!match) return null;
  const cents = (match[2] ?? '').padEnd(2, '0');
  return Number(match[1]) * 100 + Number(cents);
}

/** Formats fen as yuan with exactly two decimals: 35000 → "350.00", 580 → "5.80". */
export function formatMoney(fen: Fen): string {
  if (!Number.isSafeInteger(fen)) throw new TypeError(`money must be an integer number of fen, got ${fen}`);
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/**
 * Splits `total` fen in the given ratio (e.g. [1, 9]) into whole fen that add up to `total` exactly.
 * Remainders go to the largest fractional parts first (Hamilton's method), earlier parts winning ties,
 * so the split is deterministic.
 */
export function splitByRatio(total: Fen, ratio: readonly number[]): Fen[] {
  if (ratio.length === 0 || ratio.some((r) => !(r >= 0))) throw new RangeError(`bad ratio ${ratio.join(':')}`);
  const weight = ratio.reduce((a, b) => a + b, 0);
  if (weight === 0) throw new RangeError('ratio parts add up to zero');
  const exact = ratio.map((r) => (total * r) / weight);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, b) => a + b, 0);
  const order = exact.map((value, index) => ({ index, frac: value - Math.floor(value) })).sort((a, b) => b.frac - a.frac || a.index - b.index);
  for (const { index } of order) {
    if (left <= 0) break;
    parts[index] += 1;
    left -= 1;
  }
  return parts;
}

/** True when splitByRatio had to round: the notice's ratio does not divide the amount into whole fen. */
export function ratioDividesExactly(total: Fen, ratio: readonly number[]): boolean {
  const weight = ratio.reduce((a, b) => a + b, 0);
  return ratio.every((r) => (total * r) % weight === 0);
}
