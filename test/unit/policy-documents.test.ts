/**
 * Year documents checked as an officer writes them (issue 21): every problem at once with its path, line
 * and a Chinese message; the mistakes of a year copied from last year and half updated; a Chinese
 * keyboard's full-width colon; next year started from this one with every year-dependent value blanked;
 * and two years compared value by value.
 */
import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { languageOf } from '../../src/common/i18n';
import { compareYears } from '../../src/policy-data/changes';
import { TO_FILL, validatePolicyDocument, type ValidationContext } from '../../src/policy-data/document';
import { loadTenants } from '../../src/policy-data/loader';
import { nextYearDocument } from '../../src/policy-data/next-year';
import { fixed2024, GANZHOU, ganzhou2023, halfUpdated2024 } from '../helpers/drafts';

const root = join(__dirname, '..', '..', 'tenants');
const { catalog } = loadTenants(root);
const ganzhou = catalog.get(GANZHOU)!;
const y2023 = ganzhou.policies.get(2023)!;

/** 甘州 2024 checked as the server checks a draft: against 2023 in force, with 2023's notice number in use. */
function check2024(source: string, year = 2024): ReturnType<typeof validatePolicyDocument> {
  const context: ValidationContext = {
    tenantCode: GANZHOU,
    coverageYear: year,
    regions: ganzhou.regionsByCode,
    yearBefore: { coverageYear: 2023, raw: y2023.raw },
    noticeNumbersInUse: new Map([[y2023.data.notice.number!, [2023]]]),
  };
  return validatePolicyDocument(source, context);
}

const lineOf = (source: string, needle: string) => source.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe("the issue's own example: 甘州 2023 copied to 2024, changing only the standard, the subsidy and the cover dates", () => {
  const source = halfUpdated2024();
  const result = check2024(source);
  const at = (path: string) => result.errors.filter((e) => e.path === path);

  it('is refused, every half-updated value named with its line', () => {
    expect(result.data).not.toBeNull(); // the format is met: only the year's sense is wrong
    // The old notice number, its title and label, its date.
    expect(at('notice.number')[0]).toMatchObject({ code: 'NOTICE_NUMBER_IN_USE', line: lineOf(source, 'number: 区医保发') });
    expect(at('notice.number')[0].message.zh).toContain('区医保发〔2022〕69号 已是 2023 年度通知的文号');
    expect(at('notice.title').map((e) => e.code)).toEqual(['TEXT_NOT_UPDATED']);
    expect(
      at('notice.label')
        .map((e) => e.code)
        .sort(),
    ).toEqual(['TEXT_NOT_UPDATED', 'TITLE_YEAR']);
    expect(
      at('notice.issuedOn')
        .map((e) => e.code)
        .sort(),
    ).toEqual(['DATE_NOT_MOVED', 'NOTICE_DATE_YEAR']);
    // The payment window in the wrong year: its inferred opening and the 2022 end.
    expect(
      at('collectionWindow.earliestPayment.date')
        .map((e) => e.code)
        .sort(),
    ).toEqual(['DATE_NOT_MOVED', 'WINDOW_YEAR']);
    expect(
      at('collectionWindow.end.date')
        .map((e) => e.code)
        .sort(),
    ).toEqual(['DATE_NOT_MOVED', 'WINDOW_YEAR']);
    expect(at('collectionWindow.end.date')[0].line).toBe(lineOf(source, 'end: { date: 2022-12-31'));
    // The refund deadline and the four milestones.
    expect(at('refunds.deadline.date')[0]).toMatchObject({ code: 'DATE_NOT_MOVED', line: lineOf(source, 'deadline: { date: 2022-12-30') });
    for (let i = 0; i < 4; i++) expect(at(`milestones[${i}].date`).map((e) => e.code)).toEqual(['DATE_NOT_MOVED']);
    expect(at('milestones[3].date')[0].line).toBe(lineOf(source, 'date: 2022-12-25'));
    expect(at('milestones[0].date')[0].message.zh).toBe('milestones[0].date 仍是 2022-09-30，与 2023 年度相同：待遇年度推后了一年，这个日期也应随之调整');
    // Nothing else: the values that were changed are not complained of.
    expect(new Set(result.errors.map((e) => e.path))).toEqual(
      new Set([
        'notice.number',
        'notice.title',
        'notice.label',
        'notice.issuedOn',
        'collectionWindow.earliestPayment.date',
        'collectionWindow.end.date',
        'refunds.deadline.date',
        'milestones[0].date',
        'milestones[1].date',
        'milestones[2].date',
        'milestones[3].date',
      ]),
    );
    // The clause of the new cover start still quotes 2023.
    expect(result.warnings.map((w) => [w.code, w.path])).toEqual([['CLAUSE_YEAR', 'coverage.start.clause']]);
  });

  it('says each problem in English too, for integrators', () => {
    expect(at('collectionWindow.end.date').map((e) => e.message.en)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^the window's date 2022-12-31 is in neither 2023 nor 2024/),
        'collectionWindow.end.date is still 2022-12-31, as in 2023: the year of cover moved on one year, and this date with it',
      ]),
    );
  });

  it('is accepted once every year-dependent value moved on, with the changes named value by value', () => {
    const fixed = check2024(fixed2024());
    expect(fixed.errors).toEqual([]);
    expect(fixed.warnings).toEqual([]);
    const changes = compareYears(y2023.raw, fixed.raw);
    const changed = (path: string) => changes.find((c) => c.path === path);
    expect(changed('individualContribution.amount')).toMatchObject({ kind: 'CHANGED', before: '350.00', after: '380.00', citation: false });
    expect(changed('fiscalSubsidy.amount')).toMatchObject({ before: '610.00', after: '640.00' });
    expect(changed('collectionWindow.end.date')).toMatchObject({ before: '2022-12-31', after: '2023-12-31' });
    expect(changed('notice.number')).toMatchObject({ before: '区医保发〔2022〕69号', after: '区医保发〔2023〕70号' });
    expect(changed('individualContribution.clause')).toMatchObject({ citation: true });
    // Rules are paired by what they are, not by their place in the list.
    expect(changed('assistance.rules[LIFTED_OUT_OF_POVERTY].clause')?.after).toContain('2023 年资助标准为 100 元');
    expect(changes.find((c) => c.path.startsWith('assistance.rules[DIBAO_RURAL_1].amount'))).toBeUndefined();
  });
});

