// Momentum, Adam and L2 decay against their textbook formulas, two steps each, on one linear neuron.
import { describe, expect, it } from 'vitest';
import { adam, dense, momentum, sequential, sgd } from '../src/index.ts';
import type { OptimizerConfig } from '../src/index.ts';

// One linear neuron y = w·x + b with E = ½(d−y)²: the weight change is D = (d − y)·x, Db = d − y.
const X = [2, -1];
const D_TARGET = 1.5;
const W0 = [0.3, 0.6];
const B0 = 0.2;

async function twoSteps(opt: OptimizerConfig) {
  const model = sequential([dense(2, 1, { activation: 'linear' })]);
  model.compile({ loss: 'halfSumSquared', optimizer: opt, backend: 'cpu' });
  await model.setWeights([{ W: Float32Array.from(W0), b: Float32Array.of(B0) }]);
  await model.fit([X], [[D_TARGET]], { epochs: 2, batchSize: 1 });
  const [p] = await model.getWeights();
  return [...p.W, ...p.b];
}

/** the same two steps by the formulas in src/optimizers.ts, per parameter, in float64 */
function byHand(step: (w: number, D: number, s: { m: number; v: number }, t: number, decay: number) => number) {
  let w = [...W0, B0];
  const state = w.map(() => ({ m: 0, v: 0 }));
  for (let t = 1; t <= 2; t++) {
    const e = D_TARGET - (w[0] * X[0] + w[1] * X[1] + w[2]);
    const D = [e * X[0], e * X[1], e];
    w = w.map((wk, k) => step(wk, D[k], state[k], t, k < 2 ? 1 : 0));
  }
  return w;
}

describe('optimizers', () => {
  it('sgd with L2 decay (weights only, not the bias)', async () => {
    const eta = 0.05;
    const l2 = 0.1;
    const want = byHand((w, D, _s, _t, isW) => w + eta * (D - isW * l2 * w));
    (await twoSteps(sgd(eta, { l2 }))).forEach((v, k) => expect(v).toBeCloseTo(want[k], 6));
  });

  it('momentum: V ← μV + η·D; W ← W + V', async () => {
    const [eta, mu] = [0.05, 0.9];
    const want = byHand((w, D, s) => {
      s.m = mu * s.m + eta * D;
      return w + s.m;
    });
    const got = await twoSteps(momentum(eta, mu));
    got.forEach((v, k) => expect(v).toBeCloseTo(want[k], 6));
    // and momentum really differs from plain SGD after the second step
    const plain = byHand((w, D) => w + eta * D);
    expect(Math.abs(got[0] - plain[0])).toBeGreaterThan(1e-3);
  });

  it('adam with bias correction', async () => {
    const [eta, b1, b2, eps] = [0.01, 0.9, 0.999, 1e-7];
    const want = byHand((w, D, s, t) => {
      const g = -D;
      s.m = b1 * s.m + (1 - b1) * g;
      s.v = b2 * s.v + (1 - b2) * g * g;
      return w - (eta * (s.m / (1 - b1 ** t))) / (Math.sqrt(s.v / (1 - b2 ** t)) + eps);
    });
    (await twoSteps(adam(eta))).forEach((v, k) => expect(v).toBeCloseTo(want[k], 6));
  });

  it('adam over varied gradients follows a float64 trajectory, and the test sees β₁, β₂ and ε', async () => {
    // Four patterns with different inputs and targets, online, 6 epochs = 24 steps: the gradients change sign
    // and size from step to step, so m̂/√v̂ is not ±1 (as it is when one pattern repeats) and β₂ and ε matter.
    // The third input is ~1e-6, so its weight's gradients are ~1e-6 and ε = 1e-7 is a tenth of √v̂ there.
    const xs = [[2, -1, 3e-6], [-0.5, 1.5, -1e-6], [1, 0.25, 2e-6], [-1.5, -2, -4e-6]];
    const ds = [1.5, -0.7, 0.4, 2.1];
    const w0 = [0.3, 0.6, -0.2];
    const b0 = 0.2;
    const epochs = 6;
    const eta = 0.05;
    const trajectory = (b1: number, b2: number, eps: number) => {
      const w = [...w0, b0];
      const m = [0, 0, 0, 0];
      const v = [0, 0, 0, 0];
      let t = 0;
      for (let e = 0; e < epochs; e++) {
        for (let p = 0; p < xs.length; p++) {
          t++;
          const x = [...xs[p], 1];
          const err = ds[p] - x.reduce((s, xi, k) => s + xi * w[k], 0);
          for (let k = 0; k < 4; k++) {
            const g = -err * x[k]; // ∂E/∂w for E = ½(d − y)²
            m[k] = b1 * m[k] + (1 - b1) * g;
            v[k] = b2 * v[k] + (1 - b2) * g * g;
            w[k] -= (eta * (m[k] / (1 - b1 ** t))) / (Math.sqrt(v[k] / (1 - b2 ** t)) + eps);
          }
        }
      }
      return w;
    };
    const model = sequential([dense(3, 1, { activation: 'linear' })]);
    model.compile({ loss: 'halfSumSquared', optimizer: adam(eta), backend: 'cpu' });
    await model.setWeights([{ W: Float32Array.from(w0), b: Float32Array.of(b0) }]);
    await model.fit(xs, ds.map((d) => [d]), { epochs, batchSize: 1, shuffle: false });
    const [p] = await model.getWeights();
    const got = [...p.W, ...p.b];
    const want = trajectory(0.9, 0.999, 1e-7);
    // float32 rounding over 24 steps: measured 8.4e-8 at worst; 2e-6 leaves room and stays far below the
    // distance of every wrong variant below (measured: β₂ 0.99 1.3e-3, β₁ 0.8 2.1e-2, ε 1e-8 1.5e-3, ε 1e-6 1.6e-2)
    const TOL = 2e-6;
    const dist = (w: number[]) => Math.max(...w.map((x, k) => Math.abs(x - got[k])));
    expect(dist(want), `${got} vs ${want}`).toBeLessThanOrEqual(TOL);
    // mutations: each changes the trajectory by far more than TOL, so the engine with it would fail here
    for (const [what, w] of [
      ['β₂ = 0.99', trajectory(0.9, 0.99, 1e-7)],
      ['β₁ = 0.8', trajectory(0.8, 0.999, 1e-7)],
      ['ε = 1e-8', trajectory(0.9, 0.999, 1e-8)],
      ['ε = 1e-6', trajectory(0.9, 0.999, 1e-6)],
    ] as const) expect(dist(w), what).toBeGreaterThan(50 * TOL);
  });

  it('rejects a non-positive learning rate and an unknown optimizer by name', () => {
    const model = sequential([dense(2, 1)]);
    expect(() => model.compile({ loss: 'halfSumSquared', optimizer: sgd(0) })).toThrow(/learning rate must be > 0/);
    expect(() => model.compile({ loss: 'halfSumSquared', optimizer: { type: 'rmsprop' as never, learningRate: 0.1 } })).toThrow(/unknown optimizer 'rmsprop'/);
  });
});
