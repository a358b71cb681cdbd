/** Enrolments and payments, and the one state machine of an enrolment. */
import type { DomainEvents } from '../../context/domain-events';
import type { RequestContext } from '../../context/request-context';
import { IdentitiesCertified } from '../assistance/assistance.events';
import { DomainError } from '../../common/errors';
import { text } from '../../common/i18n';
import { maskIdNumber } from '../residents/id-number';
import {
  HouseholdGraphRead,
  ResidentIdCorrected,
  ResidentIdCorrectionBegun,
  ResidentIdRetired,
  ResidentLeftScheme,
  ResidentsRegistered,
  ResidentTransferredOut,
  WaiverRequested,
} from '../residents/residents.events';
import { heldService } from './held.service';
import { HeldResolver } from './held.resolver';
import { primeFromHouseholdGraph } from './enrollment.loaders';
import {
  copyEnrollmentsToIdNumber,
  deleteEnrollmentsOfIdNumber,
  endEnrollments,
  enrollmentsOf,
  moveEnrollmentRowsToIdNumber,
  terminateOnTransferOut,
} from './enrollment.repository';
import { CertifiedPeopleResolver } from './certified-people';
import { EnrollmentResolver, ResidentEnrollmentsResolver } from './enrollment.resolver';
import { applyIdentityChanges } from './identity-changes';

export const enrollmentModule = {
  name: 'enrollment',
  resolvers: [EnrollmentResolver, ResidentEnrollmentsResolver, CertifiedPeopleResolver, HeldResolver],
  install(events: DomainEvents<RequestContext>): void {
    events.on(IdentitiesCertified, async (ctx, { idNumbers, certifiedOn }) => {
      await applyIdentityChanges(ctx, idNumbers, certifiedOn);
    });
    events.on(ResidentTransferredOut, (ctx, { idNumber, on }) => terminateOnTransferOut(ctx.db, idNumber, on));
    // A death or a settlement abroad ends what was waiting to be paid; paid enrolments are the refunds
    // domain's to judge under the notice.
    events.on(ResidentLeftScheme, async (ctx, { idNumber, on, reason }) => {
      await endEnrollments(ctx.db, idNumber, on, reason === 'DEATH' ? 'END_ON_DEATH' : 'END_ON_EMIGRATION', null, ['UNPAID']);
    });
    events.on(ResidentIdCorrectionBegun, (ctx, { from, to }) => copyEnrollmentsToIdNumber(ctx.db, from, to));
    events.on(ResidentIdCorrected, (ctx, { from, to }) => moveEnrollmentRowsToIdNumber(ctx.db, from, to));
    events.on(ResidentIdRetired, (ctx, { from }) => deleteEnrollmentsOfIdNumber(ctx.db, from));
    events.on(WaiverRequested, async (ctx, { idNumber, coverageYear }) => {
      const [enrollment] = await enrollmentsOf(ctx.db, [{ idNumber, coverageYear }]);
      if (enrollment && (enrollment.status === 'PAID' || enrollment.status === 'REFUND_PENDING')) {
        throw new DomainError(
          'CONFLICT',
          text(
            `${maskIdNumber(idNumber)} 已缴纳 ${coverageYear} 年度医保费${enrollment.paid_on ? `（${enrollment.paid_on}）` : ''}：不适用放弃参保声明；退费请通过申请退费（requestRefund）办理`,
            `${maskIdNumber(idNumber)} has already paid for ${coverageYear}${enrollment.paid_on ? ` (on ${enrollment.paid_on})` : ''}: a waiver does not apply; a refund is asked for with requestRefund`,
          ),
          {
            field: 'idNumber',
            status: enrollment.status,
          },
        );
      }
    });
    events.on(HouseholdGraphRead, (ctx, graph) => primeFromHouseholdGraph(ctx, graph));
    // Money the tax system collected for people not yet registered is matched when they register.
    events.on(ResidentsRegistered, (ctx, { idNumbers }) => heldService.matchRegistered(ctx, idNumbers));
  },
} as const;
