/**
 * The format of `tenants/<code>/tenant.yaml` and `tenants/<code>/<coverageYear>.yaml`.
 *
 * This zod schema is the single definition: the loader validates with it, the TypeScript types are
 * inferred from it, and `npm run schema:emit` writes the JSON Schema in docs/ from it.
 *
 * Every value carries `clause`, the notice clause it came from; `inferred` marks a value the notice does
 * not state in so many words and says why it was read that way. A value the notice does not state is
 * left out, and whatever needs it answers POLICY_NOT_CONFIGURED.
 */
import { z } from 'zod';
import { isLocalDate } from '../common/dates';
import { parseMoney } from '../common/money';
import { ASSISTANCE_CATEGORIES, CIRCUMSTANCES, FUNDING_SOURCES, REFUND_REASONS, REGION_KINDS, SUBSIDY_MODES } from './vocabulary';

const clause = z.string().min(1).describe('The notice clause this value comes from, e.g. "三、参保缴费标准".');
const inferred = z.string().min(1).optional().describe("Present when the value is an inference rather than the notice's own words: says why.");
const note = z.string().min(1).optional().describe('A remark for readers; never read by the engine.');
const cited = { clause, inferred, note };
/** A group of rules may name the section it comes from; its rules still cite their own clauses. */
const sectionClause = { clause: clause.optional(), note };

/** Yuan with exactly two decimals, quoted in YAML ("350.00"), held as integer fen after loading. */
const money = z
  .string({ error: 'money is a quoted yuan string with two decimals, e.g. "350.00"' })
  .regex(/^\d{1,9}\.\d{2}$/, 'money is a quoted yuan string with two decimals, e.g. "350.00"')
  .transform((text) => parseMoney(text) as number);
const date = z.string().refine(isLocalDate, 'a calendar date YYYY-MM-DD');
const count = z.number().int().nonnegative();

const citedMoney = z.strictObject({ amount: money, ...cited });
const citedDate = z.strictObject({ date, ...cited });
/** A rule that holds, with where it is written. */
const citedRule = z.strictObject({ ...cited });
/** A reading the notice does not state in so many words: `inferred` is required. */
const inferredRule = z.strictObject({ ...cited, inferred: z.string().min(1) });
const refersTo = z.string().min(1).optional().describe('The document the notice refers to for this value, which it does not quote.');

/**
 * A period counted from an event (birth): N days or N months. Counted as the Civil Code counts periods
 * (民法典 第二百零一、二百零二条), which the year file marks as an inference.
 */
const period = {
  days: count.optional(),
  months: count.optional(),
};
const periodRefine = [
  (w: { days?: number; months?: number }) => (w.days === undefined) !== (w.months === undefined),
  'give exactly one of days or months',
] as const;

const category = z.enum(ASSISTANCE_CATEGORIES);
const circumstance = z.enum(CIRCUMSTANCES);
const refundReason = z.enum(REFUND_REASONS);
const fundingSource = z.enum(Object.keys(FUNDING_SOURCES) as [keyof typeof FUNDING_SOURCES]);

/**
 * Who pays an amount. A leaf names its source. A node with `parts` either gives each part its `amount`
 * (one part may leave it out and take what is left) or splits its own amount by `ratio`, e.g. 平利's
 * 省、市 5:5 and then 市、县 1:9; the loader turns ratios into exact fen.
 */
export interface FundingNodeData {
  source?: keyof typeof FUNDING_SOURCES;
  name?: string;
  amount?: number;
  ratio?: number[];
  /** Optional on a part: it inherits the clause of the node or funding entry above it. */
  clause?: string;
  inferred?: string;
  note?: string;
  parts?: FundingNodeData[];
}
export const FundingNodeSchema: z.ZodType<FundingNodeData, unknown> = z.lazy(() =>
  z.strictObject({
    source: fundingSource.optional(),
    name: z.string().min(1).optional(),
    amount: money.optional(),
    ratio: z.array(z.number().int().positive()).min(2).optional(),
    ...cited,
    clause: clause.optional(),
    parts: z.array(FundingNodeSchema).min(1).optional(),
  }),
);

