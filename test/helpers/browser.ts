/** Headless Chromium for the tests of the server's pages: the Debian package .ci/run installs. */
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether Chromium is there; says which test is skipped when it is not. */
export function chromiumAvailable(test: string): boolean {
  const available = existsSync(CHROMIUM);
  if (!available) console.warn(`${test} skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, as .ci/run does)`);
  return available;
}

/** Chromium headless, offline, without its own background traffic; in `lang` when given. */
export function launchChromium(lang?: string): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      ...(lang ? [`--lang=${lang}`] : []),
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
