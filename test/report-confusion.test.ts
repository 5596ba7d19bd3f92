import { describe, expect, it } from 'vitest';
import {
  accuracyOf, argmaxRows, confusionMatrix, precisionPerClass, recallPerClass, renderConfusion,
} from '../src/report/confusion.ts';
import { Random } from '../src/random.ts';

describe('confusion matrix', () => {
  it('counts (true, predicted) pairs', () => {
    const cm = confusionMatrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3);
    expect(Array.from(cm.counts)).toEqual([1, 1, 0, 0, 1, 0, 1, 0, 2]);
    expect(accuracyOf(cm)).toBeCloseTo(4 / 6, 12);
    expect(recallPerClass(cm)).toEqual([0.5, 1, 2 / 3]);
    expect(precisionPerClass(cm)).toEqual([0.5, 0.5, 1]);
  });

  it('agrees with a direct count on random data', () => {
    const rng = new Random(11);
    const n = 5000;
    const labels = Array.from({ length: n }, () => rng.int(10));
    const pred = labels.map((l) => (rng.next() < 0.8 ? l : rng.int(10)));
    const cm = confusionMatrix(labels, pred);
    let total = 0;
    for (const v of cm.counts) total += v;
    expect(total).toBe(n);
    expect(accuracyOf(cm)).toBe(labels.filter((l, i) => l === pred[i]).length / n);
    for (const [t, p] of [[3, 3], [4, 9], [7, 1]]) {
      expect(cm.counts[t * 10 + p]).toBe(labels.filter((l, i) => l === t && pred[i] === p).length);
    }
  });

  it('rejects mismatched lengths and out-of-range classes', () => {
    expect(() => confusionMatrix([1, 2], [1], 10)).toThrow(/2 labels but 1 predictions/);
    expect(() => confusionMatrix([10], [1], 10)).toThrow(/label 10 at index 0/);
    expect(() => confusionMatrix([1], [-1], 10)).toThrow(/prediction -1 at index 0/);
  });

  it('argmaxRows picks the largest score per row', () => {
    const p = argmaxRows({ data: new Float32Array([0.1, 0.7, 0.2, 0.9, 0.05, 0.05]), rows: 2, cols: 3 });
    expect(Array.from(p)).toEqual([1, 0]);
  });
});

describe('renderConfusion', () => {
  const rng = new Random(5);
  const labels = Array.from({ length: 2000 }, () => rng.int(10));
  const pred = labels.map((l) => (rng.next() < 0.95 ? l : (l + 1 + rng.int(9)) % 10));
  const cm = confusionMatrix(labels, pred);
  const text = renderConfusion(cm);
  const lines = text.split('\n');

  it('has a header, one row per class, a precision row and the accuracy', () => {
    expect(lines).toHaveLength(1 + 10 + 1 + 1);
    expect(lines[0]).toMatch(/^true\\pred\s+0\s+1\s+2\s+3\s+4\s+5\s+6\s+7\s+8\s+9\s+recall$/);
    expect(lines[11]).toMatch(/^precision/);
    const correct = labels.filter((l, i) => l === pred[i]).length;
    expect(lines[12]).toBe(`accuracy ${(correct / 20).toFixed(1)}% (${correct} of 2000)`);
  });

  it('puts each count in its column, right-aligned, with recall at the end of the row', () => {
    // Every column ends at the same character position in every row.
    const header = lines[0];
    const ends = [...header.matchAll(/\S+/g)].map((m) => m.index! + m[0].length);
    const recall = recallPerClass(cm);
    for (let t = 0; t < 10; t++) {
      const line = lines[1 + t];
      const cells = [...line.matchAll(/\S+/g)];
      expect(cells).toHaveLength(12);
      expect(cells[0][0]).toBe(String(t));
      for (let p = 0; p < 10; p++) {
        const v = cm.counts[t * 10 + p];
        expect(cells[1 + p][0]).toBe(v === 0 && p !== t ? '.' : String(v));
        expect(cells[1 + p].index! + cells[1 + p][0].length).toBe(ends[1 + p]);
      }
      expect(cells[11][0]).toBe(`${(recall[t] * 100).toFixed(1)}%`);
      expect(cells[11].index! + cells[11][0].length).toBe(ends[11]);
    }
  });

  it('keeps 100.0% cells apart in the precision row', () => {
    const perfect = renderConfusion(confusionMatrix([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]));
    const precision = perfect.split('\n')[11];
    expect(precision.split(/\s+/)).toEqual(['precision', ...new Array(10).fill('100.0%')]);
  });

  it('shows "-" for a class with no samples and accepts class names', () => {
    const t = renderConfusion(confusionMatrix([0, 0], [0, 1], 3), { names: ['cat', 'dog', 'emu'] });
    expect(t.split('\n')[0]).toMatch(/cat\s+dog\s+emu\s+recall/);
    expect(t.split('\n')[3]).toMatch(/^\s*emu\s+\.\s+\.\s+0\s+-$/);
  });
});
