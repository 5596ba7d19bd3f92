// The fast CPU kernels (src/backends/cpu/dense-fast.ts) against the reference (dense.ts), kernel by kernel on
// random inputs of many shapes, and whole training runs with kernels 'fast' vs 'reference'.
//
// Tolerance. Each checked element is a sum of K products (K = inputs for v, units for e_prev, rows for D). A
// different summation order changes a float32 sum by at most about K·u·Σ|terms| (u = 2⁻²⁴, the float32 unit
// roundoff; the classic bound γ_K ≈ K·u for recursive summation), and the reference itself carries the same
// error, so fast and reference may differ by 2·K·u·Σ|terms|, plus one rounding of the stored result (u·|value|).
// Σ|terms| is computed exactly per element by running the reference in float64 on |a|, |b|. In float64 u = 2⁻⁵³.
// The activations have |f'| ≤ 1 and softmax's Jacobian rows sum to at most ½ in absolute value, so y gets the
// bound of v. (By design the fast kernels keep the reference's order, and these runs differ by exactly zero;
// the bound is the contract, not the expectation.)
import { describe, expect, it } from 'vitest';
import * as ref from '../src/backends/cpu/dense.ts';
import * as fast from '../src/backends/cpu/dense-fast.ts';
import { createCpuBackend } from '../src/backends/cpu/backend.ts';
import { Random } from '../src/random.ts';
import { ACTIVATIONS } from '../src/activations.ts';
import type { ActivationName } from '../src/activations.ts';
import type { LayerParams, LayerSpec, NetworkSpec } from '../src/backend.ts';
import type { Floats } from '../src/tensor.ts';
import { makeParams, makeSpec } from './helpers/networks.ts';
import { PRECISIONS, SHAPES, abs, expectWithin, fill } from './helpers/kernel-check.ts';

describe('fast CPU kernels agree with the reference kernels', () => {
  for (const [pname, make, u] of PRECISIONS) {
    for (const [rows, inputs, units] of SHAPES) {
      for (const bias of [true, false]) {
        for (const zeros of [0, 0.7]) {
          it(`${pname} ${rows}×${inputs}×${units} ${bias ? 'bias' : 'no bias'}${zeros ? ', 70% zero inputs' : ''}`, () => {
            const rng = new Random(rows * 1000 + inputs * 10 + units + (bias ? 1 : 0));
            const W = fill(make(units * inputs), rng, 0);
            const b = fill(make(bias ? units : 0), rng, 0);
            const x = fill(make(rows * inputs), rng, zeros);
            const acts = ACTIVATIONS.filter((a) => a !== 'softmax' || units > 1);
            for (const activation of acts as ActivationName[]) {
              const layer: LayerSpec = { inputs, units, activation, bias, alpha: 0.2 };
              const [v1, y1, v2, y2] = [0, 1, 2, 3].map(() => make(rows * units));
              ref.forward(layer, W, b, x, rows, v1, y1);
              fast.forward(layer, W, b, x, rows, v2, y2);
              const sumV = new Float64Array(rows * units);
              ref.forward({ ...layer, activation: 'linear' }, abs(W), abs(b), abs(x), rows, sumV, new Float64Array(rows * units));
              expectWithin(`${activation} v`, v2, v1, sumV, inputs, u, rows * units);
              const maxV = new Float64Array(sumV.length).fill(sumV.reduce((m, s) => Math.max(m, s), 0));
              expectWithin(`${activation} y`, y2, y1, activation === 'softmax' ? maxV : sumV, inputs, u, rows * units);
            }
            // backward kernels, with ReLU-like zero deltas as well as dense ones
            const layer: LayerSpec = { inputs, units, activation: 'relu', bias, alpha: 0.2 };
            for (const dz of [0, 0.5]) {
              const delta = fill(make(rows * units), rng, dz);
              const [e1, e2] = [make(rows * inputs), make(rows * inputs)];
              ref.backpropError(layer, W, delta, rows, e1);
              fast.backpropError(layer, W, delta, rows, e2);
              const sumE = new Float64Array(rows * inputs);
              ref.backpropError(layer, abs(W), abs(delta), rows, sumE);
              expectWithin('e_prev', e2, e1, sumE, units, u, rows * inputs);

              const [D1, D2, Db1, Db2] = [make(units * inputs), make(units * inputs), make(b.length), make(b.length)];
              ref.weightChange(layer, delta, x, rows, D1, Db1);
              fast.weightChange(layer, delta, x, rows, D2, Db2);
              const [sumD, sumDb] = [new Float64Array(units * inputs), new Float64Array(b.length)];
              ref.weightChange(layer, abs(delta), abs(x), rows, sumD, sumDb);
              expectWithin('D', D2, D1, sumD, rows, u, units * inputs);
              expectWithin('D_b', Db2, Db1, sumDb, rows, u, b.length);
            }
          });
        }
      }
    }
  }

  it('outputDelta and hiddenDelta are the reference functions themselves', () => {
    expect(fast.outputDelta).toBe(ref.outputDelta);
    expect(fast.hiddenDelta).toBe(ref.hiddenDelta);
  });
});

