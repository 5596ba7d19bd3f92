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
});
