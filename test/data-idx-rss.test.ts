/**
 * Issue 11's host-memory claim: `deltagpu train --data` on a 60,000-image IDX set (synthetic 28×28 digits,
 * 47 MB of pixels) peaks less than 2× the data's Uint8 size above the same command on a 1,000-image set
 * (the runtime's baseline: V8, the CLI, the model, the 1,000 test images). The reader streams the plain file
 * into the one array that holds the pixels, and the gzipped one inflates into one capped buffer; the data set,
 * the CPU backend and training keep those bytes (no float32 copy of the set). Each run is its own child
 * process, so its peak RSS (VmHWM) is its own.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeIdx } from '../src/data/idx.ts';
import { syntheticDigits } from '../src/data/synthetic.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'deltagpu-rss-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

const IMAGES = 60_000;
const DATA_BYTES = IMAGES * 784;

function writeSet(name: string, n: number, gzip: boolean): string {
  const dir = join(tmp, name);
  mkdirSync(dir);
  const { x, y } = syntheticDigits(n);
  const test = syntheticDigits(1000);
  const gz = gzip ? '.gz' : '';
  writeFileSync(join(dir, `train-images-idx3-ubyte${gz}`), encodeIdx([n, 28, 28], x.bytes, { gzip }));
  writeFileSync(join(dir, `train-labels-idx1-ubyte${gz}`), encodeIdx([n], Uint8Array.from(y.indices), { gzip }));
  writeFileSync(join(dir, 't10k-images-idx3-ubyte'), encodeIdx([1000, 28, 28], test.x.bytes));
  writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), encodeIdx([1000], Uint8Array.from(test.y.indices)));
  return dir;
}

/** Peak RSS in bytes of one `train --data DIR` run in a child process. */
function peakRss(dir: string): number {
  const r = spawnSync(process.execPath, ['bin/run-ts.js', 'test/helpers/rss-train-child.ts', dir, join(tmp, 'model.safetensors')], {
    cwd: root,
    encoding: 'utf8',
    timeout: 300_000, // a hang detector, not a speed test
  });
  if (r.status !== 0) throw new Error(`train child failed (status ${r.status}, signal ${r.signal}):\n${r.stderr.slice(-2000)}`);
  const bytes = Number(r.stdout.trim().split('\n').at(-1));
  if (!(bytes > 0)) throw new Error(`no peak RSS from the child: ${r.stdout.slice(-200)}`);
  return bytes;
}

describe.skipIf(process.platform !== 'linux')('train --data on 60,000 images: host memory', () => {
  it('peaks under 2× the Uint8 pixels above a 1,000-image run, plain and gzipped', () => {
    const baseline = peakRss(writeSet('base', 1000, false));
    for (const gzip of [false, true]) {
      const beyond = peakRss(writeSet(gzip ? 'big-gz' : 'big', IMAGES, gzip)) - baseline;
      console.info(`train --data, ${IMAGES} images${gzip ? ' (gzip)' : ''}: peak RSS ${(beyond / 2 ** 20).toFixed(1)} MiB beyond the 1,000-image run's ${(baseline / 2 ** 20).toFixed(1)} MiB; the pixels are ${(DATA_BYTES / 2 ** 20).toFixed(1)} MiB`);
      expect(beyond).toBeLessThan(2 * DATA_BYTES);
    }
  }, 600_000);
});
