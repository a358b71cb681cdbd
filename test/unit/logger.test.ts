/** The log's destination failing (a full disk) costs log lines, never the process. */
import { existsSync } from 'node:fs';
import { createLogger } from '../../src/common/logger';

const onLinux = existsSync('/dev/full') ? it : it.skip;

describe('createLogger', () => {
  onLinux('goes on when its file cannot be written, and says so once on stderr', async () => {
    const said: string[] = [];
    const write = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      said.push(String(chunk));
      return true;
    });
    try {
      // /dev/full refuses every write with ENOSPC, as a full disk does.
      const log = createLogger('info', '/dev/full');
      for (let i = 0; i < 3; i++) expect(() => log.info('a line', { i })).not.toThrow();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(() => log.error('another line')).not.toThrow();
      // Lines past the bound are dropped, not kept: a full disk must not become a leak of memory.
      const before = process.memoryUsage().heapUsed;
      const line = 'x'.repeat(1000);
      for (let i = 0; i < 80_000; i++) log.info(line, { i });
      // Without the bound, 80 MB of lines would be kept (and were); with it, 16 MB.
      expect(process.memoryUsage().heapUsed - before).toBeLessThan(48 * 1024 * 1024);
    } finally {
      write.mockRestore();
    }
    expect(said.filter((s) => s.startsWith('log lines cannot be written'))).toHaveLength(1);
    expect(said.filter((s) => s.startsWith('log lines are being dropped'))).toHaveLength(1);
  });
});
