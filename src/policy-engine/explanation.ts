import type { Fen } from '../common/money';

/** One step of how the engine reached an answer: the rule, the notice's clause, and what it came to. */
export interface ExplanationStep {
  rule: string;
  clause: string | null;
  detail: string;
  amount: Fen | null;
}
