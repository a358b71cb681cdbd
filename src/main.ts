/**
 * `npm start`: the server on the embedded database (or DATABASE_URL), stopped cleanly by SIGTERM/SIGINT.
 * The JSON log lines go to stdout (or LOG_FILE) for machines, with the plain "GraphQL server ready at"
 * line; the steps of the start go to stderr in words, for the person who typed the command.
 */
import 'reflect-metadata';
import { startServer } from './app';
import { createLogger } from './common/logger';
import { loadConfig } from './common/config';

const progress = (step: string) => process.stderr.write(`${step}\n`);
// Whoever started the server may close its end of stdout or stderr (a terminal gone, a pipe to a
// process that ended): what is written there is lost, and the server serves on.
process.stdout.on('error', () => {});
process.stderr.on('error', () => {});

async function main(): Promise<void> {
  const started = Date.now();
  const log = createLogger();
  const config = loadConfig();
  const server = await startServer(config, log, progress);
  log.info('server ready', { url: server.url });
  // On stdout, as ever: scripts (the bench) wait for this line.
  console.log(`GraphQL server ready at ${server.url}`);
  progress(`started in ${((Date.now() - started) / 1000).toFixed(1)} s: open ${server.url} in a browser for GraphiQL; Ctrl-C stops it`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
    progress('stopping: finishing the requests in flight…');
    server
      .close()
      .then(() => process.exit(0))
      .catch((err) => {
        log.error('stop failed', { error: (err as Error).message });
        process.exit(1);
      });
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((err) => {
  // One sentence, never a stack: the causes a person can act on (a port in use, a database out of reach,
  // a tenant file in error) all say what they are in their message.
  console.error(`the server did not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
