/**
 * The 参保登记表 as township staff keep it in Excel: one row per person, households by booklet number.
 * Good households are registered (set-based); every row of a household with an error comes back in a
 * copy of the workbook with an error column, and nothing of that household is written.
 */
import ExcelJS from 'exceljs';
import { badInput, DomainError } from '../../common/errors';
import type { LocalDate } from '../../common/dates';
import type { RequestContext } from '../../context/request-context';
import { type ApplicantType, type CheckedHousehold, type IdType, type MemberRequest, type ResidentsService, residentsService } from './residents.service';

/** Column headers of the form (and their English names), to the fields they fill. */
const COLUMNS: Record<string, keyof RosterRow> = {
  户口簿号: 'bookletNo',
  bookletno: 'bookletNo',
  乡镇: 'region',
  'region': 'region',
  地址: 'address',
  通讯地址: 'address',
  address: 'address',
  身份证件号码: 'idNumber',
  身份证号码: 'idNumber',
  idnumber: 'idNumber',
  身份证件类型: 'idType',
  idtype: 'idType',
  姓名: 'name',
  name: 'name',
  与户主关系: 'relationship',
  relationship: 'relationship',
  联系电话: 'phone',
  phone: 'phone',
  户籍所在地: 'hukouPlace',
  hukouplace: 'hukouPlace',
  居住证登记地: 'residencePermitPlace',
  residencepermitplace: 'residencePermitPlace',
  申请人身份: 'applicantType',
  applicanttype: 'applicantType',
  银行账号: 'bankAccount',
  一卡通账号: 'bankAccount',
  社会保障卡银行账号: 'bankAccount',
  bankaccount: 'bankAccount',
  开户银行: 'bankName',
  开户行: 'bankName',
  bankname: 'bankName',
};
const APPLICANT_TYPES: Record<string, ApplicantType> = {
  新生儿: 'NEWBORN',
  学龄前儿童: 'PRESCHOOL_CHILD',
  中小学生: 'PUPIL',
  大学生: 'UNIVERSITY_STUDENT',
  '未成年(未入学)': 'MINOR_NOT_IN_SCHOOL',
  '未成年（未入学）': 'MINOR_NOT_IN_SCHOOL',
  '普通居民(成年)': 'ADULT',
  '普通居民（成年）': 'ADULT',
};
const ID_TYPES: Record<string, IdType> = { 居民身份证: 'RESIDENT_ID_CARD', 护照: 'PASSPORT', 港澳居民居住证: 'HK_MACAO_RESIDENCE_PERMIT', 台湾居民居住证: 'TAIWAN_RESIDENCE_PERMIT', 外国人永久居留身份证: 'FOREIGN_PERMANENT_RESIDENCE_CARD' };
const REQUIRED: Array<keyof RosterRow> = ['bookletNo', 'region', 'idNumber', 'name', 'relationship'];
export const ERROR_HEADER = '错误';

interface RosterRow {
  bookletNo: string;
  region: string;
  address: string;
  idNumber: string;
  idType: string;
  name: string;
  relationship: string;
  phone: string;
  hukouPlace: string;
  residencePermitPlace: string;
  applicantType: string;
  bankAccount: string;
  bankName: string;
}

export interface RosterRowResult {
  row: number;
  bookletNo: string;
  status: 'ACCEPTED' | 'REJECTED';
  error: string | null;
}

export interface RosterImport {
  households: number;
  accepted: number;
  rejected: number;
  rows: RosterRowResult[];
  /** The workbook with an error column, base64, when a row was rejected. */
  annotatedWorkbook: string | null;
}

export const MAX_ROSTER_ROWS = 20_000;

export class RosterService {
  constructor(private readonly residents: ResidentsService) {}

