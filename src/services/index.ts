/** The services, one instance each: they hold no state of their own (state lives in the context). */
import { RegistryService } from '../registry/registry.service';
import { PolicyQueryService } from './policy-query.service';

export const services = {
  policy: new PolicyQueryService(),
  registry: new RegistryService(),
};
