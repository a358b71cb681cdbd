/**
 * A year document (tenants/<code>/<year>.yaml, or the text of a draft) read and checked all at once:
 * every problem is found in one pass, not only the first, each with its path, the line and column it
 * sits on (from the YAML node ranges), the nearest clause, and a message in Chinese and English.
 *
 * Before YAML reads the text, the slips of a Chinese keyboard are found and named (a full-width colon
 * "：" or comma "，" after a key, a full-width space in the indentation, a key glued to its value) and
 * mended in a copy, so that the rest of the document is still checked in the same pass and the line
 * numbers stay those of the text as typed.
 */
import { type Document, isAlias, isMap, isScalar, isSeq, LineCounter, type Node as YamlNode, parseDocument, type Pair } from 'yaml';
import { z } from 'zod';
import { type Localized, text } from '../common/i18n';
import { type CheckProblem, checkPolicyYear, type DocumentPath, formatPath } from './checks';
import type { FundingShare } from './funding';
import { PolicyYearSchema, type PolicyYearData } from './format';
import type { Region } from './model';
import { checkAgainstYearBefore, checkNoticeNumber, type YearBefore } from './year-over-year';

/** What a value left to fill holds, in a draft made from the year before (see next-year.ts). */
export const TO_FILL = '待填写';

/** The longest document accepted: the largest notice so far is about 20 KB. */
export const MAX_DOCUMENT_CHARS = 500_000;

export interface PolicyIssue {
  /** A stable name for the kind of problem (YAML_SYNTAX, FULL_WIDTH_COLON, SCHEMA, TO_FILL, DATE_NOT_MOVED …). */
  code: string;
  /** Where in the document, e.g. collectionWindow.end.date; empty for the document as a whole. */
  path: string;
  /** 1-based line and column in the text, where the path or the problem can be placed. */
  line: number | null;
  column: number | null;
  message: Localized;
  /** The nearest notice clause on the way to the value. */
  clause: string | null;
}

export interface ValidationContext {
  /** The tenant and year the document must be for. */
  tenantCode: string;
  coverageYear: number;
  regions: ReadonlyMap<string, Region>;
  /** The year before, in force: the document is checked against it (dates moved, texts updated). */
  yearBefore?: YearBefore | null;
  /** Notice numbers of the tenant's published years: number → years. */
  noticeNumbersInUse?: ReadonlyMap<string, readonly number[]>;
}

export interface PolicyValidation {
  /** The year as the format reads it; null when the document does not meet the format. */
  data: PolicyYearData | null;
  /** The document's plain values (merge keys resolved); null when YAML could not read it. */
  raw: unknown;
  fiscalShares: FundingShare[];
  errors: PolicyIssue[];
  warnings: PolicyIssue[];
  /** The line and column of a path of the document (for a value the problems do not name, such as a change). */
  locate(path: DocumentPath): { line: number; column: number } | null;
}

/** The text read by YAML, with positions: a path of the document → its line and column. */
export class YearDocument {
  readonly lineCounter = new LineCounter();
  readonly doc: Document.Parsed;
  /** Keyboard slips found before YAML read the text, and YAML's own errors. */
  readonly syntaxErrors: PolicyIssue[];
  readonly syntaxWarnings: PolicyIssue[];

  constructor(readonly text: string) {
    const slips = keyboardSlips(text);
    this.doc = parseDocument(slips.mended, { merge: true, lineCounter: this.lineCounter, prettyErrors: true, uniqueKeys: true });
    this.syntaxErrors = [...slips.issues, ...this.doc.errors.map((e) => yamlIssue(e.code, e.message, e.linePos?.[0]))];
    this.syntaxWarnings = this.doc.warnings.map((w) => yamlIssue(w.code, w.message, w.linePos?.[0]));
  }

