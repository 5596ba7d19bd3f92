/**
 * The browser demo's test harness: builds demo/ (as `npm run build:demo` does, into a temporary folder),
 * serves it with `vite preview` on 127.0.0.1 at a free port, and drives Debian's Chromium through
 * playwright-core with WebGPU on SwiftShader (`--enable-unsafe-webgpu`). Each page it opens records page
 * errors, console errors and every request to a host other than the local server.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';
import type { PreviewServer } from 'vite';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/lib/chromium/chromium';
export const hasChromium = existsSync(CHROMIUM);
const demoConfig = fileURLToPath(new URL('../../demo/vite.config.ts', import.meta.url));

/** Fails in CI without Chromium (.ci/run installs it); elsewhere the suite is skipped, loudly. */
export function warnIfNoChromium(): void {
  if (hasChromium) return;
  if (process.env.CI) throw new Error(`demo-browser: no Chromium at ${CHROMIUM} (CI must install it: apt-get install chromium)`);
  console.warn(`\n*** demo-browser: SKIPPED: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH) ***\n`);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
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
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
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
