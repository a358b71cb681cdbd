/**
 * The 参保登记表 as township staff keep it (.xlsx, .xls or .csv, a title row or two above the header
 * allowed): one row per person, households by booklet number. Good households are registered
 * (set-based); every row of a household with an error comes back, in Chinese and by the file's own row
 * number, in a copy of the file with an 错误 column, and nothing of that household is written.
 */
import { DomainError, badInput } from '../../common/errors';
import type { LocalDate } from '../../common/dates';
import type { RequestContext } from '../../context/request-context';
import { maskIdNumber } from './id-number';
import { cellText, digitsLost, ERROR_HEADER, errorWorkbook, readRosterFile, type RosterFile } from './roster-file';
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
      ? `找不到表头：第 ${closest.row} 行缺少 ${closest.missing.map((f) => FIELD_NAMES[f]).join('、')} 列（表头须含 ${required}）`
      : `找不到表头：前 ${HEADER_SEARCH_ROWS} 行中没有含 ${required} 等列名的一行`,
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
      throw badInput(`一个文件最多 ${MAX_ROSTER_ROWS} 行，这个文件有 ${dataRows.length} 行：请分成几个文件，或用 npm run import:roster 分批导入`, 'workbook');
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
    const errors = new Map<number, string>();
    const checked: Array<{ household: CheckedHousehold; rows: number[] }> = [];
    const regionByName = new Map(ctx.tenant.regions.map((r) => [r.name, r.code]));
    for (const [booklet, members] of byBooklet) {
      const rowErrors = members.flatMap((m): Array<readonly [number, string]> => {
        const missingHere = REQUIRED.filter((f) => !m.data[f]);
        if (missingHere.length) return [[m.row, `缺少${missingHere.map((f) => FIELD_NAMES[f]).join('、')}`] as const];
        const lost = digitsLostIn.get(m.row);
        if (lost) return [[m.row, `${FIELD_NAMES[lost]}在表中是数字，Excel 只保留 15 位，后几位已丢失：请把该列设为文本后重新填写`] as const];
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
        const culprit = index !== undefined ? members[Number(index)] : members[0];
        errors.set(culprit.row, rosterMessage(ctx, err, culprit.data));
        for (const m of members) if (m.row !== culprit.row) errors.set(m.row, `户 ${booklet} 未登记：第 ${culprit.row} 行有误`);
      }
    }
    const results = await this.residents.registerHouseholds(ctx, checked.map((c) => c.household));
    results.forEach((result, i) => {
      if (!('error' in result)) return;
      const first = byBooklet.get(checked[i].household.bookletNo)?.[0]?.data;
      for (const row of checked[i].rows) errors.set(row, rosterMessage(ctx, result.error, first));
    });

    const rowResults: RosterRowResult[] = rows.map((r) => ({ row: r.row, bookletNo: r.data.bookletNo, status: errors.has(r.row) ? 'REJECTED' : 'ACCEPTED', error: errors.get(r.row) ?? null }));
    const annotatedWorkbook = errors.size > 0 ? (await errorWorkbook(file, header.row, header.errorColumn, errors)).toString('base64') : null;
    return {
      households: results.filter((r) => 'household' in r).length,
      accepted: rowResults.filter((r) => r.status === 'ACCEPTED').length,
      rejected: rowResults.filter((r) => r.status === 'REJECTED').length,
      rows: rowResults,
      annotatedWorkbook,
    };
  }
}

const ID_NUMBER_PROBLEMS: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/17 digits and a digit or X/, () => '应为 17 位数字加 1 位数字或 X'],
  [/birth date (\d+) is not a calendar date/, (m) => `其中的出生日期 ${m[1]} 不是有效日期`],
  [/check character is wrong/, () => '最后一位校验码不对，请核对号码'],
  [/first six digits (\d+) are not a division code/, (m) => `前六位 ${m[1]} 不是行政区划代码`],
  [/birth date is after today/, () => '其中的出生日期晚于今天'],
  [/birth date is before (\d+)/, (m) => `其中的出生日期早于 ${m[1]} 年`],
];

/**
 * A registration error as a clerk reads it in the error file: in Chinese, naming the column of the form
 * and what it should hold. The code and the field stay in the API's own error; this is the file's text.
 */
