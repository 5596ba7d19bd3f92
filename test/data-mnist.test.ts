import { describe, expect, it } from 'vitest';
import { loadMnist, loadMnistDigits, splitDigits } from '../src/data/mnist.ts';
import { oneHot, subset } from '../src/data/dataset.ts';

/** A fingerprint of a row's pixels, to compare images across splits without relying on indices. */
function rowKey(data: Float32Array, r: number): string {
  return Buffer.from(data.buffer, data.byteOffset + r * 784 * 4, 784 * 4).toString('base64');
}

describe('embedded MNIST digits', () => {
  // (how long loading takes is the benchmark's business, not a test's: a timed assertion fails under load)
  it('loads all 10,000 digits, 784 pixels each, in ten classes', () => {
    const digits = loadMnistDigits();
    expect(digits.length).toBe(10);
    expect(digits.reduce((a, d) => a + d.length / 784, 0)).toBe(10000);
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
    for (let r = 0; r < train.x.rows; r++) trainKeys.add(rowKey(train.x.data, r));
    let overlap = 0;
    for (let r = 0; r < test.x.rows; r++) if (trainKeys.has(rowKey(test.x.data, r))) overlap++;
    expect(overlap).toBe(0);
    // Every image is distinct in the package, so 10,000 distinct rows means nothing was dropped or doubled.
    for (let r = 0; r < test.x.rows; r++) trainKeys.add(rowKey(test.x.data, r));
    expect(trainKeys.size).toBe(10000);
  });

  it('same seed gives the same split, a different seed a different one', () => {
    const a = loadMnist({ seed: 42 });
    const b = loadMnist({ seed: 42 });
    const c = loadMnist({ seed: 43 });
    expect(Buffer.compare(Buffer.from(a.train.x.data.buffer), Buffer.from(b.train.x.data.buffer))).toBe(0);
    expect(a.test.labels).toEqual(b.test.labels);
    expect(Buffer.compare(Buffer.from(a.train.x.data.buffer), Buffer.from(c.train.x.data.buffer))).not.toBe(0);
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
    // Class c, sample k: every pixel holds (c*100 + k) / 1000, so a row identifies its origin.
    const sizes = [5, 3, 7];
    const perClass = sizes.map((n, c) => {
      const d = new Float32Array(n * 784);
      for (let k = 0; k < n; k++) d.fill((c * 100 + k) / 1000, k * 784, (k + 1) * 784);
      return d;
    });
    const { train, test } = splitDigits(perClass, { seed: 5, train: 11, test: 4 });
    expect(train.x.rows + test.x.rows).toBe(15);
    const seen = new Set<number>();
    for (const ds of [train, test]) {
      for (let r = 0; r < ds.x.rows; r++) {
        const id = Math.round(ds.x.data[r * 784] * 1000);
        expect(Math.floor(id / 100)).toBe(ds.labels[r]);
        expect(ds.x.data[r * 784 + 783]).toBe(ds.x.data[r * 784]);
        seen.add(id);
      }
    }
    expect(seen.size).toBe(15);
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
