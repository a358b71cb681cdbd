/**
 * Which fields an operation selects on a resolver's result, so that a root resolver computes what is
 * costly (a lookup in the national one-scheme index, say) only when the operation asks for it and still
 * answers in one statement. Fragments, inline or named, count as selected; @skip and @include are not
 * evaluated, so a field under them counts as selected (computed for nothing, never missing).
 */
import { type GraphQLResolveInfo, Kind, type SelectionSetNode } from 'graphql';

export function selectedFields(info: Pick<GraphQLResolveInfo, 'fieldNodes' | 'fragments'>): Set<string> {
  const names = new Set<string>();
  const seenFragments = new Set<string>();
  const visit = (set: SelectionSetNode | undefined) => {
    for (const selection of set?.selections ?? []) {
      if (selection.kind === Kind.FIELD) names.add(selection.name.value);
      else if (selection.kind === Kind.INLINE_FRAGMENT) visit(selection.selectionSet);
      else if (!seenFragments.has(selection.name.value)) {
        seenFragments.add(selection.name.value);
        visit(info.fragments[selection.name.value]?.selectionSet);
      }
    }
  };
  for (const node of info.fieldNodes) visit(node.selectionSet);
  return names;
}
