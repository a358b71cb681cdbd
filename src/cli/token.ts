/**
 * `npm run token -- --tenant 620702 --role ADMIN [--sub name] [--expires 12h]` prints a bearer token that
 * the locally started server accepts, and nothing else on stdout. Both read JWT_SECRET or, unset, the
 * development secret in the data folder. --tenant may repeat or list codes separated by commas.
 */
import { InvalidArgumentError, Option } from 'commander';
import { ROLES, type Role, signToken } from '../context/tokens';
import { loadConfig } from '../common/config';
import { command, run } from './command';

const cmd = command(
  'token',
  'Prints a bearer token for the local server (JWT_SECRET, or the development secret in the data folder), and nothing else on stdout.',
  [
    'npm run token -- --tenant 620702 --role ADMIN',
    'npm run token -- --tenant 610926,620721 --role STAFF --sub clerk-01 --expires 8h',
    'TOKEN=$(npm run token -- --tenant 610926 --role STAFF)',
  ],
)
  .requiredOption('--tenant <codes>', 'tenant codes the token may act for (repeat, or separate by commas)', tenantCodes)
  .addOption(new Option('--role <role>', 'the role').choices(ROLES).makeOptionMandatory())
  .option('--sub <name>', 'the subject: who the token speaks for', 'developer')
  .option(
    '--expires <span>',
    'lifetime: 90s, 30m, 12h, 7d',
    (value) => {
      if (!/^\d+[smhd]$/.test(value)) throw new InvalidArgumentError('give a lifetime such as 30m, 12h or 7d');
      return value;
    },
    '12h',
  );

/** Each --tenant adds its codes: six-digit division codes, separated by commas. */
function tenantCodes(value: string, previous: string[] = []): string[] {
  const codes = value
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean);
  const bad = codes.find((c) => !/^\d{6}$/.test(c));
  if (bad !== undefined || codes.length === 0) throw new InvalidArgumentError(`"${bad ?? value}" is not a six-digit tenant code such as 620702`);
  return [...previous, ...codes];
}

run(cmd, () => {
  const options = cmd.opts<{ tenant: string[]; role: Role; sub: string; expires: string }>();
  const token = signToken({ sub: options.sub, role: options.role, tenants: options.tenant }, loadConfig().jwtSecret, options.expires as '12h');
  process.stdout.write(`${token}\n`);
});
