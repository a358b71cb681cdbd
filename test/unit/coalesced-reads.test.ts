/**
 * Coalesced reads (the bank's lookups arriving together): a read leaves alone while fewer than the
 * limit run; past it, reads of one group wait and leave as one, in the order they came, each request
 * with its own answer, and a failed batch fails each of its requests. A batch that waits too long
 * leaves beside the statement that holds it up.
 */
import { COALESCED_KEYS_MAX, CoalescedReads, NoLongerWanted } from '../../src/db/coalesced-reads';

/** A read whose statements end when the test says, recording what each was asked. */
function controlledRead(sent: string[][]) {
  const pending: Array<() => void> = [];
  const answer = (keys: readonly string[]) =>
    new Promise<string[]>((resolve, reject) => {
      sent.push([...keys]);
      pending.push(() => (keys.includes('fails') ? reject(new Error('the batch failed')) : resolve(keys.map((k) => `answer of ${k}`))));
    });
  return {
    read: { one: async (key: string) => (await answer([key]))[0], each: (keys: readonly string[]) => answer(keys) },
    endNext: async () => {
      pending.shift()!();
      await new Promise((r) => setImmediate(r));
    },
  };
}

it('reads leave alone below the limit, and together, by group and in order, past it', async () => {
  const sent: string[][] = [];
  const reads = new CoalescedReads(2, 60_000);
  const { read, endNext } = controlledRead(sent);
  const answers = [
    reads.read('2024', 'a', read),
    reads.read('2024', 'b', read),
    reads.read('2024', 'c', read),
    reads.read('2031', 'd', read),
    reads.read('2024', 'e', read),
  ];
  expect(sent).toEqual([['a'], ['b']]);
  await endNext();
  expect(sent).toEqual([['a'], ['b'], ['c', 'e']]);
  await endNext();
  expect(sent).toEqual([['a'], ['b'], ['c', 'e'], ['d']]);
  await endNext();
  await endNext();
  expect(await Promise.all(answers)).toEqual(['answer of a', 'answer of b', 'answer of c', 'answer of d', 'answer of e']);
  expect({ batches: reads.batches, batchedRequests: reads.batchedRequests }).toEqual({ batches: 1, batchedRequests: 2 });
  // Nothing running: the next read leaves at once, alone.
  const later = reads.read('2024', 'f', read);
  expect(sent.at(-1)).toEqual(['f']);
  await endNext();
  expect(await later).toBe('answer of f');
});

it('a failed batch fails each of its requests; the others, and the next batch, stand', async () => {
  const sent: string[][] = [];
  const reads = new CoalescedReads(1, 60_000);
  const { read, endNext } = controlledRead(sent);
  const first = reads.read('g', 'a', read);
  const failing = [reads.read('g', 'fails', read), reads.read('g', 'b', read)].map((p) => p.catch((err: Error) => err.message));
  const after = reads.read('h', 'c', read);
  await endNext();
  await endNext();
  await endNext();
  expect(await first).toBe('answer of a');
  expect(await Promise.all(failing)).toEqual(['the batch failed', 'the batch failed']);
  expect(await after).toBe('answer of c');
});

it(`a batch holds at most ${COALESCED_KEYS_MAX} keys; the rest follow in the next, behind it`, async () => {
  const sent: string[][] = [];
  const reads = new CoalescedReads(1, 60_000);
  const { read, endNext } = controlledRead(sent);
  const keys = Array.from({ length: COALESCED_KEYS_MAX + 3 }, (_, i) => `k${i}`);
  const running = reads.read('g', 'first', read);
  const answers = keys.map((k) => reads.read('g', k, read));
  const other = reads.read('other', 'x', read);
  for (let i = 0; i < 4; i += 1) await endNext();
  expect(sent.map((s) => s.length)).toEqual([1, COALESCED_KEYS_MAX, 3, 1]);
  expect(sent[3]).toEqual(['x']);
  expect(await Promise.all(answers)).toEqual(keys.map((k) => `answer of ${k}`));
  await Promise.all([running, other]);
});

it('a batch held up past its longest wait leaves beside the slow statement; the limit holds again after', async () => {
  // The clock moves only when the test says: nothing here depends on how busy the machine is.
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'nextTick', 'queueMicrotask'] });
  const sent: string[][] = [];
  const reads = new CoalescedReads(1, 20);
  const { read, endNext } = controlledRead(sent);
  const slow = reads.read('g', 'slow', read);
  const held = [reads.read('g', 'a', read), reads.read('h', 'b', read)];
  jest.advanceTimersByTime(19);
  expect(sent).toEqual([['slow']]);
  jest.advanceTimersByTime(1);
  // Both waiting batches left on their own timers; nothing else was sent.
  expect(sent).toEqual([['slow'], ['a'], ['b']]);
  const behind = reads.read('g', 'c', read);
  await endNext();
  await endNext();
  // Two of the three still run: c waits for the running ones to fall below the limit.
  expect(sent).toHaveLength(3);
  await endNext();
  expect(sent).toEqual([['slow'], ['a'], ['b'], ['c']]);
  await endNext();
  expect(await Promise.all([slow, ...held, behind])).toEqual(['answer of slow', 'answer of a', 'answer of b', 'answer of c']);
});

it('a request that ended while it waited (its deadline passed) is left out; a batch left empty sends nothing', async () => {
  const sent: string[][] = [];
  const reads = new CoalescedReads(1, 60_000);
  const { read, endNext } = controlledRead(sent);
  const ended = new Set<string>();
  const wanted = (key: string) => () => !ended.has(key);
  const first = reads.read('g', 'first', read, wanted('first'));
  // a's own way of reading belongs to a request that has ended: its batch goes through b's.
  const endedRead = controlledRead([]);
  const notThroughA = { one: () => Promise.reject(new Error("sent through an ended request's transaction")), each: () => endedRead.read.each([]) };
  const a = reads.read('g', 'a', notThroughA, wanted('a')).catch((err: unknown) => err);
  const b = reads.read('g', 'b', read, wanted('b'));
  const c = reads.read('h', 'c', read, wanted('c')).catch((err: unknown) => err);
  const d = reads.read('i', 'd', read, wanted('d'));
  ended.add('a');
  ended.add('c');
  await endNext();
  // a is left out of g's batch; h's batch, c alone and ended, sends nothing, so i's goes next.
  expect(sent).toEqual([['first'], ['b']]);
  await endNext();
  expect(sent).toEqual([['first'], ['b'], ['d']]);
  await endNext();
  expect(await a).toBeInstanceOf(NoLongerWanted);
  expect(await c).toBeInstanceOf(NoLongerWanted);
  expect(await Promise.all([first, b, d])).toEqual(['answer of first', 'answer of b', 'answer of d']);
  expect(reads.dropped).toBe(2);
});

afterEach(() => jest.useRealTimers());
