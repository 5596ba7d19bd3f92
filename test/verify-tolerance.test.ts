/**
 * The tolerances of src/verify/tolerance.ts, pinned. webgpu-matmul, webgpu-step-kernels and `deltagpu verify`
 * import them from the code under test, so loosening a formula there would quietly weaken every GPU test; here
 * each formula is written out independently (literal numbers, not a call back into the module) and must match
 * to the last bit. The kernel tests also hold each error far inside its bound (test/helpers/error-ratio.ts);
 * the second half shows, on a simulated float32 dot product, that this ratio limit is achievable and that it
 * catches an accumulator the bare bound lets through.
 */
import { describe, expect, it } from 'vitest';
import { PRODUCT_WHY, STEP_WHY, productBound, stepTolerance } from '../src/verify/tolerance.ts';
import { MATMUL_SHAPES, QUICK_MATMUL_SHAPES } from '../src/verify/matmul.ts';
import { Random } from '../src/random.ts';
import { worstRatio } from './helpers/error-ratio.ts';

describe('verify tolerance formulas (pinned)', () => {
  it('productBound(R, Σ|a·b|) = 4·R·2⁻²³·Σ|a·b| + 1e-30: 8× the classical R·2⁻²⁴ float32 bound', () => {
    // literal values: 4·784·2⁻²³ = 3.73840332031e-4 exactly; 4·4096·2⁻²³ = 1/512
    expect(productBound(784, 1)).toBe(3.7384033203125e-4 + 1e-30);
    expect(productBound(4096, 1)).toBe(0.001953125 + 1e-30);
    expect(productBound(1, 1)).toBe(4.76837158203125e-7 + 1e-30);
    expect(productBound(65, 17.25)).toBe(4 * 65 * 17.25 / 8388608 + 1e-30);
    expect(productBound(3, 0)).toBe(1e-30); // an all-zero product is held to (almost) exactly zero
    // linear in both arguments: doubling R or Σ doubles the bound, nothing more
    expect(productBound(200, 3)).toBeCloseTo(2 * productBound(100, 3), 40);
    expect(productBound(100, 6)).toBeCloseTo(2 * productBound(100, 3), 40);
    expect(PRODUCT_WHY).toBe('float32 sum of R terms errs ≤ R·2⁻²⁴·Σ|a·b|; 8× margin');
  });

  it('stepTolerance(n, steps) = 4·n·2⁻²³·steps: 8× n·2⁻²⁴ per step, growing linearly with the steps', () => {
    expect(stepTolerance(100)).toBe(4.76837158203125e-5);
    expect(stepTolerance(922)).toBe(4 * 922 / 8388608);
    expect(stepTolerance(100, 3)).toBe(1.430511474609375e-4);
    expect(stepTolerance(3)).toBe(1.430511474609375e-6);
    expect(STEP_WHY).toBe('float32 sums of n = K+M+N O(1) terms err ≤ n·2⁻²⁴, per step; 8× margin');
  });

  it("verify's shapes: tile edges (1, odd, around 64 and 128), the long sum K = 4096, and the quick plan's subset", () => {
    expect(MATMUL_SHAPES).toEqual([[1, 1, 1], [3, 17, 5], [63, 65, 17], [129, 127, 10], [65, 784, 129], [17, 4096, 3], [784, 3, 63]]);
    expect(QUICK_MATMUL_SHAPES).toEqual([[1, 1, 1], [3, 17, 5], [63, 65, 17], [17, 4096, 3]]);
  });
});

/** x rounded to p significant bits (round to nearest; p = 24 is float32 away from the subnormals) */
function roundBits(x: number, p: number): number {
  if (x === 0) return 0;
  const q = 2 ** (Math.floor(Math.log2(Math.abs(x))) - p + 1);
  return Math.round(x / q) * q;
}

/** the worst |sum − exact| / productBound over `trials` dot products of R seeded terms in [-1, 1), each
 *  product and partial sum kept to p bits (a sequential accumulator, the least accurate order) */
function worstOf(R: number, p: number, trials: number): number {
  const rng = new Random(R * 31 + p);
  let worst = 0;
  for (let t = 0; t < trials; t++) {
    let exact = 0;
    let abs = 0;
    let acc = 0;
    for (let r = 0; r < R; r++) {
      const ab = Math.fround(rng.uniform(-1, 1)) * Math.fround(rng.uniform(-1, 1));
      exact += ab;
      abs += Math.abs(ab);
      acc = roundBits(acc + roundBits(ab, p), p);
    }
    worst = Math.max(worst, Math.abs(acc - exact) / productBound(R, abs));
  }
  return worst;
}

describe('the error-to-bound ratio the kernel tests demand (worstRatio)', () => {
  it('is met by float32 arithmetic (24 bits), with room, on short and long sums', () => {
    for (const R of [3, 13, 65, 784]) {
      const w = worstOf(R, 24, 200);
      // measured 0.022 at R = 13, 5.1e-3 at 65, 3.7e-4 at 784 (SwiftShader's kernels: 0.015, 0.005, 3.7e-4)
      expect(w, `R = ${R}`).toBeLessThan(worstRatio(R) / 2);
    }
  });

  it('catches an accumulator 4–10 bits short of float32 that the bare bound (ratio ≤ 1) lets through', () => {
    // mutation: the same sums kept to 20 bits (R = 65) or 14–18 bits (R = 784): each is inside productBound,
    // so a test asserting only "≤ bound" passes it, and each breaks the ratio limit of webgpu-matmul
    for (const [R, p] of [[65, 20], [784, 18], [784, 16], [784, 14]] as const) {
      const w = worstOf(R, p, 200);
      expect(w, `R = ${R}, ${p} bits`).toBeLessThan(1);
      expect(w, `R = ${R}, ${p} bits`).toBeGreaterThan(worstRatio(R));
    }
  });
});
