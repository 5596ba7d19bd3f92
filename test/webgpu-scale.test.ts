/**
 * Shapes at the edges of what one step can hold (issue 11), each trained on SwiftShader against the CPU
 * reference from the same parameters and orders: a batch above 65,535 rows (the gather spreads rows over two
 * dispatch dimensions), a layer of 4,096 units, 16,384 inputs, and a network of 7 layers. Row counts are
 * kept small where the width is large so `npm test` stays fast. Tolerances as in webgpu-agreement.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveGpu, sharedGpu, testKernel } from './helpers/gpu.ts';
import { createCpuBackend } from '../src/backends/cpu/backend.ts';
import { createWebGpuBackend } from '../src/backends/webgpu/index.ts';
import type { WebGpuBackend } from '../src/backends/webgpu/index.ts';
import { MAX_BATCH_ROWS } from '../src/backends/webgpu/plan.ts';
import type { Backend, LayerParams, Metrics } from '../src/backend.ts';
import { Random } from '../src/random.ts';
import { makeData, makeParams, makeSpec } from './helpers/networks.ts';
import type { NetworkCase } from './helpers/networks.ts';

const ok = await haveGpu();

interface Case extends NetworkCase {
  name: string;
  rows: number;
  batch: number;
  epochs: number;
}

async function trainOn(backend: Backend, c: Case): Promise<{ params: LayerParams[]; metrics: Metrics[]; evaluation: Metrics }> {
  const spec = makeSpec(c);
  const session = await backend.compile(spec, makeParams(spec, new Random(7)));
  const { x, y } = makeData(c.rows, c.sizes[0], c.sizes[c.sizes.length - 1], new Random(11));
  const data = await session.upload(x, y);
  const rng = new Random(99);
  const metrics: Metrics[] = [];
  for (let e = 0; e < c.epochs; e++) metrics.push(await session.trainSteps(data, rng.permutation(c.rows), 0, c.batch, Math.ceil(c.rows / c.batch)));
  const evaluation = await session.evaluate(data);
  const params = await session.getParams();
  session.dispose();
  return { params, metrics, evaluation };
}

const CASES: Case[] = [
  { name: 'a batch of 70,001 rows (above 65,535), full batch, 2 epochs', sizes: [3, 5, 2], hidden: 'tanh', output: 'softmax', loss: 'categoricalCrossentropy', optimizer: { type: 'sgd', learningRate: 0.5 }, rows: 70001, batch: 70001, epochs: 2 },
  { name: 'a hidden layer of 4,096 units', sizes: [24, 4096, 3], hidden: 'relu', output: 'softmax', loss: 'categoricalCrossentropy', optimizer: { type: 'adam', learningRate: 0.001 }, rows: 12, batch: 4, epochs: 1 },
  { name: '16,384 inputs', sizes: [16384, 6, 2], hidden: 'sigmoid', output: 'sigmoid', loss: 'halfSumSquared', optimizer: { type: 'momentum', learningRate: 0.1 }, rows: 8, batch: 4, epochs: 2 },
  { name: 'a network of 7 layers', sizes: [10, 12, 9, 14, 8, 11, 7, 4], hidden: 'tanh', output: 'softmax', loss: 'categoricalCrossentropy', optimizer: { type: 'sgd', learningRate: 0.3 }, rows: 64, batch: 8, epochs: 2 },
];

describe.skipIf(!ok)('WebGPU at scale agrees with the CPU reference', () => {
  let gpu: WebGpuBackend;
  const cpu = createCpuBackend({ kernels: 'reference' });
  beforeAll(async () => {
    gpu = await createWebGpuBackend({ context: (await sharedGpu())!, matmul: testKernel((await sharedGpu())!) });
  });
  afterAll(() => gpu?.dispose());

  for (const c of CASES) {
    it(c.name, async () => {
      const want = await trainOn(cpu, c);
      const got = await trainOn(gpu, c);
      want.metrics.concat(want.evaluation).forEach((m, k) => {
        const g = got.metrics.concat(got.evaluation)[k];
        expect(g.count).toBe(m.count);
        expect(Math.abs(g.correct - m.correct), `correct in call ${k}`).toBeLessThanOrEqual(Math.ceil(m.count * 1e-4));
        expect(Math.abs(g.lossSum - m.lossSum)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(m.lossSum)));
      });
      let moved = 0;
      const init = makeParams(makeSpec(c), new Random(7));
      want.params.forEach((p, l) => {
        for (const key of ['W', 'b'] as const) {
          p[key].forEach((w, k) => {
            const err = Math.abs(got.params[l][key][k] - w);
            if (!(err <= 2e-4 * (1 + Math.abs(w)))) throw new Error(`layer ${l} ${key}[${k}]: gpu ${got.params[l][key][k]} vs cpu ${w}`);
            moved = Math.max(moved, Math.abs(w - init[l][key][k]));
          });
        }
      });
      expect(moved, 'training must move the weights').toBeGreaterThan(1e-4);
    }, 300_000);
  }

  it('a batch of exactly 524,280 rows (MAX_BATCH_ROWS = 8 × 65,535, the most one step holds) trains as on the CPU', async () => {
    // one layer and one full-batch step, no evaluation: ~4 s on SwiftShader quiet (the step is per-row work;
    // two layers plus an evaluation took 15 s); the last rows are where a dispatch-size slip shows
    const c: NetworkCase = { sizes: [2, 2], hidden: 'linear', output: 'sigmoid', loss: 'halfSumSquared', optimizer: { type: 'sgd', learningRate: 0.5 } };
    const spec = makeSpec(c);
    const rows = MAX_BATCH_ROWS;
    const { x, y } = makeData(rows, 2, 2, new Random(11));
    const order = new Random(99).permutation(rows);
    const res = [];
    for (const b of [cpu, gpu]) {
      const session = await b.compile(spec, makeParams(spec, new Random(7)));
      const m = await session.trainSteps(await session.upload(x, y), order, 0, rows, 1);
      res.push({ m, params: await session.getParams() });
      session.dispose();
    }
    const [want, got] = res;
    expect(got.m.count).toBe(rows);
    expect(Math.abs(got.m.lossSum - want.m.lossSum)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want.m.lossSum)));
    for (const key of ['W', 'b'] as const) {
      want.params[0][key].forEach((w, k) => expect(Math.abs(got.params[0][key][k] - w), `${key}[${k}]`).toBeLessThanOrEqual(2e-4 * (1 + Math.abs(w))));
    }
    // one row dropped or counted twice moves the loss sum by ~1/rows of it, below the 1e-4 above: the count,
    // checked exactly, is what pins every row
  }, 300_000);

  it('a batch of 524,281 rows (one above MAX_BATCH_ROWS) is refused by name, and the session goes on', async () => {
    expect(MAX_BATCH_ROWS).toBe(524_280);
    const c: NetworkCase = { sizes: [3, 4, 2], hidden: 'tanh', output: 'softmax', loss: 'categoricalCrossentropy', optimizer: { type: 'sgd', learningRate: 0.5 } };
    const spec = makeSpec(c);
    const session = await gpu.compile(spec, makeParams(spec, new Random(7)));
    const rows = MAX_BATCH_ROWS + 1;
    const { x, y } = makeData(rows, 3, 2, new Random(11));
    const data = await session.upload(x, y);
    const order = new Random(1).permutation(rows);
    await expect(session.trainSteps(data, order, 0, rows, 1)).rejects.toThrow('webgpu: a batch of 524281 rows is above the 524280 rows one step can hold');
    // nothing was lost: the parameters are untouched, and a step of an allowed size still trains
    const before = await session.getParams();
    expect(Array.from(before[0].W)).toEqual(Array.from(makeParams(spec, new Random(7))[0].W));
    const m = await session.trainSteps(data, order, 0, 64, 1);
    expect(m.count).toBe(64);
    session.dispose();
  }, 300_000);
});