  /**
   * The document's plain values, or null when they cannot be had: a syntax error, an alias bomb, an
   * alias inside what it names (`a: &x [*x]`, which would be a value without end), or nesting deeper
   * than any year document has (these last two are added to syntaxErrors).
   */
  toJS(): unknown {
    if (this.doc.errors.length > 0) return null;
    let value: unknown;
    try {
      value = this.doc.toJS({ maxAliasCount: 1000 });
    } catch {
      return null;
    }
    const shape = shapeProblem(value);
    if (shape) {
      this.syntaxErrors.push({ code: 'YAML_SYNTAX', path: '', line: null, column: null, message: shape, clause: null });
      return null;
    }
    return value;
  }

  /**
   * The line and column of a path, or of the nearest part of it that is written down (a missing key
   * points at the map that lacks it). A value inherited through a merge key (`<<: *dibao250`) is found
   * where the anchor writes it; the last key of a map points at the key itself.
   */
  positionOf(path: DocumentPath): { line: number; column: number } | null {
    const node = this.nodeAt(path);
    const offset = node?.range?.[0];
    if (offset === undefined) return null;
    const { line, col } = this.lineCounter.linePos(offset);
    return { line, column: col };
  }

  /** The comment written after a value (in a draft from the year before: what the value was then). */
  commentAt(path: DocumentPath): string | null {
    const node = this.nodeAt(path, false);
    return (node && 'comment' in node && typeof node.comment === 'string' && node.comment.trim()) || null;
  }

  private nodeAt(path: DocumentPath, preferKey = true): YamlNode | null {
    let node: YamlNode | null = (this.doc.contents as YamlNode | null) ?? null;
    let found = node;
    for (let i = 0; i < path.length && node; i++) {
      const last = i === path.length - 1;
      const step = this.child(node, path[i]);
      if (!step) break;
      found = last && preferKey && step.key ? step.key : (step.value ?? step.key ?? found);
      node = step.value;
    }
    return found;
  }

  private child(parent: YamlNode, segment: string | number, depth = 0): { key: YamlNode | null; value: YamlNode | null } | null {
    const node = isAlias(parent) ? (parent.resolve(this.doc) as YamlNode | undefined) : parent;
    if (!node || depth > 20) return null;
    if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as YamlNode | undefined;
      return item ? { key: null, value: resolved(this.doc, item) } : null;
    }
    if (!isMap(node)) return null;
    for (const pair of node.items as Array<Pair<YamlNode, YamlNode | null>>) {
      if (isScalar(pair.key) && typeof pair.key.value !== 'symbol' && String(pair.key.value) === String(segment))
        return { key: pair.key, value: pair.value ? resolved(this.doc, pair.value) : null };
    }
    // Merge keys: the value comes from the map an alias points to.
    for (const pair of node.items as Array<Pair<YamlNode, YamlNode | null>>) {
      // With merge keys on, YAML reads the key `<<` as a symbol; its source stays "<<".
      if (!isScalar(pair.key) || (pair.key.source !== '<<' && pair.key.value !== '<<') || !pair.value) continue;
      const sources = isSeq(pair.value) ? (pair.value.items as YamlNode[]) : [pair.value];
      for (const source of sources) {
        const found = this.child(source, segment, depth + 1);
        if (found) return found;
      }
    }
    return null;
  }
}

/** Year documents nest about eight levels; anything past this is not one. */
const MAX_DEPTH = 64;

/** Why a document's values cannot be checked (a value that contains itself, or nesting too deep), or null. */
function shapeProblem(root: unknown): Localized | null {
  const open = new Set<object>();
  const visit = (node: unknown, depth: number): Localized | null => {
    if (!node || typeof node !== 'object') return null;
    if (open.has(node))
      return text('一个引用（*名称）指向了包含它自身的内容：这样的值没有尽头', 'an alias (*name) refers to what contains it: such a value never ends');
    if (depth > MAX_DEPTH)
      return text(`嵌套超过 ${MAX_DEPTH} 层：这不是一个年度政策文档`, `nested deeper than ${MAX_DEPTH} levels: this is not a year document`);
    open.add(node);
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      const problem = visit(child, depth + 1);
      if (problem) return problem;
    }
    open.delete(node);
    return null;
  };
  return visit(root, 0);
}

