import { describe, expect, it } from 'vitest';
import { dropoutKeeps, dropoutScale, dropoutThreshold, philox4x32 } from '../src/dropout-mask.ts';

const hex = (a: number[]) => a.map((v) => v.toString(16).padStart(8, '0'));

describe('dropout mask generator (Philox4x32-10)', () => {
  it("matches Random123's known-answer vectors", () => {
    // kat_vectors from Random123 1.09 (philox4x32_10): counter, key → output
    expect(hex(philox4x32([0, 0, 0, 0], [0, 0]))).toEqual(['6627e8d5', 'e169c58d', 'bc57ac4c', '9b00dbd8']);
    expect(hex(philox4x32([0xffffffff, 0xffffffff, 0xffffffff, 0xffffffff], [0xffffffff, 0xffffffff]))).toEqual(['408f276d', '41c83b0e', 'a20bc7c6', '6d5451fd']);
    expect(hex(philox4x32([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344], [0xa4093822, 0x299f31d0]))).toEqual(['d16cfe09', '94fdcceb', '5001e420', '24126ea1']);
  });

  it('keeps about 1 − rate of the units, and a different set per step, layer and seed', () => {
    const n = 20000;
    const mask = (seed: number, layer: number, t: number) => Array.from({ length: n }, (_, e) => dropoutKeeps(seed, layer, t, e, 0.3));
    const a = mask(1, 2, 0);
    const kept = a.filter(Boolean).length / n;
    expect(Math.abs(kept - 0.7)).toBeLessThan(4 * Math.sqrt((0.7 * 0.3) / n));
    for (const other of [mask(1, 2, 1), mask(1, 3, 0), mask(2, 2, 0)]) {
      const same = other.filter((k, e) => k === a[e]).length / n;
      expect(same).toBeLessThan(0.62); // independent masks agree on 0.7² + 0.3² = 58%
    }
  });

  it('rate 0 keeps everything, and the threshold and scale are exact', () => {
    expect(Array.from({ length: 1000 }, (_, e) => dropoutKeeps(5, 0, 7, e, 0)).every(Boolean)).toBe(true);
    expect(dropoutThreshold(0.5)).toBe(8388608);
    expect(dropoutScale(0.5)).toBe(2);
    expect(dropoutScale(0.1)).toBe(Math.fround(1 / 0.9));
  });
});
