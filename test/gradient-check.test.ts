// Analytic weight changes from backprop against central finite differences of the loss, in float64,
// for every activation × loss pair on a 3-layer network with biases.
import { describe, expect, it } from 'vitest';
import { backprop, forwardPass, newWorkspace } from '../src/backends/cpu/network.ts';
import type { Params } from '../src/backends/cpu/network.ts';
import { patternLoss } from '../src/losses.ts';
import type { LossName } from '../src/losses.ts';
import type { ActivationName } from '../src/activations.ts';
import { resolveOptimizer } from '../src/optimizers.ts';
import { Random } from '../src/random.ts';
import type { NetworkSpec } from '../src/backend.ts';

const HIDDEN: ActivationName[] = ['linear', 'sigmoid', 'tanh', 'relu', 'leakyRelu', 'softplus'];
const LOSSES: LossName[] = ['halfSumSquared', 'sumSquared', 'meanSquared', 'binaryCrossentropy', 'categoricalCrossentropy'];

/**
 * The output activation for a pair: the activation itself for squared losses (softmax too), and for the
 * cross-entropies one whose outputs are probabilities (sigmoid, softmax), since ln y needs y in (0, 1).
 */
function outputsFor(loss: LossName): ActivationName[] {
  return loss.endsWith('Crossentropy') ? ['sigmoid', 'softmax'] : [...HIDDEN, 'softmax'];
}

function setup(hidden: ActivationName, output: ActivationName, loss: LossName, seed: number) {
  const sizes = [4, 5, 3, 3];
  const spec: NetworkSpec = {
    layers: [0, 1, 2].map((l) => ({ inputs: sizes[l], units: sizes[l + 1], activation: l === 2 ? output : hidden, bias: true, alpha: 0.2 })),
    loss,
    optimizer: resolveOptimizer('sgd'),
  };
  const rng = new Random(seed);
  const p: Params = {
    W: spec.layers.map((l) => Float64Array.from({ length: l.units * l.inputs }, () => rng.uniform(-0.8, 0.8))),
    b: spec.layers.map((l) => Float64Array.from({ length: l.units }, () => rng.uniform(-0.3, 0.3))),
  };
  const rows = 3;
  const x = Float64Array.from({ length: rows * 4 }, () => rng.uniform(-1, 1));
  // targets in (0, 1); for the categorical loss each row is a probability distribution
  const d = Float64Array.from({ length: rows * 3 }, () => rng.uniform(0.05, 0.95));
  if (loss === 'categoricalCrossentropy') {
    for (let r = 0; r < rows; r++) {
      const s = d[r * 3] + d[r * 3 + 1] + d[r * 3 + 2];
      for (let k = 0; k < 3; k++) d[r * 3 + k] /= s;
    }
  }
  return { spec, p, x, d, rows };
}

/** mean loss over the batch, which is what D = (1/B)·Σ δ·xᵀ descends */
function meanLoss(spec: NetworkSpec, p: Params, x: Float64Array, d: Float64Array, rows: number): number {
  const ws = newWorkspace(spec, rows, (n) => new Float64Array(n));
  const y = forwardPass(spec, p, x, rows, ws);
  let e = 0;
  for (let r = 0; r < rows; r++) e += patternLoss(spec.loss, y, d, r * 3, 3);
  return e / rows;
}

describe('gradient check: backprop equals −∂E/∂w by central differences (float64)', () => {
  for (const loss of LOSSES) {
    for (const output of outputsFor(loss)) {
      for (const hidden of HIDDEN) {
        it(`${hidden} hidden, ${output} output, ${loss}`, () => {
          const { spec, p, x, d, rows } = setup(hidden, output, loss, 11);
          const ws = newWorkspace(spec, rows, (n) => new Float64Array(n));
          forwardPass(spec, p, x, rows, ws);
          backprop(spec, p, x, d, rows, ws);
          const h = 1e-6;
          let checked = 0;
          for (let l = 0; l < 3; l++) {
            for (const [arr, analytic] of [
              [p.W[l], ws.D[l]],
              [p.b[l], ws.Db[l]],
            ] as const) {
              for (let k = 0; k < arr.length; k++) {
                const w0 = arr[k];
                arr[k] = w0 + h;
                const ePlus = meanLoss(spec, p, x, d, rows);
                arr[k] = w0 - h;
                const eMinus = meanLoss(spec, p, x, d, rows);
                arr[k] = w0;
                const numeric = -(ePlus - eMinus) / (2 * h);
                // central differences are exact to O(h²) ≈ 1e-12 plus rounding ε·E/h ≈ 1e-10:
                // 1e-6 absolute or relative leaves room and still catches any wrong term
                expect(Math.abs(analytic[k] - numeric), `layer ${l} [${k}]: ${analytic[k]} vs ${numeric}`).toBeLessThan(1e-6 * Math.max(1, Math.abs(numeric)));
                checked++;
              }
            }
          }
          expect(checked).toBe(5 * 4 + 5 + 3 * 5 + 3 + 3 * 3 + 3);
        });
      }
    }
  }
});
