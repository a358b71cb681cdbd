/**
 * Who may call a root field. Every Query and Mutation field carries exactly one of these: Roles(...)
 * (type-graphql's @Authorized, checked by the one auth checker in schema.ts) or Public(). Both leave
 * their mark in the field's extensions, so a test can walk the schema and refuse a field with neither,
 * and docs/security.md is generated from the same marks.
 */
import { Authorized, Extensions } from 'type-graphql';
import { ROLES, type Role } from '../context/tokens';

type FieldDecorator = (target: object, propertyKey: string | symbol, descriptor?: PropertyDescriptor) => void;

export function Roles(...roles: Role[]): FieldDecorator {
  if (roles.length === 0) throw new Error('Roles() needs at least one role; use Public() for public fields');
  return (target, key, descriptor) => {
    Authorized(...roles)(target, key, descriptor as never);
    Extensions({ roles })(target, key, descriptor as never);
  };
}

/** Any authenticated role acting for its tenant. */
export const ANY_ROLE: Role[] = [...ROLES];

export function Public(): FieldDecorator {
  return (target, key, descriptor) => {
    Extensions({ public: true })(target, key, descriptor as never);
  };
}

/**
 * A root query field that answers personal information in clear (names, ID numbers, households): each
 * request reading it leaves a READ record in the audit log (PIPL: who read whose data). Masked answers
 * (a bank's status lookup) and counts are not marked.
 */
export function PersonalData(): FieldDecorator {
  return (target, key, descriptor) => {
    Extensions({ personalData: true })(target, key, descriptor as never);
  };
}

/**
 * A root query field that may be answered from a read replica (DATABASE_READ_URL): it only reads, and
 * an answer a moment old is right for it (bank lookups, searches, reports). A request goes to a replica
 * only when every root field it asks for carries this mark, and never before the replica has replayed
 * the caller's own last write.
 */
export function ReplicaRead(): FieldDecorator {
  return (target, key, descriptor) => {
    Extensions({ replicaRead: true })(target, key, descriptor as never);
  };
}

/**
 * A public root query field whose answer depends on nothing but its arguments, the request's language
 * and the tenants' published policies: not on the caller, the day or the database (the quote). A
 * compiled operation asking only for such fields may be answered again, byte for byte, from the answer
 * given to the same variables before, until a policy is published or reloaded.
 */
export function PureAnswer(): FieldDecorator {
  return (target, key, descriptor) => {
    Extensions({ pureAnswer: true })(target, key, descriptor as never);
  };
}
