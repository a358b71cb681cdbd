/** Names and phone numbers as the registry takes them: the scripts of people's documents, mainland numbers. */
import { MAX_NAME_LENGTH, nameProblem, phoneProblem } from '../../src/domains/residents/names-and-phones';

describe('names', () => {
  it.each([
    ['张三', '张三'],
    ['欧阳娜娜', '欧阳娜娜'],
    ['王〇', '王〇'], // 〇 (U+3007) is a Chinese character in names
    ['𠀾𪚥', '𠀾𪚥'], // CJK extensions B and C, outside the Basic Multilingual Plane
    ['䶮', '䶮'], // extension A
    ['阿依古丽·买买提', '阿依古丽·买买提'],
    ['阿依古丽•买买提', '阿依古丽·买买提'], // a bullet typed for the middle dot
    ['阿依古丽・买买提', '阿依古丽·买买提'], // a katakana middle dot
    ['  李四 ', '李四'],
    ['ئايگۈل مەمەت', 'ئايگۈل مەمەت'], // Uyghur, Arabic script
    ['بَهار', 'بَهار'], // with a vowel sign (an inherited combining mark)
    ['བཀྲ་ཤིས་', null], // Tibetan ends with a tsheg: allowed, it is not a separator
    ['ᠪᠠᠲᠣ', 'ᠪᠠᠲᠣ'], // Mongolian
    ['ꆈꌠꁱꂷ', 'ꆈꌠꁱꂷ'], // Yi
    ["O'NEILL, MARY-JANE", "O'NEILL, MARY-JANE"],
    ['José Müller', 'José Müller'],
    ['Jose\u0301', 'José'], // composed (NFC)
  ])('takes %s', (input, kept) => {
    expect(nameProblem(input)).toEqual({ name: kept ?? input });
  });

  it.each([
    ['', 'must not be empty'],
    ['\u200B\u200B', 'invisible'], // zero-width spaces
    ['\u200B', 'invisible'],
    ['张\u200B三', 'invisible or control character (U+200B)'],
    ['张\u202E三李', 'U+202E'], // right-to-left override
    ['\u202Dabc', 'U+202D'],
    ['张\u200F三', 'U+200F'], // right-to-left mark
    ['张\u2066三\u2069', 'U+2066'], // isolates
    ['张\uFEFF三', 'U+FEFF'],
    ['张\u0000三', 'U+0000'],
    ['张\n三', 'U+000A'],
    ['张\u00A0三', 'U+00A0'], // a no-break space
    ['<b>张三</b>', '"<"'],
    ['张三1', '"1"'],
    ['Иван', '"И"'], // Cyrillic: not a script of the documents a county registers
    ['·张三', 'begin or end'],
    ['张三·', 'begin or end'],
    ['张··三', 'one separator'],
    ['张  三', 'one separator'],
    ['··', 'begin or end'],
    ['\uE000', 'U+E000'], // private use: a code point only one system knows
    ['x'.repeat(MAX_NAME_LENGTH + 1), `at most ${MAX_NAME_LENGTH}`],
    ['张'.repeat(10_000), 'at most'],
  ])('refuses %j', (input, why) => {
    const result = nameProblem(input);
    expect(result).toHaveProperty('error');
    expect((result as { error: string }).error).toContain(why);
  });

  it('takes a name of the longest length', () => {
    expect(nameProblem('买'.repeat(MAX_NAME_LENGTH))).toHaveProperty('name');
  });
});

describe('phone numbers', () => {
  it.each([
    ['13800138000', '13800138000'],
    ['138 0013 8000', '13800138000'],
    ['138-0013-8000', '13800138000'],
    ['+86 138 0013 8000', '13800138000'],
    ['+8613800138000', '13800138000'],
    ['8613800138000', '13800138000'],
    ['008613800138000', '13800138000'],
    ['１３８００１３８０００', '13800138000'], // full-width digits
    ['19912345678', '19912345678'],
    ['0936-8221234', '0936-8221234'],
    ['(0936)8221234', '0936-8221234'],
    ['0936 822 1234', '0936-8221234'],
    ['09368221234', '0936-8221234'],
    ['010-62345678', '010-62345678'],
    ['021 6234 5678', '021-62345678'],
    ['+86 10 62345678', '010-62345678'],
    ['+86-936-8221234', '0936-8221234'],
    ['0936-8221234转801', '0936-8221234转801'],
    ['0936-8221234 分机 801', '0936-8221234转801'],
    ['0936-8221234 ext. 801', '0936-8221234转801'],
    ['0936-8221234-801', '0936-8221234转801'],
  ])('takes %s as %s', (input, kept) => {
    expect(phoneProblem(input)).toEqual({ phone: kept });
  });

  it.each([
    ['<script>alert(1)</script>', 'may hold only'],
    ['138<b>0013</b>8000', 'may hold only'],
    ['12800138000', 'neither'], // 12x is not a mobile range
    ['1380013800', 'neither'], // 10 digits
    ['138001380001', 'neither'],
    ['0936-1234567', 'neither'], // a local number does not start with 1
    ['8221234', 'neither'], // no area code
    ['+852 9123 4567', 'mainland'],
    ['13800138000转8', 'mobile number with an extension'],
    ['电话13800138000', 'may hold only'],
    ['138\u200B00138000', 'may hold only'],
  ])('refuses %j', (input, why) => {
    const result = phoneProblem(input);
    expect(result).toHaveProperty('error');
    expect((result as { error: string }).error).toContain(why);
  });
});
