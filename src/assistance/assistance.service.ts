/** Assistance identities certified by agencies (民政, 乡村振兴, 残联 …), which set what people pay. */
import { compareDates, type LocalDate } from '../common/dates';
import { badInput, DomainError } from '../common/errors';
import type { RequestContext } from '../context/request-context';
import type { AssistanceCategory } from '../policy/vocabulary';
import { maskIdNumber } from '../registry/id-number';
import { existingResidents } from '../registry/registry.repository';

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
    return rows[0];
  }

  async identities(ctx: RequestContext, idNumber: string): Promise<AssistanceIdentityRow[]> {
    return ctx.db.query<AssistanceIdentityRow>(
      `SELECT id, id_number, category, certified_by, valid_from, valid_to FROM assistance_identity
        WHERE tenant_code = $1 AND id_number = $2 ORDER BY valid_from, id`,
      [ctx.tenant.code, idNumber.trim().toUpperCase()],
    );
  }
}
