/** The one error formatter writes both texts; the request's language picks one, and the code stays. */
import { GraphQLError } from 'graphql';
import { DomainError, badInput, policyNotConfigured } from '../../src/common/errors';
import { text } from '../../src/common/i18n';
import { createLogger } from '../../src/common/logger';
import { NoLongerWanted } from '../../src/db/coalesced-reads';
import { errorFormatter, inLanguage } from '../../src/graphql/errors';

const format = errorFormatter(createLogger('silent'), false);
const formatted = (error: unknown) =>
  format({ message: 'whatever graphql-js said', path: ['field'] }, new GraphQLError('wrapped', { originalError: error as Error, path: ['field'] }));

describe("errors in the request's language", () => {
  it('a domain error: English by default (its message), Chinese when asked, the same extensions', () => {
    const error = policyNotConfigured(
      '610926',
      2022,
      'assistance.FAMILY_PLANNING.amount',
      text('通知未写明计生特殊家庭的资助标准', 'the notice does not state the subsidy for FAMILY_PLANNING'),
    );
    expect(error.message).toBe('the notice does not state the subsidy for FAMILY_PLANNING');
    const [en] = inLanguage([formatted(error)], 'en');
    const [zh] = inLanguage([formatted(error)], 'zh');
    expect(en).toEqual({
      message: 'the notice does not state the subsidy for FAMILY_PLANNING',
      path: ['field'],
      extensions: { code: 'POLICY_NOT_CONFIGURED', tenant: '610926', coverageYear: 2022, missing: 'assistance.FAMILY_PLANNING.amount' },
    });
    expect(zh).toEqual({ ...en, message: '通知未写明计生特殊家庭的资助标准' });
    // Both texts travel under a symbol, never in the JSON that leaves.
    expect(JSON.parse(JSON.stringify(formatted(error)))).toEqual(en);
  });

  it('a statement cancelled by statement_timeout is TIMEOUT in either language', () => {
    const cancelled = Object.assign(new Error('canceling statement due to statement timeout'), { code: '57014' });
    const [en, zh] = [inLanguage([formatted(cancelled)], 'en')[0], inLanguage([formatted(cancelled)], 'zh')[0]];
    expect(en.extensions).toEqual({ code: 'TIMEOUT' });
    expect(zh.extensions).toEqual({ code: 'TIMEOUT' });
    expect(en.message).toBe('A database statement took longer than its limit; nothing was written. Retry, or narrow the request');
    expect(zh.message).toBe('数据库语句执行超过时限，未写入任何数据；请重试，或缩小查询范围');
  });

  it('a lookup whose request passed its deadline while it waited for its batch is TIMEOUT, not an unexpected error', () => {
    const lines: string[] = [];
    const log = { info: (message: string) => lines.push(message), error: (message: string) => lines.push(message) };
    const answer = errorFormatter(log, true)(
      { message: 'whatever graphql-js said', path: ['enrollmentStatus'] },
      new GraphQLError('wrapped', { originalError: new NoLongerWanted(), path: ['enrollmentStatus'] }),
    );
    expect(answer.extensions).toEqual({ code: 'TIMEOUT' });
    expect(lines).not.toContain('unexpected error');
  });

  it('a deadlock or serialization failure is a retryable CONFLICT in either language, with no SQL', () => {
    for (const code of ['40P01', '40001']) {
      const lost = Object.assign(new Error('deadlock detected: Process 4711 waits for ShareLock on transaction 99'), { code });
      const [en, zh] = [inLanguage([formatted(lost)], 'en')[0], inLanguage([formatted(lost)], 'zh')[0]];
      expect(en).toEqual({
        message: 'Another request running at the same time conflicted with this one (a deadlock or serialization failure); nothing was written, retry',
        path: ['field'],
        extensions: { code: 'CONFLICT', retryable: true },
      });
      expect(zh).toEqual({ ...en, message: '与同时进行的其他请求冲突（数据库死锁或串行化失败），本次未写入任何数据，请重试' });
    }
  });

  it('an unexpected error leaks nothing in either language', () => {
    const [zh] = inLanguage([formatted(new Error('relation "secret" does not exist'))], 'zh');
    expect(zh).toEqual({ message: '服务器内部错误', path: ['field'], extensions: { code: 'INTERNAL_SERVER_ERROR' } });
  });

  it("GraphQL's own request errors keep their one text", () => {
    const own = { message: 'Cannot query field "x" on type "Query".', extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } };
    expect(inLanguage([format(own, new GraphQLError(own.message))], 'zh')).toEqual([own]);
  });

  it('badInput keeps the field, in both languages', () => {
    const error = badInput(text('每页条数（first）须在 1 至 500 之间', 'first must be between 1 and 500'), 'first');
    expect(error).toBeInstanceOf(DomainError);
    expect(inLanguage([formatted(error)], 'zh')[0]).toMatchObject({
      message: '每页条数（first）须在 1 至 500 之间',
      extensions: { code: 'BAD_USER_INPUT', field: 'first' },
    });
  });
});
