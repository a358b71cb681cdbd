/** The audit log: every mutation, written with the change itself. */
import { AuditResolver } from './audit.resolver';

export const auditModule = { name: 'audit', resolvers: [AuditResolver] } as const;
