/** Assistance identities certified by agencies (民政, 乡村振兴, 残联 …), which set what people pay. */
import { compareDates, isLocalDate, type LocalDate, todayInChina } from '../../common/dates';
import { badInput, DomainError } from '../../common/errors';
import { type Localized, text } from '../../common/i18n';
import type { RequestContext } from '../../context/request-context';
import { refreshStaleStatistics } from '../../db/statistics';
import { ASSISTANCE_CATEGORY_NAMES, type AssistanceCategory } from '../../policy-data/vocabulary';
import { maskIdNumber, parseResidentId } from '../residents/id-number';
import { existingResidents } from '../residents/residents.repository';
import { IdentitiesCertified } from './assistance.events';
import { categoriesOfTenant, categoryFromLabel } from './category-labels';
import {
  type AssistanceIdentityRow,
  attachPending,
  deleteIdentity,
  identitiesOf,
  identityById,
  insertIdentities,
  insertPending,
  recordCertificationChanges,
  updateIdentity,
} from './assistance.repository';

export interface CertificationRequest {
  idNumber: string;
  /** The code, or categoryLabel: the agency's own word for it. */
  category?: AssistanceCategory | null;
  categoryLabel?: string | null;
  certifiedBy: string;
  validFrom: LocalDate;
  validTo?: LocalDate | null;
}

export type RowStatus = 'ACCEPTED' | 'DUPLICATE' | 'REJECTED';

export interface CertificationRowOutcome {
  index: number;
  idNumber: string;
  status: RowStatus;
  error: DomainError | null;
  /** Accepted for a person not yet registered: it waits and attaches when they register. */
  pending?: boolean;
}

/** A certified row as the schema shows it: registered, or waiting (a negative id). */
export type CertificationView = AssistanceIdentityRow & { pending?: boolean };

export interface CertificationImportResult {
  accepted: number;
  duplicates: number;
  rejected: number;
  rows: CertificationRowOutcome[];
}

export const MAX_IDENTITIES_PER_CALL = 10_000;

export class AssistanceService {
  /**
   * Records a certification; enrolments already paid then follow the notice's rule (see
   * IdentitiesCertified). For a person not registered here yet it waits, and attaches when they
   * register (a valid resident ID number is needed then, since no registration vouches for it).
   */
  async grant(ctx: RequestContext, input: CertificationRequest): Promise<CertificationView> {
    const idNumber = input.idNumber.trim().toUpperCase();
    const certifiedBy = input.certifiedBy.trim();
    if (!certifiedBy) throw badInput(text('认定部门不能为空，须写明作出认定的部门', 'certifiedBy must name the certifying agency'), 'certifiedBy');
    if (input.validTo && compareDates(input.validTo, input.validFrom) < 0)
      throw badInput(text('有效期止早于有效期起', 'validTo is before validFrom'), 'validTo');
    const category = categoryOf(ctx, input, 'categoryLabel');
    if (category instanceof DomainError) throw category;
    const write = { idNumber, category, certifiedBy, validFrom: input.validFrom, validTo: input.validTo ?? null };
    if ((await existingResidents(ctx.db, [idNumber])).length === 0) {
      const problem = pendingIdProblem(idNumber);
      if (problem) throw badInput(problem, 'idNumber');
      const [pending] = await insertPending(ctx.db, [write], this.actor(ctx).sub);
      if (!pending)
        throw new DomainError(
          'CONFLICT',
          text(
            `${maskIdNumber(idNumber)} 自 ${input.validFrom} 起的${ASSISTANCE_CATEGORY_NAMES[category]}认定已在等待此人登记`,
            `${category} from ${input.validFrom} is already waiting for ${maskIdNumber(idNumber)} to register`,
          ),
          { field: 'category' },
        );
      return { ...pending, id: -pending.id, pending: true };
    }
    const [row] = await insertIdentities(ctx.db, [write], this.actor(ctx).sub);
    if (!row)
      throw new DomainError(
        'CONFLICT',
        text(
          `${maskIdNumber(idNumber)} 自 ${input.validFrom} 起的${ASSISTANCE_CATEGORY_NAMES[category]}认定已经记录`,
          `${category} from ${input.validFrom} is already recorded for ${maskIdNumber(idNumber)}`,
        ),
        { field: 'category' },
      );
    await recordCertificationChanges(
      ctx.db,
      [{ certificationId: row.id, idNumber, action: 'GRANT', effectiveOn: row.valid_from, reason: null, before: null, after: snapshot(row) }],
      this.actor(ctx),
    );
    await ctx.app.events.emit(ctx, IdentitiesCertified, { idNumbers: [idNumber], certifiedOn: input.validFrom });
    return row;
  }

