/**
 * Domain errors carry one of the contract's codes (../shared/CONTRACT.md) and their message in both
 * languages. They are turned into GraphQL errors in exactly one place, src/graphql/errors.ts, which
 * answers the request's language; `message` is the English text (logs, integrators).
 */
import type { Localized } from './i18n';

export const ERROR_CODES = [
  'BAD_USER_INPUT',
  'UNAUTHENTICATED',
  'FORBIDDEN',
  'NOT_FOUND',
  'CONFLICT',
  'POLICY_NOT_CONFIGURED',
  'ENROLLMENT_CLOSED',
  'REFUND_NOT_ALLOWED',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

export class DomainError extends Error {
  /** The message in Chinese and English; the request's language picks one. */
  readonly localized: Localized;

  constructor(
    readonly code: ErrorCode,
    message: Localized,
    /** Extra machine-readable facts for clients, e.g. the field at fault or the missing policy value. */
    readonly details: Record<string, unknown> = {},
  ) {
    super(message.en);
    this.localized = message;
    this.name = 'DomainError';
  }
}

export const badInput = (message: Localized, field?: string) => new DomainError('BAD_USER_INPUT', message, field ? { field } : {});

/** The notice does not state what is needed; `missing` names the policy value, never a guess. */
export const policyNotConfigured = (tenant: string, coverageYear: number, missing: string, message: Localized) =>
  new DomainError('POLICY_NOT_CONFIGURED', message, { tenant, coverageYear, missing });
