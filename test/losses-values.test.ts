/**
 * Every loss and every output activation against values worked out by hand (closed forms of literal numbers,
 * not the engine's own functions): the gradient checks differentiate the engine's patternLoss, so without
 * these a wrong loss formula would be checked against itself. Then the same values through a real network
 * (one dense layer, W = I, b = 0, so v = x): evaluate() gives the loss, and one SGD step moves the bias by
 * η·δ, which gives the output delta the engine used (fused or chained).
 */
import { describe, expect, it } from 'vitest';
import { LOSSES, patternLoss, outputError, type LossName } from '../src/losses.ts';
import { ACTIVATIONS, activate, derivative, softmaxRows, type ActivationName } from '../src/activations.ts';
import { dense, sequential, sgd } from '../src/index.ts';

const Y = [0.2, 0.7, 0.1];
const D = [0, 1, 0];

/** E(y = [.2, .7, .1], d = [0, 1, 0]) by hand */
const LOSS_VALUES: Record<LossName, number> = {
  halfSumSquared: 0.5 * (0.04 + 0.09 + 0.01), // 0.07
  sumSquared: 0.14,
  meanSquared: 0.14 / 3,
  binaryCrossentropy: -(Math.log(0.8) + Math.log(0.7) + Math.log(0.9)), // 0.6851790
  categoricalCrossentropy: -Math.log(0.7), // 0.3566749
  perceptron: 3, // three outputs differ from their targets
};

/** e = −∂E/∂y at the same point, by hand */
const ERRORS: Record<LossName, number[]> = {
  halfSumSquared: [-0.2, 0.3, -0.1],
  sumSquared: [-0.4, 0.6, -0.2],
  meanSquared: [-0.4 / 3, 0.2, -0.2 / 3],
  binaryCrossentropy: [-1 / 0.8, 1 / 0.7, -1 / 0.9], // d/y − (1−d)/(1−y)
  categoricalCrossentropy: [0, 1 / 0.7, 0],
  perceptron: [-0.2, 0.3, -0.1],
};

describe('losses: hand-computed values', () => {
  it('covers every loss', () => expect(Object.keys(LOSS_VALUES).sort()).toEqual([...LOSSES].sort()));
  for (const loss of LOSSES) {
    it(`${loss}: E([.2, .7, .1]; [0, 1, 0]) = ${LOSS_VALUES[loss].toPrecision(7)} and its error signal`, () => {
      expect(patternLoss(loss, Y, D, 0, 3)).toBeCloseTo(LOSS_VALUES[loss], 12);
      // an offset row: the same pattern at position 3 of a longer array
      expect(patternLoss(loss, [9, 9, 9, ...Y], [9, 9, 9, ...D], 3, 3)).toBeCloseTo(LOSS_VALUES[loss], 12);
      Y.forEach((y, k) => expect(outputError(loss, y, D[k], 3), `e${k}`).toBeCloseTo(ERRORS[loss][k], 12));
    });
  }
  it('cross-entropies clamp the probability at 1e-7 (ln 0 never happens)', () => {
    expect(patternLoss('categoricalCrossentropy', [0, 1], [1, 0], 0, 2)).toBeCloseTo(-Math.log(1e-7), 9);
    expect(patternLoss('binaryCrossentropy', [1], [0], 0, 1)).toBeCloseTo(-Math.log(1e-7), 6);
  });
});

/** f(v) and f'(v) at chosen points, by hand: [v, f(v), f'(v)] */
const ACTIVATION_VALUES: Record<Exclude<ActivationName, 'softmax'>, [number, number, number][]> = {
  linear: [[-1.5, -1.5, 1], [2, 2, 1]],
  sigmoid: [[0, 0.5, 0.25], [Math.log(3), 0.75, 0.1875]], // 1/(1 + 1/3) = 3/4
  tanh: [[0, 0, 1], [Math.log(2), 0.6, 0.64]], // (4 − 1)/(4 + 1)
  relu: [[-2, 0, 0], [1.5, 1.5, 1]],
  leakyRelu: [[-1, -0.2, 0.2], [3, 3, 1]], // α = 0.2
  softplus: [[0, Math.LN2, 0.5], [Math.log(3), Math.log(4), 0.75], [-Math.log(3), Math.log(4 / 3), 0.25]],
  step: [[-1, 0, 0], [0, 0.5, 0], [2, 1, 0]],
  sign: [[-3, -1, 0], [0, 0, 0], [0.1, 1, 0]],
  piecewiseLinear: [[-1, 0, 0], [0.25, 0.75, 1], [0.7, 1, 0]],
};

describe('activations: hand-computed values', () => {
  it('covers every activation', () => expect([...Object.keys(ACTIVATION_VALUES), 'softmax'].sort()).toEqual([...ACTIVATIONS].sort()));
  for (const [name, points] of Object.entries(ACTIVATION_VALUES) as [ActivationName, [number, number, number][]][]) {
    it(`${name}: f and f' at ${points.map((p) => p[0].toFixed(3)).join(', ')}`, () => {
      for (const [v, y, dy] of points) {
        expect(activate(name, v), `f(${v})`).toBeCloseTo(y, 12);
        expect(derivative(name, v, activate(name, v)), `f'(${v})`).toBeCloseTo(dy, 12);
      }
    });
  }
  it('softmax([0, ln 2, ln 5]) = [1/8, 2/8, 5/8], row by row, unmoved by a shift of the row', () => {
    const v = Float64Array.of(0, Math.LN2, Math.log(5), 1000, 1000 + Math.LN2, 1000 + Math.log(5));
    const y = new Float64Array(6);
    softmaxRows(v, y, 2, 3);
    [0.125, 0.25, 0.625, 0.125, 0.25, 0.625].forEach((w, k) => expect(y[k]).toBeCloseTo(w, 12));
  });
});

