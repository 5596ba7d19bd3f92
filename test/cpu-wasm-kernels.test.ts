// The WebAssembly SIMD kernels (src/backends/cpu/wasm/dense-simd.as.ts) against the reference (dense.ts), kernel by kernel
// on random inputs of odd shapes, dense and 70% zero, with the summation-order tolerance of
// test/helpers/kernel-check.ts; and each kernel run in parts (as the threads split it) against one whole run,
// which must agree bit for bit.
import { describe, expect, it } from 'vitest';
import * as ref from '../src/backends/cpu/dense.ts';
import { updateWeights } from '../src/backends/cpu/update.ts';
import { Arena, wasmSimdAvailable } from '../src/backends/cpu/wasm/memory.ts';
import type { Region } from '../src/backends/cpu/wasm/memory.ts';
import { activate } from '../src/activations.ts';
import type { ActivationName } from '../src/activations.ts';
import { resolveOptimizer } from '../src/optimizers.ts';
import type { OptimizerConfig } from '../src/optimizers.ts';
import { Random } from '../src/random.ts';
import type { LayerSpec } from '../src/backend.ts';
import { SHAPES, U32, abs, expectWithin, fill } from './helpers/kernel-check.ts';

const u = U32;
const FORWARD_ACT: Partial<Record<ActivationName, number>> = { linear: 0, relu: 3, leakyRelu: 4 };
const DERIVATIVE_ACT: Partial<Record<ActivationName, number>> = { linear: 0, sigmoid: 1, tanh: 2, relu: 3, leakyRelu: 4 };

/** An arena holding copies of the given arrays; `get` reads a region back. */
function place(arena: Arena, ...arrays: Float32Array[]): Region[] {
  return arrays.map((a) => {
    const r = arena.alloc(a.length);
    arena.view(r).set(a);
    return r;
  });
}
const get = (arena: Arena, r: Region) => arena.view(r).slice();

/** [from, to) parts of [0, count) on whole tiles, as ThreadPool.run makes them for `n` threads */
function parts(count: number, tile: number, n: number): [number, number][] {
  const tiles = Math.ceil(count / tile);
  const bound = (p: number) => Math.min(count, Math.floor((tiles * p) / n) * tile);
  return Array.from({ length: n }, (_, p) => [bound(p), bound(p + 1)] as [number, number]);
}