describe('every problem at once, each with its line', () => {
  it('reports every format error, not only the first, in Chinese with the English beside it', () => {
    const source = ganzhou2023()
      .replace('amount: "250.00"', 'amount: 250')
      .replace('full: true', 'full: yes')
      .replace('category: RETURNED_TO_POVERTY', 'category: RETURNED')
      .replace('individualContribution:', 'individualContributon:');
    const result = check2024(source, 2023);
    const codes = result.errors.map((e) => [e.path, e.line]);
    expect(codes).toEqual(
      expect.arrayContaining([
        ['individualContributon', lineOf(source, 'individualContributon:')],
        ['individualContribution', lineOf(source, 'individualContributon:') - 1 > 0 ? expect.any(Number) : null],
        ['assistance.rules[0].full', lineOf(source, 'full: yes')],
        ['assistance.rules[2].amount', lineOf(source, 'amount: 250')],
        ['assistance.rules[8].category', lineOf(source, 'category: RETURNED')],
      ]),
    );
    const message = (path: string) => result.errors.find((e) => e.path === path)!.message;
    expect(message('individualContributon').zh).toBe('格式中没有“individualContributon”这一项：是拼写错误，还是放错了层级？');
    expect(message('individualContribution').zh).toBe('缺少这一项（必填）');
    expect(message('assistance.rules[0].full').zh).toBe('应为“true”或“false”，这里是文本“yes”');
    expect(message('assistance.rules[2].amount')).toEqual({
      zh: '金额要写成带引号、两位小数的元，例如 "350.00"',
      en: 'money is a quoted yuan string with two decimals, e.g. "350.00"',
    });
    expect(message('assistance.rules[8].category').zh).toMatch(/^“RETURNED”不是允许的取值：可选 /);
    // A value inherited through a merge key (<<: *dibao250) points where the anchor writes it.
    expect(result.errors.find((e) => e.path === 'assistance.rules[3].amount')?.line).toBe(lineOf(source, 'amount: 250'));
  });

  it('names a full-width colon typed on a Chinese keyboard, and still checks the rest', () => {
    const source = halfUpdated2024()
      .replace('fiscalSubsidy:', 'fiscalSubsidy：')
      .replace('individualContribution: { amount: "380.00", clause', 'individualContribution: { amount："380.00"，clause');
    const result = check2024(source);
    const slips = result.errors.filter((e) => e.code.startsWith('FULL_WIDTH'));
    expect(slips.map((e) => [e.code, e.line])).toEqual([
      ['FULL_WIDTH_COLON', lineOf(source, 'individualContribution:')],
      ['FULL_WIDTH_COMMA', lineOf(source, 'individualContribution:')],
      ['FULL_WIDTH_COLON', lineOf(source, 'fiscalSubsidy：')],
    ]);
    expect(slips[2].message.zh).toBe('键“fiscalSubsidy”后面是全角冒号“：”（中文输入法打出的）：YAML 只认半角冒号，请改成“fiscalSubsidy: ”（冒号后加一个空格）');
    expect(result.errors.some((e) => e.code === 'YAML_SYNTAX')).toBe(false);
    // The same pass goes on to the year's own problems.
    expect(result.errors.some((e) => e.path === 'refunds.deadline.date' && e.code === 'DATE_NOT_MOVED')).toBe(true);
  });

  it("explains a YAML syntax error in Chinese, at its line, instead of YAML's own words alone", () => {
    const source = ganzhou2023().replace('  issuedOn: 2022-08-30', '  issuedOn: "2022-08-30');
    const result = check2024(source, 2023);
    expect(result.data).toBeNull();
    expect(result.errors[0]).toMatchObject({ code: 'YAML_SYNTAX', line: expect.any(Number) });
    expect(result.errors[0].message.zh).toMatch(/引号|成对/);
    expect(result.warnings.map((w) => w.code)).toContain('NOT_CHECKED');
  });

  it('refuses a document for another tenant or year', () => {
    const result = check2024(fixed2024(), 2025);
    expect(result.errors.map((e) => [e.code, e.path])).toEqual(expect.arrayContaining([['YEAR_MISMATCH', 'coverageYear']]));
  });
});

