/**
 * Domain events: how a domain lets others react to what it did without knowing them. Assistance says
 * "these people were certified"; enrolment, which depends on assistance, reacts by topping up the
 * subsidies of enrolments already paid. Handlers run in order, in the request's transaction, so the
 * reaction is committed or rolled back with the act itself.
 */
export interface DomainEvent<Payload> {
  readonly name: string;
  /** Never set: it only carries the payload's type. */
  readonly payload?: Payload;
}

export function domainEvent<Payload>(name: string): DomainEvent<Payload> {
  return Object.freeze({ name });
}

type Handler<Ctx, Payload> = (ctx: Ctx, payload: Payload) => Promise<void> | void;

export class DomainEvents<Ctx> {
  private readonly handlers = new Map<DomainEvent<unknown>, Array<Handler<Ctx, never>>>();

  on<Payload>(event: DomainEvent<Payload>, handler: Handler<Ctx, Payload>): void {
    const list = this.handlers.get(event as DomainEvent<unknown>) ?? [];
    list.push(handler as Handler<Ctx, never>);
    this.handlers.set(event as DomainEvent<unknown>, list);
  }

  async emit<Payload>(ctx: Ctx, event: DomainEvent<Payload>, payload: Payload): Promise<void> {
    for (const handler of this.handlers.get(event as DomainEvent<unknown>) ?? []) await (handler as Handler<Ctx, Payload>)(ctx, payload);
  }
}
