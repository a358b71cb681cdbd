/**
 * `npm run schema:check`: the breaking-change gate on its own. It reads files only (the released schema
 * and the changelog of the checkout given), never git history, so it works in a shallow or single-branch
 * clone, as CI checks out.
 */
import 'reflect-metadata';
import { Option } from 'commander';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../common/config';
import { printAppSchema } from '../server/schema';
import { command, EXIT_FAILED, run } from './command';
import { undeclaredBreakingChanges } from './schema-gate';

const cmd = command(
  'schema:check',
  'Compares the schema the code emits with schema/released.graphql (graphql-inspector) and fails on a breaking change that the Unreleased section of schema/CHANGELOG.md does not declare by its path.',
  ['npm run schema:check', 'npm run schema:check -- --root ../other-checkout'],
).addOption(new Option('--root <folder>', 'the checkout whose schema/released.graphql and schema/CHANGELOG.md to read').default(PROJECT_ROOT, 'this checkout'));

run(cmd, async () => {
  const root = resolve(cmd.opts<{ root: string }>().root);
  const read = (path: string) => readFileSync(join(root, path), 'utf8');
  const breaks = await undeclaredBreakingChanges(read('schema/released.graphql'), printAppSchema(), read('schema/CHANGELOG.md'));
  if (breaks.length === 0) {
    console.log('no undeclared breaking change against schema/released.graphql');
    return 0;
  }
  process.stderr.write(
    `${breaks.length} breaking change(s) that schema/CHANGELOG.md does not declare under Unreleased:\n${breaks.map((b) => `  ${b}`).join('\n')}\n`,
  );
  return EXIT_FAILED;
});
