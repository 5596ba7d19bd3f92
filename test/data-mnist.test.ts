import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { digitBytes, loadMnist, loadMnistDigits, splitDigits } from '../src/data/mnist.ts';
import { inputs, oneHot, subset } from '../src/data/dataset.ts';

/** A fingerprint of a row's pixels, to compare images across splits without relying on indices. */
function rowKey(bytes: Uint8Array, r: number): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset + r * 784, 784).toString('base64');
}

describe('embedded MNIST digits', () => {
  // (how long loading takes is the benchmark's business, not a test's: a timed assertion fails under load)
  it('loads all 10,000 digits, 784 pixels each, in ten classes', () => {
    const digits = loadMnistDigits();
    expect(digits.length).toBe(10);
    expect(digits.reduce((a, d) => a + d.length / 784, 0)).toBe(10000);
  });

  it("holds the original bytes: every one /255 is within 0.0005 of the package's 3-decimal value", () => {
    const dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
    const digits = loadMnistDigits();
    let values = 0;
    let worst = 0;
    for (let c = 0; c < 10; c++) {
      expect(digits[c]).toBeInstanceOf(Uint8Array);
      const decimals = (JSON.parse(readFileSync(join(dir, `${c}.json`), 'utf8')) as { data: number[] }).data;
      expect(digits[c].length).toBe(decimals.length);
      for (let i = 0; i < decimals.length; i++) worst = Math.max(worst, Math.abs(digits[c][i] / 255 - decimals[i]));
      values += decimals.length;
    }
    expect(values).toBe(7_840_000);
    // rounding b/255 to 3 places moves it by at most 0.0005 (plus the decimal's own binary rounding)
    expect(worst).toBeLessThanOrEqual(0.0005 + 1e-12);
    expect(worst).toBeGreaterThan(0.0004); // the package really did round: not already the exact b/255
  });

  it('refuses a value that is not b/255 to 3 decimals, naming the file and the index', () => {
    expect(Array.from(digitBytes([0, 1, 0.502, 0.498, 0.004], 'x.json'))).toEqual([0, 255, 128, 127, 1]);
    expect(() => digitBytes([0, 0.5], 'x.json')).toThrow(/x\.json: value 1 is 0\.5, expected a pixel b\/255 rounded to 3 decimals/);
    expect(() => digitBytes([0, 0, 1.004], '7.json')).toThrow(/7\.json: value 2 is 1\.004/);
    expect(() => digitBytes([-0.001], 'x.json')).toThrow(/value 0 is -0\.001/);
    expect(() => digitBytes([0, '0.1'], 'x.json')).toThrow(/value 1 is "0\.1"/);
    expect(() => digitBytes([NaN], 'x.json')).toThrow(/value 0 is NaN/);
  });

  it('splits into byte data sets: the pixels are the embedded bytes and x (read on demand) is b/255', () => {
    const { train, test } = loadMnist({ seed: 1, train: 30, test: 10 });
    for (const ds of [train, test]) {
      expect(ds.pixels).not.toBeNull();
      expect(inputs(ds)).toBe(ds.pixels);
      expect(ds.pixels!.bytes).toBeInstanceOf(Uint8Array);
      expect([ds.pixels!.rows, ds.pixels!.cols]).toEqual([ds.rows, 784]);
      const x = ds.x.data;
      for (let k = 0; k < x.length; k++) if (x[k] !== Math.fround(ds.pixels!.bytes[k] / 255)) throw new Error(`x[${k}] = ${x[k]}`);
    }
    // every training row is one of the embedded digits of its class, byte for byte
    const digits = loadMnistDigits();
    for (let r = 0; r < train.rows; r++) {
      const row = rowKey(train.pixels!.bytes, r);
      const cls = digits[train.labels[r]];
      let found = false;
      for (let k = 0; k < cls.length / 784 && !found; k++) found = rowKey(cls, k) === row;
      expect(found, `row ${r}`).toBe(true);
    }
  });

  it('splits 8,000 / 2,000 by default with correct shapes, ranges and one-hot targets', () => {
    const { train, test } = loadMnist({ seed: 1 });
    for (const [ds, n] of [[train, 8000], [test, 2000]] as const) {
      expect(ds.x.rows).toBe(n);
      expect(ds.x.cols).toBe(784);
      expect(ds.x.data.length).toBe(n * 784);
      expect(ds.labels.length).toBe(n);
      expect(ds.y.rows).toBe(n);
      expect(ds.y.cols).toBe(10);
      expect([ds.classes, ds.width, ds.height]).toEqual([10, 28, 28]);
      let min = Infinity, max = -Infinity;
      for (const v of ds.x.data) { if (v < min) min = v; if (v > max) max = v; }
      expect(min).toBe(0);
      expect(max).toBe(1);
      const seen = new Set<number>();
      for (let i = 0; i < n; i++) {
        const c = ds.labels[i];
        expect(c).toBeLessThan(10);
        seen.add(c);
        let rowSum = 0;
        for (let k = 0; k < 10; k++) rowSum += ds.y.data[i * 10 + k];
        expect(rowSum).toBe(1);
        expect(ds.y.data[i * 10 + c]).toBe(1);
      }
      expect(seen.size).toBe(10);
      expect(ds.source).toContain('seed 1');
    }
  });

  it('is stratified: each class keeps its share in the test set', () => {
    const digits = loadMnistDigits();
    const { test } = loadMnist({ seed: 3 });
    const counts = new Array(10).fill(0);
    for (const c of test.labels) counts[c]++;
    for (let c = 0; c < 10; c++) {
      const expected = (digits[c].length / 784) * 0.2;
      expect(Math.abs(counts[c] - expected)).toBeLessThanOrEqual(1);
    }
  });

  it('keeps train and test disjoint, and together they cover all 10,000 digits once', () => {
    const { train, test } = loadMnist({ seed: 7 });
    const trainKeys = new Set<string>();
    for (let r = 0; r < train.rows; r++) trainKeys.add(rowKey(train.pixels!.bytes, r));
    let overlap = 0;
    for (let r = 0; r < test.rows; r++) if (trainKeys.has(rowKey(test.pixels!.bytes, r))) overlap++;
    expect(overlap).toBe(0);
    // Every image is distinct in the package, so 10,000 distinct rows means nothing was dropped or doubled.
    for (let r = 0; r < test.rows; r++) trainKeys.add(rowKey(test.pixels!.bytes, r));
    expect(trainKeys.size).toBe(10000);
  });

  it('same seed gives the same split, a different seed a different one', () => {
    const a = loadMnist({ seed: 42 });
    const b = loadMnist({ seed: 42 });
    const c = loadMnist({ seed: 43 });
    expect(Buffer.compare(a.train.pixels!.bytes, b.train.pixels!.bytes)).toBe(0);
    expect(a.test.labels).toEqual(b.test.labels);
    expect(Buffer.compare(a.train.pixels!.bytes, c.train.pixels!.bytes)).not.toBe(0);
    expect(a.test.labels).not.toEqual(c.test.labels);
  });

  it('honours other sizes and rejects asking for more than exists', () => {
    const { train, test } = loadMnist({ seed: 1, train: 1000, test: 250 });
    expect(train.x.rows).toBe(1000);
    expect(test.x.rows).toBe(250);
    expect(() => loadMnist({ train: 9000, test: 2000 })).toThrow(/only 10000 are embedded/);
  });
});

