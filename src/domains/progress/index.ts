/** Enrolment campaigns: targets, milestones, follow-ups and daily collection. */
import { ProgressResolver } from './progress.resolver';
import { ReportsResolver } from './reports.resolver';

export const progressModule = { name: 'progress', resolvers: [ProgressResolver, ReportsResolver] } as const;
