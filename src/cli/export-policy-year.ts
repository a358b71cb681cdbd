/**
 * `npm run policy:export -- --tenant 620702 --year 2024 [--version N] [--out tenants/620702/2024.yaml] [--url …] [--token T]`
 *
 * A published policy year's document exactly as published (the version in force unless --version says
 * otherwise), from the running server, on stdout or into --out: how a year published through the API
 * goes back into tenants/, the reviewed source kept in the repository. With the file holding that text,
 * the next start finds the file and the database agreeing.
 */
import { writeFileSync } from 'node:fs';
import { PolicyYearExportDocument } from '../../schema/generated/client';
import { ApiClient, type ClientOptions } from './client';
import { clientFor, command, integerIn, run, type ServerOptions, withServerOptions } from './command';

export async function policyYearDocument(options: ClientOptions & { coverageYear: number; version?: number | null }) {
  const { policyYearDocument } = await new ApiClient(options).request(PolicyYearExportDocument, {
    coverageYear: options.coverageYear,
    version: options.version ?? null,
  });
  return policyYearDocument;
}

if (require.main === module) {
  const cmd = withServerOptions(
    command(
      'policy:export',
      'Writes a published policy year exactly as published (the version in force, or --version) from the running server, on stdout or into --out: a year published through the API goes back into tenants/ this way.',
      [
        'npm run policy:export -- --tenant 620702 --year 2024 --out tenants/620702/2024.yaml',
        'npm run policy:export -- --tenant 620702 --year 2024 --version 1 > 2024-v1.yaml',
      ],
    ),
    'STAFF',
  )
    .requiredOption('--year <coverageYear>', 'the year of cover', integerIn(2000, 2100))
    .option('--version <n>', 'a published version (default: the one in force)', integerIn(1, 1_000_000))
    .option('--out <file.yaml>', 'write the document there instead of stdout');
  run(cmd, async () => {
    const options = cmd.opts<ServerOptions & { year: number; version?: number; out?: string }>();
    const client = clientFor(options, 'policy:export', 'STAFF');
    const found = await policyYearDocument({ ...client.options, coverageYear: options.year, version: options.version ?? null });
    if (options.out) {
      writeFileSync(options.out, found.source);
      const v = found.version;
      process.stderr.write(
        `wrote ${options.out}: ${found.fileName} version ${v.version}${v.inForce ? ' (in force)' : ''}, published by ${v.publishedBy} at ${v.publishedAt}\n`,
      );
    } else process.stdout.write(found.source);
  });
}