function resolved(doc: Document.Parsed, node: YamlNode): YamlNode {
  return isAlias(node) ? ((node.resolve(doc) as YamlNode | undefined) ?? node) : node;
}

/**
 * Reads and checks a year document: the keyboard slips and YAML syntax, then the format (every zod
 * issue, not the first), values left to fill, the tenant and year it must be for, and, where the format
 * is met, the cross-checks of the year and against the year before.
 */
export function validatePolicyDocument(source: string, context: ValidationContext): PolicyValidation {
  const result: PolicyValidation = { data: null, raw: null, fiscalShares: [], errors: [], warnings: [], locate: () => null };
  if (source.trim() === '') {
    result.errors.push(
      documentIssue('EMPTY', text('草稿是空的：请粘贴或上传一个年度的 YAML 文档', "the document is empty: paste or upload a year's YAML document")),
    );
    return result;
  }
  if (source.length > MAX_DOCUMENT_CHARS) {
    result.errors.push(
      documentIssue('TOO_LONG', text(`文档超过 ${MAX_DOCUMENT_CHARS} 个字符`, `the document is longer than ${MAX_DOCUMENT_CHARS} characters`)),
    );
    return result;
  }
  const document = new YearDocument(source);
  result.locate = (path) => document.positionOf(path);
  const raw = document.toJS();
  result.errors.push(...document.syntaxErrors);
  result.warnings.push(...document.syntaxWarnings);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    if (document.syntaxErrors.length === 0) {
      result.errors.push(
        documentIssue(
          'NOT_A_MAP',
          text(
            '文档应是一个“键: 值”的映射，从 tenant:、coverageYear: 开始',
            'the document must be a mapping of keys to values, starting with tenant: and coverageYear:',
          ),
        ),
      );
    } else {
      result.warnings.push(
        documentIssue('NOT_CHECKED', text('YAML 语法错误改正之后，才能检查其余内容', 'the rest is checked once the YAML syntax errors are corrected')),
      );
    }
    return result;
  }
  result.raw = raw;
  const place = (issue: Omit<PolicyIssue, 'line' | 'column' | 'path'> & { path: DocumentPath }): PolicyIssue => {
    const position = document.positionOf(issue.path);
    return { ...issue, path: formatPath(issue.path), line: position?.line ?? null, column: position?.column ?? null };
  };

  // Values left to fill: each is named once, and the format's complaint about it is not repeated.
  const toFill = pathsToFill(raw);
  for (const path of toFill) {
    const before = document.commentAt(path);
    result.errors.push(
      place({
        code: 'TO_FILL',
        path,
        message: text(`待填写：按新年度的通知填写${before ? `（${before}）` : ''}`, `to fill in from the new year's notice${before ? ` (${before})` : ''}`),
        clause: clauseAt(raw, path) ?? null,
      }),
    );
  }
  const underToFill = (path: DocumentPath) => toFill.some((p) => p.length <= path.length && p.every((segment, i) => segment === path[i]));

  const english = PolicyYearSchema.safeParse(raw);
  if (!english.success) {
    const chinese = PolicyYearSchema.safeParse(raw, { error: chineseError });
    const zhIssues = chinese.success ? [] : chinese.error.issues;
    english.error.issues.forEach((issue, i) => {
      const zh = zhIssues[i]?.message ?? issue.message;
      const paths = issue.code === 'unrecognized_keys' ? issue.keys.map((k) => [...issue.path, k]) : [issue.path];
      for (const path of paths as DocumentPath[]) {
        if (underToFill(path)) continue;
        const message = issue.code === 'unrecognized_keys' ? unknownKey(String(path[path.length - 1])) : text(CUSTOM_MESSAGES_ZH[zh] ?? zh, issue.message);
        result.errors.push(place({ code: 'SCHEMA', path, message, clause: clauseAt(raw, path) ?? null }));
      }
    });
  }
  const record = raw as Record<string, unknown>;
  if (record.tenant !== undefined && record.tenant !== context.tenantCode) {
    result.errors.push(
      place({
        code: 'TENANT_MISMATCH',
        path: ['tenant'],
        message: text(
          `文档写的是 ${String(record.tenant)}，应为 ${context.tenantCode}`,
          `the document is for ${String(record.tenant)}, not ${context.tenantCode}`,
        ),
        clause: null,
      }),
    );
  }
  if (record.coverageYear !== undefined && record.coverageYear !== context.coverageYear) {
    result.errors.push(
      place({
        code: 'YEAR_MISMATCH',
        path: ['coverageYear'],
        message: text(
          `文档写的是 ${String(record.coverageYear)} 年度，应为 ${context.coverageYear}`,
          `the document is for ${String(record.coverageYear)}, not ${context.coverageYear}`,
        ),
        clause: null,
      }),
    );
  }
  if (!english.success) return sorted(result);

  const data = english.data;
  result.data = data;
  const checks = checkPolicyYear(data, context.regions);
  result.fiscalShares = checks.fiscalShares;
  const problems = (list: CheckProblem[]) =>
    list.map((p) => place({ code: p.code, path: p.path, message: p.message, clause: p.clause ?? clauseAt(raw, p.path) ?? null }));
  result.errors.push(...problems(checks.errors));
  result.warnings.push(...problems(checks.warnings));
  if (context.yearBefore) {
    const against = checkAgainstYearBefore(data.coverageYear, raw, context.yearBefore);
    result.errors.push(...problems(against.errors));
    result.warnings.push(...problems(against.warnings));
  }
  result.errors.push(...problems(checkNoticeNumber(data.notice.number, data.coverageYear, context.noticeNumbersInUse ?? new Map())));
  return sorted(result);
}