const fundingByRegion = z.strictObject({
  regions: z.array(z.string()).min(1).optional().describe('Region codes this funding applies to (and their sub-regions); absent: everywhere.'),
  shares: z.array(FundingNodeSchema).min(1),
  ...cited,
});

const assistanceRule = z.strictObject({
  category,
  full: z.boolean().describe('全额资助: the whole individual contribution.'),
  amount: money.optional().describe('定额: the fixed amount; for a full subsidy, the amount where stated.'),
  mode: z.enum(SUBSIDY_MODES).optional(),
  modeClause: z.string().min(1).optional(),
  netContribution: money.optional().describe('What the notice says the person then pays, kept to cross-check standard − amount.'),
  funding: z.array(fundingByRegion).optional(),
  refersTo,
  ...cited,
});

const categories = z.array(category).min(1);
/** 从…之日起 for a payment or a birth before the year of cover starts: from that day, or from the year's start. */
const beforeYearStart = z
  .enum(['FROM_EVENT', 'FROM_YEAR_START'])
  .default('FROM_YEAR_START')
  .describe("When the event (birth, payment) falls before the year of cover starts: cover from the event, or from the year's start.");

const targetRow = z.strictObject({
  region: z.string(),
  target: count,
  byDate: z.array(z.strictObject({ date, count, ...cited })).optional(),
  ...cited,
});

