/**
 * `deltagpu train --layers` with a size no network can be allocated with is refused before any data is
 * loaded, by an error naming --layers, the hidden layer, its allowed range and the value: with the embedded
 * digits (the loader is never called) and with an IDX folder (the width comes from the images header, plain
 * or gzipped, after the header is checked against the file: a cut-off file is named, not --layers). The
 * range's edge is exact.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import { encodeIdx } from '../src/data/idx.ts';
import { MAX_PARAMETERS } from '../src/validate.ts';
import { checkHiddenLayers } from '../src/cli/layer-sizes.ts';

const loads = vi.hoisted(() => ({ count: 0 }));
vi.mock('../src/data/mnist.ts', async (importOriginal) => {
  const real = await importOriginal<typeof import('../src/data/mnist.ts')>();
  return { ...real, loadMnist: (...a: Parameters<typeof real.loadMnist>) => (loads.count++, real.loadMnist(...a)) };
});
const { main } = await import('../src/cli/main.ts');

const dir = mkdtempSync(join(tmpdir(), 'deltagpu-cli-layers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** Runs the CLI in-process; returns the exit code and what it wrote to stderr. */
async function train(args: string[]): Promise<{ code: number; err: string }> {
  const errors: string[] = [];
  vi.spyOn(console, 'error').mockImplementation((s: unknown) => void errors.push(String(s)));
  vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  const code = await main(['train', 'mnist', '--backend', 'cpu', '--quiet', '--out', join(dir, 'm.safetensors'), ...args], () => {});
  return { code, err: errors.join('\n') };
}

/** An IDX folder whose train images declare 100 images of h×w but hold only the header. */
function cutFolder(name: string, h: number, w: number, gzip: boolean): string {
  const d = join(dir, name);
  const full = encodeIdx([100, h, w], new Uint8Array(100 * h * w), { gzip });
  // plain: the 16-byte header alone; gzipped: the first half of the stream (its start inflates to the header)
  const bytes = gzip ? full.subarray(0, full.length >> 1) : full.subarray(0, 16);
  rmSync(d, { recursive: true, force: true });
  mkdirSync(d);
  writeFileSync(join(d, gzip ? 'train-images-idx3-ubyte.gz' : 'train-images-idx3-ubyte'), bytes);
  writeFileSync(join(d, 'train-labels-idx1-ubyte'), encodeIdx([100], new Uint8Array(100)));
  return d;
}

/** The same folder with the images whole. */
function fullFolder(name: string, h: number, w: number, gzip: boolean): string {
  const d = cutFolder(name, h, w, gzip);
  writeFileSync(join(d, gzip ? 'train-images-idx3-ubyte.gz' : 'train-images-idx3-ubyte'), encodeIdx([100, h, w], new Uint8Array(100 * h * w), { gzip }));
  return d;
}

describe('deltagpu train --layers too big to allocate', () => {
  it('--layers 1e9 with the embedded digits: refused by name before the digits load', async () => {
    const { code, err } = await train(['--layers', '1e9']);
    expect(code).toBe(1);
    expect(err).toMatch(/--layers: hidden layer 1 of 1 must be 1 to \d+ units for a 784-N-10 network \(at most 268435456 parameters, 1 GiB of float32\), got 1000000000/);
    expect(loads.count).toBe(0);
  });

  it('names the largest of several hidden layers, with the range left by the others', async () => {
    const { code, err } = await train(['--layers', '128,2000000,64']);
    expect(code).toBe(1);
    expect(err).toMatch(/--layers: hidden layer 2 of 3 must be 1 to \d+ units for a 784-128-N-64-10 network .* got 2000000/);
    expect(loads.count).toBe(0);
  });

  for (const gzip of [false, true]) {
    it(`--data: the width comes from the images header (${gzip ? 'gzipped' : 'plain'}), checked against the file first`, async () => {
      const whole = fullFolder(gzip ? 'gz-whole' : 'plain-whole', 100, 100, gzip);
      const { code, err } = await train(['--data', whole, '--layers', '30000']);
      expect(code).toBe(1);
      expect(err).toMatch(/--layers: hidden layer 1 of 1 must be 1 to \d+ units for a 10000-N-10 network .* got 30000/);
      // issue 21: a header that its file cannot back is the file's fault, named before any network is sized
      // from it (a header declaring 60000×65535×65535 over 100 bytes used to blame --layers)
      const d = cutFolder(gzip ? 'gz' : 'plain', 100, 100, gzip);
      const cut = await train(['--data', d, '--layers', '30000']);
      expect(cut.code).toBe(1);
      expect(cut.err).toMatch(gzip ? /IDX dimensions 100×100×100 declare 1000016 bytes, more than \d+ bytes of gzip can hold/ : /truncated IDX file: dimensions 100×100×100 need 1000016 bytes, got 16/);
      expect(cut.err).not.toMatch(/--layers/);
    });
  }
});

describe('checkHiddenLayers', () => {
  it('accepts the largest size the range names and refuses one more', () => {
    const inputs = 784;
    const classes = 10;
    // params of 784-h-10 with biases: h·785 + 10·(h + 1) = 795·h + 10
    const most = Math.floor((MAX_PARAMETERS - 10) / 795);
    expect(() => checkHiddenLayers([most], inputs, classes)).not.toThrow();
    expect(() => checkHiddenLayers([most + 1], inputs, classes)).toThrow(`must be 1 to ${most} units for a 784-N-10 network`);
    expect(() => checkHiddenLayers([128, 64], inputs, classes)).not.toThrow();
  });

  it('when the other layers alone are too big, says so instead of an empty range', () => {
    expect(() => checkHiddenLayers([1e5, 1e5, 1e5, 1e5], 784, 10)).toThrow(/hidden layer 2 of 4 must be at least 1 unit, and the other hidden layers fewer .* got 100000/);
  });
});