/** through the engine: one dense layer with W = I and b = 0, so the output is f(x) */
async function oneLayer(activation: ActivationName, loss: LossName, x: number[], d: number[], eta: number) {
  const n = x.length;
  const model = sequential([dense(n, n, { activation })]);
  model.compile({ loss, optimizer: sgd(eta), backend: 'cpu' });
  const I = new Float32Array(n * n);
  for (let k = 0; k < n; k++) I[k * n + k] = 1;
  await model.setWeights([{ W: I, b: new Float32Array(n) }]);
  const { loss: E } = await model.evaluate([x], [d]);
  await model.fit([x], [d], { epochs: 1, batchSize: 1 });
  const [p] = await model.getWeights();
  await model.dispose();
  return { E, delta: Array.from(p.b, (b) => b / eta) }; // b ← 0 + η·δ
}

describe('the engine: loss and output delta of one pattern, by hand', () => {
  const eta = 0.5;
  const logY = Y.map(Math.log); // softmax(ln y) = y, as y sums to 1
  const cases: { activation: ActivationName; loss: LossName; x: number[]; d: number[]; E: number; delta: number[] }[] = [
    // fused: δ = d − y
    { activation: 'softmax', loss: 'categoricalCrossentropy', x: logY, d: D, E: -Math.log(0.7), delta: [-0.2, 0.3, -0.1] },
    // sigmoid(ln 3) = 0.75, sigmoid(0) = 0.5, sigmoid(−ln 3) = 0.25; fused: δ = d − y
    { activation: 'sigmoid', loss: 'binaryCrossentropy', x: [Math.log(3), 0, -Math.log(3)], d: [1, 0, 1], E: -(Math.log(0.75) + Math.log(0.5) + Math.log(0.25)), delta: [0.25, -0.5, 0.75] },
    // chained: δ = f'(v)·e
    { activation: 'linear', loss: 'halfSumSquared', x: [0.2, 0.7, 0.1], d: D, E: 0.07, delta: [-0.2, 0.3, -0.1] },
    { activation: 'linear', loss: 'sumSquared', x: [0.2, 0.7, 0.1], d: D, E: 0.14, delta: [-0.4, 0.6, -0.2] },
    // tanh(ln 2) = 0.6, f' = 0.64; e = (2/3)(d − y)
    { activation: 'tanh', loss: 'meanSquared', x: [Math.log(2), 0, -Math.log(2)], d: [1, 0.5, 0], E: (0.16 + 0.25 + 0.36) / 3, delta: [0.64 * (2 / 3) * 0.4, (2 / 3) * 0.5, 0.64 * (2 / 3) * 0.6] },
    // sigmoid with ½Σ(d−y)²: δ = y(1−y)(d − y)
    { activation: 'sigmoid', loss: 'halfSumSquared', x: [Math.log(3), 0], d: [0, 1], E: 0.5 * (0.5625 + 0.25), delta: [0.1875 * -0.75, 0.25 * 0.5] },
    // softplus(ln 3) = ln 4, f' = sigmoid(ln 3) = 0.75
    { activation: 'softplus', loss: 'halfSumSquared', x: [Math.log(3)], d: [1], E: 0.5 * (1 - Math.log(4)) ** 2, delta: [0.75 * (1 - Math.log(4))] },
    // relu: f' = 0 below 0 (no change); leakyRelu: f' = 0.2
    { activation: 'relu', loss: 'halfSumSquared', x: [-1, 2], d: [1, 1], E: 0.5 * (1 + 1), delta: [0, -1] },
    { activation: 'leakyRelu', loss: 'halfSumSquared', x: [-1, 2], d: [1, 1], E: 0.5 * (1.44 + 1), delta: [0.2 * 1.2, -1] },
    // the perceptron rule: E counts the wrong outputs, δ = d − y with no f'
    { activation: 'step', loss: 'perceptron', x: [1, -1, 2], d: [1, 1, 0], E: 2, delta: [0, 1, -1] },
  ];
  for (const c of cases) {
    it(`${c.activation} + ${c.loss}: E = ${c.E.toPrecision(6)}, δ = [${c.delta.map((v) => v.toFixed(4)).join(', ')}]`, async () => {
      const { E, delta } = await oneLayer(c.activation, c.loss, c.x, c.d, eta);
      // float32 forward pass and update: ~1e-7 relative
      expect(E).toBeCloseTo(c.E, 5);
      delta.forEach((g, k) => expect(Math.abs(g - c.delta[k]), `δ${k}: ${g} vs ${c.delta[k]}`).toBeLessThanOrEqual(2e-6));
    });
  }
});
