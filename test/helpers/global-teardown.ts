import type { EmbeddedDatabase } from '../../src/db/embedded';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { embeddedForTests?: EmbeddedDatabase }).embeddedForTests?.stop();
}
