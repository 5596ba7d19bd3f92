// The first layer's WebAssembly kernels on transposed weights (src/backends/cpu/wasm/dense-transposed.as.ts)
// against the reference (dense.ts), on odd shapes (widths not a multiple of 4, more than one 24-unit block,
// batch 1), with inputs all zero, all non-zero and 70% zero, and δ with zeros: forwardT's v, y and its
// per-row lists of non-zeros, columnLists' per-input lists (against a transpose done here), weightUpdateT's
// D and the optimizers' step. Each kernel run in parts, as threads split it, must equal one whole run bit
// for bit.
import { describe, expect, it } from 'vitest';
import * as ref from '../src/backends/cpu/dense.ts';
import { updateWeights } from '../src/backends/cpu/update.ts';
import { Arena } from '../src/backends/cpu/wasm/memory.ts';
import type { Region } from '../src/backends/cpu/wasm/memory.ts';
import type { ActivationName } from '../src/activations.ts';
import { resolveOptimizer } from '../src/optimizers.ts';
import type { OptimizerConfig } from '../src/optimizers.ts';
import { Random } from '../src/random.ts';
import type { LayerSpec } from '../src/backend.ts';
import { U32, abs, expectWithin, fill } from './helpers/kernel-check.ts';

const u = U32;
const FORWARD_ACT: Partial<Record<ActivationName, number>> = { linear: 0, relu: 3, leakyRelu: 4 };
const SHAPES: [rows: number, inputs: number, units: number][] = [
  [1, 1, 1],
  [1, 9, 5],
  [3, 5, 7],
  [7, 13, 30],
  [33, 65, 17],
  [5, 37, 53],
  [64, 784, 128],
  [2, 3, 6],
];

function place(arena: Arena, ...arrays: Float32Array[]): Region[] {
  return arrays.map((a) => {
    const r = arena.alloc(a.length);
    arena.view(r).set(a);
    return r;
  });
}
const get = (arena: Arena, r: Region) => arena.view(r).slice();
/** [from, to) parts of [0, count) as ThreadPool.run makes them for `n` threads and tile 1 */
const parts = (count: number, n: number) => Array.from({ length: n }, (_, p) => [Math.floor((count * p) / n), Math.floor((count * (p + 1)) / n)]);

/** W (units × inputs) as WT (inputs × stride), padding columns zero: the layout the kernels take */
function transposed(W: Float32Array, units: number, inputs: number, stride: number): Float32Array {
  const WT = new Float32Array(inputs * stride);
  for (let j = 0; j < units; j++) for (let i = 0; i < inputs; i++) WT[i * stride + j] = W[j * inputs + i];
  return WT;
}

