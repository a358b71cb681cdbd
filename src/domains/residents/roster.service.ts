/**
 * The 参保登记表 as township staff keep it (.xlsx, .xls or .csv, a title row or two above the header
 * allowed): one row per person, households by booklet number. Good households are registered
 * (set-based); every row of a household with an error comes back, in Chinese and by the file's own row
 * number, in a copy of the file with an 错误 column, and nothing of that household is written.
 */
import { DomainError, badInput } from '../../common/errors';
import type { LocalDate } from '../../common/dates';
import { type Localized, text } from '../../common/i18n';
import type { RequestContext } from '../../context/request-context';
import { cellText, digitsLost, ERROR_HEADER, errorWorkbook, readRosterFile, type RosterFile } from './roster-file';
import { type ApplicantType, type CheckedHousehold, type IdType, type MemberRequest, type ResidentsService, residentsService } from './residents.service';

/** Column headers of the form (and their English names), to the fields they fill. */
const COLUMNS: Record<string, keyof RosterRow> = {
  户口簿号: 'bookletNo',
  bookletno: 'bookletNo',
  乡镇: 'region',
  region: 'region',
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
const ID_TYPES: Record<string, IdType> = {
  居民身份证: 'RESIDENT_ID_CARD',
  护照: 'PASSPORT',
  港澳居民居住证: 'HK_MACAO_RESIDENCE_PERMIT',
  台湾居民居住证: 'TAIWAN_RESIDENCE_PERMIT',
  外国人永久居留身份证: 'FOREIGN_PERMANENT_RESIDENCE_CARD',
};
const REQUIRED: Array<keyof RosterRow> = ['bookletNo', 'region', 'idNumber', 'name', 'relationship'];
/** Each field by the column name of the form, for messages. */
const FIELD_NAMES: Record<keyof RosterRow, string> = {
  bookletNo: '户口簿号',
  region: '乡镇',
  address: '地址',
  idNumber: '身份证号码',
  idType: '身份证件类型',
  name: '姓名',
  relationship: '与户主关系',
  phone: '联系电话',
  hukouPlace: '户籍所在地',
  residencePermitPlace: '居住证登记地',
  applicantType: '申请人身份',
  bankAccount: '银行账号',
  bankName: '开户银行',
};
/** The header is looked for among the first rows that hold anything: title rows may stand above it. */
const HEADER_SEARCH_ROWS = 10;
export { ERROR_HEADER };

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
  /** The roster with an 错误 column (XLSX), base64, when a row was rejected. */
  annotatedWorkbook: string | null;
}

/** Where the header is, which field each column fills, and where the 错误 column goes (1-based). */
export interface RosterHeader {
  row: number;
  fields: Array<keyof RosterRow | undefined>;
  errorColumn: number;
}

export const MAX_ROSTER_ROWS = 20_000;

/** A header cell as staff write it: 身份证号码, "* 姓名", 与户主关系（必填）, Name. */
function fieldOf(text: string): keyof RosterRow | undefined {
  const key = text
    .replace(/[\s*＊]/g, '')
    .replace(/[（(][^）)]*[）)]$/, '')
    .toLowerCase();
  return COLUMNS[key] ?? COLUMNS[text.trim()];
}

/**
 * The header: the first of the file's first non-empty rows that names every required column, so that
 * title rows (县名、年度、填报单位) above it are passed over. BAD_USER_INPUT, in Chinese, naming the
 * columns that the closest row lacks, when none does.
 */
export function findRosterHeader(file: RosterFile): RosterHeader {
  let closest: { row: number; missing: Array<keyof RosterRow> } | null = null;
  for (const { row, cells } of file.rows.slice(0, HEADER_SEARCH_ROWS)) {
    const texts = cells.map((c) => cellText(c));
    const fields = texts.map(fieldOf);
    const missing = REQUIRED.filter((f) => !fields.includes(f));
    if (missing.length === 0) {
      const existing = texts.findIndex((t) => t === ERROR_HEADER);
      const last = texts.reduce((end, t, i) => (t ? i : end), 0);
      return { row, fields, errorColumn: existing >= 0 ? existing + 1 : last + 2 };
    }
    if (!closest || missing.length < closest.missing.length) closest = { row, missing };
  }
  const required = REQUIRED.map((f) => FIELD_NAMES[f]).join('、');
  throw badInput(
    closest && closest.missing.length < REQUIRED.length
      ? text(
          `找不到表头：第 ${closest.row} 行缺少 ${closest.missing.map((f) => FIELD_NAMES[f]).join('、')} 列（表头须含 ${required}）`,
          `no header row: row ${closest.row} lacks the columns ${closest.missing.join(', ')} (the header must have ${required})`,
        )
      : text(
          `找不到表头：前 ${HEADER_SEARCH_ROWS} 行中没有含 ${required} 等列名的一行`,
          `no header row: none of the first ${HEADER_SEARCH_ROWS} rows has the columns ${required}`,
        ),
    'workbook',
  );
}

