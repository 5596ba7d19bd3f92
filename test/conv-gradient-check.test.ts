// Conv nets' analytic gradients against central finite differences of the loss, in float64: every new layer
// kind (conv2d, max/avg pooling, flatten, dropout with a fixed mask) × every hidden activation, on odd shapes
// (stride 2, 'same' with even kernels 2 and 4, 1×1 kernels, a 5×7 image, 1 and 3 channels, pooling with
// stride ≠ size, batch 1 and 3). Checked: every weight's D and every bias's D_b against −∂E/∂w, and the error
// e reaching the inputs against −∂E/∂x (so each kind's backpropError is tested where it is first).
import { describe, expect, it } from 'vitest';
import { backprop, forwardPass, inputError, newWorkspace } from '../src/backends/cpu/network.ts';
import type { Params, StepContext } from '../src/backends/cpu/network.ts';
import { patternLoss } from '../src/losses.ts';
import type { LossName } from '../src/losses.ts';
import type { ActivationName } from '../src/activations.ts';
import { resolveOptimizer } from '../src/optimizers.ts';
import { Random } from '../src/random.ts';
import { biasCount, weightCount } from '../src/backend.ts';
import type { NetworkSpec } from '../src/backend.ts';
import { avgPool2d, conv2d, dense, dropout, flatten, maxPool2d, sequential } from '../src/index.ts';
import type { Layer } from '../src/index.ts';

const ACTS: ActivationName[] = ['relu', 'leakyRelu', 'sigmoid', 'tanh', 'linear', 'softplus'];

interface Case {
  name: string;
  inputShape: [number, number, number];
  layers: (act: ActivationName) => Layer[];
  loss: LossName;
}

const CASES: Case[] = [
  {
    name: 'conv 3×3 stride 2 valid on 5×7×3 → flatten → dense softmax',
    inputShape: [5, 7, 3],
    layers: (a) => [conv2d(2, 3, { strides: 2, activation: a }), flatten(), dense(3, { activation: 'softmax' })],
    loss: 'categoricalCrossentropy',
  },
  {
    name: "conv 2×2 'same' on 5×7×1 → conv 4×4 'same' stride 2 → flatten → dense",
    inputShape: [5, 7, 1],
    layers: (a) => [conv2d(2, 2, { padding: 'same', activation: a }), conv2d(3, 4, { padding: 'same', strides: 2, activation: a }), flatten(), dense(2)],
    loss: 'halfSumSquared',
  },
  {
    name: 'conv 1×1 on 4×5×3 → maxPool 2 stride 1 → flatten → dense',
    inputShape: [4, 5, 3],
    layers: (a) => [conv2d(2, 1, { activation: a }), maxPool2d(2, { strides: 1 }), flatten(), dense(2, { activation: a })],
    loss: 'halfSumSquared',
  },
  {
    name: "conv [3, 2] 'same' stride [1, 2] on 5×7×2 → avgPool [2, 3] stride [2, 1] → flatten → dense",
    inputShape: [5, 7, 2],
    layers: (a) => [conv2d(3, [3, 2], { padding: 'same', strides: [1, 2], activation: a }), avgPool2d([2, 3], { strides: [2, 1] }), flatten(), dense(2)],
    loss: 'halfSumSquared',
  },
  {
    name: 'maxPool 3 stride 2 first on 7×5×3 → conv 2×2 → flatten → dense',
    inputShape: [7, 5, 3],
    layers: (a) => [maxPool2d(3, { strides: 2 }), conv2d(2, 2, { activation: a }), flatten(), dense(2, { activation: 'softmax' })],
    loss: 'categoricalCrossentropy',
  },
  {
    name: 'avgPool 2 first on 5×7×1 → conv 3×3 → avgPool 1 stride 2 → flatten → dense',
    inputShape: [5, 7, 1],
    layers: (a) => [avgPool2d(2), conv2d(2, [1, 3], { activation: a }), avgPool2d(1, { strides: 2 }), flatten(), dense(2)],
    loss: 'halfSumSquared',
  },
  {
    name: 'dropout 0.4 first and after flatten (fixed mask) → conv → dense',
    inputShape: [4, 5, 2],
    layers: (a) => [dropout(0.4), conv2d(3, 2, { activation: a }), flatten(), dropout(0.3), dense(2)],
    loss: 'halfSumSquared',
  },
];

/** A training step's context: dropout draws its mask for t = 7, the same on every pass, so the loss is a function of w. */
const STEP: StepContext = { training: true, t: 7 };