describe('first-layer kernels on transposed weights agree with the reference kernels', () => {
  for (const [rows, inputs, units] of SHAPES) {
    for (const zeros of [0, 0.7, 1]) {
      const what = zeros === 0 ? 'no zero inputs' : zeros === 1 ? 'all inputs zero' : '70% zero inputs';
      it(`${rows}×${inputs}×${units}, ${what}`, () => {
        const rng = new Random(rows * 7919 + inputs * 31 + units + zeros * 1000);
        const stride = Math.ceil(units / 4) * 4;
        for (const bias of [true, false]) {
          const W = fill(new Float32Array(units * inputs), rng, 0) as Float32Array;
          const b = fill(new Float32Array(bias ? units : 0), rng, 0) as Float32Array;
          const x = fill(new Float32Array(rows * inputs), rng, zeros) as Float32Array;
          const arena = new Arena(false);
          const k = arena.kernels;
          const [rWT, rb, rx] = place(arena, transposed(W, units, inputs, stride), b, x);
          const csr = arena.alloc(2 * rows * inputs);
          const counts = arena.alloc(rows);

          // forward: v always, y where the kernel fuses the activation; and the CSR it leaves
          const sumV = new Float64Array(rows * units);
          ref.forward({ inputs, units, activation: 'linear', bias, alpha: 0.2 }, abs(W), abs(b), abs(x), rows, sumV, new Float64Array(rows * units));
          for (const activation of ['linear', 'relu', 'leakyRelu', 'sigmoid'] as ActivationName[]) {
            const layer: LayerSpec = { inputs, units, activation, bias, alpha: 0.2 };
            const [v1, y1] = [new Float32Array(rows * units), new Float32Array(rows * units)];
            ref.forward(layer, W, b, x, rows, v1, y1);
            const act = FORWARD_ACT[activation] ?? -1;
            const [rv, ry, rv2, ry2] = place(arena, ...[0, 1, 2, 3].map(() => new Float32Array(rows * units)));
            k.forwardT(rWT.ptr, rb.ptr, rx.ptr, rv.ptr, ry.ptr, inputs, units, stride, bias ? 1 : 0, act, 0.2, csr.ptr, counts.ptr, 0, rows, 0);
            expectWithin(`${activation} v`, get(arena, rv), v1, sumV, inputs, u, rows * units);
            if (act >= 0) expectWithin(`${activation} y`, get(arena, ry), y1, sumV, inputs, u, rows * units);
            else expect(get(arena, ry), 'y untouched where the host applies f').toEqual(new Float32Array(rows * units));
            for (const [from, to] of parts(rows, 3)) k.forwardT(rWT.ptr, rb.ptr, rx.ptr, rv2.ptr, ry2.ptr, inputs, units, stride, bias ? 1 : 0, act, 0.2, csr.ptr, counts.ptr, from, to, 0);
            expect(get(arena, rv2), 'forwardT in 3 parts').toEqual(get(arena, rv));
            expect(get(arena, ry2), 'forwardT in 3 parts').toEqual(get(arena, ry));
          }
          const mem = new Int32Array(arena.memory.buffer);
          const memF = new Float32Array(arena.memory.buffer);
          for (let r = 0; r < rows; r++) {
            const want = [...x.subarray(r * inputs, (r + 1) * inputs)].flatMap((s, i) => (s !== 0 ? [[i, s]] : []));
            expect(mem[(counts.ptr >> 2) + r], `row ${r}: non-zero count`).toBe(want.length);
            const base = (csr.ptr >> 2) + 2 * r * inputs;
            const got = want.map((_, n) => [mem[base + 2 * n], memF[base + 2 * n + 1]]);
            expect(got, `row ${r}: (input, value) list`).toEqual(want);
          }

          // columnLists: for each input, the rows where it is non-zero, ascending, with the values
          const colStart = arena.alloc(inputs + 1);
          const csc = arena.alloc(2 * rows * inputs + 1);
          k.columnLists(csr.ptr, counts.ptr, rows, inputs, colStart.ptr, csc.ptr);
          // views taken after the last allocation (a grown memory detaches older ones)
          const mem2 = new Int32Array(arena.memory.buffer);
          const mem2F = new Float32Array(arena.memory.buffer);
          const starts = Array.from(new Int32Array(arena.memory.buffer, colStart.ptr, inputs + 1));
          let at = 0;
          for (let i = 0; i < inputs; i++) {
            const want: number[][] = [];
            for (let r = 0; r < rows; r++) if (x[r * inputs + i] !== 0) want.push([r, x[r * inputs + i]]);
            expect([starts[i], starts[i + 1] - starts[i]], `input ${i}: start and length`).toEqual([at, want.length]);
            const base = csc.ptr >> 2;
            expect(want.map((_, n) => [mem2[base + 2 * (at + n)], mem2F[base + 2 * (at + n) + 1]]), `input ${i}: rows`).toEqual(want);
            at += want.length;
          }

          for (const dz of [0, 0.5]) {
            // δ's region with 4 floats of slack (as the session allocates it): the kernel reads whole vectors
            const delta = fill(new Float32Array(rows * units), rng, dz) as Float32Array;
            const [rd] = place(arena, Float32Array.from([...delta, 9, 9, 9, 9]));
            // weight change: with W = 0, η = 1, λ = 0 plain SGD leaves WT = Dᵀ and b = D_b exactly
            const layer: LayerSpec = { inputs, units, activation: 'relu', bias, alpha: 0.2 };
            const [D1, Db1] = [new Float32Array(units * inputs), new Float32Array(b.length)];
            ref.weightChange(layer, delta, x, rows, D1, Db1);
            const [sumD, sumDb] = [new Float64Array(units * inputs), new Float64Array(b.length)];
            ref.weightChange(layer, abs(delta), abs(x), rows, sumD, sumDb);
            const cfg = arena.alloc(16);
            arena.view(cfg).set([0, 1, 0, 0, 0, 1, 1, 0, rows, 0, 0]);
            const [rD, rDb, rD2, rDb2] = place(arena, new Float32Array(inputs * stride), new Float32Array(b.length), new Float32Array(inputs * stride), new Float32Array(b.length));
            const update = (w: Region, wb: Region, from: number, to: number) =>
              k.weightUpdateT(w.ptr, wb.ptr, rd.ptr, colStart.ptr, csc.ptr, rows, inputs, units, stride, bias ? 1 : 0, 0, 0, 0, 0, cfg.ptr, from, to, 0);
            update(rD, rDb, 0, inputs);
            const DT = get(arena, rD);
            expect(DT.filter((_, q) => q % stride >= units), 'padding columns stay zero').toEqual(new Float32Array(inputs * (stride - units)));
            expectWithin('D', backOf(DT, units, inputs, stride), D1, sumD, rows, u, units * inputs, 2);
            expectWithin('D_b', get(arena, rDb), Db1, sumDb, rows, u, b.length, 2);
            for (const [from, to] of parts(inputs, 3)) update(rD2, rDb2, from, to);
            expect(get(arena, rD2), 'weightUpdateT in 3 parts').toEqual(DT);
            expect(get(arena, rDb2), 'weightUpdateT in 3 parts').toEqual(get(arena, rDb));

            // the optimizers' arithmetic on WT, from the kernel's own D (so only the update's rounding differs)
            const D = backOf(DT, units, inputs, stride);
            for (const o of [{ type: 'sgd', learningRate: 0.3, l2: 0.01 }, { type: 'momentum', learningRate: 0.1, momentum: 0.9, l2: 0.001 }, { type: 'adam', learningRate: 0.01 }] as OptimizerConfig[]) {
              const opt = resolveOptimizer(o);
              const W0 = fill(new Float32Array(units * inputs), rng, 0) as Float32Array;
              const m0 = fill(new Float32Array(units * inputs), rng, 0).map((s) => s * 0.1) as Float32Array;
              const s0 = fill(new Float32Array(units * inputs), rng, 0).map((s) => s * s * 0.01) as Float32Array;
              const t = 3;
              const want = Float64Array.from(W0);
              const state = { m: Float64Array.from(m0), v: Float64Array.from(s0) };
              updateWeights(opt, want, Float64Array.from(D), state, t, opt.l2);
              const [rw, rm, rs, rbias] = place(arena, transposed(W0, units, inputs, stride), transposed(m0, units, inputs, stride), transposed(s0, units, inputs, stride), new Float32Array(b.length));
              const id = { sgd: 0, momentum: 1, adam: 2 }[opt.type];
              const [c1, c2] = [1 - opt.beta1 ** t, 1 - opt.beta2 ** t];
              arena.view(cfg).set([id, opt.learningRate, opt.l2, opt.type === 'adam' ? opt.beta1 : opt.momentum, opt.beta2, c1, c2, opt.epsilon, rows, 1 - opt.beta1, 1 - opt.beta2]);
              k.weightUpdateT(rw.ptr, rbias.ptr, rd.ptr, colStart.ptr, csc.ptr, rows, inputs, units, stride, 0, rm.ptr, rs.ptr, 0, 0, cfg.ptr, 0, inputs, 0);
              const got = backOf(get(arena, rw), units, inputs, stride);
              // as test/cpu-wasm-kernels.test.ts: the float64 formula against float32 (~10 roundings)
              const eta = opt.learningRate;
              for (let q = 0; q < got.length; q++) {
                const inner =
                  opt.type === 'adam'
                    ? (eta * (Math.abs(m0[q]) + Math.abs(D[q]))) / c1 / (Math.sqrt(state.v[q] / c2) + opt.epsilon)
                    : eta * (Math.abs(D[q]) + opt.l2 * Math.abs(W0[q])) + opt.momentum * Math.abs(m0[q]);
                const tol = 16 * u * (Math.abs(want[q]) + Math.abs(W0[q]) + Math.abs(want[q] - W0[q])) + 4 * u * inner;
                if (!(Math.abs(got[q] - want[q]) <= tol)) expect.fail(`${opt.type} W[${q}]: ${got[q]} vs ${want[q]} (tolerance ${tol})`);
              }
            }
          }
        }
      });
    }
  }
});

/** WT (inputs × stride) back to W (units × inputs) */
function backOf(WT: Float32Array, units: number, inputs: number, stride: number): Float32Array {
  const W = new Float32Array(units * inputs);
  for (let j = 0; j < units; j++) for (let i = 0; i < inputs; i++) W[j * inputs + i] = WT[i * stride + j];
  return W;
}