  async import(ctx: RequestContext, workbookBase64: string, registeredOn: LocalDate | null): Promise<RosterImport> {
    const workbook = new ExcelJS.Workbook();
    try {
      await workbook.xlsx.load(Buffer.from(workbookBase64, 'base64') as unknown as ArrayBuffer);
    } catch {
      throw badInput('workbook is not an XLSX file (base64)', 'workbook');
    }
    const sheet = workbook.worksheets[0];
    if (!sheet) throw badInput('the workbook has no sheet', 'workbook');
    const header = (sheet.getRow(1).values as unknown[]).map((v) => String(v ?? '').trim());
    const fields = header.map((h) => COLUMNS[h] ?? COLUMNS[h.toLowerCase().replace(/\s/g, '')]);
    const missing = REQUIRED.filter((f) => !fields.includes(f));
    if (missing.length) throw badInput(`the sheet lacks the columns ${missing.join(', ')} (e.g. 户口簿号, 乡镇, 身份证号码, 姓名, 与户主关系)`, 'workbook');
    if (sheet.actualRowCount - 1 > MAX_ROSTER_ROWS) throw badInput(`at most ${MAX_ROSTER_ROWS} rows per workbook`, 'workbook');

    const regionByName = new Map(ctx.tenant.regions.map((r) => [r.name, r.code]));
    const rows: Array<{ row: number; data: RosterRow }> = [];
    /** Rows whose account was typed as a number longer than Excel keeps (15 digits): its last digits are lost. */
    const accountsLost = new Set<number>();
    sheet.eachRow((row, number) => {
      if (number === 1) return;
      const data = {} as RosterRow;
      for (const f of new Set(Object.values(COLUMNS))) data[f] = '';
      (row.values as unknown[]).forEach((value, col) => {
        const field = fields[col];
        if (field) data[field] = cellText(value);
        if (field === 'bankAccount' && typeof value === 'number' && !Number.isSafeInteger(value)) accountsLost.add(number);
      });
      if (Object.values(data).some((v) => v)) rows.push({ row: number, data });
    });

    // Households by booklet, in the order of their first row.
    const byBooklet = new Map<string, Array<{ row: number; data: RosterRow }>>();
    for (const r of rows) byBooklet.set(r.data.bookletNo, [...(byBooklet.get(r.data.bookletNo) ?? []), r]);
    const errors = new Map<number, string>();
    const checked: Array<{ household: CheckedHousehold; rows: number[] }> = [];
    for (const [booklet, members] of byBooklet) {
      const rowErrors = members.flatMap((m): Array<readonly [number, string]> => {
        const missingHere = REQUIRED.filter((f) => !m.data[f]);
        if (missingHere.length) return [[m.row, `缺少 ${missingHere.join(', ')}`] as const];
        if (accountsLost.has(m.row)) return [[m.row, 'bankAccount 银行账号在表中是数字，Excel 只保留 15 位，后几位已丢失：请把该列设为文本后重新填写'] as const];
        return [];
      });
      if (rowErrors.length) {
        for (const [row, message] of rowErrors) errors.set(row, message);
        for (const m of members) if (!errors.has(m.row)) errors.set(m.row, `户 ${booklet || '(无户口簿号)'} 未登记：第 ${rowErrors[0][0]} 行有误`);
        continue;
      }
      try {
        const region = regionByName.get(members[0].data.region) ?? members[0].data.region;
        const input = {
          bookletNo: booklet,
          region,
          address: members.find((m) => m.data.address)?.data.address ?? null,
          registeredOn,
          members: members.map((m): MemberRequest => ({
            idNumber: m.data.idNumber,
            idType: ID_TYPES[m.data.idType] ?? (m.data.idType ? (m.data.idType as IdType) : null),
            name: m.data.name,
            relationship: m.data.relationship,
            phone: m.data.phone || null,
            hukouPlace: m.data.hukouPlace || null,
            residencePermitPlace: m.data.residencePermitPlace || null,
            applicantType: APPLICANT_TYPES[m.data.applicantType] ?? (m.data.applicantType ? (m.data.applicantType as ApplicantType) : null),
            bankAccount: m.data.bankAccount || null,
            bankName: m.data.bankName || null,
          })),
        };
        checked.push({ household: this.residents.checkHousehold(ctx, input), rows: members.map((m) => m.row) });
      } catch (err) {
        if (!(err instanceof DomainError)) throw err;
        const index = /members\[(\d+)\]/.exec(String(err.details.field ?? ''))?.[1];
        const culprit = index !== undefined ? members[Number(index)].row : members[0].row;
        errors.set(culprit, err.message);
        for (const m of members) if (m.row !== culprit) errors.set(m.row, `户 ${booklet} 未登记：第 ${culprit} 行有误`);
      }
    }
    const results = await this.residents.registerHouseholds(ctx, checked.map((c) => c.household));
    results.forEach((result, i) => {
      if ('error' in result) for (const row of checked[i].rows) errors.set(row, result.error.message);
    });

    const rowResults: RosterRowResult[] = rows.map((r) => ({ row: r.row, bookletNo: r.data.bookletNo, status: errors.has(r.row) ? 'REJECTED' : 'ACCEPTED', error: errors.get(r.row) ?? null }));
    let annotatedWorkbook: string | null = null;
    if (errors.size > 0) {
      markErrors(sheet, header.length, errors); // values[] is 1-based with an empty first slot
      annotatedWorkbook = Buffer.from(await workbook.xlsx.writeBuffer()).toString('base64');
    }
    return {
      households: results.filter((r) => 'household' in r).length,
      accepted: rowResults.filter((r) => r.status === 'ACCEPTED').length,
      rejected: rowResults.filter((r) => r.status === 'REJECTED').length,
      rows: rowResults,
      annotatedWorkbook,
    };
  }
}

/** Writes each row's error, in red, into `column`, headed 错误. */
export function markErrors(sheet: ExcelJS.Worksheet, column: number, errors: ReadonlyMap<number, string>): void {
  sheet.getRow(1).getCell(column).value = ERROR_HEADER;
  sheet.getRow(1).getCell(column).font = { bold: true, color: { argb: 'FFC00000' } };
  for (const [row, message] of errors) {
    const cell = sheet.getRow(row).getCell(column);
    cell.value = message;
    cell.font = { color: { argb: 'FFC00000' } };
  }
}

/** A cell's text, whatever Excel stored: numbers typed as numbers (ID numbers!), rich text, formulas. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') {
    const v = value as { richText?: Array<{ text: string }>; text?: string; result?: unknown };
    if (v.richText) return v.richText.map((t) => t.text).join('').trim();
    if (v.text !== undefined) return String(v.text).trim();
    if (v.result !== undefined) return String(v.result).trim();
  }
  return String(value).trim();
}

export const rosterService = new RosterService(residentsService);
