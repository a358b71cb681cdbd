/**
 * `npm run import:assistance -- --tenant 610926 [--url …] [--token T] [--errors out.csv] file.csv`
 *
 * An agency's list of certified people (民政, 乡村振兴, 残联 …), from a CSV with the header
 * idNumber,category,certifiedBy,validFrom,validTo (or 身份证号码,资助类别,认定部门,认定日期,有效期至), into
 * importAssistance. A category is the contract's code (DIBAO_RURAL_1, EXTREME_POVERTY …) or the agency's
 * own label (农村一类低保, 最低生活保障对象, 特困供养人员 …), which the server reads against the tenant's policy.
 */
import { text } from '../common/i18n';
import { AgencyImportAssistanceDocument, type AssistanceCategory, type AssistanceInput } from '../../schema/generated/client';
import { isCategoryWord } from '../domains/assistance/category-labels';
import { ASSISTANCE_CATEGORIES } from '../policy-data/vocabulary';
import type { CsvImportKind, CsvImportOptions } from './csv-import';
import { normaliseDate, runCsvImport } from './csv-import';
import { runImportCommand } from './import-runner';

export const ASSISTANCE_CSV: CsvImportKind<AssistanceInput> = {
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
  names: { idNumber: '身份证号码 (idNumber)', category: '资助类别 (category)', certifiedBy: '认定部门 (certifiedBy)', validFrom: '认定日期 (validFrom)' },
  toInput: (r) => ({
    idNumber: r.idNumber,
    ...(isCode(r.category) ? { category: r.category.trim().toUpperCase() as AssistanceCategory } : { categoryLabel: r.category }),
    certifiedBy: r.certifiedBy,
    validFrom: normaliseDate(r.validFrom)!,
    validTo: r.validTo ? normaliseDate(r.validTo) : null,
  }),
  label: (r) => `${r.idNumber.slice(0, 4)}…${r.idNumber.slice(-4)} ${r.category}`,
  invalid: (r) => {
    if (!r.category.trim()) return { field: 'category', problem: text('资助类别未填写', 'no category') };
    if (!isCategoryWord(r.category))
      return {
        field: 'category',
        problem: text(
          `资助类别「${r.category}」无法识别：请填写类别代码（如 DIBAO_RURAL_1）或类别名称（如 农村一类低保、特困供养人员、脱贫人口）`,
          `the category ${r.category} is not known: give a code (e.g. DIBAO_RURAL_1) or a category's name (e.g. 农村一类低保, 特困供养人员, 脱贫人口)`,
        ),
      };
    if (!normaliseDate(r.validFrom))
      return {
        field: 'validFrom',
        problem: text(`「${r.validFrom}」不是日期（如 2023-10-02 或 2023/10/02）`, `"${r.validFrom}" is not a date (2023-10-02 or 2023/10/02)`),
      };
    if (r.validTo && !normaliseDate(r.validTo))
      return {
        field: 'validTo',
        problem: text(`「${r.validTo}」不是日期（如 2023-10-02 或 2023/10/02）`, `"${r.validTo}" is not a date (2023-10-02 or 2023/10/02)`),
      };
    return null;
  },
  // The list carries no batch id: a person already certified for the category counts as a duplicate.
  send: async (client, _batchId, identities) => (await client.request(AgencyImportAssistanceDocument, { identities })).importAssistance,
};

const isCode = (text: string) => (ASSISTANCE_CATEGORIES as readonly string[]).includes(text.trim().toUpperCase());

export const importAssistanceCsv = (options: CsvImportOptions) => runCsvImport(ASSISTANCE_CSV, options);

if (require.main === module) {
  runImportCommand(ASSISTANCE_CSV, {
    script: 'import:assistance',
    role: 'AGENCY',
    description:
      "Imports an agency's list of certified people (民政, 乡村振兴, 残联 …) from a CSV file into the running server. Header: idNumber,category,certifiedBy,validFrom,validTo (or 身份证号码,资助类别,认定部门,认定日期,有效期至); a category is the contract's code (DIBAO_RURAL_1, EXTREME_POVERTY …) or the agency's own label (农村一类低保, 最低生活保障对象, 特困供养人员, 脱贫人口 …) where it names one category that the county's notices subsidise. People already certified count as duplicates. Exits 1 when any row was rejected.",
    examples: [
      'npm run import:assistance -- --tenant 610926 minzheng-2021-09.csv',
      'npm run import:assistance -- --tenant 610926 --errors rejected.csv list.csv',
    ],
  });
}
