/** Drafts, versions, previews and budgets as the schema shows them, in the request's language. */
import { type Localized, text } from '../../common/i18n';
import type { RequestContext } from '../../context/request-context';
import type { PolicyIssue as Issue } from '../../policy-data/document';
import { sha256 } from '../../policy-data/loader';
import type { PolicyYear, Tenant } from '../../policy-data/model';
import { ASSISTANCE_CATEGORIES, ASSISTANCE_CATEGORY_NAMES, type AssistanceCategory } from '../../policy-data/vocabulary';
import { presentTenant } from '../public-policy/public-policy.presenters';
import type { Budget } from './budget';
import type { VersionRow } from './policy-years.repository';
import type { DraftReview } from './policy-years.service';
import type { PolicyBudget, PolicyChange, PolicyDraftType, PolicyIssue, PolicyPreview, PolicyVersion, PreviewOutcome } from './policy-years.types';
import type { PreviewOutcome as PreviewOutcomeOfCase, PreviewRow } from './preview';

export function presentDraft(ctx: RequestContext, review: DraftReview): PolicyDraftType {
  const { draft, validation } = review;
  const tenant = ctx.tenant;
  const published: PolicyVersion | null =
    draft.published_version === null
      ? null
      : {
          coverageYear: draft.coverage_year,
          version: draft.published_version,
          origin: 'API',
          noticeNumber: review.policy?.data.notice.number ?? null,
          publishedBy: draft.published_by!,
          publishedAt: draft.published_at!,
          draftedBy: draft.created_by,
          draftId: draft.id,
          file: null,
          sourceSha256: sha256(draft.source),
          inForce: tenant.policies.get(draft.coverage_year)?.version === draft.published_version,
        };
  return {
    id: draft.id,
    tenant: presentTenant(tenant),
    coverageYear: draft.coverage_year,
    errors: validation.errors.map((i) => presentIssue(ctx, i)),
    warnings: validation.warnings.map((i) => presentIssue(ctx, i)),
    changes: review.changes.map((c): PolicyChange => {
      const position = c.documentPath ? validation.locate(c.documentPath) : null;
      const label = labelOf(c.path, tenant);
      return {
        path: c.path,
        before: c.before,
        after: c.after,
        kind: c.kind,
        citation: c.citation,
        label: label && ctx.say(label),
        line: position?.line ?? null,
      };
    }),
    source: draft.source,
    author: draft.created_by,
    createdAt: draft.created_at,
    comparedWith: review.yearBefore && presentModelVersion(review.yearBefore, true),
    replaces: review.inForce && presentModelVersion(review.inForce, true),
    startedFromYear: draft.started_from_year,
    startedFromVersion: draft.started_from_version,
    // A draft made stale by a publication of its year since it was written is refused at publication.
    publishable: validation.errors.length === 0 && draft.published_version === null && (draft.replaces_version ?? 0) === (review.inForce?.version ?? 0),
    published,
    review,
  };
}

function presentIssue(ctx: RequestContext, issue: Issue): PolicyIssue {
  return { path: issue.path, message: ctx.say(issue.message), line: issue.line, column: issue.column, code: issue.code, clause: issue.clause };
}

/** A version as the catalog holds it (the one in force of its year). */
export function presentModelVersion(policy: PolicyYear, inForce: boolean): PolicyVersion {
  return {
    coverageYear: policy.coverageYear,
    version: policy.version,
    origin: policy.origin,
    noticeNumber: policy.data.notice.number,
    publishedBy: policy.publishedBy ?? `tenants/${policy.file}`,
    publishedAt: policy.publishedAt ?? '',
    draftedBy: null,
    draftId: null,
    file: policy.origin === 'TENANT_FILE' ? policy.file : null,
    sourceSha256: policy.sourceSha256,
    inForce,
  };
}

export function presentVersion(row: Omit<VersionRow, 'source'>, inForce: boolean): PolicyVersion {
  return {
    coverageYear: row.coverage_year,
    version: row.version,
    origin: row.origin,
    noticeNumber: row.notice_number,
    publishedBy: row.published_by,
    publishedAt: row.published_at,
    draftedBy: row.drafted_by,
    draftId: row.draft_id,
    file: row.file,
    sourceSha256: row.source_sha256,
    inForce,
  };
}

