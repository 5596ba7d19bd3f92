// The lectures' single-neuron examples, run through the engine rather than recomputed beside it.
import { describe, expect, it } from 'vitest';
import { dense, sequential, sgd } from '../src/index.ts';
import { Random } from '../src/random.ts';

describe('single sigmoid neuron', () => {
  it('x = (0.1, 0.3), w = (0.5, 0.2), b = 1.83, d = 0.03 gives s = 1.94, y = 0.874352143, E = 0.356465271', async () => {
    const model = sequential([dense(2, 1, { activation: 'sigmoid' })]);
    model.compile({ loss: 'halfSumSquared', optimizer: sgd(0.1), backend: 'cpu' });
    await model.setWeights([{ W: Float32Array.of(0.5, 0.2), b: Float32Array.of(1.83) }]);
    const y = (await model.predict([[0.1, 0.3]])).data[0];
    // s = 0.5·0.1 + 0.2·0.3 + 1.83 = 1.94; float32 carries ~7 digits, so 1e-6 is the bound
    expect(Math.log(y / (1 - y))).toBeCloseTo(1.94, 5);
    expect(Math.abs(y - 0.874352143)).toBeLessThan(1e-6);
    const { loss } = await model.evaluate([[0.1, 0.3]], [[0.03]]);
    expect(Math.abs(loss - 0.356465271)).toBeLessThan(1e-6);
  });
});

describe('linear neuron learning prices from bills', () => {
  const TRUE_PRICES = [0.5, 1.5, 1.0];

  async function priceModel() {
    const model = sequential([dense(3, 1, { activation: 'linear', bias: false })]);
    model.compile({ loss: 'halfSumSquared', optimizer: sgd(1 / 35), backend: 'cpu' });
    await model.setWeights([{ W: Float32Array.of(0.5, 0.5, 0.5), b: new Float32Array(0) }]);
    return model;
  }

  it('one delta-rule step on portions (5, 2, 3), bill 8.50, gives (1.00, 0.70, 0.80) and a residual of −0.30', async () => {
    const model = await priceModel();
    const portions = [[5, 2, 3]];
    const bill = [[5 * 0.5 + 2 * 1.5 + 3 * 1.0]];
    expect(bill[0][0]).toBe(8.5);
    const before = (await model.predict(portions)).data[0];
    expect(bill[0][0] - before).toBeCloseTo(3.5, 6);
    await model.fit(portions, bill, { batchSize: 1, epochs: 1, shuffle: false });
    const [w] = await model.getWeights();
    expect(Array.from(w.W).map((v) => +v.toFixed(6))).toEqual([1, 0.7, 0.8]);
    const after = (await model.predict(portions)).data[0];
    expect(bill[0][0] - after).toBeCloseTo(-0.3, 5);
    // the lecture's warning: the first price estimate moved away from the truth (0.50 → 1.00)
    expect(Math.abs(w.W[0] - TRUE_PRICES[0])).toBeGreaterThan(Math.abs(0.5 - TRUE_PRICES[0]));
  });

  it('trained on many different bills, the estimates converge to the true prices', async () => {
    const model = await priceModel();
    const rng = new Random(7);
    const x: number[][] = [];
    const y: number[][] = [];
    for (let k = 0; k < 60; k++) {
      const p = [1 + rng.int(6), 1 + rng.int(6), 1 + rng.int(6)];
      x.push(p);
      y.push([p[0] * TRUE_PRICES[0] + p[1] * TRUE_PRICES[1] + p[2] * TRUE_PRICES[2]]);
    }
    // η = 1/35 suits portions of size ~3; larger bills need a smaller step to stay stable
    model.compile({ loss: 'halfSumSquared', optimizer: sgd(0.005), backend: 'cpu' });
    await model.setWeights([{ W: Float32Array.of(0.5, 0.5, 0.5), b: new Float32Array(0) }]);
    await model.fit(x, y, { batchSize: 1, epochs: 200, shuffle: true });
    const [w] = await model.getWeights();
    Array.from(w.W).forEach((v, i) => expect(Math.abs(v - TRUE_PRICES[i])).toBeLessThan(1e-3));
  });
});
