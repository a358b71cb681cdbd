/**
 * `npm run import:assistance -- --tenant 610926 [--url …] [--token T] [--errors out.csv] file.csv`
 *
 * An agency's list of certified people (民政, 乡村振兴, 残联 …), from a CSV with the header
 * idNumber,category,certifiedBy,validFrom,validTo (or 身份证号码,资助类别,认定部门,认定日期,有效期至), into
 * importAssistance. Categories are the contract's codes (DIBAO_RURAL_1, EXTREME_POVERTY …).
 */
import { isLocalDate } from '../common/dates';
import { ASSISTANCE_CATEGORIES } from '../policy-data/vocabulary';
import type { CsvImportKind, CsvImportOptions } from './csv-import';
import { runCsvImport } from './csv-import';
import { runImportCommand, runMain } from './import-runner';

export const ASSISTANCE_CSV: CsvImportKind = {
  columns: {
    idnumber: 'idNumber',
    身份证号码: 'idNumber',
    category: 'category',
    资助类别: 'category',
    certifiedby: 'certifiedBy',
    认定部门: 'certifiedBy',
    validfrom: 'validFrom',
    认定日期: 'validFrom',
    validto: 'validTo',
    有效期至: 'validTo',
  },
  required: ['idNumber', 'category', 'certifiedBy', 'validFrom'],
  mutation: `mutation($rows: [AssistanceInput!]!) { importAssistance(identities: $rows) { accepted duplicates rejected rows { index status error code } } }`,
  field: 'importAssistance',
  toInput: (r) => ({ idNumber: r.idNumber, category: r.category.trim().toUpperCase(), certifiedBy: r.certifiedBy, validFrom: r.validFrom, validTo: r.validTo || null }),
  label: (r) => `${r.idNumber.slice(0, 4)}…${r.idNumber.slice(-4)} ${r.category}`,
  invalid: (r) => {
    if (!(ASSISTANCE_CATEGORIES as readonly string[]).includes(r.category.trim().toUpperCase())) return `category "${r.category}" is not one of ${ASSISTANCE_CATEGORIES.join(', ')}`;
    if (!isLocalDate(r.validFrom)) return `validFrom "${r.validFrom}" is not a date YYYY-MM-DD`;
    if (r.validTo && !isLocalDate(r.validTo)) return `validTo "${r.validTo}" is not a date YYYY-MM-DD`;
    return null;
  },
};

export const importAssistanceCsv = (options: CsvImportOptions) => runCsvImport(ASSISTANCE_CSV, options);

if (require.main === module) runMain(() => runImportCommand('import:assistance', ASSISTANCE_CSV, 'AGENCY'));
