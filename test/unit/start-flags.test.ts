/**
 * The image starts Node itself, not npm (so that `docker stop`'s SIGTERM reaches the server), and so
 * repeats `npm start`'s Node flags in its CMD. The two must not drift apart: the bench and the fault
 * tests start the server with package.json's flags, and operators run the image.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

it("the image's CMD runs dist/src/main.js with the Node flags of `npm start`", () => {
  const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start.split(/\s+/);
  const cmds = [...readFileSync(join(ROOT, 'Dockerfile'), 'utf8').matchAll(/^CMD (\[.*\])$/gm)].map((m) => JSON.parse(m[1]) as string[]);
  const image = cmds[cmds.length - 1];
  expect(start[0]).toBe('node');
  expect(image).toEqual(start);
});
