/** Policy years as managed data: drafts, their checks, comparison, preview and budget, and publication. */
import { PolicyYearsResolver } from './policy-years.resolver';

export const policyYearsModule = { name: 'policy-years', resolvers: [PolicyYearsResolver] } as const;