export const PolicyYearSchema = z.strictObject({
  tenant: z.string().regex(/^\d{6}$/),
  coverageYear: z.number().int().min(2000).max(2100),
  coverageYearFrom: citedRule.describe('Where the notice says which year of cover its label means; inferred where it does not.'),
  notice: z.strictObject({
    number: z.string().min(1).nullable(),
    title: z.string().min(1),
    issuedOn: date.nullable(),
    issuers: z.array(z.string().min(1)).min(1).nullable().describe('Null where the notice does not name who issued it.'),
    source: z.string().min(1).describe('The seed file the notice was read from.'),
    label: z.string().optional().describe('The year the notice itself names, when it differs.'),
    unstatedMatters: z
      .strictObject({ refersTo: z.string().min(1), ...cited })
      .optional()
      .describe('未尽事宜: the document the notice sends whatever it leaves unstated to.'),
    ...cited,
  }),
  individualContribution: citedMoney,
  fundingStandard: z.strictObject({ amount: money, atLeast: z.boolean().default(false), ...cited }).optional(),
  fiscalSubsidy: z
    .strictObject({
      amount: money,
      atLeast: z.boolean().default(false),
      split: z.array(FundingNodeSchema).min(1).optional(),
      ...cited,
    })
    .optional(),
  collectionWindow: z
    .strictObject({
      start: citedDate.optional(),
      startText: z.string().optional().describe('The start as the notice words it when it gives no exact date.'),
      earliestPayment: z
        .strictObject({ date, ...cited, inferred: z.string().min(1) })
        .optional()
        .describe('Where the notice gives no start: the earliest payment counted for this year of cover, an inference.'),
      end: citedDate,
    })
    .refine((w) => !(w.start && w.earliestPayment), { message: 'give start or earliestPayment, not both', path: ['earliestPayment'] })
    .refine((w) => w.start || w.earliestPayment, {
      message: 'a window needs a lower bound: give start, or earliestPayment marked inferred',
      path: ['earliestPayment'],
    }),
  coverage: z.strictObject({ start: citedDate, end: citedDate }),
  assistance: z
    .strictObject({
      rules: z.array(assistanceRule),
      multipleCategories: z
        .strictObject({
          rule: z.literal('HIGHEST_SINGLE').optional(),
          clause: clause.optional(),
          inferred,
          note,
          tie: z
            .strictObject({ order: categories, ...cited, inferred: z.string().min(1) })
            .optional()
            .describe('Which category applies when several give the same subsidy: the first in `order`.'),
        })
        .refine((m) => !m.rule || m.clause, { message: 'a multiple-category rule cites its clause', path: ['clause'] })
        .optional(),
      insuredElsewhere: z
        .strictObject({
          rule: z.literal('HOME_STANDARD'),
          by: z.enum(['HUKOU']).optional().describe('Who grants it: the office of the hukou place.'),
          mode: z.enum(SUBSIDY_MODES).optional(),
          ...cited,
        })
        .optional()
        .describe('Assistance for people of this tenant insured in another pool (参加异地居民医保).'),
      reimbursementTiming: z.strictObject({ rule: z.literal('NEXT_MONTH'), ...cited }).optional(),
      newlyCertifiedAfterPayment: z.strictObject({ rule: z.enum(['REIMBURSE_NEXT_MONTH', 'NEXT_YEAR']), ...cited }).optional(),
      identityChange: z.strictObject({ rule: z.enum(['TOP_UP_NO_CLAWBACK', 'NO_CHANGE_THIS_YEAR', 'NEXT_YEAR']), ...cited }).optional(),
      certificationCutoff: citedDate.optional().describe('Identities certified after this date count from the next coverage year.'),
      ...cited,
    })
    .optional(),
  lateEnrollment: z
    .strictObject({
      ...sectionClause,
      general: z.strictObject({ allowed: z.boolean(), ...cited }).optional(),
      circumstances: z.array(z.strictObject({ circumstance, ...cited })).default([]),
      categories: z.array(z.strictObject({ categories, ...cited })).default([]),
      referredElsewhere: z.array(z.strictObject({ circumstances: z.array(circumstance).min(1), refersTo: z.string(), ...cited })).default([]),
      unstated: z
        .array(z.strictObject({ circumstances: z.array(circumstance).min(1), ...cited }))
        .default([])
        .describe('People the notice mentions without saying whether or how they enrol late.'),
      openList: inferredRule.optional().describe('The list of who may enrol late ends in 等: people it does not name are neither allowed nor refused.'),
      contribution: citedMoney.optional(),
      coverStart: z.strictObject({ rule: z.enum(['NEXT_MONTH_AFTER_PAYMENT', 'PAYMENT_DATE']), ...cited }).optional(),
      assistance: z.strictObject({ rule: z.enum(['LOST', 'KEPT']), ...cited }).optional(),
    })
    .optional(),
  newborn: z
    .strictObject({
      ...sectionClause,
      window: z
        .strictObject({
          ...period,
          forYear: z.enum(['BIRTH_YEAR']).optional().describe('BIRTH_YEAR: the window buys the year of birth only; absent: the year the payment is for.'),
          ...cited,
        })
        .refine(...periodRefine)
        .optional()
        .describe('How long after birth a newborn may pay.'),
      registrationWindow: z
        .strictObject({ ...period, ...cited })
        .refine(...periodRefine)
        .optional()
        .describe('How long after birth a newborn is registered, where the notice bounds registration and not payment.'),
      coverStart: z.strictObject({ rule: z.literal('BIRTH_DATE'), beforeYearStart, ...cited }).optional(),
      nextYear: z
        .strictObject({
          allowed: z.boolean(),
          bornWithinDaysOfYearEnd: count.optional().describe('Only babies born fewer than this many days before 12-31.'),
          ...cited,
        })
        .optional(),
      birthYearAcrossYearEnd: z
        .strictObject({ bornWithinDaysOfYearEnd: count, ...cited })
        .optional()
        .describe("A baby born late in the year may buy that year's cover within its window even after the year ends."),
      afterWindow: z.strictObject({ coverStart: z.literal('NEXT_MONTH_AFTER_PAYMENT'), ...cited }).optional(),
      noWaitingPeriod: citedRule.optional(),
      refersTo: z.string().optional(),
    })
    .refine((n) => !n.coverStart || n.window || n.registrationWindow, {
      message: 'a newborn cover start needs a window or a registration window',
      path: ['coverStart'],
    })
    .optional(),
  students: z
    .strictObject({
      ...sectionClause,
      coverStart: z.strictObject({ rule: z.literal('PAYMENT_DATE'), beforeYearStart, ...cited }).optional(),
      graduatesCoveredToYearEnd: citedRule.optional(),
      graduates: z
        .strictObject({ coverageYear: z.number().int(), coveredTo: date, ...cited })
        .optional()
        .describe("Graduates' cover in another year of cover, which this file only records."),
      enrolAtSchool: citedRule.optional(),
      assistedEnrolAtHukou: z
        .strictObject({ categories, ...cited })
        .optional()
        .describe('Assisted students of these categories enrol at the hukou place, not the school.'),
      assistedMayEnrolAtHukou: citedRule.optional().describe('Assisted students may choose the hukou place.'),
    })
    .optional(),
  refunds: z
    .strictObject({
      ...sectionClause,
      reasons: z.array(z.strictObject({ reason: refundReason, deadline: z.literal('COLLECTION_WINDOW_END').optional(), ...cited })).default([]),
      nonRefundable: z.array(z.strictObject({ reason: refundReason, ...cited })).default([]),
      deadline: citedDate.optional(),
      withinCollectionWindow: citedRule.optional(),
      personalPartOnlyForAssisted: citedRule.optional(),
      noneAfterCoverStarts: z
        .strictObject({
          reasons: z.array(refundReason).min(1).optional().describe('The reasons it bars; absent: every reason.'),
          ...cited,
        })
        .optional(),
      wrongLocation: z
        .strictObject({ coverFromFirstPayment: z.literal(true), ...cited })
        .optional()
        .describe('错缴异地: the re-payment at the right place counts from the first, wrongly placed payment.'),
      refersTo: z.string().optional(),
    })
    .optional(),
  enrolment: z
    .strictObject({
      ...sectionClause,
      byHousehold: citedRule.optional(),
      placeMustMatchHukouOrResidencePermit: citedRule.optional(),
      eligibility: z
        .strictObject({
          hukou: citedRule.optional(),
          residentWithoutHukou: citedRule.optional(),
          residencePermit: citedRule.optional(),
          childViaGuardian: z.strictObject({ maxAge: count, ...cited }).optional(),
        })
        .optional()
        .describe('Who may enrol here: by hukou, by residence, by residence permit, children through a guardian.'),
      units: z
        .array(
          z.strictObject({
            unit: z.string().min(1),
            region: z.string().optional().describe('The region that manages its people.'),
            byHukou: z.record(z.string(), z.string()).optional().describe('Managed by the region of the hukou: place name → region code.'),
            ...cited,
          }),
        )
        .default([])
        .describe('Units (farms, stations) whose people a region manages.'),
    })
    .optional(),
  targets: z
    .strictObject({
      total: z.strictObject({ count, ...cited }).optional(),
      regions: z.array(targetRow),
      ...cited,
    })
    .optional(),
  milestones: z.array(z.strictObject({ date, share: z.number().min(0).max(1), ...cited })).default([]),
});
export type PolicyYearData = z.output<typeof PolicyYearSchema>;
export type AssistanceRuleData = PolicyYearData extends { assistance?: infer A } ? (NonNullable<A> extends { rules: Array<infer R> } ? R : never) : never;

export interface RegionData {
  code: string;
  name: string;
  kind: (typeof REGION_KINDS)[number];
  clause?: string;
  inferred?: string;
  note?: string;
  children?: RegionData[];
}
export const RegionSchema: z.ZodType<RegionData, unknown> = z.lazy(() =>
  z.strictObject({
    code: z.string().regex(/^\d{6}(-[0-9A-Z]+)*$/, 'a GB/T 2260 code, or the tenant code with -suffixes'),
    name: z.string().min(1),
    kind: z.enum(REGION_KINDS),
    clause: z.string().optional(),
    inferred,
    note,
    children: z.array(RegionSchema).optional(),
  }),
);

export const TenantSchema = z.strictObject({
  code: z.string().regex(/^\d{6}$/, 'a GB/T 2260 six-digit division code'),
  name: z.string().min(1),
  regionsSource: z.string().min(1).describe('Where the region list comes from.'),
  regions: z.array(RegionSchema),
  note,
});
export type TenantData = z.output<typeof TenantSchema>;
