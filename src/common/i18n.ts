/**
 * The two languages of messages (CONTRACT.md, "Language"): Chinese for `zh-CN` and `zh`, English
 * otherwise. A message that people read is written in both at the place it is made, as a `Localized`,
 * and the request's language picks one; codes (`extensions.code`, issue codes) never change with it.
 */
export type Language = 'zh' | 'en';

export interface Localized {
  zh: string;
  en: string;
}

/** Both texts at once: `text('缺少', 'missing')`. */
export function text(zh: string, en: string): Localized {
  return { zh, en };
}

export function localize(message: Localized, language: Language): string {
  return message[language];
}

/** Chinese as the contract names it: `zh`, `zh-CN`, and the script subtags that mean the same (zh-Hans, zh-Hans-CN). */
const CHINESE = /^zh(-hans)?(-cn)?$/i;

/**
 * The language of an Accept-Language header: the most preferred tag (by q, then position) decides,
 * `zh` when it is Chinese as above, `en` otherwise; no header, `en`.
 * `zh-CN,zh;q=0.9,en;q=0.8` → zh; `en-US,en;q=0.9` → en; `zh-TW` → en (the contract names zh-CN only).
 */
export function languageOf(acceptLanguage: string | null | undefined): Language {
  if (!acceptLanguage) return 'en';
  const tags = acceptLanguage
    .split(',')
    .map((part, index) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([\d.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag: tag.trim(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((t) => t.tag && t.tag !== '*' && Number.isFinite(t.q) && t.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return tags.length > 0 && CHINESE.test(tags[0].tag) ? 'zh' : 'en';
}

/** The input fields as a clerk's form names them, for messages in Chinese; the code's name stays in `extensions.field`. */
const FIELD_NAMES: Readonly<Record<string, string>> = {
  name: '姓名',
  idNumber: '身份证号码',
  newIdNumber: '新身份证号码',
  idType: '证件类型',
  sex: '性别',
  birthDate: '出生日期',
  phone: '联系电话',
  bankAccount: '银行账号',
  bankName: '开户银行',
  hukouPlace: '户籍所在地',
  residencePermitPlace: '居住证签发地',
  applicantType: '参保人员类别',
  school: '学校',
  bookletNo: '户口簿号',
  region: '区划',
  address: '住址',
  members: '家庭成员',
  relationship: '与户主关系',
  registeredOn: '登记日期',
  joinedOn: '迁入日期',
  leftOn: '迁出日期',
  on: '日期',
  reasonText: '其他原因说明',
  signedOn: '签署日期',
  coverageYear: '待遇享受年度',
  paidOn: '缴费日期',
  paymentDate: '缴费日期',
  enrolledOn: '参保登记日期',
  requestedOn: '申请日期',
  amount: '金额',
  receiptNo: '票据号',
  channel: '缴费渠道',
  category: '资助类别',
  certifiedBy: '认定部门',
  validFrom: '有效期起',
  validTo: '有效期止',
  month: '月份',
  asOf: '统计日期',
  first: '每页条数',
  after: '游标',
  code: '代码',
  parentCode: '上级区划代码',
  kind: '区划级别',
  diedOn: '死亡日期',
  source: '信息来源',
  reason: '原因',
  reversedOn: '冲正日期',
};

/**
 * A field as a clerk reads it: `name` → 姓名, `members[1].phone` → 第 2 位成员的联系电话. A field without a
 * Chinese name keeps its own (it is what the form or the file calls it).
 */
export function fieldName(field: string): string {
  const member = /^members\[(\d+)\]\.(.+)$/.exec(field);
  if (member) return `第 ${Number(member[1]) + 1} 位成员的${fieldName(member[2])}`;
  return FIELD_NAMES[field] ?? field;
}