/** A seeded network trained with one kernel set: `epochs` shuffled mini-batch epochs, then `online` steps of 1 pattern. */
async function train(kernels: 'fast' | 'reference', spec: NetworkSpec, params: LayerParams[], x: Float32Array, y: Float32Array, rows: number) {
  const backend = createCpuBackend({ kernels });
  const session = await backend.compile(spec, params);
  const inputs = spec.layers[0].inputs;
  const outputs = spec.layers[spec.layers.length - 1].units;
  const data = await session.upload({ data: x, rows, cols: inputs }, { data: y, rows, cols: outputs });
  const rng = new Random(3);
  const batch = 16;
  for (let epoch = 0; epoch < 2; epoch++) {
    const order = Uint32Array.from(rng.permutation(rows));
    await session.trainSteps(data, order, 0, batch, Math.ceil(rows / batch));
  }
  const order = Uint32Array.from(rng.permutation(rows));
  await session.trainSteps(data, order, 0, 1, 50);
  const out = await session.getParams();
  session.dispose();
  return { out, description: backend.description };
}

describe("training with kernels 'fast' matches kernels 'reference'", () => {
  // 2 epochs of 12 steps and 50 online steps: 74 updates. Per step the kernels agree to the bound above
  // (≈ 2·K·u relative); training compounds that difference at most geometrically with the step's
  // Lipschitz constant, which for these small learning rates stays near 1, so 1e-4 relative to the largest
  // weight leaves two orders of magnitude over 74·2·784·u ≈ 7e-3·… (and the kernels actually agree exactly).
  const cases = [
    { name: 'MNIST-shaped 784-32-10, relu + softmax/CE, sparse inputs', sizes: [784, 32, 10], hidden: 'relu', output: 'softmax', loss: 'categoricalCrossentropy', zeros: 0.8 },
    { name: '13-7-5-3, tanh + sigmoid/BCE, dense inputs', sizes: [13, 7, 5, 3], hidden: 'tanh', output: 'sigmoid', loss: 'binaryCrossentropy', zeros: 0 },
    { name: '9-6-1, leakyRelu + sigmoid/MSE, no bias', sizes: [9, 6, 1], hidden: 'leakyRelu', output: 'sigmoid', loss: 'halfSumSquared', zeros: 0.3, bias: false },
  ] as const;
  for (const c of cases) {
    it(c.name, async () => {
      const spec = makeSpec({ ...c, sizes: [...c.sizes], optimizer: { type: 'momentum', learningRate: 0.05 } });
      const rng = new Random(11);
      const params = makeParams(spec, rng);
      const rows = 190;
      const inputs = c.sizes[0];
      const outputs = c.sizes[c.sizes.length - 1];
      const x = Float32Array.from({ length: rows * inputs }, () => (rng.next() < c.zeros ? 0 : rng.uniform(0, 1)));
      const y = new Float32Array(rows * outputs);
      for (let r = 0; r < rows; r++) y[r * outputs + (outputs === 1 ? 0 : Math.floor(rng.next() * outputs))] = outputs === 1 ? Math.round(rng.next()) : 1;
      const f = await train('fast', spec, params, x, y, rows);
      const r = await train('reference', spec, params, x, y, rows);
      expect(f.description).toBe('CPU (float32, fast JS kernels)');
      expect(r.description).toBe('CPU reference (float32, plain loops)');
      for (let l = 0; l < spec.layers.length; l++) {
        for (const key of ['W', 'b'] as const) {
          const [a, b] = [f.out[l][key], r.out[l][key]];
          const scale = Math.max(1e-3, ...Array.from(b, Math.abs));
          let worst = 0;
          for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]));
          expect(worst / scale, `layer ${l} ${key}`).toBeLessThanOrEqual(1e-4);
          // and training moved the weights, so the comparison means something
          if (b.length > 0) expect(Array.from(b)).not.toEqual(Array.from(params[l][key]));
        }
      }
    });
  }
});