  /** Certifications that waited for these people, now registered, join the register and take effect. */
  async attachPending(ctx: RequestContext, idNumbers: readonly string[], on: LocalDate): Promise<void> {
    const attached = await attachPending(ctx.db, idNumbers);
    if (attached.length === 0) return;
    await recordCertificationChanges(
      ctx.db,
      attached.map((row) => ({
        certificationId: row.id,
        idNumber: row.id_number,
        action: 'ATTACH' as const,
        effectiveOn: on,
        reason: 'registered',
        before: null,
        after: snapshot(row),
      })),
      this.actor(ctx),
    );
    for (const row of attached) await ctx.app.events.emit(ctx, IdentitiesCertified, { idNumbers: [row.id_number], certifiedOn: row.valid_from });
  }

  /** Ends a certification on a date (the person left the category): it counts up to that day. */
  async end(ctx: RequestContext, id: string, endedOn: LocalDate, reason: string): Promise<AssistanceIdentityRow> {
    const row = await this.certification(ctx, id);
    const why = this.reason(reason);
    if (!isLocalDate(endedOn)) throw badInput(text('终止日期应为日期（YYYY-MM-DD）', 'endedOn must be a date YYYY-MM-DD'), 'endedOn');
    if (compareDates(endedOn, row.valid_from) < 0)
      throw badInput(
        text(`终止日期 ${endedOn} 早于认定开始日期 ${row.valid_from}`, `endedOn ${endedOn} is before the certification began on ${row.valid_from}`),
        'endedOn',
      );
    if (row.valid_to && compareDates(row.valid_to, endedOn) <= 0)
      throw new DomainError('CONFLICT', text(`该认定已于 ${row.valid_to} 终止`, `the certification already ended on ${row.valid_to}`), { field: 'endedOn' });
    const updated = await updateIdentity(ctx.db, row.id, { ...row, valid_to: endedOn });
    await recordCertificationChanges(
      ctx.db,
      [{ certificationId: row.id, idNumber: row.id_number, action: 'END', effectiveOn: endedOn, reason: why, before: snapshot(row), after: snapshot(updated) }],
      this.actor(ctx),
    );
    return updated;
  }

  /**
   * Corrects a certification recorded wrongly (category, agency, dates) from `effectiveOn`: the record
   * shows the correction, and settlements from now on read the corrected one. Money already settled is
   * not taken back (肃南 三（二）: 不再追补资助或追回资金); a category worth more tops up as a new
   * certification does.
   */
  async correct(
    ctx: RequestContext,
    id: string,
    changes: { category?: AssistanceCategory | null; certifiedBy?: string | null; validFrom?: LocalDate | null; validTo?: LocalDate | null },
    reason: string,
    effectiveOn: LocalDate | null,
  ): Promise<AssistanceIdentityRow> {
    const row = await this.certification(ctx, id);
    const why = this.reason(reason);
    const next = {
      category: changes.category ?? row.category,
      certified_by: changes.certifiedBy?.trim() || row.certified_by,
      valid_from: changes.validFrom ?? row.valid_from,
      valid_to: changes.validTo === undefined ? row.valid_to : changes.validTo,
    };
    if (next.valid_to && compareDates(next.valid_to, next.valid_from) < 0)
      throw badInput(text('有效期止早于有效期起', 'validTo is before validFrom'), 'validTo');
    if (JSON.stringify(snapshot({ ...row, ...next })) === JSON.stringify(snapshot(row)))
      throw badInput(text('没有需要更正的内容：各项都与登记的一致', 'nothing to correct: every value is the one on record'), 'changes');
    let updated: AssistanceIdentityRow;
    try {
      updated = await ctx.db.savepoint(() => updateIdentity(ctx.db, row.id, next));
    } catch (err) {
      if ((err as { code?: string }).code === '23505')
        throw new DomainError(
          'CONFLICT',
          text(
            `${maskIdNumber(row.id_number)} 自 ${next.valid_from} 起的${ASSISTANCE_CATEGORY_NAMES[next.category as AssistanceCategory] ?? next.category}认定已经记录`,
            `${next.category} from ${next.valid_from} is already recorded for ${maskIdNumber(row.id_number)}`,
          ),
          { field: 'category' },
        );
      throw err;
    }
    const on = effectiveOn ?? todayInChina();
    await recordCertificationChanges(
      ctx.db,
      [{ certificationId: row.id, idNumber: row.id_number, action: 'CORRECT', effectiveOn: on, reason: why, before: snapshot(row), after: snapshot(updated) }],
      this.actor(ctx),
    );
    await ctx.app.events.emit(ctx, IdentitiesCertified, { idNumbers: [row.id_number], certifiedOn: updated.valid_from });
    return updated;
  }

