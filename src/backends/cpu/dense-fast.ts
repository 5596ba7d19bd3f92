/**
 * The hot dense-layer kernels of dense.ts, written for speed in plain TypeScript (no WebAssembly, no
 * workers). dense.ts stays the readable reference; test/cpu-fast-kernels.test.ts checks every function here
 * against it. Same signatures, same shapes, same sign conventions (see dense.ts for the math).
 *
 * Where the time goes in the reference, and what this file does about it:
 *  - Every multiply-add there costs two or three memory operations (load x, load W; or load D, load x,
 *    store D). Here each loaded value is reused across a block of 4 units (8 in the sparse forward pass) held in locals:
 *    V8 keeps locals in registers, but re-loads a typed-array element each time it is named, because it
 *    cannot prove that no store aliases it. The dense forward loop also takes 2 rows per pass.
 *  - Zeros are skipped. MNIST pixels are ~80% zero and ReLU zeroes about half of a hidden layer's outputs
 *    and deltas; a row's non-zero entries are gathered once into a short (index, value) list and the
 *    inner loops walk only that list (MNIST: ~150 of 784 inputs). Mostly non-zero data takes dense loops
 *    instead (the forward pass decides per batch, the weight change per row), since there the index loads
 *    would cost more than the skipped work saves.
 *  - Offsets (r·inputs, j·inputs) are hoisted out of the inner loops, and loop bounds are locals.
 *
 * The kernels keep the reference's summation order for every output element (sums over i ascending,
 * starting from the bias; weight changes accumulated pattern by pattern in the destination array, as the
 * reference does), and skipping a zero term leaves a sum unchanged. So for finite inputs the results equal
 * the reference's up to the sign of a zero; the tests still allow a summation-order tolerance so that a
 * future reordering (e.g. blocking over rows in the weight change) stays within the contract.
 */
import { activate, softmaxRows } from '../../activations.ts';
import type { LayerSpec } from '../../backend.ts';
import type { Floats } from '../../tensor.ts';

export { outputDelta, hiddenDelta } from './dense.ts';

/** Units handled together in the dense loops and the backward kernels (4 accumulators or 4 rows of D). */
const BLOCK = 4;
/** A batch (forward) or row (weight change) with at most this fraction of non-zeros takes the index-list path. */
const SPARSE_MAX_DENSITY = 0.5;

// Scratch for one row's non-zero entries, grown on demand and shared by every call (the kernels are
// synchronous, so no two calls use it at once). Float64 holds float32 and float64 values exactly.
let nzIndex = new Int32Array(1024);
let nzValue = new Float64Array(1024);

// The weight change needs two lists at once: a row's non-zero deltas are copied here while
// nzIndex/nzValue are reused for the row of x.
let dIndex = new Int32Array(256);
let dValue = new Float64Array(256);

/** Gathers the non-zero entries of a[offset…offset+n) into nzIndex/nzValue; returns how many there are. */
function gatherNonZeros(a: Floats, offset: number, n: number): number {
  if (nzIndex.length < n) {
    nzIndex = new Int32Array(n);
    nzValue = new Float64Array(n);
  }
  const idx = nzIndex;
  const val = nzValue;
  let count = 0;
  for (let i = 0; i < n; i++) {
    const value = a[offset + i];
    if (value !== 0) {
      idx[count] = i;
      val[count] = value;
      count++;
    }
  }
  return count;
}

/**
 * v = x·Wᵀ + b, y = f(v). A mostly-zero batch (MNIST pixels, ReLU outputs) takes the index-list path, a dense
 * one the 2-row register-blocked loop; the choice is per batch, from one pass counting its non-zeros.
 */
export function forward(layer: LayerSpec, W: Floats, b: Floats, x: Floats, rows: number, v: Floats, y: Floats): void {
  const n = rows * layer.inputs;
  let nnz = 0;
  for (let k = 0; k < n; k++) if (x[k] !== 0) nnz++;
  if (nnz <= n * SPARSE_MAX_DENSITY) forwardSparse(layer, W, b, x, rows, v);
  else forwardDense(layer, W, b, x, rows, v);
  applyActivation(layer, v, y, rows * layer.units, rows);
}

/**
 * One row at a time over its non-zero inputs only, 8 units per pass: each (index, value) pair loaded from the
 * list feeds 8 multiply-adds (8 accumulators + the value + the index still fit the registers; ~15% less time
 * than 4 units in a microbenchmark on 64×784×128 MNIST digits, within the noise of the training benchmark). Sums run over ascending i from the bias, like the reference; the skipped terms
 * are exact zeros.
 */
