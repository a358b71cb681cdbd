/**
 * What every command of src/cli shares: commander for the arguments (usage, --help with examples,
 * errors), the server's address and a token for those that talk to it, and the exit: 0 when all went
 * through, 1 when anything failed or was rejected (after the tally), 2 for a mistake in the arguments.
 * Errors are printed as one sentence, never a stack.
 */
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { type Role, signToken } from '../context/tokens';
import { loadConfig } from '../common/config';
import { ApiClient } from './client';

export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** `npm run <script> -- …`, with its help fixed at 100 columns (the README shows it as printed). */
export function command(script: string, description: string, examples: string[]): Command {
  return new Command(`npm run ${script} --`)
    .description(description)
    .helpOption('-h, --help', 'show this help')
    .configureHelp({ helpWidth: 100 })
    .showHelpAfterError(`(npm run ${script} -- --help shows the usage and examples)`)
    .addHelpText('after', `\nExamples:\n${examples.map((e) => `  ${e}`).join('\n')}`)
    .exitOverride();
}

/** --tenant, --url and --token, for the commands that talk to the running server. */
export function withServerOptions(cmd: Command, role: Role): Command {
  return cmd
    .requiredOption('--tenant <code>', 'the tenant (county) code, e.g. 620702')
    .addOption(
      new Option('--url <url>', "the running server's GraphQL address").argParser(parseUrl).default(defaultUrl(), "http://localhost:4000/graphql, or $PORT's"),
    )
    .option(
      '--token <jwt>',
      `a bearer token; default: ${/^[AEIOU]/.test(role) ? 'an' : 'a'} ${role} token signed with the local development secret (as npm run token makes)`,
    );
}

export interface ServerOptions {
  tenant: string;
  url: string;
  token?: string;
}

/** The client for --url, with --token or a short-lived development token of `role` for --tenant. */
export function clientFor(options: ServerOptions, sub: string, role: Role): ApiClient {
  const token = options.token ?? signToken({ sub, role, tenants: [options.tenant] }, loadConfig().jwtSecret, '1h');
  return new ApiClient({ url: options.url, token, tenant: options.tenant });
}

function defaultUrl(): string {
  return `http://localhost:${process.env.PORT ?? 4000}/graphql`;
}

function parseUrl(value: string): string {
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.toString();
  } catch {
    // below
  }
  throw new InvalidArgumentError('give an http(s) address, e.g. http://localhost:4000/graphql');
}

/** A parser for an integer option within bounds. */
export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < min || n > max) throw new InvalidArgumentError(`give a whole number from ${min} to ${max}`);
    return n;
  };
}

/** A parser for a calendar date YYYY-MM-DD. */
export function date(value: string): string {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) throw new InvalidArgumentError('give a date as YYYY-MM-DD');
  return value;
}

/**
 * Parses the arguments and runs the action: its resolved value is the exit code (0 unless it says
 * otherwise). Argument mistakes exit 2 with commander's message; failures exit 1 with their sentence.
 */
export function run(cmd: Command, action: (cmd: Command) => Promise<number | void> | number | void): void {
  try {
    cmd.parse(process.argv);
  } catch (err) {
    // commander has printed its message (or the help) already.
    if (err instanceof CommanderError) process.exit(err.exitCode === 0 ? 0 : EXIT_USAGE);
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(EXIT_USAGE);
  }
  Promise.resolve()
    .then(() => action(cmd))
    .then(
      (code) => process.exit(code ?? 0),
      (err: unknown) => {
        // cmd.error() in an action: commander has printed it.
        if (err instanceof CommanderError) process.exit(err.exitCode);
        process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
        process.exit(EXIT_FAILED);
      },
    );
}
