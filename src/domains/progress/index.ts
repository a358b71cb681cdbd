/** Enrolment campaigns: targets, milestones, follow-ups and daily collection. */
import { ProgressResolver } from './progress.resolver';

export const progressModule = { name: 'progress', resolvers: [ProgressResolver] } as const;
