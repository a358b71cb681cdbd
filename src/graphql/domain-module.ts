/** What a domain folder gives the server: its resolvers, and the reactions it installs to other domains' events. */
import type { DomainEvents } from '../context/domain-events';
import type { RequestContext } from '../context/request-context';

export interface DomainModule {
  readonly name: string;
  /** type-graphql resolver classes. */
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  readonly resolvers: readonly Function[];
  install?(events: DomainEvents<RequestContext>): void;
}