export function presentPreview(ctx: RequestContext, review: DraftReview, rows: PreviewRow[]): PolicyPreview {
  return {
    comparedWith: review.yearBefore?.coverageYear ?? null,
    cases: rows.map((r) => ({
      key: r.key,
      label: ctx.say(r.label),
      draft: presentOutcome(ctx, r.draft),
      before: r.before && presentOutcome(ctx, r.before),
      differs: r.differs,
    })),
    differing: rows.filter((r) => r.differs).length,
  };
}

function presentOutcome(ctx: RequestContext, outcome: PreviewOutcomeOfCase): PreviewOutcome {
  return { ...outcome, message: outcome.message && ctx.say(outcome.message) };
}

export function presentBudget(ctx: RequestContext, review: DraftReview, asOf: string, budget: Budget): PolicyBudget {
  const total = budget.payers.reduce((s, p) => s + p.amount, 0);
  const hasBefore = review.yearBefore !== null;
  return {
    asOf,
    people: budget.people,
    comparedWith: review.yearBefore?.coverageYear ?? null,
    categories: budget.categories,
    payers: budget.payers.map((p) => ({ ...p, difference: p.before === null ? null : p.amount - p.before })),
    total,
    totalBefore: hasBefore ? budget.payers.reduce((s, p) => s + (p.before ?? 0), 0) : null,
    notes: budget.notes.map((n) => ctx.say(n)),
  };
}

/** Names of the values an officer looks for first. */
const LABELS: Record<string, Localized> = {
  'notice.number': text('通知文号', 'notice number'),
  'notice.title': text('通知标题', 'notice title'),
  'notice.issuedOn': text('发文日期', 'date of the notice'),
  'notice.label': text('通知所称年度', 'the year the notice names'),
  'individualContribution.amount': text('个人缴费标准', 'individual contribution'),
  'fiscalSubsidy.amount': text('财政补助标准', 'fiscal subsidy'),
  'fundingStandard.amount': text('筹资标准', 'funding standard'),
  'collectionWindow.start.date': text('集中缴费期开始', 'collection window opens'),
  'collectionWindow.earliestPayment.date': text('最早缴费日（推定）', 'earliest payment (inferred)'),
  'collectionWindow.end.date': text('集中缴费期截止', 'collection window closes'),
  'coverage.start.date': text('待遇期开始', 'cover starts'),
  'coverage.end.date': text('待遇期结束', 'cover ends'),
  'refunds.deadline.date': text('退费截止日', 'refund deadline'),
  'targets.total.count': text('总任务数', 'total target'),
};

function labelOf(path: string, tenant: Tenant): Localized | null {
  if (LABELS[path]) return LABELS[path];
  const milestone = /^milestones\[(\d+)\]\.(date|share)$/.exec(path);
  if (milestone)
    return text(
      `第 ${Number(milestone[1]) + 1} 个进度节点${milestone[2] === 'date' ? '日期' : '比例'}`,
      `milestone ${Number(milestone[1]) + 1} ${milestone[2]}`,
    );
  const rule = /^assistance\.rules\[([A-Z0-9_]+)\]\.(amount|full|mode)$/.exec(path);
  if (rule && (ASSISTANCE_CATEGORIES as readonly string[]).includes(rule[1])) {
    const name = ASSISTANCE_CATEGORY_NAMES[rule[1] as AssistanceCategory];
    const what = { amount: text('资助额', 'subsidy'), full: text('是否全额资助', 'full subsidy'), mode: text('资助方式', 'how it is paid') }[
      rule[2] as 'amount' | 'full' | 'mode'
    ];
    return text(`${name}${what.zh}`, `${rule[1]} ${what.en}`);
  }
  const target = /^targets\.regions\[([^\]]+)\]\.target$/.exec(path);
  if (target) return text(`${tenant.regionsByCode.get(target[1])?.name ?? target[1]}任务数`, `${target[1]} target`);
  return null;
}
