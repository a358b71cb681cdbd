/** The public policy operations: tenants, their policy years, and quotes. No database: all from tenants/. */
import { LRUCache } from 'lru-cache';
import { DomainError } from '../../common/errors';
import { type Language, text } from '../../common/i18n';
import { SeenOnce } from '../../common/seen-once';
import type { RequestContext } from '../../context/request-context';
import type { PolicyYear, Tenant } from '../../policy-data/model';
import type { PolicyEngine, Quote, QuoteFacts } from '../../policy-engine/policy-engine';
import type { QuoteType } from './public-policy.types';

export interface QuoteRequest extends QuoteFacts {
  tenant: string;
  coverageYear: number;
}

/**
 * Quotes already answered, at most this many (some 7 KB each with both presentations: 14 MB in all). The engine is
 * pure, and the public pages and the portals ask the same few questions over and over: a county's
 * categories, on a day of its collection window.
 */
const QUOTES_KEPT = 2000;
/**
 * Facts longer than this (a list of categories a body of 4 MB can hold) are answered, not remembered:
 * a county's questions are a few hundred characters, and such keys would fill the memory.
 */
const KEPT_FACTS_MAX_CHARS = 2048;

/**
 * The engine's answer to a quote and, when the answer is kept, its presentation in each language as
 * made for an earlier request (null: not kept, presented for this request only).
 */
export interface QuoteAnswer {
  quote: Quote;
  presented: Partial<Record<Language, QuoteType>> | null;
}

/** A quote kept, with the engine, tenant and policy year it was computed from (see PublicPolicyService.quote). */
interface KeptQuote {
  engine: PolicyEngine;
  tenant: Tenant;
  policy: PolicyYear;
  answer: QuoteAnswer;
}

/**
 * Every fact the engine reads, in one string: two requests with the same key get the same answer. A new
 * field of QuoteInput must be added here (the quote's unit test checks every field of the schema's).
 */
export function factsKey(request: QuoteRequest): string {
  const { tenant, coverageYear, paymentDate, categories, circumstances, birthDate, region, wrongLocationPaidOn } = request;
  // JSON, not a template: a region written "null" must not share the key of a region not given.
  return JSON.stringify([
    tenant,
    coverageYear,
    paymentDate,
    categories ?? null,
    circumstances ?? null,
    birthDate ?? null,
    region ?? null,
    wrongLocationPaidOn ?? null,
  ]);
}

export class PublicPolicyService {
  private readonly kept = new LRUCache<string, KeptQuote>({ max: QUOTES_KEPT });
  private readonly askedOnce = new SeenOnce(QUOTES_KEPT);

  tenants(ctx: RequestContext): readonly Tenant[] {
    return ctx.app.catalog.tenants;
  }

  /** Null when the tenant has no notice for that year (CONTRACT.md). */
  policy(ctx: RequestContext, tenantCode: string, coverageYear: number): { tenant: Tenant; policy: PolicyYear } | null {
    const tenant = ctx.app.catalog.get(tenantCode);
    const policy = tenant?.policies.get(coverageYear);
    return tenant && policy ? { tenant, policy } : null;
  }

  /**
   * The engine's answer. Facts asked a second time are kept with their answer, which is then given again
   * to anyone who asks the same (and so nothing writes to it): facts asked once (a resident's birth date)
   * would fill the memory with answers the collector copies and nobody asks for again. An answer is
   * kept with the engine, tenant and policy year it came from; a publication or reload replaces those
   * objects, so an answer from an older version is never given again. Refusals are not kept.
   */
  quote(ctx: RequestContext, request: QuoteRequest): QuoteAnswer {
    const tenant = ctx.app.catalog.get(request.tenant);
    if (!tenant) throw new DomainError('NOT_FOUND', text(`没有代码为 ${request.tenant} 的统筹地区`, `no tenant ${request.tenant}`), { field: 'tenant' });
    const policy = tenant.policyFor(request.coverageYear);
    const engine = ctx.app.policyEngine;
    const key = factsKey(request);
    if (key.length > KEPT_FACTS_MAX_CHARS) return { quote: engine.quote(tenant, policy, request), presented: null };
    const kept = this.kept.get(key);
    if (kept && kept.engine === engine && kept.tenant === tenant && kept.policy === policy) return kept.answer;
    const quote = engine.quote(tenant, policy, request);
    if (!kept && this.askedOnce.firstTime(key)) return { quote, presented: null };
    const answer = { quote, presented: {} };
    this.kept.set(key, { engine, tenant, policy, answer });
    return answer;
  }
}

export const publicPolicyService = new PublicPolicyService();
