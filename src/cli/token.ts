/**
 * `npm run token -- --tenant 620702 --role ADMIN [--sub name] [--expires 12h]` prints a bearer token that
 * the locally started server accepts, and nothing else on stdout. Both read JWT_SECRET or, unset, the
 * development secret in the data folder. --tenant may repeat or list codes separated by commas.
 */
import { parseArgs } from 'node:util';
import { ROLES, type Role, signToken } from '../context/tokens';
import { loadConfig } from '../common/config';

function main(): void {
  const { values } = parseArgs({
    options: {
      tenant: { type: 'string', multiple: true },
      role: { type: 'string' },
      sub: { type: 'string', default: 'developer' },
      expires: { type: 'string', default: '12h' },
    },
  });
  const tenants = (values.tenant ?? []).flatMap((t) => t.split(',')).map((t) => t.trim()).filter(Boolean);
  const role = values.role as Role;
  if (tenants.length === 0 || !ROLES.includes(role)) {
    process.stderr.write(`usage: npm run token -- --tenant <code> --role <${ROLES.join('|')}> [--sub <name>] [--expires 12h]\n`);
    process.exit(2);
  }
  const config = loadConfig();
  process.stdout.write(`${signToken({ sub: values.sub!, role, tenants }, config.jwtSecret, values.expires as '12h')}\n`);
}

main();
