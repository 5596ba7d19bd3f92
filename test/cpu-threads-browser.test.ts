/**
 * The CPU backend's WebAssembly kernels on Web Workers, in headless Chromium: test/browser/cpu-threads/ is
 * built by Vite and served by `vite preview`, once cross-origin isolated (COOP same-origin, COEP
 * require-corp: SharedArrayBuffer exists) and once not. Isolated, 1, 2 and 3 threads must give identical
 * weights with the work really split; not isolated, the backend must run one thread and say why.
 *
 * Without Chromium the test fails under CI (.ci/run installs it) and is skipped, loudly, elsewhere.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build, preview } from 'vite';
import type { PreviewServer } from 'vite';
import type { Browser } from 'playwright-core';
import { freePort, haveChromium, launchChromium } from './helpers/browser.ts';

const hasChromium = haveChromium('cpu-threads-browser');
const root = fileURLToPath(new URL('./browser/cpu-threads/', import.meta.url));
const ISOLATION = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

interface Run {
  threads: number;
  kernels: string;
  fallbackReason: string;
  description: string;
  splitCalls: number;
  W: number[][];
  b: number[][];
}
interface PageResult {
  error?: string;
  crossOriginIsolated: boolean;
  runs: Run[];
  initialW0: number[];
}

describe.skipIf(!hasChromium)('CPU WebAssembly kernels on Web Workers (headless Chromium)', () => {
  let outDir = '';
  const servers: PreviewServer[] = [];
  let browser: Browser | undefined;
  const bases: Record<'isolated' | 'plain', string> = { isolated: '', plain: '' };

  beforeAll(async () => {
    outDir = mkdtempSync(join(tmpdir(), 'deltagpu-cpu-threads-'));
    await build({ configFile: false, root, base: './', logLevel: 'warn', build: { outDir, emptyOutDir: true, target: 'es2022' } });
    for (const kind of ['isolated', 'plain'] as const) {
      const port = await freePort();
      const headers = kind === 'isolated' ? ISOLATION : {};
      servers.push(await preview({ configFile: false, root, logLevel: 'warn', build: { outDir }, preview: { host: '127.0.0.1', port, strictPort: true, open: false, headers } }));
      bases[kind] = `http://127.0.0.1:${port}/`;
    }
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    for (const s of servers) await s.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  async function load(kind: 'isolated' | 'plain'): Promise<PageResult> {
    const page = await browser!.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(bases[kind]);
    await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, null, { timeout: 90_000 });
    const result = (await page.evaluate(() => (window as unknown as { result: unknown }).result)) as PageResult;
    await page.close();
    expect(errors).toEqual([]);
    expect(result.error).toBeUndefined();
    return result;
  }

  it('cross-origin isolated: 1, 2 and 3 threads give identical weights, the work split across Web Workers', async () => {
    const r = await load('isolated');
    expect(r.crossOriginIsolated).toBe(true);
    expect(r.runs.map((x) => [x.kernels, x.threads, x.fallbackReason])).toEqual([
      ['wasm', 1, ''],
      ['wasm', 2, ''],
      ['wasm', 3, ''],
    ]);
    expect(r.runs[1].splitCalls).toBeGreaterThan(0);
    expect(r.runs[2].splitCalls).toBeGreaterThan(0);
    expect(r.runs[1].W).toEqual(r.runs[0].W);
    expect(r.runs[2].W).toEqual(r.runs[0].W);
    expect(r.runs[2].b).toEqual(r.runs[0].b);
    expect(r.runs[0].W[0].slice(0, 50)).not.toEqual(r.initialW0); // it trained
  });

  it('not isolated: one thread, and the backend says why', async () => {
    const r = await load('plain');
    expect(r.crossOriginIsolated).toBe(false);
    for (const run of r.runs) {
      expect(run.kernels).toBe('wasm');
      expect(run.threads).toBe(1);
      expect(run.splitCalls).toBe(0);
    }
    expect(r.runs[1].fallbackReason).toMatch(/one thread: no SharedArrayBuffer: the page is not cross-origin isolated/);
    expect(r.runs[1].W).toEqual(r.runs[0].W);
  });
});
