/**
 * The public quote keeps its answers: the engine is pure, so the answer to facts asked again is given
 * again, unchanged by its presentations; facts asked once are not kept, and an answer computed from an
 * older tenant or policy year is never given.
 */
import { join } from 'node:path';
import type { Localized } from '../../src/common/i18n';
import type { RequestContext } from '../../src/context/request-context';
import { presentQuote, presentQuoteAnswer } from '../../src/domains/public-policy/public-policy.presenters';
import { factsKey, PublicPolicyService } from '../../src/domains/public-policy/public-policy.service';
import { appSchema } from '../../src/server/schema';
import { getNullableType, GraphQLInputObjectType, isListType } from 'graphql';
import { loadTenants } from '../../src/policy-data/loader';
import type { TenantCatalog } from '../../src/policy-data/model';
import { PolicyEngine } from '../../src/policy-engine/policy-engine';
import { tenantCatalog } from '../helpers/tenants';

const engine = new PolicyEngine();
const contextOf = (catalog: TenantCatalog, language: 'zh' | 'en' = 'zh') =>
  ({ app: { catalog, policyEngine: engine }, language, say: (m: Localized) => m[language] }) as unknown as RequestContext;
const request = { tenant: '610926', coverageYear: 2022, paymentDate: '2021-11-01', categories: ['DIBAO' as const] };
const computed = () => engine.quote(tenantCatalog().get('610926')!, tenantCatalog().policy('610926', 2022)!, request);

describe('the public quote keeps its answers', () => {
  it('keeps the answer to facts asked a second time, and gives it again as the engine computes it', () => {
    const service = new PublicPolicyService();
    const ctx = contextOf(tenantCatalog());
    const once = service.quote(ctx, request);
    expect(once.presented).toBeNull();
    const twice = service.quote(ctx, { ...request, categories: ['DIBAO'] });
    expect(twice.presented).toEqual({});
    expect(twice.quote).not.toBe(once.quote);
    expect(service.quote(ctx, request)).toBe(twice);
    expect(twice.quote).toEqual(computed());
  });

  it('answers facts too long to remember (a list of categories repeated) without keeping or remembering them', () => {
    const service = new PublicPolicyService();
    const ctx = contextOf(tenantCatalog());
    const long = { ...request, categories: Array.from({ length: 400 }, () => 'DIBAO' as const) };
    for (let i = 0; i < 3; i += 1) expect(service.quote(ctx, long).presented).toBeNull();
    expect(service.quote(ctx, long).quote).toEqual(computed());
  });

  it('computes again for any fact that differs', () => {
    const service = new PublicPolicyService();
    const ctx = contextOf(tenantCatalog());
    service.quote(ctx, request);
    const kept = service.quote(ctx, request);
    for (const other of [
      { ...request, categories: [] },
      { ...request, categories: ['EXTREME_POVERTY' as const] },
      { ...request, paymentDate: '2021-11-02' },
      { ...request, birthDate: '1950-01-01' },
      { ...request, region: '610926-01' },
    ]) {
      for (let i = 0; i < 2; i += 1) expect(service.quote(ctx, other).quote).not.toBe(kept.quote);
    }
    expect(service.quote(ctx, { ...request, categories: [] }).quote.subsidy).toBe(0);
  });

  it('never gives an answer computed from another load of the tenants (a publication or reload replaces them)', () => {
    const service = new PublicPolicyService();
    service.quote(contextOf(tenantCatalog()), request);
    const before = service.quote(contextOf(tenantCatalog()), request);
    const reloaded = loadTenants(join(__dirname, '..', '..', 'tenants')).catalog;
    const after = service.quote(contextOf(reloaded), request);
    expect(after).not.toBe(before);
    expect(after.quote).toEqual(before.quote);
    expect(service.quote(contextOf(reloaded), request)).toBe(after);
  });

  it('keeps no refusal: a tenant it does not know is refused every time', () => {
    const service = new PublicPolicyService();
    const ctx = contextOf(tenantCatalog());
    for (let i = 0; i < 3; i += 1) expect(() => service.quote(ctx, { ...request, tenant: '999999' })).toThrow(/999999/);
  });

  it('presents a kept answer once per language, as presentQuote would, and leaves the answer as it was', () => {
    const service = new PublicPolicyService();
    service.quote(contextOf(tenantCatalog()), request);
    const answer = service.quote(contextOf(tenantCatalog()), request);
    const zh = presentQuoteAnswer(contextOf(tenantCatalog(), 'zh'), answer);
    const en = presentQuoteAnswer(contextOf(tenantCatalog(), 'en'), answer);
    expect(presentQuoteAnswer(contextOf(tenantCatalog(), 'zh'), answer)).toBe(zh);
    expect(en).not.toBe(zh);
    expect(zh).toEqual(presentQuote(contextOf(tenantCatalog(), 'zh'), answer.quote));
    expect(en).toEqual(presentQuote(contextOf(tenantCatalog(), 'en'), answer.quote));
    expect(answer.quote).toEqual(computed());
  });

  it('presents an answer not kept for the request alone', () => {
    const answer = new PublicPolicyService().quote(contextOf(tenantCatalog()), request);
    expect(presentQuoteAnswer(contextOf(tenantCatalog()), answer)).not.toBe(presentQuoteAnswer(contextOf(tenantCatalog()), answer));
  });

  it("keys its answers by every field of the schema's QuoteInput", () => {
    const input = appSchema().getType('QuoteInput');
    if (!(input instanceof GraphQLInputObjectType)) throw new Error('QuoteInput is not an input type');
    const fields = Object.values(input.getFields());
    expect(fields.length).toBeGreaterThanOrEqual(8);
    const base = Object.fromEntries(fields.map((f) => [f.name, null])) as unknown as Parameters<typeof factsKey>[0];
    for (const field of fields) {
      const value = isListType(getNullableType(field.type)) ? ['x'] : 'x';
      expect(factsKey({ ...base, [field.name]: value })).not.toBe(factsKey(base));
    }
    // Text that reads like an absent value is not one: the engine refuses a region "null".
    for (const text of ['null', 'undefined', '']) expect(factsKey({ ...base, region: text })).not.toBe(factsKey(base));
    expect(factsKey({ ...base, region: undefined })).toBe(factsKey(base));
  });
});
