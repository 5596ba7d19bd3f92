/**
 * The hot dense-layer kernels of dense.ts, written for speed in plain TypeScript (no WebAssembly, no
 * workers). dense.ts stays the readable reference; test/cpu-fast-kernels.test.ts checks every function here
 * against it. Same signatures, same shapes, same sign conventions (see dense.ts for the math).
 *
 * Where the time goes in the reference, and what this file does about it:
 *  - Every multiply-add there costs two or three memory operations (load x, load W; or load D, load x,
 *    store D). Here each loaded value is reused across a block of BLOCK = 4 units held in local variables:
 *    V8 keeps locals in registers, but re-loads a typed-array element each time it is named, because it
 *    cannot prove that no store aliases it.
 *  - Zeros are skipped. MNIST pixels are ~80% zero and ReLU zeroes about half of a hidden layer's outputs
 *    and deltas; a row's non-zero entries are gathered once into a short (index, value) list and the
 *    inner loops walk only that list. Rows that are mostly non-zero take a dense loop instead, since the
 *    index load would then cost more than the skipped work saves.
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

/** Units handled together: 4 accumulators + 4 row offsets + the shared operand fit x64's 16 FP registers. */
const BLOCK = 4;
/** A row with at most this fraction of non-zeros takes the sparse (index-list) path. */
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

/** v = x·Wᵀ + b, y = f(v): one row at a time, BLOCK units at a time, each x value loaded once per block. */
export function forward(layer: LayerSpec, W: Floats, b: Floats, x: Floats, rows: number, v: Floats, y: Floats): void {
  const inputs = layer.inputs;
  const units = layer.units;
  const bias = layer.bias;
  const blockEnd = units - (units % BLOCK);
  for (let r = 0; r < rows; r++) {
    const xo = r * inputs;
    const vo = r * units;
    const nnz = gatherNonZeros(x, xo, inputs);
    const sparse = nnz <= inputs * SPARSE_MAX_DENSITY;
    const idx = nzIndex;
    const val = nzValue;
    let j = 0;
    for (; j < blockEnd; j += BLOCK) {
      const o0 = j * inputs;
      const o1 = o0 + inputs;
      const o2 = o1 + inputs;
      const o3 = o2 + inputs;
      let s0 = bias ? b[j] : 0;
      let s1 = bias ? b[j + 1] : 0;
      let s2 = bias ? b[j + 2] : 0;
      let s3 = bias ? b[j + 3] : 0;
      if (sparse) {
        // Ascending i, like the reference; the skipped terms are exact zeros.
        for (let k = 0; k < nnz; k++) {
          const i = idx[k];
          const xi = val[k];
          s0 += xi * W[o0 + i];
          s1 += xi * W[o1 + i];
          s2 += xi * W[o2 + i];
          s3 += xi * W[o3 + i];
        }
      } else {
        for (let i = 0; i < inputs; i++) {
          const xi = x[xo + i];
          s0 += xi * W[o0 + i];
          s1 += xi * W[o1 + i];
          s2 += xi * W[o2 + i];
          s3 += xi * W[o3 + i];
        }
      }
      v[vo + j] = s0;
      v[vo + j + 1] = s1;
      v[vo + j + 2] = s2;
      v[vo + j + 3] = s3;
    }
    for (; j < units; j++) {
      // the last units % BLOCK units, one at a time
      const o = j * inputs;
      let s = bias ? b[j] : 0;
      if (sparse) for (let k = 0; k < nnz; k++) s += val[k] * W[o + idx[k]];
      else for (let i = 0; i < inputs; i++) s += x[xo + i] * W[o + i];
      v[vo + j] = s;
    }
  }
  applyActivation(layer, v, y, rows * units, rows);
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