  /**
   * Revokes a certification (撤销: it should never have been made): it no longer counts for any day,
   * and its record stays in the history with the reason. What was already settled on it is not taken
   * back here; that is a refund's or a recovery's business.
   */
  async revoke(ctx: RequestContext, id: string, revokedOn: LocalDate | null, reason: string): Promise<AssistanceIdentityRow> {
    const row = await this.certification(ctx, id);
    const why = this.reason(reason);
    await deleteIdentity(ctx.db, row.id);
    await recordCertificationChanges(
      ctx.db,
      [
        {
          certificationId: row.id,
          idNumber: row.id_number,
          action: 'REVOKE',
          effectiveOn: revokedOn ?? todayInChina(),
          reason: why,
          before: snapshot(row),
          after: null,
        },
      ],
      this.actor(ctx),
    );
    return row;
  }

  private async certification(ctx: RequestContext, id: string): Promise<AssistanceIdentityRow> {
    const row = /^\d{1,18}$/.test(id) ? await identityById(ctx.db, Number(id)) : null;
    if (!row)
      throw new DomainError(
        'NOT_FOUND',
        text(
          `${ctx.tenant.name}没有编号为 ${id} 的认定${id.startsWith('-') ? '（等待登记的认定在此人登记后才有正式编号）' : ''}`,
          `no certification ${id} in ${ctx.tenant.name}${id.startsWith('-') ? ' (one waiting for a registration changes once the person is registered)' : ''}`,
        ),
        { field: 'id' },
      );
    return row;
  }

  private reason(reason: string): string {
    const why = reason.trim();
    if (!why) throw badInput(text('须写明原因', 'reason must say why'), 'reason');
    return why;
  }

  private actor(ctx: RequestContext) {
    return { sub: ctx.actor?.sub ?? 'system', role: ctx.actor?.role ?? 'SYSTEM' };
  }

  /** An agency's list (民政, 乡村振兴 …): per-row results, set-based writes, a replay changes nothing. */
  async importIdentities(ctx: RequestContext, inputs: readonly CertificationRequest[]): Promise<CertificationImportResult> {
    if (inputs.length > MAX_IDENTITIES_PER_CALL)
      throw badInput(
        text(
          `每次最多导入 ${MAX_IDENTITIES_PER_CALL} 条认定，本次有 ${inputs.length} 条`,
          `at most ${MAX_IDENTITIES_PER_CALL} identities per call, got ${inputs.length}`,
        ),
        'identities',
      );
    const defined = categoriesOfTenant(ctx);
    const rows = inputs.map((input, index) => {
      const category = categoryOf(ctx, input, `identities[${index}].categoryLabel`, defined);
      return {
        ...input,
        index,
        idNumber: input.idNumber.trim().toUpperCase(),
        certifiedBy: input.certifiedBy.trim(),
        category: category instanceof DomainError ? null : category,
        categoryError: category instanceof DomainError ? category : null,
      };
    });
    const registered = new Set(await existingResidents(ctx.db, [...new Set(rows.map((r) => r.idNumber))]));
    const results: CertificationRowOutcome[] = rows.map((r) => ({ index: r.index, idNumber: r.idNumber, status: 'REJECTED', error: null }));
    const known = rows.filter((r): r is typeof r & { category: AssistanceCategory } => {
      if (r.categoryError) results[r.index].error = r.categoryError;
      return r.category !== null;
    });
    const candidates = known.filter((r) => {
      const result = results[r.index];
      if (!r.certifiedBy) result.error = badInput(text('认定部门不能为空，须写明作出认定的部门', 'certifiedBy must name the certifying agency'), 'certifiedBy');
      else if (r.validTo && compareDates(r.validTo, r.validFrom) < 0)
        result.error = badInput(text('有效期止早于有效期起', 'validTo is before validFrom'), 'validTo');
      else if (!registered.has(r.idNumber)) {
        const problem = pendingIdProblem(r.idNumber);
        if (problem) result.error = badInput(problem, 'idNumber');
        else result.pending = true;
      }
      return result.error === null && !result.pending;
    });
    // People not registered yet: their certifications wait for them.
    const waiting = known.filter((r) => results[r.index].pending);
    const pendingWritten = new Set(
      (
        await insertPending(
          ctx.db,
          waiting.map((r) => ({ ...r, validTo: r.validTo ?? null })),
          ctx.actor?.sub ?? 'system',
        )
      ).map((p) => `${p.id_number}/${p.category}/${p.valid_from}`),
    );
    for (const r of waiting) results[r.index].status = pendingWritten.delete(`${r.idNumber}/${r.category}/${r.validFrom}`) ? 'ACCEPTED' : 'DUPLICATE';
    // Each identity is checked against its resident: see src/db/statistics.ts (these were all found there).
    await refreshStaleStatistics(ctx.db, 'resident', registered.size);
    const inserted = await insertIdentities(
      ctx.db,
      candidates.map((r) => ({ ...r, validTo: r.validTo ?? null })),
      ctx.actor?.sub ?? 'system',
    );
    await recordCertificationChanges(
      ctx.db,
      inserted.map((row) => ({
        certificationId: row.id,
        idNumber: row.id_number,
        action: 'GRANT' as const,
        effectiveOn: row.valid_from,
        reason: null,
        before: null,
        after: snapshot(row),
      })),
      { sub: ctx.actor?.sub ?? 'system', role: ctx.actor?.role ?? 'SYSTEM' },
    );
    const written = new Set(inserted.map((i) => `${i.id_number}/${i.category}/${i.valid_from}`));
    const byDate = new Map<string, string[]>();
    for (const r of candidates) {
      const isNew = written.delete(`${r.idNumber}/${r.category}/${r.validFrom}`);
      results[r.index].status = isNew ? 'ACCEPTED' : 'DUPLICATE';
      if (isNew) byDate.set(r.validFrom, [...(byDate.get(r.validFrom) ?? []), r.idNumber]);
    }
    for (const [certifiedOn, idNumbers] of byDate) await ctx.app.events.emit(ctx, IdentitiesCertified, { idNumbers, certifiedOn });
    const count = (status: RowStatus) => results.filter((r) => r.status === status).length;
    return { accepted: count('ACCEPTED'), duplicates: count('DUPLICATE'), rejected: count('REJECTED'), rows: results };
  }