describe('WebAssembly SIMD kernels agree with the reference kernels', () => {
  it('WebAssembly SIMD runs in this engine', () => expect(wasmSimdAvailable()).toBe(true));

  for (const [rows, inputs, units] of SHAPES) {
    for (const bias of [true, false]) {
      for (const zeros of [0, 0.7]) {
        it(`${rows}×${inputs}×${units} ${bias ? 'bias' : 'no bias'}${zeros ? ', 70% zero inputs' : ''}`, () => {
          const rng = new Random(rows * 1000 + inputs * 10 + units + (bias ? 1 : 0));
          const W = fill(new Float32Array(units * inputs), rng, 0) as Float32Array;
          const b = fill(new Float32Array(bias ? units : 0), rng, 0) as Float32Array;
          const x = fill(new Float32Array(rows * inputs), rng, zeros) as Float32Array;
          const arena = new Arena(false);
          const k = arena.kernels;
          const [rW, rb, rx] = place(arena, W, b, x);
          const list = arena.alloc(Math.max(rows, inputs)).ptr;

          // forward: v always, y where the kernel fuses the activation
          const sumV = new Float64Array(rows * units);
          ref.forward({ inputs, units, activation: 'linear', bias, alpha: 0.2 }, abs(W), abs(b), abs(x), rows, sumV, new Float64Array(rows * units));
          for (const activation of ['linear', 'relu', 'leakyRelu', 'sigmoid'] as ActivationName[]) {
            const layer: LayerSpec = { inputs, units, activation, bias, alpha: 0.2 };
            const [v1, y1] = [new Float32Array(rows * units), new Float32Array(rows * units)];
            ref.forward(layer, W, b, x, rows, v1, y1);
            const act = FORWARD_ACT[activation] ?? -1;
            const [rv, ry, rv2, ry2] = place(arena, ...[0, 1, 2, 3].map(() => new Float32Array(rows * units)));
            k.forward(rW.ptr, rb.ptr, rx.ptr, rv.ptr, ry.ptr, inputs, units, bias ? 1 : 0, act, 0.2, 0, rows, list);
            expectWithin(`${activation} v`, get(arena, rv), v1, sumV, inputs, u, rows * units);
            if (act >= 0) expectWithin(`${activation} y`, get(arena, ry), y1, sumV, inputs, u, rows * units);
            for (const [from, to] of parts(rows, 4, 3)) k.forward(rW.ptr, rb.ptr, rx.ptr, rv2.ptr, ry2.ptr, inputs, units, bias ? 1 : 0, act, 0.2, from, to, list);
            expect(get(arena, rv2), 'forward in 3 parts').toEqual(get(arena, rv));
            expect(get(arena, ry2), 'forward in 3 parts').toEqual(get(arena, ry));
          }

          for (const dz of [0, 0.5]) {
            const delta = fill(new Float32Array(rows * units), rng, dz) as Float32Array;
            const [rd] = place(arena, delta);
            // backprop: e = δ·W, then f' of the previous layer (whose outputs are this layer's inputs x)
            const e = new Float32Array(rows * inputs);
            ref.backpropError({ inputs, units, activation: 'relu', bias, alpha: 0.2 }, W, delta, rows, e);
            const sumE = new Float64Array(rows * inputs);
            ref.backpropError({ inputs, units, activation: 'relu', bias, alpha: 0.2 }, abs(W), abs(delta), rows, sumE);
            const vPrev = fill(new Float32Array(rows * inputs), rng, 0.3) as Float32Array;
            for (const activation of ['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'softplus'] as ActivationName[]) {
              const prev: LayerSpec = { inputs: 1, units: inputs, activation, bias, alpha: 0.2 };
              const yPrev = Float32Array.from(vPrev, (s) => activate(activation, s, 0.2));
              const want = new Float32Array(rows * inputs);
              ref.hiddenDelta(prev, vPrev, yPrev, e, rows, want);
              const act = DERIVATIVE_ACT[activation] ?? -1;
              const [rv, ry, rout, rout2] = place(arena, vPrev, yPrev, new Float32Array(rows * inputs), new Float32Array(rows * inputs));
              k.backprop(rW.ptr, rd.ptr, inputs, units, rv.ptr, ry.ptr, rout.ptr, act, 0.2, 0, rows);
              // |f'| ≤ 1 for these activations, so the bound on e bounds δ; f'·e rounds up to 3 more times
              if (act >= 0) expectWithin(`${activation} δ_prev`, get(arena, rout), want, sumE, units, u, rows * inputs, 4);
              else expectWithin('e_prev', get(arena, rout), e, sumE, units, u, rows * inputs);
              for (const [from, to] of parts(rows, 4, 3)) k.backprop(rW.ptr, rd.ptr, inputs, units, rv.ptr, ry.ptr, rout2.ptr, act, 0.2, from, to);
              expect(get(arena, rout2), 'backprop in 3 parts').toEqual(get(arena, rout));
            }

            // weight change: with W = 0, η = 1, λ = 0 plain SGD leaves W = D and b = D_b exactly
            const [D1, Db1] = [new Float32Array(units * inputs), new Float32Array(b.length)];
            const layer: LayerSpec = { inputs, units, activation: 'relu', bias, alpha: 0.2 };
            ref.weightChange(layer, delta, x, rows, D1, Db1);
            const [sumD, sumDb] = [new Float64Array(units * inputs), new Float64Array(b.length)];
            ref.weightChange(layer, abs(delta), abs(x), rows, sumD, sumDb);
            const cfg = arena.alloc(16);
            arena.view(cfg).set([0, 1, 0, 0, 0, 1, 1, 0, rows, 0, 0]);
            const [rD, rDb, rD2, rDb2] = place(arena, new Float32Array(units * inputs), new Float32Array(b.length), new Float32Array(units * inputs), new Float32Array(b.length));
            const update = (w: Region, wb: Region, from: number, to: number) =>
              k.weightUpdate(w.ptr, wb.ptr, rd.ptr, rx.ptr, rows, inputs, units, bias ? 1 : 0, 0, 0, 0, 0, cfg.ptr, from, to, list);
            update(rD, rDb, 0, units);
            expectWithin('D', get(arena, rD), D1, sumD, rows, u, units * inputs, 2);
            expectWithin('D_b', get(arena, rDb), Db1, sumDb, rows, u, b.length, 2);
            for (const [from, to] of parts(units, 4, 3)) update(rD2, rDb2, from, to);
            expect(get(arena, rD2), 'weight update in 3 parts').toEqual(get(arena, rD));
            expect(get(arena, rDb2), 'weight update in 3 parts').toEqual(get(arena, rDb));

            // the optimizers' arithmetic, from the kernel's own D (so only the update's rounding differs)
            const D = get(arena, rD);
            for (const o of [{ type: 'sgd', learningRate: 0.3, l2: 0.01 }, { type: 'momentum', learningRate: 0.1, momentum: 0.9, l2: 0.001 }, { type: 'adam', learningRate: 0.01 }] as OptimizerConfig[]) {
              const opt = resolveOptimizer(o);
              const W0 = fill(new Float32Array(units * inputs), rng, 0) as Float32Array;
              const m0 = fill(new Float32Array(units * inputs), rng, 0).map((s) => s * 0.1) as Float32Array;
              const s0 = fill(new Float32Array(units * inputs), rng, 0).map((s) => s * s * 0.01) as Float32Array;
              const t = 3;
              const want = Float64Array.from(W0);
              const state = { m: Float64Array.from(m0), v: Float64Array.from(s0) };
              updateWeights(opt, want, Float64Array.from(D), state, t, opt.l2);
              const [rw, rm, rs, rbias] = place(arena, W0, m0, s0, new Float32Array(b.length));
              const id = { sgd: 0, momentum: 1, adam: 2 }[opt.type];
              const [c1, c2] = [1 - opt.beta1 ** t, 1 - opt.beta2 ** t];
              arena.view(cfg).set([id, opt.learningRate, opt.l2, opt.type === 'adam' ? opt.beta1 : opt.momentum, opt.beta2, c1, c2, opt.epsilon, rows, 1 - opt.beta1, 1 - opt.beta2]);
              k.weightUpdate(rw.ptr, rbias.ptr, rd.ptr, rx.ptr, rows, inputs, units, 0, rm.ptr, rs.ptr, 0, 0, cfg.ptr, 0, units, list);
              const got = get(arena, rw);
              // The same formula in float32 instead of float64: each of its ~10 roundings errs by u relative to
              // its operands, so 16·u·(|W| + |step|), plus the roundings inside the step (η·(D − λ·W) + μ·m,
              // or Adam's m̂ over √v̂ + ε) relative to their operands, scaled as the step scales them.
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
        });
      }
    }
  }

  it('targetMinusOutput is d − y elementwise', () => {
    const rng = new Random(5);
    const n = 23;
    const d = fill(new Float32Array(n), rng, 0) as Float32Array;
    const y = fill(new Float32Array(n), rng, 0) as Float32Array;
    const arena = new Arena(false);
    const [rd, ry, rdelta] = place(arena, d, y, new Float32Array(n));
    arena.kernels.targetMinusOutput(rd.ptr, ry.ptr, rdelta.ptr, n);
    expect(get(arena, rdelta)).toEqual(Float32Array.from(d, (v, k) => v - y[k]));
  });
});