describe('any text at all', () => {
  it.each([
    ['a list', '- a\n- b', 'NOT_A_MAP'],
    ['a bare number', '42', 'NOT_A_MAP'],
    ['an unclosed flow list', '{a: [1,2', 'YAML_SYNTAX'],
    ['an alias inside what it names', 'a: &x [*x]', 'YAML_SYNTAX'],
    ['two documents', '---\na: 1\n---\nb: 2', 'YAML_SYNTAX'],
    ['tabs', '\t\tfoo: bar', 'YAML_SYNTAX'],
    ['a colon inside a value', 'a: b: c', 'YAML_SYNTAX'],
    ['nesting without end', `a: ${'['.repeat(500)}${']'.repeat(500)}`, 'YAML_SYNTAX'],
    ['a map of the wrong shape', 'tenant: "620702"\ncoverageYear: 2024\nnotice: 3', 'SCHEMA'],
  ])('answers %s with errors, never an exception', (_, source, code) => {
    const result = validatePolicyDocument(source, {
      tenantCode: GANZHOU,
      coverageYear: 2024,
      regions: ganzhou.regionsByCode,
      yearBefore: { coverageYear: 2023, raw: y2023.raw },
    });
    expect(result.errors.map((e) => e.code)).toContain(code);
    expect(() => compareYears(y2023.raw, result.raw)).not.toThrow();
  });
});

describe('checks within a year', () => {
  const check = (edit: (text: string) => string) => check2024(edit(fixed2024()));
  it('a window that opens after cover starts, or in an implausible year', () => {
    const late = check((t) => t.replace('date: 2023-01-01', 'date: 2024-02-01').replace('end: { date: 2023-12-31', 'end: { date: 2024-03-31'));
    expect(late.errors.map((e) => e.code)).toEqual(expect.arrayContaining(['WINDOW_AFTER_COVER_START']));
  });

  it('a refund deadline or a milestone outside the window', () => {
    const result = check((t) =>
      t.replace('deadline: { date: 2023-12-30', 'deadline: { date: 2024-01-15').replace('date: 2023-09-30, share: 0.35', 'date: 2022-12-30, share: 0.35'),
    );
    expect(result.errors.map((e) => [e.code, e.path])).toEqual(
      expect.arrayContaining([
        ['REFUND_DEADLINE_OUTSIDE_WINDOW', 'refunds.deadline.date'],
        ['MILESTONE_OUTSIDE_WINDOW', 'milestones[0].date'],
      ]),
    );
  });

  it('a title naming another year, unless the mapping is declared as 山丹 declares 2021年度', () => {
    const undeclared = check((t) => t.replace(/\n {2}label: "2023"/, ''));
    expect(undeclared.errors.map((e) => [e.code, e.path])).toEqual([['TITLE_YEAR', 'notice.title']]);
    expect(catalog.policy('620725', 2022)!.data.notice.label).toBe('2021年度'); // accepted: declared, and the year before cover
  });

  it('target totals that disagree with their parts are named with both numbers', () => {
    expect(catalog.policy('520100', 2022)!.warnings[0].en).toMatch(/2710466.*2710446/);
    expect(catalog.policy('520100', 2022)!.warnings[0].zh).toMatch(/^targets\.total\.count：总任务数写的是 2710466，但各部分合计 2710446/);
  });
});

