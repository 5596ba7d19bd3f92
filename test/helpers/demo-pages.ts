/**
 * Reading the demo's pages for test/demo-browser.test.ts: the CLI's XOR trace to compare the stepper with,
 * a structural near-equality, the end-of-page checks (screenshot, no errors, nothing fetched off-site), the
 * idle wait, and the playground plane's pixels.
 */
import { join } from 'node:path';
import { expect } from 'vitest';
import type { Page } from 'playwright-core';
import { xorCommand } from '../../src/cli/xor.ts';
import type { DemoHarness, TrackedPage } from './demo-browser.ts';

export async function cliTrace(backend: 'cpu' | 'webgpu', options: { bias?: boolean } = {}): Promise<unknown[]> {
  const out: string[] = [];
  await xorCommand([...(options.bias ? ['--bias'] : []), '--trace', '--format', 'json', '--backend', backend], (s) => out.push(s));
  return JSON.parse(out.join(''));
}

/** Same structure, every number within `tol`; the path of the first difference in the message. */
export function expectClose(actual: unknown, expected: unknown, tol: number, path = '$'): void {
  if (typeof expected === 'number') {
    expect(typeof actual, path).toBe('number');
    expect(Math.abs((actual as number) - expected), `${path}: ${actual} vs ${expected}`).toBeLessThanOrEqual(tol);
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual) && actual.length, path).toBe(expected.length);
    expected.forEach((e, i) => expectClose((actual as unknown[])[i], e, tol, `${path}[${i}]`));
  } else if (expected && typeof expected === 'object') {
    expect(Object.keys(actual as object).sort(), path).toEqual(Object.keys(expected).sort());
    for (const [k, v] of Object.entries(expected)) expectClose((actual as Record<string, unknown>)[k], v, tol, `${path}.${k}`);
  } else {
    expect(actual, path).toEqual(expected);
  }
}

export async function finish(demo: DemoHarness, t: TrackedPage, name: string): Promise<void> {
  const shot = join(demo.shots, `${name}.png`);
  await t.page.screenshot({ path: shot, fullPage: true });
  console.log(`  screenshot: ${shot}`);
  expect(t.errors).toEqual([]);
  expect(t.offsite).toEqual([]);
  await t.page.context().close();
}

export const idle = (page: Page, timeout = 60_000) => page.waitForFunction(() => ['idle', 'error'].includes(document.body.dataset.state ?? ''), null, { timeout });

/** The RGB of the plane's pixel at a point (x, y) of the data's coordinates (views.ts: EXTENT = 1.25). */
export const planePixelAt = (page: Page, x: number, y: number) =>
  page.evaluate(([x, y]) => {
    const c = document.getElementById('plane') as HTMLCanvasElement;
    const px = ((x + 1.25) / 2.5) * c.width;
    const py = c.height - ((y + 1.25) / 2.5) * c.height;
    return Array.from(c.getContext('2d')!.getImageData(Math.floor(px), Math.floor(py), 1, 1).data.slice(0, 3));
  }, [x, y]);
/** Near the dark ink (#1d2330) of the perceptron's line and the RBF centres' crosses; the heat map and points are far lighter. */
export const isInk = (rgb: number[]) => Math.max(...rgb.map((v, i) => Math.abs(v - [29, 35, 48][i]))) < 40;

/** The plane's pixels, to see that the heat map changed. */
export const planePixels = (page: Page) =>
  page.evaluate(() => {
    const c = document.getElementById('plane') as HTMLCanvasElement;
    return Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data);
  });
