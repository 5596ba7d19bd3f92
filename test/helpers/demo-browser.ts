/**
 * The browser demo's test harness: builds demo/ (as `npm run build:demo` does, into a temporary folder),
 * serves it with `vite preview` on 127.0.0.1 at a free port, and drives Debian's Chromium through
 * playwright-core with WebGPU on SwiftShader (`--enable-unsafe-webgpu`). Each page it opens records page
 * errors, console errors and every request to a host other than the local server.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';
import type { PreviewServer } from 'vite';
import type { Browser, Page } from 'playwright-core';
import { CHROMIUM, freePort, haveChromium, launchChromium } from './browser.ts';

export const hasChromium = existsSync(CHROMIUM);
const demoConfig = fileURLToPath(new URL('../../demo/vite.config.ts', import.meta.url));

/** Fails in CI without Chromium (.ci/run installs it); elsewhere the suite is skipped, loudly. */
export function warnIfNoChromium(): void {
  haveChromium('demo-browser');
}

export interface TrackedPage {
  page: Page;
  /** page errors and console errors, in order */
  errors: string[];
  /** URLs requested from any origin but the local server's */
  offsite: string[];
}

export interface DemoHarness {
  base: string;
  /** where the screenshots go (printed by the tests) */
  shots: string;
  /** `withoutWebGpu`: the page runs as in a browser without navigator.gpu */
  open(path: string, options?: { viewport?: { width: number; height: number }; withoutWebGpu?: boolean }): Promise<TrackedPage>;
  close(): Promise<void>;
}

export async function startDemo(): Promise<DemoHarness> {
  const outDir = mkdtempSync(join(tmpdir(), 'deltagpu-demo-'));
  const shots = join(tmpdir(), 'deltagpu-demo-screenshots');
  mkdirSync(shots, { recursive: true });
  let server: PreviewServer | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await server?.close();
    rmSync(outDir, { recursive: true, force: true });
  };
  try {
    await build({ configFile: demoConfig, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
    const port = await freePort();
    server = await preview({ configFile: demoConfig, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port, strictPort: true, open: false } });
    const base = `http://127.0.0.1:${port}/`;
    browser = await launchChromium();
    const b = browser;
    return {
      base,
      shots,
      close,
      async open(path, options = {}) {
        const context = await b.newContext({ viewport: options.viewport ?? { width: 1360, height: 900 }, acceptDownloads: true });
        const page = await context.newPage();
        if (options.withoutWebGpu) await page.addInitScript(() => Object.defineProperty(Navigator.prototype, 'gpu', { get: () => undefined }));
        const tracked: TrackedPage = { page, errors: [], offsite: [] };
        page.on('pageerror', (e) => tracked.errors.push(e.message));
        page.on('console', (m) => {
          if (m.type() === 'error') tracked.errors.push(m.text());
        });
        page.on('request', (r) => {
          const url = r.url();
          if (!url.startsWith(base) && !url.startsWith('data:') && !url.startsWith('blob:')) tracked.offsite.push(url);
        });
        await page.goto(base + path);
        return tracked;
      },
    };
  } catch (e) {
    await close();
    throw e;
  }
}
