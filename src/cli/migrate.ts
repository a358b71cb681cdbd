/** `npm run migrate`: runs the migrations alone, on DATABASE_URL or the embedded database. */
import 'reflect-metadata';
import { createLogger } from '../common/logger';
import { loadConfig } from '../common/config';
import { EMBEDDED_DATABASE_NAME, runMigrations } from '../server/database';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../db/embedded';
import { command, run } from './command';

const cmd = command(
  'migrate',
  'Runs the pending migrations (migrations/) and nothing else: on DATABASE_URL, or else on the embedded PostgreSQL of the data folder (DATA_DIR, default .data/). Servers starting together migrate one at a time, under an advisory lock.',
  ['npm run migrate', 'DATABASE_URL=postgres://owner:secret@db.internal/insurance npm run migrate'],
);

run(cmd, async () => {
  const log = createLogger();
  const config = loadConfig();
  let embedded: EmbeddedDatabase | null = null;
  const stop = () => {
    // Stop the embedded server on Ctrl-C or a kill too; a migration cut off is rolled back by PostgreSQL.
    void (embedded?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
  };
  process.once('SIGINT', stop).once('SIGTERM', stop);
  try {
    if (!config.databaseUrl) {
      process.stderr.write(`starting PostgreSQL (embedded, data in ${config.dataDir})…\n`);
      embedded = await startEmbeddedPostgres(config.dataDir, (line) => process.stderr.write(`${line}\n`));
      await embedded.createDatabase(EMBEDDED_DATABASE_NAME);
    }
    process.stderr.write('migrating…\n');
    await runMigrations(config.databaseUrl ?? embedded!.url(EMBEDDED_DATABASE_NAME), log);
    process.stderr.write('the migrations are up to date\n');
  } finally {
    await embedded?.stop();
  }
});