function forwardSparse(layer: LayerSpec, W: Floats, b: Floats, x: Floats, rows: number, v: Floats): void {
  const inputs = layer.inputs;
  const units = layer.units;
  const bias = layer.bias;
  const blockEnd = units - (units % 8);
  for (let r = 0; r < rows; r++) {
    const vo = r * units;
    const nnz = gatherNonZeros(x, r * inputs, inputs);
    const idx = nzIndex;
    const val = nzValue;
    let j = 0;
    for (; j < blockEnd; j += 8) {
      const o = j * inputs;
      let s0 = bias ? b[j] : 0;
      let s1 = bias ? b[j + 1] : 0;
      let s2 = bias ? b[j + 2] : 0;
      let s3 = bias ? b[j + 3] : 0;
      let s4 = bias ? b[j + 4] : 0;
      let s5 = bias ? b[j + 5] : 0;
      let s6 = bias ? b[j + 6] : 0;
      let s7 = bias ? b[j + 7] : 0;
      for (let k = 0; k < nnz; k++) {
        const p = o + idx[k]; // W[j, i]; the next units' weights are `inputs` further on
        const xi = val[k];
        s0 += xi * W[p];
        s1 += xi * W[p + inputs];
        s2 += xi * W[p + 2 * inputs];
        s3 += xi * W[p + 3 * inputs];
        s4 += xi * W[p + 4 * inputs];
        s5 += xi * W[p + 5 * inputs];
        s6 += xi * W[p + 6 * inputs];
        s7 += xi * W[p + 7 * inputs];
      }
      v[vo + j] = s0;
      v[vo + j + 1] = s1;
      v[vo + j + 2] = s2;
      v[vo + j + 3] = s3;
      v[vo + j + 4] = s4;
      v[vo + j + 5] = s5;
      v[vo + j + 6] = s6;
      v[vo + j + 7] = s7;
    }
    for (; j < units; j++) {
      // the last units % 8 units, one at a time
      const o = j * inputs;
      let s = bias ? b[j] : 0;
      for (let k = 0; k < nnz; k++) s += val[k] * W[o + idx[k]];
      v[vo + j] = s;
    }
  }
}

/**
 * Two rows × 4 units per pass: each W value loaded feeds 2 multiply-adds and each x value 4, so 6 loads serve
 * 8 multiply-adds (the reference: 2 loads per multiply-add). Measured 1.6× the 1-row × 4-unit loop on
 * 64×784×128; 4 rows × 4 units is no faster (16 accumulators + 8 operands spill out of x64's 16 registers).
 * An odd last row is paired with itself (computed twice, stored twice: the same values) rather than given
 * its own copy of the loops.
 */
function forwardDense(layer: LayerSpec, W: Floats, b: Floats, x: Floats, rows: number, v: Floats): void {
  const inputs = layer.inputs;
  const units = layer.units;
  const bias = layer.bias;
  const blockEnd = units - (units % BLOCK);
  for (let r = 0; r < rows; r += 2) {
    const r2 = r + 1 < rows ? r + 1 : r;
    const xa = r * inputs;
    const xb = r2 * inputs;
    const va = r * units;
    const vb = r2 * units;
    let j = 0;
    for (; j < blockEnd; j += BLOCK) {
      const o0 = j * inputs;
      const o1 = o0 + inputs;
      const o2 = o1 + inputs;
      const o3 = o2 + inputs;
      let a0 = bias ? b[j] : 0;
      let a1 = bias ? b[j + 1] : 0;
      let a2 = bias ? b[j + 2] : 0;
      let a3 = bias ? b[j + 3] : 0;
      let b0 = a0;
      let b1 = a1;
      let b2 = a2;
      let b3 = a3;
      for (let i = 0; i < inputs; i++) {
        const p = x[xa + i];
        const q = x[xb + i];
        const w0 = W[o0 + i];
        const w1 = W[o1 + i];
        const w2 = W[o2 + i];
        const w3 = W[o3 + i];
        a0 += p * w0;
        a1 += p * w1;
        a2 += p * w2;
        a3 += p * w3;
        b0 += q * w0;
        b1 += q * w1;
        b2 += q * w2;
        b3 += q * w3;
      }
      v[va + j] = a0;
      v[va + j + 1] = a1;
      v[va + j + 2] = a2;
      v[va + j + 3] = a3;
      v[vb + j] = b0;
      v[vb + j + 1] = b1;
      v[vb + j + 2] = b2;
      v[vb + j + 3] = b3;
    }
    for (; j < units; j++) {
      const o = j * inputs;
      let sa = bias ? b[j] : 0;
      let sb = sa;
      for (let i = 0; i < inputs; i++) {
        const w = W[o + i];
        sa += x[xa + i] * w;
        sb += x[xb + i] * w;
      }
      v[va + j] = sa;
      v[vb + j] = sb;
    }
  }
}

/** y = f(v), with ReLU (the common case) as a branch the JIT can inline instead of a switch per element. */
function applyActivation(layer: LayerSpec, v: Floats, y: Floats, n: number, rows: number): void {
  const name = layer.activation;
  if (name === 'softmax') {
    softmaxRows(v, y, rows, layer.units);
  } else if (name === 'relu') {
    for (let k = 0; k < n; k++) {
      const s = v[k];
      y[k] = s > 0 ? s : 0;
    }
  } else {
    const alpha = layer.alpha;
    for (let k = 0; k < n; k++) y[k] = activate(name, v[k], alpha);
  }
}

