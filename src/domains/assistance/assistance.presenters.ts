import { compareDates, todayInChina } from '../../common/dates';
import type { RequestContext } from '../../context/request-context';
import { maskIdNumber } from '../residents/id-number';
import type { AssistanceIdentityRow, CertificationChangeRow } from './assistance.repository';
import type { CertificationImportResult } from './assistance.service';
import type { AssistanceIdentity, AssistanceImport, CertificationChange, CertificationStatus } from './assistance.types';

/** A certification with its status on `on` (today by default); one waiting for a registration has a negative id. */
export const presentIdentity = (row: AssistanceIdentityRow & { pending?: boolean }, on: string = todayInChina()): AssistanceIdentity => ({
  id: String(row.id),
  idNumber: row.id_number,
  category: row.category,
  certifiedBy: row.certified_by,
  validFrom: row.valid_from,
  validTo: row.valid_to,
  status: statusOn(row, on),
});

function statusOn(row: AssistanceIdentityRow & { pending?: boolean }, on: string): CertificationStatus {
  if (row.pending || row.id < 0) return 'PENDING_REGISTRATION';
  if (compareDates(row.valid_from, on) > 0) return 'NOT_YET';
  return row.valid_to && compareDates(row.valid_to, on) < 0 ? 'ENDED' : 'IN_FORCE';
}

export const presentCertificationChange = (row: CertificationChangeRow): CertificationChange => ({
  certificationId: String(row.certification_id),
  idNumber: row.id_number,
  action: row.action,
  effectiveOn: row.effective_on,
  reason: row.reason,
  before: row.before,
  after: row.after,
  actor: row.actor,
  at: row.at.toISOString(),
});

export const presentCertificationImport = (ctx: Pick<RequestContext, 'say'>, result: CertificationImportResult): AssistanceImport => ({
  ...result,
  rows: result.rows.map((r) => ({
    index: r.index,
    idNumberMasked: maskIdNumber(r.idNumber),
    status: r.status,
    pending: r.pending ?? false,
    error: r.error ? ctx.say(r.error.localized) : null,
    code: r.error?.code ?? null,
  })),
});
