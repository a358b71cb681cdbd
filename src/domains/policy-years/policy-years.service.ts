/**
 * Policy years as managed data: an administrator drafts a year (a document of their own, or next year
 * started from this one), sees every problem, the changes against the year before, the standard cases
 * and a budget on the roll; another administrator publishes it, and it is in force at once on every
 * server. Published versions never change. The checks themselves are policy-data's; this service gives
 * them the tenant's context (its regions, the year before in force, the notice numbers in use).
 */
import { todayInChina } from '../../common/dates';
import { DomainError } from '../../common/errors';
import { text } from '../../common/i18n';
import { type AppState, RequestContext } from '../../context/request-context';
import { compareYears, type PolicyValueChange } from '../../policy-data/changes';
import { type PolicyValidation, validatePolicyDocument } from '../../policy-data/document';
import { policyYearOf, sha256 } from '../../policy-data/loader';
import type { PolicyYear, Tenant } from '../../policy-data/model';
import { nextYearDocument } from '../../policy-data/next-year';
import { heldService } from '../enrollment/held.service';
import { type Budget, simulateBudget } from './budget';
import {
  type DraftRow,
  draftById,
  draftList,
  insertApiVersion,
  insertDraft,
  latestVersionNumber,
  markDraftPublished,
  noticeNumbers,
  rollOn,
  versionHistory,
  type VersionRow,
  versionOf,
} from './policy-years.repository';
import { type PreviewRow, previewCases } from './preview';

/** A draft with what it was checked against and what the checks found, computed once per request. */
export interface DraftReview {
  draft: DraftRow;
  validation: PolicyValidation;
  /** The closest earlier year in force, which the draft is checked and compared against. */
  yearBefore: PolicyYear | null;
  /** The same year's version in force, if any. */
  inForce: PolicyYear | null;
  /** The draft as a policy year, where it meets the format (with or without errors of sense). */
  policy: PolicyYear | null;
  changes: PolicyValueChange[];
}

interface DraftSubmission {
  coverageYear: number;
  source: string;
  startedFromYear: number | null;
  startedFromVersion: number | null;
}

/** The key of this request's reviews (perRequest keys are objects). */
const REVIEWS = { reviews: 'policy drafts' };

export class PolicyYearsService {
  /** Checks a year document and keeps it as a draft, with every error and warning. */
  async draft(ctx: RequestContext, input: { tenant: string; coverageYear: number; source: string }): Promise<DraftReview> {
    this.sameTenant(ctx, input.tenant);
    this.plausibleYear(ctx, input.coverageYear);
    return this.submit(ctx, { coverageYear: input.coverageYear, source: input.source, startedFromYear: null, startedFromVersion: null });
  }

  /** Next year started from the closest earlier year in force, every year-dependent value blanked to fill. */
  async draftNextYear(ctx: RequestContext, tenantCode: string, coverageYear: number): Promise<DraftReview> {
    this.sameTenant(ctx, tenantCode);
    this.plausibleYear(ctx, coverageYear);
    const from = yearBefore(ctx.tenant, coverageYear);
    if (!from) {
      throw new DomainError(
        'NOT_FOUND',
        text(`${ctx.tenant.name}没有 ${coverageYear} 年之前的年度可作起点`, `${ctx.tenant.name} has no year before ${coverageYear} to start from`),
        { field: 'coverageYear' },
      );
    }
    const source = nextYearDocument({ tenantName: ctx.tenant.name, coverageYear: from.coverageYear, version: from.version, source: from.source }, coverageYear);
    return this.submit(ctx, { coverageYear, source, startedFromYear: from.coverageYear, startedFromVersion: from.version });
  }

  async find(ctx: RequestContext, id: string): Promise<DraftReview | null> {
    const cached = this.reviews(ctx).get(id);
    if (cached) return cached;
    const row = await draftById(ctx.db, id);
    return row && this.review(ctx, row);
  }

  async list(ctx: RequestContext, coverageYear: number | null): Promise<DraftReview[]> {
    const rows = await draftList(ctx.db, coverageYear, 50);
    return Promise.all(rows.map((r) => this.review(ctx, r)));
  }

