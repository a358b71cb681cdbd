import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DocumentNode, Kind, parse } from 'graphql';
import { PROJECT_ROOT } from '../common/config';

/** The example operations of each kind of client, in schema/operations/. */
export function loadOperations(root = PROJECT_ROOT): Array<{ location: string; document: DocumentNode }> {
  const dir = join(root, 'schema', 'operations');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => ({ location: `schema/operations/${f}`, document: parse(readFileSync(join(dir, f), 'utf8')) }));
}

/** The names of the operations in schema/operations/: the clients' own, a bounded set. */
export function knownOperationNames(root = PROJECT_ROOT): Set<string> {
  return new Set(
    loadOperations(root).flatMap(({ document }) => document.definitions.flatMap((d) => (d.kind === Kind.OPERATION_DEFINITION && d.name ? [d.name.value] : []))),
  );
}
