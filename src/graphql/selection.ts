/**
 * Which fields an operation selects on a resolver's result, so that a root resolver computes what is
 * costly (a lookup in the national one-scheme index, say) only when the operation asks for it and still
 * answers in one statement. Fragments, inline or named, count as selected; @skip and @include are not
 * evaluated, so a field under them counts as selected (computed for nothing, never missing).
 */
import { type FieldNode, type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

/**
 * Kept by field node: a document's nodes, and so its fragments, are the same objects for as long as
 * it is cached (the compiled operations, Apollo's document cache), and the bank asks thousands a minute.
 */
const selectedByNode = new WeakMap<FieldNode, ReadonlySet<string>>();

export function selectedFields(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): ReadonlySet<string> {
  const single = info.fieldNodes.length === 1 ? info.fieldNodes[0] : null;
  const kept = single && selectedByNode.get(single);
  if (kept) return kept;
  const names = new Set<string>();
  forEachField(
    info.fieldNodes.map((node) => node.selectionSet),
    info.fragments,
    (field) => names.add(field.name.value),
  );
  if (single) selectedByNode.set(single, names);
  return names;
}

/** Each field of the selection sets, those of their fragments (inline or named, each named one once) included, not below them. */
function forEachField(
  sets: ReadonlyArray<SelectionSetNode | undefined>,
  fragments: GraphQLResolveInfo['fragments'],
  onField: (field: FieldNode) => void,
): void {
  const seenFragments = new Set<string>();
  const visit = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) onField(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      else if (!seenFragments.has(selection.name.value)) {
        seenFragments.add(selection.name.value);
        visit(fragments[selection.name.value]?.selectionSet);
      }
    }
  };
  for (const set of sets) visit(set);
}

/** The fields a resolver's answer can give from a partial read: each allowed field, with what may be selected beneath it. */
export interface SelectionAllowance {
  readonly [field: string]: SelectionAllowance | true;
}

/**
 * Whether the operation selects nothing beyond `allowed` under this field, and nothing at its root
 * but this field: a resolver that answers from a partial read (and primes the request's loaders with
 * it) must know that no other field of the request will read those loaders. Fragments are looked into;
 * a field under @skip or @include counts as selected, so the answer errs towards the full read.
 */
export function selectionWithin(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments' | 'operation'>, allowed: SelectionAllowance): boolean {
  const root = info.operation.selectionSet.selections;
  if (root.length !== 1 || root[0] !== info.fieldNodes[0] || info.fieldNodes.length !== 1) return false;
  const within = (set: SelectionSetNode | undefined, allow: SelectionAllowance): boolean =>
    (set?.selections ?? []).every((selection) => {
      if (selection.kind === Kind.INLINE_FRAGMENT) return within(selection.selectionSet, allow);
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        // Looked into wherever it is spread: the same fragment may sit under different fields.
        const fragment = info.fragments[selection.name.value];
        return fragment !== undefined && within(fragment.selectionSet, allow);
      }
      const name = selection.name.value;
      if (name === '__typename') return true;
      if (!Object.hasOwn(allow, name)) return false;
      const beneath = allow[name];
      if (!selection.selectionSet) return true;
      return beneath !== true && within(selection.selectionSet, beneath);
    });
  return within(info.fieldNodes[0].selectionSet, allowed);
}

/**
 * The string values of argument `name` on every root field of the operation that is the same field as
 * this one (under any alias, in fragments too; @skip and @include not evaluated): for a mutation that
 * must lock what all its calls in the request write, in one order, before the first of them runs.
 */
export function argumentOfEveryCall(info: Pick<GraphQLResolveInfo, 'fieldName' | 'operation' | 'fragments' | 'variableValues'>, name: string): string[] {
  const values: string[] = [];
  forEachField([info.operation.selectionSet], info.fragments, (field) => {
    if (field.name.value !== info.fieldName) return;
    const argument = field.arguments?.find((a) => a.name.value === name)?.value;
    const value = argument?.kind === Kind.VARIABLE ? info.variableValues[argument.name.value] : argument?.kind === Kind.STRING ? argument.value : undefined;
    if (typeof value === 'string') values.push(value);
  });
  return values;
}
