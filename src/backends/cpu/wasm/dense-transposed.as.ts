// AssemblyScript, imported by dense-simd.as.ts (compiled with it by bin/embed-assets.js): the first dense
// layer's kernels on weights stored TRANSPOSED, WT = Wᵀ (inputs × stride, stride = units rounded up to 4,
// the padding columns zero), which is how the WebAssembly session keeps layer 0 (the layer that reads the
// data set). Same math as dense.ts (forward, weightChange + updateWeights), same names, same signs.
//
// Why transposed. MNIST's pixels are 81% zero, and the first layer holds 98% of 784-128-10's multiply-adds. With W as units × inputs a zero input can only be skipped a
// 4-wide chunk at a time (and only where every row of the tile is zero there): on MNIST half of the
// multiply-adds done that way are on zeros. With WT, input i's weights to every unit are contiguous, so
//  - forward walks, per row, the exact list of its non-zero inputs (CSR: built by the same pass), adding
//    x[r,i]·WT[i, j…j+31] into 8 vector accumulators: v[r,·] = b + Σ_{i: x≠0} x[r,i]·WT[i,·];
//  - the weight change walks, per input i, the exact list of rows where x[·,i] ≠ 0 (CSC, the CSR turned
//    around by columnLists once per batch): D[·,i] = (1/rows)·Σ_{r: x≠0} x[r,i]·δ[r,·], kept in registers
//    and handed straight to the optimizer's update of WT[i,·] (D is never stored);
//  - the input gradient e = δ·W, which would want W's own layout, is never needed: layer 0 has no layer
//    before it to send an error to.
// Every multiply-add left is a useful one (a non-zero x), up to the padding lanes of the last vector.
// Hidden layers keep dense-simd.as.ts's kernels on W (units × inputs): their inputs are ReLU outputs, about
// half zero in no pattern, where the chunk-skipping dot products there are as fast, and their backprop
// needs W's rows.
//
// Summation order (the reference's, so results do not depend on the thread count, and match dense.ts up
// to float32 rounding): forward's v[r,j] starts at b[j] and adds the terms for i ascending; the weight
// change's sum for (j, i) adds the terms for r ascending; each output element is one lane of one
// accumulator from start to end. A thread's part is rows (forwardT) or inputs (weightUpdateT); no element
// is split.
//
// Lists, in the session's memory (byte addresses): a row's CSR entries are (i32 input index, f32 value)
// pairs at csr + r·inputs·8, their count at counts + r·4; the CSC is colStart (inputs + 1 i32) and
// (i32 row, f32 value) pairs.

import { CFG_DECAY, CFG_ETA, CFG_ROWS, CFG_TYPE, SGD, update1, update4 } from './optimizer-step.as';

const LINEAR = 0;
const SIGMOID = 1;
const TANH = 2;
const RELU = 3;
const LEAKY_RELU = 4;

@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 2);
}

/** y = f(v) on 4 lanes for linear, relu, leakyRelu (NaN → 0 for relu, as `s > 0 ? s : 0` does). */
@inline function activate4(s: v128, act: i32, alpha: f32): v128 {
  if (act == RELU) return v128.bitselect(s, f32x4.splat(0), f32x4.gt(s, f32x4.splat(0)));
  if (act == LEAKY_RELU) return v128.bitselect(s, f32x4.mul(f32x4.splat(alpha), s), f32x4.gt(s, f32x4.splat(0)));
  return s;
}

/** Stores the first `n` (1…4) lanes of a: a partial last vector must not touch the next row (another thread's). */
@inline function storeLanes(p: usize, a: v128, n: i32): void {
  if (n >= 4) {
    v128.store(p, a);
    return;
  }
  store<f32>(p, f32x4.extract_lane(a, 0));
  if (n > 1) store<f32>(p, f32x4.extract_lane(a, 1), 4);
  if (n > 2) store<f32>(p, f32x4.extract_lane(a, 2), 8);
}

/** v (and y where act ≥ 0) for units [j, j + 4·m) of one row, from accumulator a (m-th vector). */
@inline function finish(a: v128, j: i32, units: i32, vr: usize, yr: usize, act: i32, alpha: f32): void {
  const n = units - j;
  storeLanes(at(vr, j), a, n);
  if (act >= 0) storeLanes(at(yr, j), activate4(a, act, alpha), n);
}