describe('next year started from this one', () => {
  const source = nextYearDocument({ tenantName: '甘州区', coverageYear: 2023, version: 1, source: y2023.source }, 2024);
  const result = check2024(source);

  it("blanks every year-dependent value and marks it to fill, with last year's value beside it", () => {
    expect(source).toMatch(/^# 甘州区 2024 年度草稿：由 2023 年度第 1 版生成。/);
    expect(source).not.toMatch(/\n[^#\n]*\b20(2[0-3])-\d\d-\d\d(?![^#\n]*# 上一年度)/); // no old date is left outside a comment
    expect(source).toContain('coverageYear: 2024');
    expect(source).toContain(`amount: ${TO_FILL} # 上一年度："350.00"`);
    expect(result.errors.every((e) => e.code === 'TO_FILL')).toBe(true);
    const paths = result.errors.map((e) => e.path);
    for (const path of [
      'notice.number',
      'notice.title',
      'notice.issuedOn',
      'notice.label',
      'individualContribution.amount',
      'fiscalSubsidy.amount',
      'collectionWindow.earliestPayment.date',
      'collectionWindow.end.date',
      'coverage.start.date',
      'refunds.deadline.date',
      'milestones[0].date',
      'assistance.rules[2].amount',
    ]) {
      expect(paths).toContain(path);
    }
    const deadline = result.errors.find((e) => e.path === 'refunds.deadline.date')!;
    expect(deadline.message.zh).toBe('待填写：按新年度的通知填写（上一年度：2022-12-30）');
    expect(deadline.line).toBe(lineOf(source, `date: ${TO_FILL} # 上一年度：2022-12-30`));
    // Rules and citations that name no year are kept.
    expect(source).toContain('rule: TOP_UP_NO_CLAWBACK');
    expect(source).toContain('clause: 一、缴费期限\n');
  });

  it("is accepted once each blank is filled (here: last year's value moved on a year) and cannot be left half done", () => {
    const moveOn = (old: string) => old.replace(/(?<![〔\d])(202[0-3])(?![〕\d])/g, (y) => String(Number(y) + 1));
    const filled = source
      .replace(`number: ${TO_FILL} # 上一年度："区医保发〔2022〕69号"`, 'number: 区医保发〔2023〕70号')
      .replace(new RegExp(`${TO_FILL} # 上一年度：(.*)`, 'g'), (_, old: string) =>
        old.startsWith('"') ? JSON.stringify(moveOn(JSON.parse(old) as string)) : moveOn(old),
      );
    const accepted = check2024(filled);
    expect(accepted.errors).toEqual([]);
    const oneLeft = filled.replace('deadline:\n    date: 2023-12-30', `deadline:\n    date: ${TO_FILL}`);
    expect(oneLeft).not.toBe(filled);
    expect(check2024(oneLeft).errors.map((e) => [e.code, e.path])).toEqual([['TO_FILL', 'refunds.deadline.date']]);
  });

  it("starts every tenant's next year without an error other than the blanks", () => {
    for (const tenant of catalog.tenants) {
      for (const policy of tenant.policies.values()) {
        const next = nextYearDocument(
          { tenantName: tenant.name, coverageYear: policy.coverageYear, version: 1, source: policy.source },
          policy.coverageYear + 1,
        );
        const checked = validatePolicyDocument(next, {
          tenantCode: tenant.code,
          coverageYear: policy.coverageYear + 1,
          regions: tenant.regionsByCode,
          yearBefore: { coverageYear: policy.coverageYear, raw: policy.raw },
        });
        expect([tenant.code, checked.errors.filter((e) => e.code !== 'TO_FILL')]).toEqual([tenant.code, []]);
        expect(checked.errors.length).toBeGreaterThan(10);
      }
    }
  });
});

describe('a bad tenant file never stops the others', () => {
  it('leaves out a tenant whose tenant.yaml is broken, and loads the rest', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tenants-'));
    cpSync(root, dir, { recursive: true });
    writeFileSync(join(dir, '620725', 'tenant.yaml'), 'code: "620725"\nname：山丹县\n');
    const { catalog: partial, problems } = loadTenants(dir);
    expect(partial.tenants.map((t) => t.code)).toEqual(['520100', '610926', '620702', '620721']);
    expect(problems.map((p) => [p.file, p.tenantCode, p.coverageYear])).toEqual([['620725/tenant.yaml', '620725', null]]);
    expect(problems[0].issues[0].code).toBe('FULL_WIDTH_COLON');
  });
});

describe('the language of messages', () => {
  it.each([
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh'],
    ['zh', 'zh'],
    ['zh-Hans-CN', 'zh'],
    ['en-US,en;q=0.9', 'en'],
    ['en;q=0.5, zh-CN', 'zh'],
    ['zh-TW', 'en'],
    ['fr', 'en'],
    [undefined, 'en'],
  ])('Accept-Language %s → %s', (header, language) => {
    expect(languageOf(header)).toBe(language);
  });
});
