// Shapes, random fills and the summation-order tolerance shared by the CPU kernel tests (dense-fast.ts and
// the WebAssembly kernels, each against dense.ts). The tolerance's derivation is in test/cpu-fast-kernels.test.ts.
import { expect } from 'vitest';
import type { Random } from '../../src/random.ts';
import type { Floats } from '../../src/tensor.ts';

export const SHAPES: [rows: number, inputs: number, units: number][] = [
  [1, 1, 1],
  [3, 5, 7],
  [7, 13, 5],
  [33, 65, 17],
  [64, 784, 128],
  [5, 128, 10],
  [1, 9, 1],
  [2, 3, 6],
];
export const U32 = 2 ** -24;
export const U64 = 2 ** -53;

export type Make = (n: number) => Floats;
export const PRECISIONS: [string, Make, number][] = [
  ['float32', (n) => new Float32Array(n), U32],
  ['float64', (n) => new Float64Array(n), U64],
];

/** Values in [-1, 1); with `zeros` that fraction of them exactly 0 (MNIST pixels, ReLU outputs and deltas). */
export function fill(a: Floats, rng: Random, zeros: number): Floats {
  for (let k = 0; k < a.length; k++) a[k] = rng.next() < zeros ? 0 : rng.uniform(-1, 1);
  return a;
}
export const abs = (a: Floats) => Float64Array.from(a, Math.abs);

/**
 * |got − reference| ≤ 2·K·u·Σ|terms| + roundings·u·|reference| elementwise (see the header of
 * test/cpu-fast-kernels.test.ts); `roundings` > 1 where an epilogue (f', an update) rounds a few more times.
 */
export function expectWithin(what: string, got: Floats, want: Floats, absSum: Float64Array, K: number, u: number, n: number, roundings = 1): void {
  let failures = 0;
  for (let k = 0; k < n; k++) {
    const tol = 2 * K * u * absSum[k] + roundings * u * Math.abs(want[k]) + 1e-300;
    const err = Math.abs(got[k] - want[k]);
    if (!(err <= tol) && failures++ === 0) expect.fail(`${what}[${k}]: got ${got[k]} vs reference ${want[k]} (|Δ| ${err} > ${tol})`);
  }
  expect(failures).toBe(0);
}

