/** The services, one instance each: they hold no state of their own (state lives in the context). */
import { AssistanceService } from '../assistance/assistance.service';
import { SubsidyService } from '../assistance/subsidy.service';
import { EnrollmentService } from '../enrollment/enrollment.service';
import { RegistryService } from '../registry/registry.service';
import { RosterService } from '../registry/roster.service';
import { ProgressService } from '../progress/progress.service';
import { PolicyQueryService } from './policy-query.service';

const subsidy = new SubsidyService();
const registry = new RegistryService();

export const services = {
  policy: new PolicyQueryService(),
  registry,
  roster: new RosterService(registry),
  subsidy,
  enrollment: new EnrollmentService(subsidy),
  assistance: new AssistanceService(subsidy),
  progress: new ProgressService(),
};
