/** Monthly payouts of 先缴后补 reimbursements into people's 一卡通 accounts (ADMIN). */
import { Arg, Ctx, FieldResolver, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context/request-context';
import { PersonalData, Roles } from '../../graphql/access';
import { presentDisbursement } from './subsidies.presenters';
import { subsidiesService } from './subsidies.service';
import { Disbursement, DisbursementBatch } from './subsidies.types';

@Resolver(() => DisbursementBatch)
export class DisbursementResolver {
  @PersonalData()
  @Roles('ADMIN')
  @Query(() => DisbursementBatch, { description: 'The 先缴后补 reimbursements due to people in a month ("YYYY-MM"), with totals by funding source.' })
  async disbursements(@Ctx() ctx: RequestContext, @Arg('month') month: string) {
    return subsidiesService.disbursements(ctx, month);
  }

  @Roles('ADMIN')
  @Mutation(() => DisbursementBatch, { description: 'Records the month\'s payout into 一卡通 accounts; asking again returns the batch recorded.' })
  async markDisbursementsPaid(@Ctx() ctx: RequestContext, @Arg('month') month: string) {
    return subsidiesService.markDisbursementsPaid(ctx, month);
  }

  @FieldResolver(() => [Disbursement])
  async items(@Ctx() ctx: RequestContext, @Root() batch: DisbursementBatch): Promise<Disbursement[]> {
    return (await subsidiesService.disbursementItems(ctx, batch.month)).map(presentDisbursement);
  }
}