describe('splitDigits on synthetic classes', () => {
  it('moves every sample to exactly one side and keeps the pixels with their label', () => {
    // Class c, sample k: every pixel holds the byte c*100 + k, so a row identifies its origin.
    const sizes = [5, 3, 7];
    const perClass = sizes.map((n, c) => {
      const d = new Uint8Array(n * 784);
      for (let k = 0; k < n; k++) d.fill(c * 100 + k, k * 784, (k + 1) * 784);
      return d;
    });
    const { train, test } = splitDigits(perClass, { seed: 5, train: 11, test: 4 });
    expect(train.x.rows + test.x.rows).toBe(15);
    const seen = new Set<number>();
    for (const ds of [train, test]) {
      for (let r = 0; r < ds.x.rows; r++) {
        const px = ds.pixels!.bytes;
        const id = px[r * 784];
        expect(Math.floor(id / 100)).toBe(ds.labels[r]);
        expect(px[r * 784 + 783]).toBe(id);
        seen.add(id);
      }
    }
    expect(seen.size).toBe(15);
    expect(() => splitDigits([new Float32Array(784) as unknown as Uint8Array])).toThrow(/splitDigits: class 0 must be a Uint8Array of 8-bit pixels, got Float32Array/);
    expect(() => splitDigits([new Uint8Array(784), new Uint8Array(785)])).toThrow(/splitDigits: class 1 has 785 pixels, not a multiple of 784/);
  });
});

describe('oneHot and subset', () => {
  it('oneHot sets exactly one 1 per row and rejects out-of-range labels', () => {
    const m = oneHot([2, 0, 1], 3);
    expect(Array.from(m.data)).toEqual([0, 0, 1, 1, 0, 0, 0, 1, 0]);
    expect(() => oneHot([0, 3], 3)).toThrow(/label 3 at index 1 is out of range for 3 classes/);
  });

  it('subset takes the asked rows in order', () => {
    const { test } = loadMnist({ seed: 1, train: 10, test: 20 });
    const s = subset(test, [4, 0]);
    expect(s.x.rows).toBe(2);
    expect(Array.from(s.labels)).toEqual([test.labels[4], test.labels[0]]);
    expect(Array.from(s.x.data.subarray(784, 1568))).toEqual(Array.from(test.x.data.subarray(0, 784)));
    expect(s.source).toContain('2 of 20');
  });
});
