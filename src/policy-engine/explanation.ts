import type { Localized } from '../common/i18n';
import type { Fen } from '../common/money';

/** One step of how the engine reached an answer: the rule, the notice's clause, and what it came to. */
export interface ExplanationStep {
  rule: string;
  clause: string | null;
  /** What the step came to, in both languages; the request's language picks one. */
  detail: Localized;
  amount: Fen | null;
  /** Set when the step rests on a value the data marks as an inference: why it was read that way. */
  inferred?: string | null;
  /** Set when the step names a value the notice leaves unstated (as extensions.missing names it). */
  missing?: string | null;
}

/** Where a value comes from: the notice's clause, and why, where the value is a reading of it. */
export interface Citation {
  clause: string;
  inferred: string | null;
  note: string | null;
}

/**
 * A value of an answer that the notice leaves unstated. The answer still gives what is known; this says
 * which of its fields wait for what, so that a payment can be taken and the unknown part held.
 */
export interface UnknownValue {
  /** The policy value that is missing, as POLICY_NOT_CONFIGURED's extensions.missing names it. */
  path: string;
  /** The fields of the answer that depend on it: coverage, subsidy, reimbursement, netCost, … */
  affects: string[];
  message: Localized;
  /** The clause that refers elsewhere, or else the clause of the rule that leaves the value out. */
  clause: string | null;
  /** The document the notice refers to for the value, where it names one. */
  refersTo: string | null;
}

/** Joins the inferences a step rests on; null when there are none. */
export function inferences(...marks: Array<string | null | undefined>): string | null {
  const present = [...new Set(marks.filter((m): m is string => !!m))];
  return present.length > 0 ? present.join(' ') : null;
}
