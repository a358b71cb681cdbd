/**
 * At start, for every tenant: what waited for a value the notices leave unstated is computed where
 * tenants/ now states it, and money held in suspense is matched where it is payable now (values come from
 * tenants/ at start). Each tenant in its own transaction; a tenant whose run fails is logged and keeps
 * what it holds for the next start or an administrator's releaseHeld.
 */
import type { Logger } from '../common/logger';
import { type AppState, RequestContext } from '../context/request-context';
import { heldService } from '../domains/enrollment/held.service';

export async function releaseHeldAtStart(state: AppState, log: Logger, progress: (step: string) => void): Promise<void> {
  for (const tenant of state.catalog.tenants) {
    const ctx = RequestContext.system(state, tenant.code, 'server-start');
    try {
      const result = await heldService.releaseHeld(ctx);
      await ctx.finish(true);
      if (result.resolved + result.matched > 0) {
        log.info('held values computed and money matched', { tenant: tenant.code, ...result });
        progress(`${tenant.name}: ${result.resolved} waiting values computed, ${result.matched} held payments matched`);
      }
    } catch (err) {
      await ctx.finish(false).catch(() => {});
      log.error('releasing what is held failed', { tenant: tenant.code, error: (err as Error).message });
    }
  }
}
