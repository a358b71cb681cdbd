/**
 * A year against another, value by value (PolicyDraft.changes): each value added, removed or changed,
 * under the key that pairs it across years (values.ts), with what it was and what it is. Citations
 * (clause, inferred, note) are changes too, marked as such so that a reader may set them aside.
 */
import { documentValues } from './values';
import type { DocumentPath } from './checks';

export type ChangeKind = 'ADDED' | 'REMOVED' | 'CHANGED';

export interface PolicyValueChange {
  /** The value's key, e.g. individualContribution.amount or assistance.rules[DIBAO_RURAL_1].amount. */
  path: string;
  kind: ChangeKind;
  before: string | null;
  after: string | null;
  /** True for a clause, an inference or a note: what the value cites, not the value. */
  citation: boolean;
  /** Where the value sits in the newer document (its path with list indexes), for its line. */
  documentPath: DocumentPath | null;
}

const CITATION_FIELDS = new Set(['clause', 'inferred', 'note', 'modeClause', 'refersTo']);

export function compareYears(before: unknown, after: unknown): PolicyValueChange[] {
  const then = documentValues(before);
  const now = documentValues(after);
  const changes: PolicyValueChange[] = [];
  // notice.source is the seed file the notice was read from: a citation too.
  const citation = (key: string) => key === 'notice.source' || CITATION_FIELDS.has(key.split('.').pop() ?? '');
  for (const [key, value] of now) {
    const old = then.get(key);
    if (!old) changes.push({ path: key, kind: 'ADDED', before: null, after: value.value, citation: citation(key), documentPath: value.path });
    else if (old.value !== value.value)
      changes.push({ path: key, kind: 'CHANGED', before: old.value, after: value.value, citation: citation(key), documentPath: value.path });
  }
  for (const [key, old] of then) {
    if (!now.has(key)) changes.push({ path: key, kind: 'REMOVED', before: old.value, after: null, citation: citation(key), documentPath: null });
  }
  return changes;
}