function rosterMessage(ctx: RequestContext, err: DomainError, row: RosterRow | undefined): string {
  const field = String(err.details.field ?? '').replace(/^members\[\d+\]\./, '') as keyof RosterRow | 'members' | '';
  const message = err.message;
  const value = (f: keyof RosterRow) => row?.[f] ?? '';
  let m: RegExpExecArray | null;
  if ((m = /is not a valid resident ID number: (.*)$/.exec(message))) {
    const problem = ID_NUMBER_PROBLEMS.map(([re, say]) => [re.exec(m![1]), say] as const).find(([hit]) => hit);
    return `身份证号码 ${maskIdNumber(value('idNumber'))} 不是有效的居民身份证号码${problem ? `：${problem[1](problem[0]!)}` : ''}`;
  }
  if (/appears twice/.test(message)) return `身份证号码 ${maskIdNumber(value('idNumber'))} 在同一户中出现两次`;
  if ((m = /exactly one \S+, this one has (\d+)/.exec(message))) return `一户须有且只有一名户主，户 ${value('bookletNo')} 有 ${m[1]} 名`;
  if (/enrols only people whose hukou or residence permit is here/.test(message)) {
    return `${ctx.tenant.name}只为户籍或居住证在本地的居民登记（${String(err.details.clause ?? '')}）：请填写本地的户籍所在地或居住证登记地`;
  }
  if (field === 'hukouPlace' || field === 'residencePermitPlace') {
    const ambiguous = /may be any of ([\d, ]+)/.exec(message);
    return `${FIELD_NAMES[field]}「${value(field)}」无法识别${ambiguous ? `：可能是 ${ambiguous[1].split(/,\s*/).join('、')}，请填写区划代码` : '：请填写区划代码（6、9 或 12 位）或地名，如 甘州区梁家墩镇，本县的乡镇可只写乡镇名'}`;
  }
  if (field === 'region') {
    if ((m = /was retired on (\S+?)(?:; register in (\S+))?$/.exec(message))) return `乡镇「${value('region')}」已于 ${m[1]} 撤销${m[2] ? `，请改填 ${m[2]}` : ''}`;
    return `乡镇「${value('region')}」不是${ctx.tenant.name}的乡镇：请填写乡镇名称或代码`;
  }
  if ((m = /^already registered: (.*)$/.exec(message))) return `已登记过的人员：${m[1]}`;
  if ((m = /^in two households at once: (.*)$/.exec(message))) return `同一人不能同时在两户中：${m[1]}`;
  if (/household booklet .* is already registered/.test(message)) return `户口簿号 ${value('bookletNo')} 已经登记过`;
  if (/registered at the same time/.test(message)) return '另一次导入同时登记了本户：本户未登记，请稍后重新导入';
  const says: Partial<Record<keyof RosterRow, string>> = {
    name: '姓名只能含汉字、字母和姓名中的间隔号（·），不超过 60 个字',
    phone: '应为 11 位手机号，或带区号的固定电话（如 0936-8221234）',
    bankAccount: '银行账号应为一串数字（中间的空格和横线可以省略）',
    bankName: '开户银行应为银行名称，并须同时填写银行账号',
    relationship: '请填写与户主的关系（户主、配偶、子女等）',
    idType: '身份证件类型应为 居民身份证、护照、港澳居民居住证、台湾居民居住证 或 外国人永久居留身份证',
    applicantType: '申请人身份应为 新生儿、学龄前儿童、中小学生、大学生、未成年(未入学) 或 普通居民(成年)',
    bookletNo: '请填写户口簿号',
  };
  // A character that has no place in a name or a bank's name: which one, and where.
  if ((m = /holds (?:"(.+)" \((U\+[0-9A-F]+)\)|an invisible or control character \((U\+[0-9A-F]+)\)) at character (\d+)/.exec(message)) && (field === 'name' || field === 'bankName')) {
    return `${FIELD_NAMES[field]}的第 ${m[4]} 个字符${m[1] ? `「${m[1]}」（${m[2]}）` : `是不可见字符或控制字符（${m[3]}）`}，不能用在${field === 'name' ? '姓名' : '银行名称'}中`;
  }
  if (field && field !== 'members' && field in FIELD_NAMES) {
    return `${FIELD_NAMES[field]}${value(field) && field !== 'idNumber' && field !== 'bankAccount' ? `「${value(field)}」` : ''}有误${says[field] ? `：${says[field]}` : ''}`;
  }
  return `${err.code === 'CONFLICT' ? '与已登记的信息冲突' : '本行有误'}，本户未登记（${message}）`;
}

export const rosterService = new RosterService(residentsService);