/** b[j…j+3] (zero without bias); b's region is padded to 16 bytes by the allocator, so the read stays inside. */
@inline function bias4(b: usize, j: i32, hasBias: i32): v128 {
  return hasBias ? v128.load(at(b, j)) : f32x4.splat(0);
}

/**
 * v = x·W + b (W given as WT) for rows [from, to), and y = f(v) when `act` is linear, relu or leakyRelu
 * (act = -1: v only, the host applies f). Builds each row's CSR (its non-zero inputs) on the way, in
 * csr/counts, for columnLists. `unused` is the pool's per-thread scratch argument.
 */
export function forwardT(WT: usize, b: usize, x: usize, v: usize, y: usize, inputs: i32, units: i32, stride: i32, hasBias: i32, act: i32, alpha: f32, csr: usize, counts: usize, from: i32, to: i32, unused: usize): void {
  for (let r = from; r < to; r++) rowList(x, inputs, csr, counts, r);
  // Unit blocks outside, rows inside: a block's columns of WT (16 units: one 64-byte line of each row of
  // WT, ~50 kB for MNIST's first layer) stay in cache while every row of the part walks them. 16 units = 4
  // accumulators + 4 loads + the broadcast x; 32 made V8 spill accumulators to the stack inside the loop
  // (half the speed), and 24 measured no faster than 16.
  let j = 0;
  for (; j + 16 <= stride; j += 16) {
    for (let r = from; r < to; r++) forward16(WT, b, j, stride, hasBias, csr + ((<usize>r * <usize>inputs) << 3), load<i32>(at(counts, r)), at(v, r * units), at(y, r * units), units, act, alpha);
  }
  for (; j < stride; j += 4) {
    for (let r = from; r < to; r++) forward4(WT, b, j, stride, hasBias, csr + ((<usize>r * <usize>inputs) << 3), load<i32>(at(counts, r)), at(v, r * units), at(y, r * units), units, act, alpha);
  }
}

/** Row r's non-zero inputs, ascending, as (i32 i, f32 x) pairs at csr + r·inputs·8; their count at counts[r]. */
@inline function rowList(x: usize, inputs: i32, csr: usize, counts: usize, r: i32): void {
  const end4 = inputs & ~3;
  const xr = at(x, r * inputs);
  const list = csr + ((<usize>r * <usize>inputs) << 3);
  let n = 0;
  // whole zero chunks of 4 cost one test
  for (let i = 0; i < end4; i += 4) {
    if (!v128.any_true(v128.load(at(xr, i)))) continue;
    for (let k = 0; k < 4; k++) {
      const s = load<f32>(at(xr, i + k));
      if (s != 0) {
        const e = list + (<usize>n << 3);
        store<i32>(e, i + k);
        store<f32>(e, s, 4);
        n++;
      }
    }
  }
  for (let i = end4; i < inputs; i++) {
    const s = load<f32>(at(xr, i));
    if (s != 0) {
      const e = list + (<usize>n << 3);
      store<i32>(e, i);
      store<f32>(e, s, 4);
      n++;
    }
  }
  store<i32>(at(counts, r), n);
}

/** Units [j, j+16) of one row: each (i, x) of its list feeds 4 vector multiply-adds from row i of WT. */
@inline function forward16(WT: usize, b: usize, j: i32, stride: i32, hasBias: i32, list: usize, n: i32, vr: usize, yr: usize, units: i32, act: i32, alpha: f32): void {
  const rowBytes = <usize>stride << 2;
  let a0 = bias4(b, j, hasBias);
  let a1 = bias4(b, j + 4, hasBias);
  let a2 = bias4(b, j + 8, hasBias);
  let a3 = bias4(b, j + 12, hasBias);
  const base = at(WT, j);
  for (let k = 0; k < n; k++) {
    const e = list + (<usize>k << 3);
    const s = f32x4.splat(load<f32>(e, 4));
    const w = base + <usize>load<i32>(e) * rowBytes;
    a0 = f32x4.add(a0, f32x4.mul(s, v128.load(w)));
    a1 = f32x4.add(a1, f32x4.mul(s, v128.load(w, 16)));
    a2 = f32x4.add(a2, f32x4.mul(s, v128.load(w, 32)));
    a3 = f32x4.add(a3, f32x4.mul(s, v128.load(w, 48)));
  }
  finish(a0, j, units, vr, yr, act, alpha);
  finish(a1, j + 4, units, vr, yr, act, alpha);
  finish(a2, j + 8, units, vr, yr, act, alpha);
  finish(a3, j + 12, units, vr, yr, act, alpha);
}

