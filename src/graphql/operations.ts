import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type DocumentNode, Kind, type OperationDefinitionNode, parse, print, stripIgnoredCharacters } from 'graphql';
import { PROJECT_ROOT } from '../common/config';

/** The example operations of each kind of client, in schema/operations/. */
export function loadOperations(root = PROJECT_ROOT): Array<{ location: string; document: DocumentNode }> {
  const dir = join(root, 'schema', 'operations');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.graphql'))
    .sort()
    .map((f) => ({ location: `schema/operations/${f}`, document: parse(readFileSync(join(dir, f), 'utf8')) }));
}

/** An operation's text stripped of what does not change its meaning: the same however a client formats it. */
export function operationSignature(operation: OperationDefinitionNode): string {
  return stripIgnoredCharacters(print(operation));
}

/** The operations of schema/operations/ by their signature, with their names. */
export function knownOperationSignatures(root = PROJECT_ROOT): Map<string, string> {
  const known = new Map<string, string>();
  for (const { document } of loadOperations(root)) {
    for (const definition of document.definitions) {
      if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) known.set(operationSignature(definition), definition.name.value);
    }
  }
  return known;
}