  /**
   * Publishes a draft as the next version of its year: only an administrator other than its author
   * (FORBIDDEN), only without errors as checked now (BAD_USER_INPUT, naming them), only once, and only
   * over the version it was drafted against (CONFLICT when another was published since). Every server
   * takes it up when the transaction commits; this one before it answers, and then computes what waited
   * for a value the new version may state (as each server does at start).
   */
  async publish(ctx: RequestContext, draftId: string): Promise<PolicyYear> {
    const row = await draftById(ctx.db, draftId, true);
    if (!row) throw new DomainError('NOT_FOUND', text(`没有编号为 ${draftId} 的草稿`, `no draft ${draftId}`), { field: 'draftId' });
    const actor = ctx.actor!.sub;
    if (row.published_version !== null) {
      throw new DomainError(
        'CONFLICT',
        text(
          `这份草稿已由 ${row.published_by} 发布为第 ${row.published_version} 版`,
          `this draft was already published as version ${row.published_version} by ${row.published_by}`,
        ),
        { field: 'draftId', version: row.published_version },
      );
    }
    if (row.created_by === actor) {
      throw new DomainError('FORBIDDEN', text('草稿须由起草人以外的另一名管理员审核发布', 'a draft is published by an administrator other than its author'), {
        field: 'draftId',
        author: row.created_by,
      });
    }
    const review = await this.review(ctx, row, true);
    const { errors } = review.validation;
    if (errors.length > 0 || !review.policy) {
      throw new DomainError(
        'BAD_USER_INPUT',
        text(
          `草稿还有 ${errors.length} 个错误，不能发布：${errors
            .slice(0, 3)
            .map((e) => `${e.path || `第 ${e.line ?? '?'} 行`} ${e.message.zh}`)
            .join('；')}`,
          `the draft has ${errors.length} errors and cannot be published: ${errors
            .slice(0, 3)
            .map((e) => `${e.path || `line ${e.line ?? '?'}`} ${e.message.en}`)
            .join('; ')}`,
        ),
        {
          field: 'draftId',
          errorCount: errors.length,
          errors: errors.slice(0, 20).map((e) => ({ path: e.path, line: e.line, code: e.code, message: ctx.say(e.message) })),
        },
      );
    }
    const latest = await latestVersionNumber(ctx.db, row.coverage_year);
    if (latest !== (row.replaces_version ?? 0)) {
      throw new DomainError(
        'CONFLICT',
        text(
          `起草之后 ${row.coverage_year} 年度又发布了第 ${latest} 版：请在它的基础上重新起草`,
          `version ${latest} of ${row.coverage_year} was published after this draft was made: draft again from it`,
        ),
        { field: 'draftId', version: latest },
      );
    }
    let published: VersionRow;
    try {
      published = await insertApiVersion(ctx.db, {
        coverageYear: row.coverage_year,
        version: latest + 1,
        source: row.source,
        sourceSha256: sha256(row.source),
        noticeNumber: review.policy.data.notice.number,
        draftId: row.id,
        draftedBy: row.created_by,
        publishedBy: actor,
      });
    } catch (err) {
      if ((err as { code?: string }).code !== '23505') throw err;
      throw new DomainError(
        'CONFLICT',
        text('同一时刻另一份草稿发布了这一年度：请重新起草', 'another draft of this year was published at the same moment: draft again'),
        { field: 'draftId' },
      );
    }
    await markDraftPublished(ctx.db, row.id, published.version, actor);
    const tenantCode = ctx.tenant.code;
    // Released against the version just published: after this server's reload, or, should it fail, after
    // the retry that loads it (not against the copy from before).
    const release = () => releaseHeldAfterPublication(ctx.app, tenantCode, row.coverage_year, published.version);
    ctx.afterCommit(async () => (ctx.app.policiesChanged ? ctx.app.policiesChanged(tenantCode, release) : release()));
    return policyYearOf(review.validation, {
      tenantCode,
      coverageYear: row.coverage_year,
      file: `${tenantCode}/${row.coverage_year} version ${published.version} (published through the API)`,
      source: row.source,
      version: published.version,
      origin: 'API',
      publishedAt: published.published_at,
      publishedBy: actor,
    });
  }

  async versions(ctx: RequestContext, coverageYear: number | null) {
    return versionHistory(ctx.db, coverageYear);
  }

  /** A published version's document (the one in force by default), for tenants/ or a reader. */
  async document(ctx: RequestContext, coverageYear: number, version: number | null): Promise<VersionRow> {
    const row = await versionOf(ctx.db, coverageYear, version);
    if (!row) {
      throw new DomainError(
        'NOT_FOUND',
        text(
          `${ctx.tenant.name} ${coverageYear} 年度${version ? `没有第 ${version} 版` : '还没有发布过'}`,
          `${ctx.tenant.name} has no ${version ? `version ${version} of ` : 'published '}${coverageYear}`,
        ),
        { field: version ? 'version' : 'coverageYear' },
      );
    }
    return row;
  }

  preview(ctx: RequestContext, review: DraftReview): PreviewRow[] | null {
    return review.policy && previewCases(ctx.app.policyEngine, ctx.tenant, review.policy, review.yearBefore);
  }

  async budget(ctx: RequestContext, review: DraftReview, asOf: string | null): Promise<{ asOf: string; budget: Budget } | null> {
    if (!review.policy) return null;
    const day = asOf ?? todayInChina();
    const roll = await rollOn(ctx.db, day);
    return { asOf: day, budget: simulateBudget(ctx.app.policyEngine, ctx.tenant, review.policy, review.yearBefore, roll) };
  }