/** Units [j, j+4) of one row (the last stride % 16 units). */
@inline function forward4(WT: usize, b: usize, j: i32, stride: i32, hasBias: i32, list: usize, n: i32, vr: usize, yr: usize, units: i32, act: i32, alpha: f32): void {
  const rowBytes = <usize>stride << 2;
  let a0 = bias4(b, j, hasBias);
  const base = at(WT, j);
  for (let k = 0; k < n; k++) {
    const e = list + (<usize>k << 3);
    a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(e, 4)), v128.load(base + <usize>load<i32>(e) * rowBytes)));
  }
  finish(a0, j, units, vr, yr, act, alpha);
}

/**
 * The CSC of a batch from forwardT's CSR: for each input i, the rows r (ascending) where x[r,i] ≠ 0 and
 * the values, as (i32 r, f32 x) pairs from colStart[i] to colStart[i+1] (entry indices). One thread, once
 * per layer and batch (a counting sort: two passes over the non-zeros).
 */
export function columnLists(csr: usize, counts: usize, rows: i32, inputs: i32, colStart: usize, csc: usize): void {
  memory.fill(colStart, 0, (<usize>inputs + 1) << 2);
  for (let r = 0; r < rows; r++) {
    const list = csr + ((<usize>r * <usize>inputs) << 3);
    const n = load<i32>(at(counts, r));
    for (let k = 0; k < n; k++) {
      const p = at(colStart, load<i32>(list + (<usize>k << 3)) + 1);
      store<i32>(p, load<i32>(p) + 1);
    }
  }
  for (let i = 0; i < inputs; i++) store<i32>(at(colStart, i + 1), load<i32>(at(colStart, i + 1)) + load<i32>(at(colStart, i)));
  // fill, using colStart[i] as the next free slot of column i; afterwards colStart[i] = the old colStart[i+1]
  for (let r = 0; r < rows; r++) {
    const list = csr + ((<usize>r * <usize>inputs) << 3);
    const n = load<i32>(at(counts, r));
    for (let k = 0; k < n; k++) {
      const e = list + (<usize>k << 3);
      const p = at(colStart, load<i32>(e));
      const slot = load<i32>(p);
      const d = csc + (<usize>slot << 3);
      store<i32>(d, r);
      store<f32>(d, load<f32>(e, 4), 4);
      store<i32>(p, slot + 1);
    }
  }
  // shift back: colStart[i] was advanced to the start of column i + 1
  for (let i = inputs; i > 0; i--) store<i32>(at(colStart, i), load<i32>(at(colStart, i - 1)));
  store<i32>(colStart, 0);
}

/**
 * The optimizer's update of `n` (1…4) weights from lane sums a (the last vector of a row may be partial).
 * Plain SGD, the common case, takes a copy of update4's SGD arithmetic (the same operations in the same
 * order, so the same bits) with the config read once per call (`sgd`) instead of per vector: a third of
 * the first layer's update time at batch 64 went to re-reading it. With a power-of-two batch (64, 256)
 * D = sum / rows is computed as sum · (1/rows), which is exact and so gives the same bits as the division.
 */
@inline function updateLanes(wp: usize, mp: usize, sp: usize, a: v128, n: i32, cfg: usize, decay: f32, sgd: bool, scale: v128, pow2: bool, eta: v128, decay4: v128): void {
  if (n >= 4) {
    if (sgd) {
      const w = v128.load(wp);
      const D = pow2 ? f32x4.mul(a, scale) : f32x4.div(a, scale);
      v128.store(wp, f32x4.add(w, f32x4.mul(eta, f32x4.sub(D, f32x4.mul(decay4, w)))));
    } else {
      update4(wp, mp, sp, a, cfg);
    }
    return;
  }
  update1(wp, mp, sp, f32x4.extract_lane(a, 0), cfg, decay);
  if (n > 1) update1(wp + 4, mp + 4, sp + 4, f32x4.extract_lane(a, 1), cfg, decay);
  if (n > 2) update1(wp + 8, mp + 8, sp + 8, f32x4.extract_lane(a, 2), cfg, decay);
}

/**
 * D = (1/rows)·δᵀ·x fused with the optimizer's update of WT, for inputs [from, to), from the batch's CSC;
 * the part holding input 0 also updates b from D_b = (1/rows)·Σ_r δ. mW/sW/mb/sb are the optimizer's state
 * in WT's layout (any address when unused); `cfg` the config block (optimizer-step.as.ts). δ is read 4
 * lanes at a time up to `stride`, so its region needs 4 floats of slack past rows·units.
 */
