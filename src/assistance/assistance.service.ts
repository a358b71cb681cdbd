/** Assistance identities certified by agencies (民政, 乡村振兴, 残联 …), which set what people pay. */
import { compareDates, type LocalDate } from '../common/dates';
import { badInput, DomainError } from '../common/errors';
import type { RequestContext } from '../context/request-context';
import { refreshStaleStatistics } from '../db/statistics';
import type { AssistanceCategory } from '../policy/vocabulary';
import { maskIdNumber } from '../registry/id-number';
import { existingResidents } from '../registry/registry.repository';
import type { SubsidyService } from './subsidy.service';

export interface AssistanceInput {
  idNumber: string;
  category: AssistanceCategory;
  certifiedBy: string;
  validFrom: LocalDate;
  validTo?: LocalDate | null;
}

export interface AssistanceIdentityRow {
  id: number;
  id_number: string;
  category: AssistanceCategory;
  certified_by: string;
  valid_from: string;
  valid_to: string | null;
}

export class AssistanceService {
  constructor(private readonly subsidies: SubsidyService) {}

  /** Records a certification, and applies the notice's rule to enrolments already paid. */
  async grant(ctx: RequestContext, input: AssistanceInput): Promise<AssistanceIdentityRow> {
    const idNumber = input.idNumber.trim().toUpperCase();
    const certifiedBy = input.certifiedBy.trim();
    if (!certifiedBy) throw badInput('certifiedBy must name the certifying agency', 'certifiedBy');
    if (input.validTo && compareDates(input.validTo, input.validFrom) < 0) throw badInput('validTo is before validFrom', 'validTo');
    if ((await existingResidents(ctx.db, [idNumber])).length === 0) {
      throw new DomainError('NOT_FOUND', `${maskIdNumber(idNumber)} is not registered in ${ctx.tenant.name}`, { field: 'idNumber' });
    }
    const rows = await ctx.db.query<AssistanceIdentityRow>(
      `INSERT INTO assistance_identity (tenant_code, id_number, category, certified_by, valid_from, valid_to, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (tenant_code, id_number, category, valid_from) DO NOTHING
       RETURNING id, id_number, category, certified_by, valid_from, valid_to`,
      [ctx.tenant.code, idNumber, input.category, certifiedBy, input.validFrom, input.validTo ?? null, ctx.actor?.sub ?? 'system'],
    );
    if (!rows[0]) throw new DomainError('CONFLICT', `${input.category} from ${input.validFrom} is already recorded for ${maskIdNumber(idNumber)}`, { field: 'category' });
    await this.subsidies.applyIdentityChanges(ctx, [idNumber], input.validFrom);
    return rows[0];
  }

  async importIdentities(ctx: RequestContext, inputs: readonly AssistanceInput[]) {
    return importIdentities(ctx, this.subsidies, inputs);
  }

  async identities(ctx: RequestContext, idNumber: string): Promise<AssistanceIdentityRow[]> {
    return ctx.db.query<AssistanceIdentityRow>(
      `SELECT id, id_number, category, certified_by, valid_from, valid_to FROM assistance_identity
        WHERE tenant_code = $1 AND id_number = $2 ORDER BY valid_from, id`,
      [ctx.tenant.code, idNumber.trim().toUpperCase()],
    );
  }
}

export interface AssistanceRowResult {
  index: number;
  idNumber: string;
  status: 'ACCEPTED' | 'DUPLICATE' | 'REJECTED';
  error: DomainError | null;
}

/** An agency's list (民政, 乡村振兴 …): per-row results, set-based writes, a replay changes nothing. */
export async function importIdentities(ctx: RequestContext, service: { applyIdentityChanges: SubsidyService['applyIdentityChanges'] }, inputs: readonly AssistanceInput[]) {
  if (inputs.length > 10_000) throw badInput(`at most 10000 identities per call, got ${inputs.length}`, 'identities');
  const rows = inputs.map((input, index) => ({ ...input, index, idNumber: input.idNumber.trim().toUpperCase(), certifiedBy: input.certifiedBy.trim() }));
  const registered = new Set(await existingResidents(ctx.db, [...new Set(rows.map((r) => r.idNumber))]));
  const results: AssistanceRowResult[] = rows.map((r) => ({ index: r.index, idNumber: r.idNumber, status: 'REJECTED', error: null }));
  const candidates = rows.filter((r) => {
    const result = results[r.index];
    if (!r.certifiedBy) result.error = badInput('certifiedBy must name the certifying agency', 'certifiedBy');
    else if (r.validTo && compareDates(r.validTo, r.validFrom) < 0) result.error = badInput('validTo is before validFrom', 'validTo');
    else if (!registered.has(r.idNumber)) result.error = new DomainError('NOT_FOUND', `${maskIdNumber(r.idNumber)} is not registered in ${ctx.tenant.name}`, { field: 'idNumber' });
    return result.error === null;
  });
  // Each identity is checked against its resident: see src/db/statistics.ts (these were all found there).
  await refreshStaleStatistics(ctx.db, 'resident', registered.size);
  const inserted = await ctx.db.query<{ id_number: string; category: string; valid_from: string }>(
    `INSERT INTO assistance_identity (tenant_code, id_number, category, certified_by, valid_from, valid_to, recorded_by)
     SELECT $1, r.id_number, r.category, r.certified_by, r.valid_from, r.valid_to, $7
       FROM UNNEST($2::text[], $3::text[], $4::text[], $5::date[], $6::date[]) AS r(id_number, category, certified_by, valid_from, valid_to)
     ON CONFLICT (tenant_code, id_number, category, valid_from) DO NOTHING
     RETURNING id_number, category, valid_from`,
    [
      ctx.tenant.code,
      candidates.map((r) => r.idNumber),
      candidates.map((r) => r.category),
      candidates.map((r) => r.certifiedBy),
      candidates.map((r) => r.validFrom),
      candidates.map((r) => r.validTo ?? null),
      ctx.actor?.sub ?? 'system',
    ],
  );
  const written = new Set(inserted.map((i) => `${i.id_number}/${i.category}/${i.valid_from}`));
  const byDate = new Map<string, string[]>();
  for (const r of candidates) {
    const isNew = written.delete(`${r.idNumber}/${r.category}/${r.validFrom}`);
    results[r.index].status = isNew ? 'ACCEPTED' : 'DUPLICATE';
    if (isNew) byDate.set(r.validFrom, [...(byDate.get(r.validFrom) ?? []), r.idNumber]);
  }
  for (const [date, ids] of byDate) await service.applyIdentityChanges(ctx, ids, date);
  const count = (status: AssistanceRowResult['status']) => results.filter((r) => r.status === status).length;
  return { accepted: count('ACCEPTED'), duplicates: count('DUPLICATE'), rejected: count('REJECTED'), rows: results };
}
