/**
 * `npm run schema:release -- --date 2026-12-01`: the current schema becomes the released one
 * (schema/released.graphql), and the Unreleased declarations of schema/CHANGELOG.md move under that date,
 * so that they exempt the change they were written for and no later one.
 */
import 'reflect-metadata';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PROJECT_ROOT } from '../common/config';
import { isLocalDate } from '../common/dates';
import { printAppSchema } from '../server/schema';
import { unreleasedSection } from './schema-gate';

function main(): void {
  const { values } = parseArgs({ options: { date: { type: 'string' } } });
  if (!values.date || !isLocalDate(values.date)) {
    process.stderr.write('usage: npm run schema:release -- --date YYYY-MM-DD\n');
    process.exit(2);
  }
  const changelogFile = join(PROJECT_ROOT, 'schema', 'CHANGELOG.md');
  const changelog = readFileSync(changelogFile, 'utf8');
  const unreleased = unreleasedSection(changelog).trim();
  const heading = changelog.search(/^## Unreleased\s*$/m);
  const after = changelog.slice(heading).split('\n').slice(1).join('\n').slice(unreleasedSection(changelog).length);
  const released = `${changelog.slice(0, heading)}## Unreleased\n\nNo breaking changes.\n\n## ${values.date}\n\n${unreleased || 'No breaking changes.'}\n${after ? `\n${after.trimStart()}` : ''}`;
  writeFileSync(changelogFile, released);
  writeFileSync(join(PROJECT_ROOT, 'schema', 'released.graphql'), printAppSchema());
  console.log(`schema/released.graphql is the schema of ${values.date}; schema/CHANGELOG.md has its declarations under that date`);
}

main();
