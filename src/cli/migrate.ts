/** `npm run migrate`: runs the migrations alone, on DATABASE_URL or the embedded database. */
import 'reflect-metadata';
import { createLogger } from '../common/logger';
import { loadConfig } from '../common/config';
import { EMBEDDED_DATABASE_NAME, runMigrations } from '../server/database';
import { startEmbeddedPostgres } from '../db/embedded';

async function main(): Promise<void> {
  const log = createLogger();
  const config = loadConfig();
  const embedded = config.databaseUrl ? null : await startEmbeddedPostgres(config.dataDir, (line) => log.info(line));
  try {
    if (embedded) await embedded.createDatabase(EMBEDDED_DATABASE_NAME);
    await runMigrations(config.databaseUrl ?? embedded!.url(EMBEDDED_DATABASE_NAME), log);
    log.info('migrations are up to date');
  } finally {
    await embedded?.stop();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
