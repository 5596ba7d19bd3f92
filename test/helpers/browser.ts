/**
 * Headless Chromium for the browser tests (the demo, the bundled package): Debian's chromium through
 * playwright-core, WebGPU on Chromium's own SwiftShader (`--enable-unsafe-webgpu`), no network beyond the
 * local server (flags from ../shared/webgpu-on-cpu.md). Without Chromium the tests fail under CI (.ci/run
 * installs it) and are skipped, loudly, elsewhere.
 */
import { existsSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { chromium } from 'playwright-core';
import type { Browser } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';

/** Whether Chromium is there; throws under CI when it is not, warns elsewhere. `label` names the test file. */
export function haveChromium(label: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI) throw new Error(`${label}: no Chromium at ${CHROMIUM} (CI must install it: apt-get install chromium)`);
  console.warn(`\n*** ${label}: SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH) ***\n`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--enable-unsafe-webgpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

/** A TCP port that is free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}
