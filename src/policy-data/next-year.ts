/**
 * Next year's document started from this one: the same structure, rules and citations, with every value
 * that a new notice sets each year blanked to "待填写" (the value it had is kept beside it as a comment),
 * so that nothing can be published half updated — a value left blank is an error of its own (TO_FILL).
 *
 * Blanked: every date; every amount of money; the year's targets; the notice's number, title, label and
 * seed file; the year a graduate's cover refers to; and every citation (clause, inference, the window's
 * start in words) that names a year or quotes a value blanked beside it, since it quotes last year's
 * notice. Kept: categories, rules, shares and ratios, regions, and the citations that name no year;
 * they still need a reading against the new notice, which the header comment asks for.
 */
import { isMap, isScalar, isSeq, type Node as YamlNode, parseDocument, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { TO_FILL } from './document';

export interface YearToStartFrom {
  tenantName: string;
  coverageYear: number;
  version: number;
  source: string;
}

const MONEY_FIELDS = new Set(['amount', 'netContribution']);
const COUNT_FIELDS = new Set(['target', 'count']);
const NOTICE_FIELDS = new Set(['number', 'title', 'issuedOn', 'label', 'source']);
const TEXT_FIELDS = new Set(['clause', 'inferred', 'startText', 'modeClause', 'note']);
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function nextYearDocument(from: YearToStartFrom, coverageYear: number): string {
  const doc = parseDocument(from.source, { merge: true });
  if (doc.errors.length > 0 || !isMap(doc.contents))
    throw new Error(`the ${from.coverageYear} document cannot be read: ${doc.errors[0]?.message ?? 'not a mapping'}`);
  const top = doc.contents as YAMLMap;
  top.set('coverageYear', coverageYear);
  visitMap(top, []);
  // The file's own header describes last year's notice.
  top.commentBefore = null;
  const first = top.items[0];
  if (first && isScalar(first.key)) first.key.commentBefore = null;
  doc.commentBefore = [
    ` ${from.tenantName} ${coverageYear} 年度草稿：由 ${from.coverageYear} 年度第 ${from.version} 版生成。`,
    ` 标“${TO_FILL}”的值要按 ${coverageYear} 年度的通知填写（行尾注释是上一年度的值）；`,
    ' 其余的规则、类别和条款也要逐条对照新通知核对，通知没有写的值不要填。',
  ].join('\n');
  return doc.toString({ lineWidth: 0, flowCollectionPadding: false });
}

function visitMap(map: YAMLMap, path: string[]): void {
  const pairs = map.items as Array<Pair<YamlNode, YamlNode | null>>;
  const quoted: string[] = [];
  for (const pair of pairs) {
    const key = keyOf(pair);
    if (key === null || !pair.value) continue;
    const value = pair.value;
    if (isScalar(value)) {
      if (!TEXT_FIELDS.has(key) && blanks(path, key, value)) {
        const old = value.value;
        if (typeof old === 'string' || typeof old === 'number') quoted.push(String(old).replace(/\.00$/, ''));
        blank(map, value);
      }
    } else if (isMap(value)) visitMap(value, [...path, key]);
    else if (isSeq(value)) for (const item of value.items) if (isMap(item)) visitMap(item, [...path, key]);
  }
  // Citations that quote last year's notice: they name a year, or a value just blanked beside them.
  for (const pair of pairs) {
    const key = keyOf(pair);
    if (key === null || !TEXT_FIELDS.has(key) || !isScalar(pair.value) || typeof pair.value.value !== 'string') continue;
    const words = pair.value.value;
    if (words.startsWith(TO_FILL)) continue;
    if (namesAYear(words) || quoted.some((q) => q.length >= 2 && words.includes(q))) blank(map, pair.value);
  }
}

/**
 * Whether a text names a year (2022, 2022 年, 2022-12-31), leaving out the year in the number of another
 * document it refers to (甘医保发〔2021〕55号), which stays the same from year to year.
 */
function namesAYear(words: string): boolean {
  return /(?<!\d)(?:19|20)\d{2}(?!\d)/.test(words.replace(/〔[^〕]*〕/g, ''));
}

/** Whether a value is one that each year's notice sets. */
function blanks(path: readonly string[], key: string, value: Scalar): boolean {
  const v = value.value;
  if (v === null && !(path.length === 1 && path[0] === 'notice' && NOTICE_FIELDS.has(key))) return false;
  if (typeof v === 'string' && ISO_DATE.test(v)) return true;
  if (MONEY_FIELDS.has(key)) return true;
  if (COUNT_FIELDS.has(key) && path[0] === 'targets') return true;
  if (path.length === 1 && path[0] === 'notice' && NOTICE_FIELDS.has(key)) return true;
  return path.join('.') === 'students.graduates' && key === 'coverageYear';
}

function blank(map: YAMLMap, value: Scalar): void {
  const old = value.value;
  const shown = typeof old === 'string' ? (ISO_DATE.test(old) ? old : JSON.stringify(old.length > 60 ? `${old.slice(0, 60)}…` : old)) : String(old);
  value.value = TO_FILL;
  value.type = 'PLAIN';
  value.comment = ` 上一年度：${shown}`;
  // A comment cannot sit inside a {…} map on one line: the map is written as a block instead.
  map.flow = false;
}

function keyOf(pair: Pair<YamlNode, YamlNode | null>): string | null {
  return isScalar(pair.key) && typeof pair.key.value === 'string' ? pair.key.value : null;
}
