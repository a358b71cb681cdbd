/**
 * The schema gate: what graphql-inspector finds breaking between the released schema and the current
 * one, less what the Unreleased section of schema/CHANGELOG.md declares by path.
 */
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

/** The text under "## Unreleased", up to the next "## " heading. */
export function unreleasedSection(changelog: string): string {
  const start = changelog.search(/^## Unreleased\s*$/m);
  if (start < 0) return '';
  const rest = changelog.slice(start).split('\n').slice(1).join('\n');
  const next = rest.search(/^## /m);
  return next < 0 ? rest : rest.slice(0, next);
}

export async function undeclaredBreakingChanges(released: string, current: string, changelog: string): Promise<string[]> {
  const declared = unreleasedSection(changelog);
  const changes = await diff(buildSchema(released), buildSchema(current));
  return changes
    .filter((c) => c.criticality.level === CriticalityLevel.Breaking)
    .filter((c) => !(c.path && declared.includes(`\`${c.path}\``)))
    .map((c) => `${c.path}: ${c.message}`);
}
