/** The CSV importers' text stream: a file that fails while it is read ends the import with that error. */
import { tmpdir } from 'node:os';
import { decodedStream } from '../../src/cli/encoding';

describe('decodedStream', () => {
  it('passes a read error on to the reader of the text, instead of leaving it unheard', async () => {
    // A folder opens and then fails to read (EISDIR): as a file cut or moved under the importer would.
    const read = async () => {
      for await (const chunk of decodedStream(tmpdir(), 'gb18030')) void chunk;
    };
    await expect(read()).rejects.toMatchObject({ code: 'EISDIR' });
  });
});