export class RosterService {
  constructor(private readonly residents: ResidentsService) {}

  /** `fileBase64`: the roster's bytes, .xlsx, .xls or .csv, told apart by their content. */
  async import(ctx: RequestContext, fileBase64: string, registeredOn: LocalDate | null): Promise<RosterImport> {
    const file = await readRosterFile(Buffer.from(fileBase64, 'base64'));
    const header = findRosterHeader(file);
    const dataRows = file.rows.filter((r) => r.row > header.row);
    if (dataRows.length > MAX_ROSTER_ROWS) {
      throw badInput(
        text(
          `一个文件最多 ${MAX_ROSTER_ROWS} 行，这个文件有 ${dataRows.length} 行：请分成几个文件，或用 npm run import:roster 分批导入`,
          `at most ${MAX_ROSTER_ROWS} rows per file, this one has ${dataRows.length}: split it, or import it in chunks with npm run import:roster`,
        ),
        'workbook',
      );
    }

    const rows: Array<{ row: number; data: RosterRow }> = [];
    /** Rows with a number typed as a number longer than Excel keeps (15 digits): its last digits are lost. */
    const digitsLostIn = new Map<number, keyof RosterRow>();
    for (const { row, cells } of dataRows) {
      const data = {} as RosterRow;
      for (const f of Object.keys(FIELD_NAMES) as Array<keyof RosterRow>) data[f] = '';
      cells.forEach((value, col) => {
        const field = header.fields[col];
        if (!field) return;
        data[field] = cellText(value);
        if ((field === 'bankAccount' || field === 'idNumber') && digitsLost(value)) digitsLostIn.set(row, field);
      });
      rows.push({ row, data });
    }

    // Households by booklet, in the order of their first row.
    const byBooklet = new Map<string, Array<{ row: number; data: RosterRow }>>();
    for (const r of rows) byBooklet.set(r.data.bookletNo, [...(byBooklet.get(r.data.bookletNo) ?? []), r]);
    // Each row's error in both languages: the file for clerks in Chinese, the answer in the request's language.
    const errors = new Map<number, Localized>();
    const checked: Array<{ household: CheckedHousehold; rows: number[] }> = [];
    const regionByName = new Map(ctx.tenant.regions.map((r) => [r.name, r.code]));
    for (const [booklet, members] of byBooklet) {
      const rowErrors = members.flatMap((m): Array<readonly [number, Localized]> => {
        const missingHere = REQUIRED.filter((f) => !m.data[f]);
        if (missingHere.length)
          return [[m.row, text(`缺少${missingHere.map((f) => FIELD_NAMES[f]).join('、')}`, `missing ${missingHere.join(', ')}`)] as const];
        const lost = digitsLostIn.get(m.row);
        if (lost)
          return [
            [
              m.row,
              text(
                `${FIELD_NAMES[lost]}在表中是数字，Excel 只保留 15 位，后几位已丢失：请把该列设为文本后重新填写`,
                `${lost} is a number in the sheet: Excel keeps 15 digits and the last ones are lost; format the column as text and enter it again`,
              ),
            ] as const,
          ];
        return [];
      });
      if (rowErrors.length) {
        for (const [row, message] of rowErrors) errors.set(row, message);
        for (const m of members)
          if (!errors.has(m.row))
            errors.set(
              m.row,
              text(
                `户 ${booklet || '（无户口簿号）'} 未登记：第 ${rowErrors[0][0]} 行有误`,
                `household ${booklet || '(no booklet number)'} not registered: row ${rowErrors[0][0]} is wrong`,
              ),
            );
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
        errors.set(culprit, err.localized);
        for (const m of members)
          if (m.row !== culprit)
            errors.set(m.row, text(`户 ${booklet} 未登记：第 ${culprit} 行有误`, `household ${booklet} not registered: row ${culprit} is wrong`));
      }
    }
    const results = await this.residents.registerHouseholds(
      ctx,
      checked.map((c) => c.household),
    );
    results.forEach((result, i) => {
      if ('error' in result) for (const row of checked[i].rows) errors.set(row, result.error.localized);
    });

    const rowResults: RosterRowResult[] = rows.map((r) => ({
      row: r.row,
      bookletNo: r.data.bookletNo,
      status: errors.has(r.row) ? 'REJECTED' : 'ACCEPTED',
      error: errors.has(r.row) ? ctx.say(errors.get(r.row)!) : null,
    }));
    // The copy is for the clerks who correct it: in Chinese whatever the request's language.
    const annotatedWorkbook =
      errors.size > 0
        ? (await errorWorkbook(file, header.row, header.errorColumn, new Map([...errors].map(([row, message]) => [row, message.zh])))).toString('base64')
        : null;
    return {
      households: results.filter((r) => 'household' in r).length,
      accepted: rowResults.filter((r) => r.status === 'ACCEPTED').length,
      rejected: rowResults.filter((r) => r.status === 'REJECTED').length,
      rows: rowResults,
      annotatedWorkbook,
    };
  }
}

export const rosterService = new RosterService(residentsService);
