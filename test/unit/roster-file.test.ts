/** Reading a roster as townships keep it: format by its bytes, encodings, the file's own row numbers, the header under title rows. */
import iconv from 'iconv-lite';
import { readRosterFile, rosterFormat } from '../../src/domains/residents/roster-file';
import type { DomainError } from '../../src/common/errors';
import { findRosterHeader } from '../../src/domains/residents/roster.service';

const HEADER = '户口簿号,乡镇,身份证号码,* 姓名,与户主关系（必填）,户籍所在地';

describe('readRosterFile', () => {
  it('reads a GBK CSV and numbers rows as the file does, a quoted line break inside a cell included', async () => {
    const text = [
      '城关镇参保登记表',
      '',
      HEADER,
      'A-1,城关镇,610926196001010011,王大,户主,"平利县\n城关镇"',
      'A-1,城关镇,610926196202020022,李二,配偶,老县镇',
    ].join('\r\n');
    const file = await readRosterFile(iconv.encode(text, 'gbk'));
    expect(file).toMatchObject({ format: 'CSV', encoding: 'GB18030' });
    expect(file.rows.map((r) => r.row)).toEqual([1, 3, 4, 6]);
    expect(file.rows[2].cells[5]).toBe('平利县\n城关镇');
    expect(findRosterHeader(file)).toMatchObject({ row: 3, errorColumn: 7 });
  });

  it('reads UTF-8 with and without a byte-order mark alike', async () => {
    const text = `${HEADER}\nA-1,城关镇,610926196001010011,王大,户主,城关镇\n`;
    const plain = await readRosterFile(Buffer.from(text, 'utf8'));
    const bom = await readRosterFile(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text, 'utf8')]));
    expect(plain.encoding).toBe('UTF-8');
    expect(bom.rows).toEqual(plain.rows);
    expect(bom.rows[0].cells[0]).toBe('户口簿号');
  });

  it('tells the format by the bytes, an "xls" that is an HTML table included', async () => {
    expect(rosterFormat(Buffer.from('504b0304', 'hex'))).toBe('XLSX');
    expect(rosterFormat(Buffer.from('d0cf11e0a1b11ae1', 'hex'))).toBe('XLS');
    const html = `<html><body><table><tr><td>标题</td></tr><tr>${HEADER.split(',')
      .map((h) => `<td>${h}</td>`)
      .join('')}</tr><tr><td>A-1</td><td>城关镇</td><td>610926196001010011</td><td>王大</td><td>户主</td><td></td></tr></table></body></html>`;
    const file = await readRosterFile(Buffer.from(html, 'utf8'));
    expect(file.format).toBe('XLS');
    expect(findRosterHeader(file).row).toBe(2);
    expect(file.rows.at(-1)).toMatchObject({ row: 3 });
  });

  it('says which columns the closest row lacks when no row is a header', async () => {
    const file = await readRosterFile(Buffer.from('标题\n户口簿号,姓名,身份证号码\n', 'utf8'));
    const refusal = (() => {
      try {
        findRosterHeader(file);
      } catch (err) {
        return err as DomainError;
      }
    })();
    expect(refusal?.localized.zh).toContain('找不到表头：第 2 行缺少 乡镇、与户主关系 列');
    expect(refusal?.localized.en).toContain('no header row: row 2 lacks the columns region, relationship');
  });
});