  private async submit(ctx: RequestContext, submission: DraftSubmission): Promise<DraftReview> {
    const replaces = await latestVersionNumber(ctx.db, submission.coverageYear);
    const pending: DraftRow = {
      id: '',
      coverage_year: submission.coverageYear,
      source: submission.source,
      started_from_year: submission.startedFromYear,
      started_from_version: submission.startedFromVersion,
      replaces_version: replaces || null,
      error_count: 0,
      warning_count: 0,
      created_by: ctx.actor!.sub,
      created_at: '',
      published_version: null,
      published_by: null,
      published_at: null,
    };
    const review = await this.review(ctx, pending);
    const row = await insertDraft(ctx.db, {
      coverageYear: submission.coverageYear,
      source: submission.source,
      startedFromYear: submission.startedFromYear,
      startedFromVersion: submission.startedFromVersion,
      replacesVersion: pending.replaces_version,
      errorCount: review.validation.errors.length,
      warningCount: review.validation.warnings.length,
      createdBy: pending.created_by,
    });
    const kept = { ...review, draft: row };
    this.reviews(ctx).set(row.id, kept);
    return kept;
  }

  /** Checks a draft in the tenant's present context; `fresh` ignores what this request computed before. */
  private async review(ctx: RequestContext, row: DraftRow, fresh = false): Promise<DraftReview> {
    const cached = !fresh && row.id ? this.reviews(ctx).get(row.id) : undefined;
    if (cached) return cached;
    const tenant = ctx.tenant;
    const before = yearBefore(tenant, row.coverage_year);
    const validation = validatePolicyDocument(row.source, {
      tenantCode: tenant.code,
      coverageYear: row.coverage_year,
      regions: tenant.regionsByCode,
      yearBefore: before && { coverageYear: before.coverageYear, raw: before.raw, version: before.version },
      noticeNumbersInUse: await this.numbers(ctx),
    });
    const policy = validation.data
      ? policyYearOf(validation, {
          tenantCode: tenant.code,
          coverageYear: row.coverage_year,
          file: `draft ${row.id}`,
          source: row.source,
          version: 0,
          origin: 'API',
          publishedAt: null,
          publishedBy: null,
        })
      : null;
    const review: DraftReview = {
      draft: row,
      validation,
      yearBefore: before,
      inForce: tenant.policies.get(row.coverage_year) ?? null,
      policy,
      changes: before && validation.raw ? compareYears(before.raw, validation.raw) : [],
    };
    if (row.id) this.reviews(ctx).set(row.id, review);
    return review;
  }

  private numbers(ctx: RequestContext): Promise<Map<string, number[]>> {
    return ctx.perRequest(noticeNumbers, () => noticeNumbers(ctx.db));
  }

  private reviews(ctx: RequestContext): Map<string, DraftReview> {
    return ctx.perRequest(REVIEWS, () => new Map<string, DraftReview>());
  }

  private sameTenant(ctx: RequestContext, tenantCode: string): void {
    if (tenantCode !== ctx.tenant.code) {
      throw new DomainError(
        'BAD_USER_INPUT',
        text(
          `统筹地区代码（tenant）${tenantCode} 与请求头 x-tenant-id 的 ${ctx.tenant.code} 不一致`,
          `tenant ${tenantCode} differs from the x-tenant-id header, ${ctx.tenant.code}`,
        ),
        { field: 'tenant' },
      );
    }
  }

  private plausibleYear(ctx: RequestContext, coverageYear: number): void {
    if (!Number.isInteger(coverageYear) || coverageYear < 2000 || coverageYear > 2100) {
      throw new DomainError(
        'BAD_USER_INPUT',
        text(`待遇年度 ${coverageYear} 不在 2000 至 2100 之间`, `the year of cover ${coverageYear} is not between 2000 and 2100`),
        { field: 'coverageYear' },
      );
    }
  }
}

/**
 * What waited for a value the notices left unstated, computed where the version just published states
 * it, and held money matched where it is payable now: the step every server takes at start, taken once
 * more by the server that published, in a transaction of its own after the publication committed and the
 * server loaded it (a failure leaves what is held for the next start or an administrator's releaseHeld,
 * and is logged).
 */
async function releaseHeldAfterPublication(app: AppState, tenantCode: string, coverageYear: number, version: number): Promise<void> {
  const system = RequestContext.system(app, tenantCode, `publishPolicyYear ${coverageYear} version ${version}`);
  try {
    const result = await heldService.releaseHeld(system);
    await system.finish(true);
    if (result.resolved + result.matched > 0)
      app.log.info('held values computed and money matched after a publication', { tenant: tenantCode, coverageYear, version, ...result });
  } catch (err) {
    await system.finish(false).catch(() => {});
    app.log.error('releasing what is held after a publication failed', { tenant: tenantCode, coverageYear, version, error: (err as Error).message });
  }
}

/** The closest year before `coverageYear` that the tenant has in force. */
function yearBefore(tenant: Tenant, coverageYear: number): PolicyYear | null {
  const earlier = tenant.coverageYears.filter((y) => y < coverageYear);
  return earlier.length > 0 ? tenant.policies.get(earlier[earlier.length - 1])! : null;
}

export const policyYearsService = new PolicyYearsService();
