/** `npm start`: the server on the embedded database (or DATABASE_URL), stopped cleanly by SIGTERM/SIGINT. */
import 'reflect-metadata';
import { startServer } from './app';
import { createLogger } from './common/logger';
import { loadConfig } from './common/config';

async function main(): Promise<void> {
  const log = createLogger();
  const config = loadConfig();
  const server = await startServer(config, log);
  log.info('server ready', { url: server.url });
  console.log(`GraphQL server ready at ${server.url}`);

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('stopping', { signal });
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
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
