/** Assistance identities certified by agencies (民政, 乡村振兴, 残联 …), which set what people pay. */
import { compareDates, type LocalDate } from '../../common/dates';
import { badInput, DomainError } from '../../common/errors';
import type { RequestContext } from '../../context/request-context';
import { refreshStaleStatistics } from '../../db/statistics';
import type { AssistanceCategory } from '../../policy-data/vocabulary';
import { maskIdNumber } from '../residents/id-number';
import { existingResidents } from '../residents/residents.repository';
import { IdentitiesCertified } from './assistance.events';
import { type AssistanceIdentityRow, identitiesOf, insertIdentities } from './assistance.repository';

export interface CertificationRequest {
  idNumber: string;
  category: AssistanceCategory;
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
}

export interface CertificationImportResult {
  accepted: number;
  duplicates: number;
  rejected: number;
  rows: CertificationRowOutcome[];
}

export const MAX_IDENTITIES_PER_CALL = 10_000;

export class AssistanceService {
  /** Records a certification; enrolments already paid then follow the notice's rule (see IdentitiesCertified). */
  async grant(ctx: RequestContext, input: CertificationRequest): Promise<AssistanceIdentityRow> {
    const idNumber = input.idNumber.trim().toUpperCase();
    const certifiedBy = input.certifiedBy.trim();
    if (!certifiedBy) throw badInput('certifiedBy must name the certifying agency', 'certifiedBy');
    if (input.validTo && compareDates(input.validTo, input.validFrom) < 0) throw badInput('validTo is before validFrom', 'validTo');
    if ((await existingResidents(ctx.db, [idNumber])).length === 0) {
      throw new DomainError('NOT_FOUND', `${maskIdNumber(idNumber)} is not registered in ${ctx.tenant.name}`, { field: 'idNumber' });
    }
    const [row] = await insertIdentities(ctx.db, [{ idNumber, category: input.category, certifiedBy, validFrom: input.validFrom, validTo: input.validTo ?? null }], ctx.actor?.sub ?? 'system');
    if (!row) throw new DomainError('CONFLICT', `${input.category} from ${input.validFrom} is already recorded for ${maskIdNumber(idNumber)}`, { field: 'category' });
    await ctx.app.events.emit(ctx, IdentitiesCertified, { idNumbers: [idNumber], certifiedOn: input.validFrom });
    return row;
  }

  /** An agency's list (民政, 乡村振兴 …): per-row results, set-based writes, a replay changes nothing. */
  async importIdentities(ctx: RequestContext, inputs: readonly CertificationRequest[]): Promise<CertificationImportResult> {
    if (inputs.length > MAX_IDENTITIES_PER_CALL) throw badInput(`at most ${MAX_IDENTITIES_PER_CALL} identities per call, got ${inputs.length}`, 'identities');
    const rows = inputs.map((input, index) => ({ ...input, index, idNumber: input.idNumber.trim().toUpperCase(), certifiedBy: input.certifiedBy.trim() }));
    const registered = new Set(await existingResidents(ctx.db, [...new Set(rows.map((r) => r.idNumber))]));
    const results: CertificationRowOutcome[] = rows.map((r) => ({ index: r.index, idNumber: r.idNumber, status: 'REJECTED', error: null }));
    const candidates = rows.filter((r) => {
      const result = results[r.index];
      if (!r.certifiedBy) result.error = badInput('certifiedBy must name the certifying agency', 'certifiedBy');
      else if (r.validTo && compareDates(r.validTo, r.validFrom) < 0) result.error = badInput('validTo is before validFrom', 'validTo');
      else if (!registered.has(r.idNumber)) result.error = new DomainError('NOT_FOUND', `${maskIdNumber(r.idNumber)} is not registered in ${ctx.tenant.name}`, { field: 'idNumber' });
      return result.error === null;
    });
    // Each identity is checked against its resident: see src/db/statistics.ts (these were all found there).
    await refreshStaleStatistics(ctx.db, 'resident', registered.size);
    const inserted = await insertIdentities(
      ctx.db,
      candidates.map((r) => ({ ...r, validTo: r.validTo ?? null })),
      ctx.actor?.sub ?? 'system',
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

export const assistanceService = new AssistanceService();
