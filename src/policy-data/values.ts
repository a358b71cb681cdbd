/**
 * A year document as a flat list of values, each under a key that survives reordering: lists of rules
 * are keyed by what identifies a rule (`assistance.rules[DIBAO_RURAL_1].amount`, `targets.regions[620721-01]`),
 * other lists by position (`milestones[0].date`), and a list of plain values is one value
 * (`assistance.multipleCategories.tie.order`). Comparing two years value by value (`PolicyDraft.changes`)
 * and checking that every date moved with the year both read documents this way.
 */
import type { DocumentPath } from './checks';

export interface DocumentValue {
  /** The key that pairs this value with the same value of another year. */
  key: string;
  /** Where it sits in its own document (list indexes), for line numbers. */
  path: DocumentPath;
  /** As written: money as "350.00", dates as YYYY-MM-DD, a list of plain values joined by ", "; null for YAML null. */
  value: string | null;
}

/** The fields that identify an item of a list, in the order they are tried. */
const IDENTIFYING_FIELDS = ['category', 'region', 'reason', 'circumstance', 'unit', 'source'] as const;

export function documentValues(raw: unknown): Map<string, DocumentValue> {
  const values = new Map<string, DocumentValue>();
  const walk = (node: unknown, key: string, path: DocumentPath) => {
    if (Array.isArray(node)) {
      if (node.every((item) => item === null || typeof item !== 'object')) {
        values.set(key, { key, path, value: node.map((item) => String(item)).join(', ') });
        return;
      }
      const field = IDENTIFYING_FIELDS.find((f) => {
        const ids = node.map((item) => (item && typeof item === 'object' && !Array.isArray(item) ? (item as Record<string, unknown>)[f] : undefined));
        return ids.every((id) => typeof id === 'string') && new Set(ids).size === ids.length;
      });
      node.forEach((item, i) => {
        const id = field ? String((item as Record<string, unknown>)[field]) : String(i);
        walk(item, `${key}[${id}]`, [...path, i]);
      });
      return;
    }
    if (node && typeof node === 'object') {
      for (const [name, value] of Object.entries(node as Record<string, unknown>)) walk(value, key ? `${key}.${name}` : name, [...path, name]);
      return;
    }
    if (node === undefined) return;
    values.set(key, { key, path, value: node === null ? null : String(node) });
  };
  walk(raw, '', []);
  return values;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDate(value: string | null): value is string {
  return value !== null && ISO_DATE.test(value);
}
