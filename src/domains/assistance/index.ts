/** Assistance identities: who an agency certified, for which category, from when. */
import { AssistanceResolver } from './assistance.resolver';

export const assistanceModule = { name: 'assistance', resolvers: [AssistanceResolver] } as const;
