/**
 * Linear regression as in the TF2 example (`deltagpu linear-fit`) and the linear neuron's café prices
 * (`deltagpu prices`): SGD approaches the closed-form least-squares line; CPU and GPU agree.
 */
import { describe, expect, it } from 'vitest';
import { leastSquares, linearRegression } from '../src/models/linear-regression.ts';
import { linearFit, tf2RegressionData } from '../src/examples/linear-fit.ts';
import { learnPrices, TRUE_PRICES } from '../src/examples/prices.ts';
import { linearFitToSvg } from '../src/report/fit-plot.ts';
import { main } from '../src/cli/main.ts';
import { haveGpu, sharedGpu, testKernel } from './helpers/gpu.ts';
import { createWebGpuBackend } from '../src/backends/webgpu/index.ts';

describe('least squares (closed form)', () => {
  it('fits exact lines and the textbook example', () => {
    // y = 2x + 1 exactly
    const a = leastSquares([[0], [1], [2]], [[1], [3], [5]]);
    expect(a.weights[0]).toBeCloseTo(2, 12);
    expect(a.bias).toBeCloseTo(1, 12);
    // (0,1), (1,2), (2,2), (3,4): w = Σ(x−x̄)(y−ȳ)/Σ(x−x̄)² = 4.5/5 = 0.9, b = ȳ − w·x̄ = 2.25 − 1.35 = 0.9
    const b = leastSquares([[0], [1], [2], [3]], [[1], [2], [2], [4]]);
    expect(b.weights[0]).toBeCloseTo(0.9, 12);
    expect(b.bias).toBeCloseTo(0.9, 12);
  });
  it('names bad input', () => {
    expect(() => leastSquares([[1], [1]], [[0], [2]])).toThrow(/no spread/);
    expect(() => leastSquares([[1], [NaN]], [[0], [2]])).toThrow(/x has NaN at row 1/);
  });
});

describe('linear-fit (TF2 example) on the CPU', () => {
  it('the data: 100 points, x around 1, slope around 0.5', () => {
    const { x, y } = tf2RegressionData();
    expect(x).toHaveLength(100);
    const mx = x.reduce((s, r) => s + r[0], 0) / 100;
    expect(Math.abs(mx - 1)).toBeLessThan(0.05);
    const ls = leastSquares(x, y);
    expect(Math.abs(ls.weights[0] - 0.5)).toBeLessThan(0.1);
    expect(Math.abs(ls.bias)).toBeLessThan(0.1);
  });

  it('online SGD (lr 0.02) approaches the least-squares line; the loss falls to its level', async () => {
    const r = await linearFit({ backend: 'cpu', epochs: 300 });
    // SGD with a constant step keeps jittering around the optimum: within 0.02 of it in w and b
    expect(Math.abs(r.weight - r.leastSquares.weight)).toBeLessThan(0.02);
    expect(Math.abs(r.bias - r.leastSquares.bias)).toBeLessThan(0.02);
    expect(Math.abs(r.weight - 0.5)).toBeLessThan(0.05);
    expect(Math.abs(r.bias)).toBeLessThan(0.05);
    expect(r.loss).toHaveLength(300);
    expect(r.loss[299]).toBeLessThan(r.loss[0] / 5);
    // the MSE of the least-squares line is the floor; the epoch loss (taken while the weights still jitter) ends within 10% of it
    const floor = r.x.reduce((s, x, i) => s + (r.y[i] - (r.leastSquares.weight * x + r.leastSquares.bias)) ** 2, 0) / r.x.length;
    expect(r.loss[299]).toBeLessThan(floor * 1.1);
  });

  it('linearRegression() names bad input', async () => {
    expect(() => linearRegression({ learningRate: -1 })).toThrow(/learningRate must be a positive number, got -1/);
    const m = linearRegression({ backend: 'cpu' });
    await expect(m.fit([[1], [Infinity]], [[1], [2]])).rejects.toThrow(/x has Infinity at row 1/);
    await m.dispose();
  });

  it('the SVG has both plots: 100 points, the fitted line, the loss curve', () => {
    const x = [0.9, 1, 1.1];
    const svg = linearFitToSvg(x, [0.45, 0.5, 0.56], { weight: 0.5, bias: 0 }, [0.3, 0.2, 0.1], { title: 'fit' });
    expect(svg.match(/class="point"/g)).toHaveLength(3);
    expect(svg).toMatch(/class="fit"/);
    expect(svg).toMatch(/class="series" data-series="train"/);
    expect(svg).toMatch(/y = 0\.5000·x \+ 0\.0000/);
    expect(() => linearFitToSvg([], [], { weight: 0, bias: 0 }, [])).toThrow(/non-empty/);
  });

  it('deltagpu linear-fit --format json has the issue fields', async () => {
    const lines: string[] = [];
    expect(await main(['linear-fit', '--backend', 'cpu', '--epochs', '5', '--batch-size', '10', '--format', 'json'], (s) => lines.push(s))).toBe(0);
    const j = JSON.parse(lines[0]);
    expect(Object.keys(j).sort()).toEqual(['bias', 'leastSquares', 'loss', 'weight']);
    expect(j.loss).toHaveLength(5);
  });
});

describe('café prices (linear neuron) on the CPU', () => {
  it('one step gives (1.00, 0.70, 0.80); many bills give the true prices', async () => {
    const r = await learnPrices({ backend: 'cpu', epochs: 200 });
    r.firstStep.after.forEach((p, i) => expect(p).toBeCloseTo([1, 0.7, 0.8][i], 6));
    expect(r.firstStep.residualBefore).toBeCloseTo(3.5, 6);
    expect(r.firstStep.residualAfter).toBeCloseTo(-0.3, 5);
    r.trained.prices.forEach((p, i) => expect(Math.abs(p - TRUE_PRICES[i])).toBeLessThan(1e-3));
  });
});

const ok = await haveGpu();
describe.skipIf(!ok)('linear regression and prices on the GPU', () => {
  it('same numbers as the CPU (float32 rounding only)', async () => {
    const gpu = await createWebGpuBackend({ context: (await sharedGpu())!, matmul: testKernel((await sharedGpu())!) });
    try {
      const opts = { epochs: 6, batchSize: 10 };
      const c = await linearFit({ ...opts, backend: 'cpu' });
      const g = await linearFit({ ...opts, backend: gpu });
      expect(Math.abs(g.weight - c.weight)).toBeLessThan(1e-5);
      expect(Math.abs(g.bias - c.bias)).toBeLessThan(1e-5);
      g.loss.forEach((l, i) => expect(Math.abs(l - c.loss[i])).toBeLessThan(1e-5 * c.loss[i] + 1e-7));
      const pc = await learnPrices({ backend: 'cpu', epochs: 3, bills: 20 });
      const pg = await learnPrices({ backend: gpu, epochs: 3, bills: 20 });
      pg.firstStep.after.forEach((p, i) => expect(p).toBeCloseTo([1, 0.7, 0.8][i], 6));
      pg.trained.prices.forEach((p, i) => expect(Math.abs(p - pc.trained.prices[i])).toBeLessThan(1e-5));
    } finally {
      gpu.dispose();
    }
  });
});
