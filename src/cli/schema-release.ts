/**
 * `npm run schema:release -- --date 2026-12-01`: the current schema becomes the released one
 * (schema/released.graphql), and the Unreleased declarations of schema/CHANGELOG.md move under that date,
 * so that they exempt the change they were written for and no later one.
 */
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../common/config';
import { printAppSchema } from '../server/schema';
import { command, date, run } from './command';
import { unreleasedSection } from './schema-gate';

const cmd = command(
  'schema:release',
  'Makes the schema the code emits the released one (schema/released.graphql, what the breaking-change gate compares with) and moves the Unreleased declarations of schema/CHANGELOG.md under the date given.',
  ['npm run schema:release -- --date 2026-12-01'],
).requiredOption('--date <YYYY-MM-DD>', 'the day the schema is given to clients', date);

run(cmd, () => {
  const { date: day } = cmd.opts<{ date: string }>();
  const changelogFile = join(PROJECT_ROOT, 'schema', 'CHANGELOG.md');
  const changelog = readFileSync(changelogFile, 'utf8');
  const unreleased = unreleasedSection(changelog);
  const heading = changelog.search(/^## Unreleased\s*$/m);
  const after = changelog.slice(heading).split('\n').slice(1).join('\n').slice(unreleased.length);
  const released = `${changelog.slice(0, heading)}## Unreleased\n\nNo breaking changes.\n\n## ${day}\n\n${unreleased.trim() || 'No breaking changes.'}\n${after ? `\n${after.trimStart()}` : ''}`;
  writeFileSync(changelogFile, released);
  writeFileSync(join(PROJECT_ROOT, 'schema', 'released.graphql'), printAppSchema());
  console.log(`schema/released.graphql is the schema of ${day}; schema/CHANGELOG.md has its declarations under that date`);
});