function setup(c: Case, act: ActivationName, rows: number, seed: number) {
  const model = sequential(c.layers(act), { seed, inputShape: c.inputShape });
  const spec: NetworkSpec = { layers: [...model.layerSpecs], loss: c.loss, optimizer: resolveOptimizer('sgd') };
  const rng = new Random(seed);
  const p: Params = {
    W: spec.layers.map((l) => Float64Array.from({ length: weightCount(l) }, () => rng.uniform(-0.6, 0.6))),
    b: spec.layers.map((l) => Float64Array.from({ length: biasCount(l) }, () => rng.uniform(-0.1, 0.5))), // leaning positive, so ReLU units are not all dead
  };
  const inputs = spec.layers[0].inputs;
  const m = spec.layers[spec.layers.length - 1].units;
  const x = Float64Array.from({ length: rows * inputs }, () => rng.uniform(-1, 1));
  const d = Float64Array.from({ length: rows * m }, () => rng.uniform(0.05, 0.95));
  if (c.loss === 'categoricalCrossentropy') {
    for (let r = 0; r < rows; r++) {
      let s = 0;
      for (let k = 0; k < m; k++) s += d[r * m + k];
      for (let k = 0; k < m; k++) d[r * m + k] /= s;
    }
  }
  return { spec, p, x, d, rows, m };
}

/** The mean loss over the batch (what D = (1/B)·Σ descends), in a training pass with the fixed dropout mask. */
function meanLoss(spec: NetworkSpec, p: Params, x: Float64Array, d: Float64Array, rows: number, m: number): number {
  const ws = newWorkspace(spec, rows, (n) => new Float64Array(n));
  const y = forwardPass(spec, p, x, rows, ws, undefined, STEP);
  let e = 0;
  for (let r = 0; r < rows; r++) e += patternLoss(spec.loss, y, d, r * m, m);
  return e / rows;
}

/** Central differences: exact to O(h²) ≈ 1e-12 plus rounding ε·E/h ≈ 1e-10, so 1e-6 leaves room and catches any wrong term. */
function expectClose(analytic: number, numeric: number, what: string): void {
  expect(Math.abs(analytic - numeric), `${what}: ${analytic} vs ${numeric}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
}

describe('conv gradient check: backprop equals −∂E/∂w and e equals −∂E/∂x by central differences (float64)', () => {
  for (const c of CASES) {
    for (const act of ACTS) {
      for (const rows of [1, 3]) {
        it(`${c.name}, ${act}, batch ${rows}`, () => {
          const { spec, p, x, d, m } = setup(c, act, rows, 5 + rows);
          const ws = newWorkspace(spec, rows, (n) => new Float64Array(n));
          forwardPass(spec, p, x, rows, ws, undefined, STEP);
          backprop(spec, p, x, d, rows, ws);
          const h = 1e-6;
          const numeric = (arr: Float64Array, k: number) => {
            const w0 = arr[k];
            arr[k] = w0 + h;
            const ePlus = meanLoss(spec, p, x, d, rows, m);
            arr[k] = w0 - h;
            const eMinus = meanLoss(spec, p, x, d, rows, m);
            arr[k] = w0;
            return -(ePlus - eMinus) / (2 * h);
          };
          let checked = 0;
          spec.layers.forEach((_, l) => {
            for (const [arr, analytic, what] of [
              [p.W[l], ws.D[l], 'W'],
              [p.b[l], ws.Db[l], 'b'],
            ] as const) {
              for (let k = 0; k < arr.length; k++) {
                expectClose(analytic[k], numeric(arr as Float64Array, k), `layer ${l} ${what}[${k}]`);
                checked++;
              }
            }
          });
          expect(checked).toBe(spec.layers.reduce((s, l) => s + weightCount(l) + biasCount(l), 0));
          // the error at the inputs: −∂(mean E)/∂x_i is e_i / rows (e is per pattern, the loss a mean)
          const e = new Float64Array(rows * spec.layers[0].inputs);
          inputError(spec, p, x, rows, ws, e);
          for (let i = 0; i < x.length; i++) expectClose(e[i] / rows, numeric(x, i), `input error [${i}]`);
          // a check that saw only zeros would prove nothing: some of the gradient must be non-zero
          expect(ws.D.some((D) => D.some((v) => Math.abs(v) > 1e-3))).toBe(true);
          expect(e.some((v) => Math.abs(v) > 1e-4)).toBe(true);
        });
      }
    }
  }
});
