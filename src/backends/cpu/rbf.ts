/**
 * Radial units on the CPU: the reference the GPU epilogue (shaders/epilogue_rbf.wgsl) is checked against.
 * r² = ‖x − c‖² is summed directly in float64 (no expansion, so no cancellation), then
 *   gaussian   φ = exp(−r² / (2σ²))      thinPlate   φ = r²·ln r (0 at r = 0)      distance   φ = r²
 */
import type { Matrix } from '../../tensor.ts';

export type RadialBasis = 'gaussian' | 'thinPlate' | 'distance';
export const BASIS_ID: Record<RadialBasis, number> = { gaussian: 0, thinPlate: 1, distance: 2 };

export function radial(basis: RadialBasis, r2: number, sigma2: number): number {
  if (basis === 'gaussian') return Math.exp(-r2 / (2 * sigma2));
  if (basis === 'thinPlate') return r2 > 0 ? 0.5 * r2 * Math.log(r2) : 0;
  return r2;
}

/**
 * φ (rows × centres) for every row of x against every centre (centres × inputs, row-major); sigma2 holds
 * σ_j² per centre (unused for thinPlate and distance). Rows' non-zero inputs are gathered once, so sparse
 * data (MNIST is ~80% zeros) costs in proportion to its non-zeros: ‖x − c‖² = ‖c‖² + Σ_{x_i≠0} x_i(x_i − 2c_i).
 */
export function rbfFeaturesCpu(x: Matrix, centers: Float32Array, sigma2: ArrayLike<number>, basis: RadialBasis): Float32Array {
  const D = x.cols;
  const K = centers.length / D;
  const out = new Float32Array(x.rows * K);
  const cNorm = new Float64Array(K);
  for (let j = 0; j < K; j++) {
    let s = 0;
    for (let i = 0; i < D; i++) s += centers[j * D + i] ** 2;
    cNorm[j] = s;
  }
  const idx = new Int32Array(D);
  const val = new Float64Array(D);
  for (let r = 0; r < x.rows; r++) {
    let nz = 0;
    for (let i = 0; i < D; i++) {
      const v = x.data[r * D + i];
      if (v !== 0) {
        idx[nz] = i;
        val[nz++] = v;
      }
    }
    for (let j = 0; j < K; j++) {
      const o = j * D;
      let r2 = cNorm[j];
      for (let k = 0; k < nz; k++) r2 += val[k] * (val[k] - 2 * centers[o + idx[k]]);
      out[r * K + j] = radial(basis, Math.max(0, r2), sigma2[j]);
    }
  }
  return out;
}