  async identities(ctx: RequestContext, idNumber: string): Promise<AssistanceIdentityRow[]> {
    return identitiesOf(ctx.db, [idNumber.trim().toUpperCase()]);
  }
}

/**
 * The category of a request: its code, or what its label stands for in the tenant (the two must agree
 * when both are given); a DomainError, in Chinese, on `field` otherwise.
 */
function categoryOf(
  ctx: RequestContext,
  input: Pick<CertificationRequest, 'category' | 'categoryLabel'>,
  field: string,
  defined?: ReadonlySet<AssistanceCategory>,
): AssistanceCategory | DomainError {
  const label = input.categoryLabel?.trim();
  if (!label)
    return (
      input.category ??
      badInput(
        text(
          '资助类别未填写：请给出 category（代码）或 categoryLabel（如 农村一类低保）',
          'no category: give category (a code) or categoryLabel (e.g. 农村一类低保)',
        ),
        field.replace(/categoryLabel$/, 'category'),
      )
    );
  const fromLabel = categoryFromLabel(ctx, label, field, defined);
  if (fromLabel instanceof DomainError || !input.category || input.category === fromLabel) return fromLabel;
  return badInput(
    text(
      `资助类别「${label}」是 ${fromLabel}，与 category ${input.category} 不一致`,
      `the category label ${label} means ${fromLabel}, not category ${input.category}`,
    ),
    field,
  );
}

/** What is kept of a certification in its history. */
function snapshot(row: Pick<AssistanceIdentityRow, 'category' | 'certified_by' | 'valid_from' | 'valid_to'>) {
  return { category: row.category, certifiedBy: row.certified_by, validFrom: row.valid_from, validTo: row.valid_to };
}

/** A certification may wait only for a valid resident ID number (nothing else vouches for it yet). */
function pendingIdProblem(idNumber: string): Localized | null {
  const facts = parseResidentId(idNumber);
  return 'error' in facts
    ? text(
        `${maskIdNumber(idNumber)} 未在本地登记，也不是可以等待登记的有效居民身份证号码：${facts.error.zh}`,
        `${maskIdNumber(idNumber)} is not registered here and is not a valid resident ID number to wait for: ${facts.error.en}`,
      )
    : null;
}

export const assistanceService = new AssistanceService();