/**
 * e_prev = δ·W. Per row, the non-zero deltas are gathered (ReLU zeroes many), then BLOCK of them are applied
 * per pass over the row of e_prev, so each e_prev element is loaded and stored once per BLOCK units instead
 * of once per unit. The running sum is rounded to the array's precision after every unit (Math.fround for
 * float32), exactly as the reference's `ePrev[…] += d·W[…]` rounds on each store.
 */
export function backpropError(layer: LayerSpec, W: Floats, delta: Floats, rows: number, ePrev: Floats): void {
  const inputs = layer.inputs;
  const units = layer.units;
  const f32 = ePrev instanceof Float32Array;
  ePrev.fill(0, 0, rows * inputs);
  for (let r = 0; r < rows; r++) {
    const eo = r * inputs;
    const nnz = gatherNonZeros(delta, r * units, units);
    const idx = nzIndex;
    const val = nzValue;
    let k = 0;
    for (; k + BLOCK <= nnz; k += BLOCK) {
      const o0 = idx[k] * inputs;
      const o1 = idx[k + 1] * inputs;
      const o2 = idx[k + 2] * inputs;
      const o3 = idx[k + 3] * inputs;
      const d0 = val[k];
      const d1 = val[k + 1];
      const d2 = val[k + 2];
      const d3 = val[k + 3];
      // Two copies of the loop rather than a rounding function chosen at run time: the JIT inlines
      // Math.fround to two conversions, but a call through a variable would not be inlined reliably.
      if (f32) {
        for (let i = 0; i < inputs; i++) {
          const e = Math.fround(ePrev[eo + i] + d0 * W[o0 + i]);
          const e1 = Math.fround(e + d1 * W[o1 + i]);
          const e2 = Math.fround(e1 + d2 * W[o2 + i]);
          ePrev[eo + i] = e2 + d3 * W[o3 + i];
        }
      } else {
        for (let i = 0; i < inputs; i++) {
          ePrev[eo + i] = ePrev[eo + i] + d0 * W[o0 + i] + d1 * W[o1 + i] + d2 * W[o2 + i] + d3 * W[o3 + i];
        }
      }
    }
    for (; k < nnz; k++) {
      const o = idx[k] * inputs;
      const d = val[k];
      for (let i = 0; i < inputs; i++) ePrev[eo + i] += d * W[o + i];
    }
  }
}

/**
 * D = (1/rows)·δᵀ·x and D_b = (1/rows)·Σ δ. Pattern by pattern, as the reference: the row's non-zero deltas
 * are gathered and taken BLOCK at a time, and the row of x is walked once per block (only its non-zero
 * entries when it is sparse, as MNIST pixels are), updating BLOCK rows of D with each x value loaded once.
 */
export function weightChange(layer: LayerSpec, delta: Floats, x: Floats, rows: number, D: Floats, Db: Floats): void {
  const inputs = layer.inputs;
  const units = layer.units;
  D.fill(0, 0, units * inputs);
  Db.fill(0);
  if (layer.bias) {
    for (let r = 0; r < rows; r++) for (let j = 0; j < units; j++) Db[j] += delta[r * units + j];
  }
  if (dIndex.length < units) {
    dIndex = new Int32Array(units);
    dValue = new Float64Array(units);
  }
  const di = dIndex; // locals, not module variables, in the loops: the JIT keeps them in registers
  const dv = dValue;
  for (let r = 0; r < rows; r++) {
    const xo = r * inputs;
    const dn = gatherNonZeros(delta, r * units, units);
    if (dn === 0) continue;
    di.set(nzIndex.subarray(0, dn));
    dv.set(nzValue.subarray(0, dn));
    const nnz = gatherNonZeros(x, xo, inputs);
    const sparse = nnz <= inputs * SPARSE_MAX_DENSITY;
    const idx = nzIndex;
    const val = nzValue;
    let k = 0;
    for (; k + BLOCK <= dn; k += BLOCK) {
      const o0 = di[k] * inputs;
      const o1 = di[k + 1] * inputs;
      const o2 = di[k + 2] * inputs;
      const o3 = di[k + 3] * inputs;
      const d0 = dv[k];
      const d1 = dv[k + 1];
      const d2 = dv[k + 2];
      const d3 = dv[k + 3];
      if (sparse) {
        for (let m = 0; m < nnz; m++) {
          const i = idx[m];
          const xi = val[m];
          D[o0 + i] += d0 * xi;
          D[o1 + i] += d1 * xi;
          D[o2 + i] += d2 * xi;
          D[o3 + i] += d3 * xi;
        }
      } else {
        for (let i = 0; i < inputs; i++) {
          const xi = x[xo + i];
          D[o0 + i] += d0 * xi;
          D[o1 + i] += d1 * xi;
          D[o2 + i] += d2 * xi;
          D[o3 + i] += d3 * xi;
        }
      }
    }
    for (; k < dn; k++) {
      const o = di[k] * inputs;
      const d = dv[k];
      if (sparse) for (let m = 0; m < nnz; m++) D[o + idx[m]] += d * val[m];
      else for (let i = 0; i < inputs; i++) D[o + i] += d * x[xo + i];
    }
  }
  const n = units * inputs;
  for (let k = 0; k < n; k++) D[k] /= rows;
  for (let j = 0; j < Db.length; j++) Db[j] /= rows;
}
