/**
 * 应保尽保: an agency's (or the bureau's) list of the people certified on a day, registered or still
 * waiting for registration, with their enrolment status for a year. It reads the assistance and the
 * enrolment tables together, so it lives here, above both.
 */
import { Arg, Ctx, Field, ID, InputType, Int, ObjectType, Query, Resolver } from 'type-graphql';
import { todayInChina, type LocalDate } from '../../common/dates';
import type { RequestContext } from '../../context/request-context';
import type { TenantTransaction } from '../../db/tenant-transaction';
import { PersonalData, Roles } from '../../graphql/access';
import { type Connection, connectionTypes, decodeKeyCursor, mapConnection, MAX_PAGE, pageSize, toKeyConnection } from '../../graphql/connection';
import { AssistanceCategoryEnum } from '../../graphql/enums';
import { DateScalar } from '../../graphql/scalars';
import type { AssistanceCategory } from '../../policy-data/vocabulary';
import { AssistanceIdentity } from '../assistance/assistance.types';
import type { AssistanceIdentityRow } from '../assistance/assistance.repository';
import { presentIdentity } from '../assistance/assistance.presenters';
import { presentRegion } from '../public-policy/public-policy.presenters';
import { RegionType } from '../public-policy/public-policy.types';
import { residentsService } from '../residents/residents.service';
import { EnrollmentStateEnum, type EnrollmentStateShown } from './enrollment.types';

export interface CertifiedPersonRow extends AssistanceIdentityRow {
  registered: boolean;
  name: string | null;
  resident_status: string | null;
  region_code: string | null;
  enrollment_status: string | null;
  paid_on: string | null;
}

export interface CertifiedListQuery {
  coverageYear: number;
  asOf: string;
  certifiedBy: string | null;
  category: string | null;
  regions: string[] | null;
  enrollmentStatuses: string[] | null;
  after: [string, string] | null;
  limit: number;
}

/**
 * 应保尽保: everyone certified on `asOf` (registered or waiting for registration), with their enrolment
 * status for the year (NOT_ENROLLED where none), in ID order then certification.
 */
const CERTIFIED_FROM = `FROM (
    SELECT a.id, a.id_number, a.category, a.certified_by, a.valid_from, a.valid_to, true AS registered FROM assistance_identity a WHERE a.tenant_code = $1
    UNION ALL
    SELECT -p.id, p.id_number, p.category, p.certified_by, p.valid_from, p.valid_to, false FROM pending_certification p WHERE p.tenant_code = $1
  ) c
  LEFT JOIN resident r ON r.tenant_code = $1 AND r.id_number = c.id_number
  LEFT JOIN household h ON h.tenant_code = $1 AND h.id = r.household_id
  LEFT JOIN enrollment e ON e.tenant_code = $1 AND e.id_number = c.id_number AND e.coverage_year = $2
  WHERE c.valid_from <= $3::date AND (c.valid_to IS NULL OR c.valid_to >= $3::date)
    AND ($4::text IS NULL OR c.certified_by = $4) AND ($5::text IS NULL OR c.category = $5)
    AND ($6::text[] IS NULL OR h.region_code = ANY($6::text[]))
    AND ($7::text[] IS NULL OR coalesce(e.status, 'NOT_ENROLLED') = ANY($7::text[]))`;

export async function certifiedPeople(db: TenantTransaction, q: CertifiedListQuery): Promise<CertifiedPersonRow[]> {
  return db.query<CertifiedPersonRow>(
    `SELECT c.id, c.id_number, c.category, c.certified_by, c.valid_from, c.valid_to, c.registered, r.name, r.status AS resident_status,
            h.region_code, coalesce(e.status, 'NOT_ENROLLED') AS enrollment_status, e.paid_on
       ${CERTIFIED_FROM}
        AND ($8::text IS NULL OR (c.id_number, lpad(c.id::text, 20, '0')) > ($8::text, $9::text))
      ORDER BY c.id_number, lpad(c.id::text, 20, '0') LIMIT $10`,
    [db.tenantCode, q.coverageYear, q.asOf, q.certifiedBy, q.category, q.regions, q.enrollmentStatuses, q.after?.[0] ?? null, q.after?.[1] ?? null, q.limit],
  );
}

export async function certifiedCount(db: TenantTransaction, q: CertifiedListQuery): Promise<number> {
  const [row] = await db.query<{ n: number }>(`SELECT count(*)::int AS n ${CERTIFIED_FROM}`, [
    db.tenantCode,
    q.coverageYear,
    q.asOf,
    q.certifiedBy,
    q.category,
    q.regions,
    q.enrollmentStatuses,
  ]);
  return row.n;
}

