/**
 * The CSV importers name rows by the file's own row numbers (the header is row 1): blank lines, quoted
 * fields holding line breaks and CRLF line ends counted as a clerk's editor counts them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CsvImportKind, normaliseDate, runCsvImport } from '../../src/cli/csv-import';
import { text } from '../../src/common/i18n';

/** Rejects every row whose `v` is not "ok", sends the others nowhere. */
const kind: CsvImportKind<{ name: string }> = {
  columns: { name: 'name', v: 'v' },
  required: ['name', 'v'],
  names: {},
  toInput: (r) => ({ name: r.name }),
  label: (r) => r.name,
  invalid: (r) => (r.v === 'ok' ? null : { field: 'v', problem: text('不对', 'wrong') }),
  send: async (_client, _batchId, rows) => ({ accepted: rows.length, duplicates: 0, rejected: 0, rows: [] }),
};

async function rejectedLines(content: string): Promise<Array<[number, string]>> {
  const file = join(mkdtempSync(join(tmpdir(), 'csv-lines-')), 'rows.csv');
  writeFileSync(file, content);
  const tally = await runCsvImport(kind, { file, url: 'http://127.0.0.1:9/graphql', batchSize: 100, batchPrefix: 't' });
  return tally.rejections.map((r) => [r.line, r.label]);
}

describe('the row a rejected record is named by', () => {
  it.each([
    ['LF', '\n'],
    ['CRLF', '\r\n'],
    ['CR', '\r'],
  ])('is the line it starts on, %s', async (_name, nl) => {
    const rows = ['name,v', 'a,ok', 'b,no', '', '', 'c,no', '"d', 'still d",ok', '"e', '', 'still e",no', 'f,no', '  \t', ' g,no', ''];
    expect(await rejectedLines(rows.join(nl))).toEqual([
      [3, 'b'],
      [6, 'c'],
      [9, `e${nl}${nl}still e`],
      [12, 'f'],
      [14, 'g'],
    ]);
  });

  it('with no line end after the last record, and after a byte order mark', async () => {
    expect(await rejectedLines('name,v\n\n"x\ny",no')).toEqual([[3, 'x\ny']]);
    expect(await rejectedLines('\ufeffname,v\r\na,no\r\n')).toEqual([[2, 'a']]);
  });

  it('with its characters whole where the file is read in pieces (64 KiB each) that cut one in two', async () => {
    // 13 bytes a row after a 7-byte header: the third piece of 64 KiB ends inside a row's first character.
    const names = Array.from({ length: 20_000 }, () => '张三丰');
    const rejected = await rejectedLines(['name,v', ...names.map((n) => `${n},no`)].join('\n'));
    expect(rejected).toHaveLength(names.length);
    expect(rejected.filter(([, label]) => label !== '张三丰')).toEqual([]);
  });
});

describe('normaliseDate', () => {
  it('answers a date the same when asked again, valid or not', () => {
    for (let round = 0; round < 2; round += 1) {
      expect(normaliseDate('2023/10/2')).toBe('2023-10-02');
      expect(normaliseDate('2023-02-29')).toBeNull();
      expect(normaliseDate('2024-02-29')).toBe('2024-02-29');
      expect(normaliseDate(' 2023.1.5 ')).toBe('2023-01-05');
    }
  });
});

describe('batches in flight', () => {
  it('has the next batch read while `concurrency` are under way, and sends it as soon as one is answered', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'csv-flight-')), 'rows.csv');
    writeFileSync(file, ['name,v', ...Array.from({ length: 50 }, (_, i) => `p${i},ok`)].join('\n'));
    const pending: Array<() => void> = [];
    let read = 0;
    let inFlight = 0;
    let mostInFlight = 0;
    const sent: string[] = [];
    const held: CsvImportKind<{ name: string }> = {
      ...kind,
      toInput: (r) => ((read += 1), { name: r.name }),
      send: async (_client, batchId, rows) => {
        sent.push(batchId);
        inFlight += 1;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise<void>((resolve) => pending.push(resolve));
        inFlight -= 1;
        return { accepted: rows.length, duplicates: 0, rejected: 0, rows: [] };
      },
    };
    const run = runCsvImport(held, { file, url: 'http://127.0.0.1:9/graphql', batchSize: 10, concurrency: 2, batchPrefix: 't' });
    // Polled against a deadline, not a number of turns: the file is opened and read in Node's thread pool.
    const until = async (done: () => boolean) => {
      for (const deadline = Date.now() + 10_000; !done() && Date.now() < deadline;) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(done()).toBe(true);
    };
    // Two batches sent and unanswered: the third is read (and no more), waiting for a slot.
    await until(() => sent.length === 2 && read === 30);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect([sent.length, read]).toEqual([2, 30]);
    pending.shift()!();
    await until(() => sent.length === 3 && read === 40);
    for (const deadline = Date.now() + 10_000; (sent.length < 5 || pending.length) && Date.now() < deadline;) {
      pending.shift()?.();
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const tally = await run;
    expect(tally.accepted).toBe(50);
    expect(sent).toEqual(['t-00001', 't-00002', 't-00003', 't-00004', 't-00005']);
    expect(mostInFlight).toBe(2);
  });
});
