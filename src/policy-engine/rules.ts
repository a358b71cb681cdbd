/**
 * Rules of who may enrol where, pure: eligibility by hukou, residence, residence permit or a guardian
 * (肃南 二（一）, 甘州 二 3, 平利 二（一）, 山丹 一（三）5), and which region manages the people of a unit such as a
 * state farm (肃南 三（三）). The registry and enrolment call them once they record hukou and permits.
 */
import type { LocalDate } from '../common/dates';
import { DomainError, badInput, policyNotConfigured } from '../common/errors';
import { text } from '../common/i18n';
import type { PolicyYear, Tenant } from '../policy-data/model';
import { ageOn } from './periods';

export interface EligibilityFacts {
  /** The hukou is in this tenant. */
  hukouHere: boolean;
  /** Lives here (常住) without the hukou. */
  residesHere?: boolean;
  /** Holds this tenant's residence permit (居住证). */
  residencePermit?: boolean;
  /** A guardian holds this tenant's hukou or residence permit. */
  guardianHukouOrPermit?: boolean;
  birthDate?: LocalDate | null;
  /** The day the question is asked for (the payment). */
  onDate: LocalDate;
}

export interface EligibilityResult {
  allowed: true;
  /** The clause that admits the person; null where the notice sets no condition. */
  clause: string | null;
  inferred: string | null;
}

/** Who may enrol here, or ENROLLMENT_CLOSED naming the clauses. Without an eligibility rule the notice sets no condition. */
export function eligibility(policy: PolicyYear, facts: EligibilityFacts): EligibilityResult {
  const rule = policy.data.enrolment?.eligibility;
  if (!rule) return { allowed: true, clause: null, inferred: null };
  const admit = (r: { clause: string; inferred?: string } | undefined, holds: boolean | undefined): EligibilityResult | null =>
    r && holds ? { allowed: true, clause: r.clause, inferred: r.inferred ?? null } : null;
  const byPlace =
    admit(rule.hukou, facts.hukouHere) ?? admit(rule.residentWithoutHukou, facts.residesHere) ?? admit(rule.residencePermit, facts.residencePermit);
  if (byPlace) return byPlace;
  const child = rule.childViaGuardian;
  if (child && facts.guardianHukouOrPermit && facts.birthDate) {
    const age = ageOn(facts.birthDate, facts.onDate);
    // The reading of "N周岁以下" matters only at age N itself.
    if (age <= child.maxAge) return { allowed: true, clause: child.clause, inferred: age === child.maxAge ? (child.inferred ?? null) : null };
  }
  const clauses = [rule.hukou, rule.residentWithoutHukou, rule.residencePermit, child].filter((r) => r).map((r) => r!.clause);
  throw new DomainError(
    'ENROLLMENT_CLOSED',
    text(
      `${policy.data.notice.number ?? `《${policy.data.notice.title}》`}规定的参保范围仅为：${clauses.join('；')}`,
      `${policy.data.notice.number ?? policy.data.notice.title} admits only: ${clauses.join('; ')}`,
    ),
    { rule: 'eligibility', clause: clauses.join('; '), ...(child?.inferred ? { inferred: child.inferred } : {}) },
  );
}

/**
 * The region that manages a unit's member: the unit's own region (绵羊繁育技术推广站 → 皇城镇), or the region of
 * the member's hukou among those the notice names (宝瓶河牧场 → 康乐镇 or 红湾寺镇). A hukou elsewhere is not
 * provided for.
 */
export function regionForUnitMember(tenant: Tenant, policy: PolicyYear, unit: string, hukouRegion: string | null): string {
  const entry = policy.data.enrolment?.units.find((u) => u.unit === unit);
  const notice = policy.data.notice.number ?? policy.data.notice.title;
  if (!entry)
    throw badInput(
      text(`${unit} 不是${policy.data.notice.number ?? `《${policy.data.notice.title}》`}列明的单位`, `${unit} is not a unit named in ${notice}`),
      'unit',
    );
  if (entry.region) return entry.region;
  const regions = Object.values(entry.byHukou ?? {});
  const match = hukouRegion ? regions.find((code) => code === hukouRegion || tenant.isWithin(hukouRegion, code)) : undefined;
  if (match) return match;
  throw policyNotConfigured(
    policy.tenantCode,
    policy.coverageYear,
    `enrolment.units.${unit}`,
    text(
      `${entry.clause}：${unit}人员由其户籍所在乡镇（${Object.keys(entry.byHukou ?? {}).join('、')}）管理；户籍${hukouRegion ? `在 ${hukouRegion}` : '乡镇不明'}的，通知未作规定`,
      `${entry.clause}: ${unit}'s people are managed by the township of their hukou among ${Object.keys(entry.byHukou ?? {}).join(', ')}; for a hukou in ${hukouRegion ?? 'no township'} the notice does not say`,
    ),
  );
}