/** 应保尽保: the people certified on `asOf`, registered or not, with their enrolment status for the year. */
export async function certifiedList(
  ctx: RequestContext,
  coverageYear: number,
  filter: {
    asOf?: LocalDate | null;
    certifiedBy?: string | null;
    category?: AssistanceCategory | null;
    region?: string | null;
    enrollmentStatus?: readonly string[] | null;
  },
  first: number,
  after: string | null,
): Promise<Connection<CertifiedPersonRow>> {
  pageSize(first);
  const key = after ? decodeKeyCursor(after, 2) : null;
  const query = {
    coverageYear,
    asOf: filter.asOf ?? todayInChina(),
    certifiedBy: filter.certifiedBy?.trim() || null,
    category: filter.category ?? null,
    regions: filter.region ? await residentsService.regionScope(ctx, filter.region) : null,
    enrollmentStatuses: filter.enrollmentStatus?.length ? [...filter.enrollmentStatus] : null,
    after: key ? ([key[0], key[1]] as [string, string]) : null,
    limit: first + 1,
  };
  const rows = await certifiedPeople(ctx.db, query);
  return toKeyConnection(
    rows,
    first,
    () => certifiedCount(ctx.db, query),
    (r) => [r.id_number, String(r.id).padStart(20, '0')],
    (r) => r,
  );
}

@ObjectType({ description: 'A person certified on a day, with their enrolment status for a year (应保尽保).' })
export class CertifiedPerson {
  @Field(() => AssistanceIdentity) certification!: AssistanceIdentity;
  @Field({ description: 'False while the certification waits for the person to register.' }) registered!: boolean;
  @Field(() => String, { nullable: true }) name!: string | null;
  @Field(() => String, { nullable: true, description: 'ResidentStatus: ACTIVE, TRANSFERRED_OUT, DECEASED, EMIGRATED.' }) residentStatus!: string | null;
  @Field(() => RegionType, { nullable: true }) region!: RegionType | null;
  @Field(() => EnrollmentStateEnum) enrollmentStatus!: EnrollmentStateShown;
  @Field(() => DateScalar, { nullable: true }) paidOn!: string | null;
}

export const { ConnectionType: CertifiedPersonConnection } = connectionTypes(CertifiedPerson, 'CertifiedPerson');
export type CertifiedPersonConnection = InstanceType<typeof CertifiedPersonConnection>;

@InputType()
export class CertifiedPeopleFilter {
  @Field(() => DateScalar, { nullable: true, description: 'Certified on this day; default today (China time).' }) asOf?: string | null;
  @Field(() => String, { nullable: true, description: 'The certifying agency, as recorded: 民政局, 乡村振兴局, 残联 …' }) certifiedBy?: string | null;
  @Field(() => AssistanceCategoryEnum, { nullable: true }) category?: AssistanceCategory | null;
  @Field(() => ID, { nullable: true, description: 'A region, with every region inside it.' }) region?: string | null;
  @Field(() => [EnrollmentStateEnum], { nullable: true, description: 'NOT_ENROLLED finds who is still to be enrolled.' }) enrollmentStatus?:
    EnrollmentStateShown[] | null;
}

@Resolver()
export class CertifiedPeopleResolver {
  @PersonalData()
  @Roles('ADMIN', 'STAFF', 'AGENCY')
  @Query(() => CertifiedPersonConnection, {
    description:
      '应保尽保: people certified on a day (registered or waiting to register) with their enrolment status for the year, by agency, category, region and status.',
  })
  async certifiedPeople(
    @Ctx() ctx: RequestContext,
    @Arg('coverageYear', () => Int) coverageYear: number,
    @Arg('filter', () => CertifiedPeopleFilter, { nullable: true }) filter: CertifiedPeopleFilter | null,
    @Arg('first', () => Int, { defaultValue: 50, description: `At most ${MAX_PAGE}.` }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
  ): Promise<CertifiedPersonConnection> {
    const asOf = filter?.asOf ?? todayInChina();
    const page = await certifiedList(ctx, coverageYear, { ...filter, asOf }, first, after);
    return mapConnection(page, (r): CertifiedPerson => ({
      certification: presentIdentity({ ...r, pending: !r.registered }, asOf),
      registered: r.registered,
      name: r.name,
      residentStatus: r.resident_status,
      region: r.region_code ? presentRegion(ctx.tenant, r.region_code) : null,
      enrollmentStatus: (r.enrollment_status ?? 'NOT_ENROLLED') as EnrollmentStateShown,
      paidOn: r.paid_on,
    })) as unknown as CertifiedPersonConnection;
  }
}
