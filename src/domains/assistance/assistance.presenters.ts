import { maskIdNumber } from '../residents/id-number';
import type { AssistanceIdentityRow } from './assistance.repository';
import type { CertificationImportResult } from './assistance.service';
import type { AssistanceIdentity, AssistanceImport } from './assistance.types';

export const presentIdentity = (row: AssistanceIdentityRow): AssistanceIdentity => ({
  id: String(row.id),
  idNumber: row.id_number,
  category: row.category,
  certifiedBy: row.certified_by,
  validFrom: row.valid_from,
  validTo: row.valid_to,
});

export const presentCertificationImport = (result: CertificationImportResult): AssistanceImport => ({
  ...result,
  rows: result.rows.map((r) => ({ index: r.index, idNumberMasked: maskIdNumber(r.idNumber), status: r.status, error: r.error?.message ?? null, code: r.error?.code ?? null })),
});