/** Problems in the order of the text; those of the whole document first. */
function sorted(result: PolicyValidation): PolicyValidation {
  const order = (a: PolicyIssue, b: PolicyIssue) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
  result.errors.sort(order);
  result.warnings.sort(order);
  return result;
}

function documentIssue(code: string, message: Localized): PolicyIssue {
  return { code, path: '', line: null, column: null, message, clause: null };
}

/** Every path whose value is left to fill (a string starting with TO_FILL). */
function pathsToFill(raw: unknown): DocumentPath[] {
  const found: DocumentPath[] = [];
  const walk = (node: unknown, path: Array<string | number>) => {
    if (typeof node === 'string' && node.startsWith(TO_FILL)) found.push(path);
    else if (Array.isArray(node)) node.forEach((n, i) => walk(n, [...path, i]));
    else if (node && typeof node === 'object') for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
  };
  walk(raw, []);
  return found;
}

/** The nearest `clause` on the way down to a value, so that a problem points into the notice. */
export function clauseAt(raw: unknown, path: DocumentPath): string | undefined {
  let clause: string | undefined;
  let node: unknown = raw;
  for (const key of [...path, null]) {
    if (!node || typeof node !== 'object') break;
    const value = (node as Record<string, unknown>).clause;
    if (typeof value === 'string' && !value.startsWith(TO_FILL)) clause = value;
    if (key === null) break;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return clause;
}

// ---------------------------------------------------------------------------------------------------
// Keyboard slips

const FULL_WIDTH_SPACE = '\u3000';

interface Slips {
  mended: string;
  issues: PolicyIssue[];
}

/**
 * The slips of a Chinese keyboard that YAML would report in words no officer can act on. Keys of the
 * format are ASCII identifiers, so a key followed by "：" is a slip and never an intended value.
 * Lines inside block scalars (`|`, `>`) and comments are left alone.
 */
export function keyboardSlips(source: string): Slips {
  const issues: PolicyIssue[] = [];
  const lines = source.split('\n');
  let blockIndent: number | null = null;
  const mended = lines.map((line, index) => {
    const indent = /^[ ]*/.exec(line)![0].length;
    if (blockIndent !== null) {
      if (line.trim() === '' || indent > blockIndent) return line;
      blockIndent = null;
    }
    const trimmed = line.trimStart();
    if (trimmed.startsWith('#')) return line;
    const at = (column: number, code: string, message: Localized): void => {
      issues.push({ code, path: '', line: index + 1, column: column + 1, message, clause: null });
    };
    let out = line;
    // A full-width space in the indentation.
    const lead = /^[ \u3000]*/.exec(out)![0];
    if (lead.includes(FULL_WIDTH_SPACE)) {
      at(
        lead.indexOf(FULL_WIDTH_SPACE),
        'FULL_WIDTH_SPACE',
        text(
          '缩进里有全角空格“　”（中文输入法打出的）：请改成半角空格',
          'the indentation holds a full-width space "　" (typed with a Chinese input method): use ASCII spaces',
        ),
      );
      out = lead.replaceAll(FULL_WIDTH_SPACE, '  ') + out.slice(lead.length);
    }
    // A key followed by a full-width colon, at the start of a line or inside a flow map.
    out = out.replace(/(^[ ]*(?:-[ ]+)*|[{,][ ]*)([A-Za-z_][A-Za-z0-9_]*|<<)[ ]*：[ ]*/g, (match, before: string, key: string, offset: number) => {
      at(
        offset + before.length + key.length,
        'FULL_WIDTH_COLON',
        text(
          `键“${key}”后面是全角冒号“：”（中文输入法打出的）：YAML 只认半角冒号，请改成“${key}: ”（冒号后加一个空格）`,
          `the key "${key}" is followed by a full-width colon "：" (typed with a Chinese input method): YAML needs an ASCII colon, "${key}: " with a space after it`,
        ),
      );
      return `${before}${key}: `;
    });
    // A full-width comma between the entries of a flow map: 'amount: "380.00"，clause: …'.
    out = out.replace(/，[ ]*([A-Za-z_][A-Za-z0-9_]*)(: )/g, (match, key: string, colon: string, offset: number) => {
      if (!/[{]/.test(out.slice(0, offset))) return match;
      at(
        offset,
        'FULL_WIDTH_COMMA',
        text(
          `“${key}”前面是全角逗号“，”：花括号里的各项要用半角逗号“,”分开`,
          `a full-width comma "，" comes before "${key}": the entries of a {…} map are separated by ASCII commas`,
        ),
      );
      return `, ${key}${colon}`;
    });
    // A key glued to its value: 'amount:"380.00"' (a URL's "://" is not a key).
    out = out.replace(/^([ ]*(?:-[ ]+)*)([A-Za-z_][A-Za-z0-9_]*):(?=[^\s/:])/, (match, before: string, key: string) => {
      at(
        before.length + key.length,
        'MISSING_SPACE',
        text(`键“${key}”的冒号后面少了一个空格：应写成“${key}: 值”`, `the colon after "${key}" needs a space after it: "${key}: value"`),
      );
      return `${before}${key}: `;
    });
    if (/:[ ]*[|>][-+0-9]*[ ]*(#.*)?$/.test(out)) blockIndent = indent;
    return out;
  });
  return { mended: mended.join('\n'), issues };
}

// ---------------------------------------------------------------------------------------------------
// Messages

/** YAML's own errors, with what usually causes them, in Chinese. */
const YAML_ERRORS_ZH: Record<string, string> = {
  BAD_INDENT: '缩进不对：同一层的键要对齐，下一层比上一层多缩进',
  TAB_AS_INDENT: '缩进里有制表符（Tab）：YAML 只能用空格缩进',
  MULTILINE_IMPLICIT_KEY: '这一行 YAML 读不懂：常见原因是冒号后缺空格、冒号写成了全角、引号没有成对，或缩进没对齐',
  BLOCK_AS_IMPLICIT_KEY: '这一行 YAML 读不懂：常见原因是冒号后缺空格、冒号写成了全角，或缩进没对齐',
  UNEXPECTED_TOKEN: '这里出现了 YAML 不认识的内容：常见原因是引号或括号没有成对、逗号写成了全角',
  MISSING_CHAR: '缺少配对的符号：引号、方括号或花括号没有成对',
  DUPLICATE_KEY: '同一层级中这个键出现了两次',
  BAD_ALIAS: '引用（*名称）找不到对应的锚点（&名称）',
  MULTIPLE_DOCS: '一份草稿只能有一个年度：去掉多余的 ---',
  BAD_DQ_ESCAPE: '双引号里的反斜杠转义不对',
  BAD_SCALAR_START: '值不能以这个符号开头：请给值加上引号',
  RESOURCE_EXHAUSTION: '引用展开得太多',
};

function yamlIssue(code: string, message: string, position: { line: number; col: number } | undefined): PolicyIssue {
  const english = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  return {
    code: code === 'DUPLICATE_KEY' ? 'DUPLICATE_KEY' : 'YAML_SYNTAX',
    path: '',
    line: position?.line ?? null,
    column: position?.col ?? null,
    message: text(YAML_ERRORS_ZH[code] ?? `YAML 语法错误（${english}）`, english),
    clause: null,
  };
}

function unknownKey(key: string): Localized {
  return text(`格式中没有“${key}”这一项：是拼写错误，还是放错了层级？`, `"${key}" is not a field of the format here: a typo, or at the wrong level?`);
}

/** The format's own messages (format.ts), in Chinese. */
const CUSTOM_MESSAGES_ZH: Record<string, string> = {
  'money is a quoted yuan string with two decimals, e.g. "350.00"': '金额要写成带引号、两位小数的元，例如 "350.00"',
  'a calendar date YYYY-MM-DD': '日期要写成 YYYY-MM-DD，例如 2023-12-31',
  'give start or earliestPayment, not both': 'start 和 earliestPayment 只能给一个',
  'a window needs a lower bound: give start, or earliestPayment marked inferred': '缴费期需要起点：给出 start，或给出标明推定（inferred）的 earliestPayment',
  'a multiple-category rule cites its clause': '多重身份规则要注明条款（clause）',
  'give exactly one of days or months': 'days 和 months 必须且只能给一个',
  'a newborn cover start needs a window or a registration window': '新生儿待遇起始规则需要缴费期限（window）或登记期限（registrationWindow）',
  'a GB/T 2260 code, or the tenant code with -suffixes': '区域代码是 GB/T 2260 代码，或地区代码加 -后缀',
  'a GB/T 2260 six-digit division code': '地区代码是六位 GB/T 2260 行政区划代码',
};

const TYPE_NAMES_ZH: Record<string, string> = {
  string: '文本',
  number: '数字',
  int: '整数',
  boolean: '“true”或“false”',
  array: '列表',
  object: '“键: 值”映射',
  null: '空值',
  undefined: '空',
};

function typeOf(input: unknown): string {
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  if (typeof input === 'number' && Number.isInteger(input)) return 'int';
  return typeof input;
}

/** Chinese messages for zod's issues, worded for an officer editing a year document. */
export function chineseError(issue: z.core.$ZodRawIssue): string | undefined {
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return '缺少这一项（必填）';
      const given = `${TYPE_NAMES_ZH[typeOf(issue.input)] ?? typeOf(issue.input)}${issue.input !== null && typeof issue.input !== 'object' ? `“${String(issue.input)}”` : ''}`;
      return `应为${TYPE_NAMES_ZH[issue.expected] ?? issue.expected}，这里是${given}`;
    }
    case 'invalid_value': {
      const values = issue.values.map(String);
      const shown = values.length > 10 ? `${values.slice(0, 10).join('、')} 等 ${values.length} 个` : values.join('、');
      return `“${String(issue.input)}”不是允许的取值：可选 ${shown}`;
    }
    case 'too_small':
      if (issue.origin === 'string') return issue.minimum === 1 ? '不能为空' : `至少 ${String(issue.minimum)} 个字`;
      if (issue.origin === 'array') return `至少要有 ${String(issue.minimum)} 项`;
      return `不能小于 ${String(issue.minimum)}`;
    case 'too_big':
      if (issue.origin === 'array') return `最多 ${String(issue.maximum)} 项`;
      return `不能大于 ${String(issue.maximum)}`;
    case 'invalid_format':
      return '格式不对';
    case 'invalid_union':
      return '写法不符合任何一种允许的形式';
    default:
      return z.locales.zhCN().localeError(issue as never) as string | undefined;
  }
}