export function weightUpdateT(WT: usize, b: usize, delta: usize, colStart: usize, csc: usize, rows: i32, inputs: i32, units: i32, stride: i32, hasBias: i32, mW: usize, sW: usize, mb: usize, sb: usize, cfg: usize, from: i32, to: i32, unused: usize): void {
  const decay = load<f32>(cfg, CFG_DECAY);
  const sgd = <i32>load<f32>(cfg, CFG_TYPE) == SGD;
  const rowsF = load<f32>(cfg, CFG_ROWS);
  // rows a power of two: 1/rows is exact, and x·(1/rows) = x/rows bit for bit
  const pow2 = rows > 0 && (rows & (rows - 1)) == 0 && <f32>rows == rowsF;
  const scale = f32x4.splat(pow2 ? <f32>1 / rowsF : rowsF);
  const eta = f32x4.splat(load<f32>(cfg, CFG_ETA));
  const decay4 = f32x4.splat(decay);
  for (let i = from; i < to; i++) {
    const first = load<i32>(at(colStart, i));
    const last = load<i32>(at(colStart, i + 1));
    const row = i * stride;
    let j = 0;
    // 24 units (6 accumulators) at a time: more would make V8 spill accumulators inside the loop
    for (; j + 24 <= stride; j += 24) {
      let a0 = f32x4.splat(0);
      let a1 = a0;
      let a2 = a0;
      let a3 = a0;
      let a4 = a0;
      let a5 = a0;
      const base = at(delta, j);
      for (let k = first; k < last; k++) {
        const e = csc + (<usize>k << 3);
        const s = f32x4.splat(load<f32>(e, 4));
        const d = base + ((<usize>load<i32>(e) * <usize>units) << 2);
        a0 = f32x4.add(a0, f32x4.mul(s, v128.load(d)));
        a1 = f32x4.add(a1, f32x4.mul(s, v128.load(d, 16)));
        a2 = f32x4.add(a2, f32x4.mul(s, v128.load(d, 32)));
        a3 = f32x4.add(a3, f32x4.mul(s, v128.load(d, 48)));
        a4 = f32x4.add(a4, f32x4.mul(s, v128.load(d, 64)));
        a5 = f32x4.add(a5, f32x4.mul(s, v128.load(d, 80)));
      }
      const o = row + j;
      updateLanes(at(WT, o), at(mW, o), at(sW, o), a0, units - j, cfg, decay, sgd, scale, pow2, eta, decay4);
      updateLanes(at(WT, o + 4), at(mW, o + 4), at(sW, o + 4), a1, units - j - 4, cfg, decay, sgd, scale, pow2, eta, decay4);
      updateLanes(at(WT, o + 8), at(mW, o + 8), at(sW, o + 8), a2, units - j - 8, cfg, decay, sgd, scale, pow2, eta, decay4);
      updateLanes(at(WT, o + 12), at(mW, o + 12), at(sW, o + 12), a3, units - j - 12, cfg, decay, sgd, scale, pow2, eta, decay4);
      updateLanes(at(WT, o + 16), at(mW, o + 16), at(sW, o + 16), a4, units - j - 16, cfg, decay, sgd, scale, pow2, eta, decay4);
      updateLanes(at(WT, o + 20), at(mW, o + 20), at(sW, o + 20), a5, units - j - 20, cfg, decay, sgd, scale, pow2, eta, decay4);
    }
    for (; j < stride; j += 4) {
      let a0 = f32x4.splat(0);
      const base = at(delta, j);
      for (let k = first; k < last; k++) {
        const e = csc + (<usize>k << 3);
        a0 = f32x4.add(a0, f32x4.mul(f32x4.splat(load<f32>(e, 4)), v128.load(base + ((<usize>load<i32>(e) * <usize>units) << 2))));
      }
      const o = row + j;
      updateLanes(at(WT, o), at(mW, o), at(sW, o), a0, units - j, cfg, decay, sgd, scale, pow2, eta, decay4);
    }
  }
  if (hasBias && from == 0 && to > 0) {
    for (let j = 0; j < units; j++) {
      let s: f32 = 0;
      for (let r = 0; r < rows; r++) s += load<f32>(at(delta, r * units + j));
      update1(at(b, j), at(mb, j), at(sb, j), s, cfg, 0);
    }
  }
}
