/**
 * Agreement with the CPU reference backend: the same initial parameters, data and epoch orders (one
 * seeded PRNG) train the same network on both backends; weights, metrics and the last step's v/y/δ must
 * agree. Covers online SGD (batch 1, 50 steps), mini-batch (2 epochs, a short last batch), full batch,
 * sgd/momentum/adam with L2, and several activation × loss pairs including both fused ones, softmax with
 * a non-CE loss, and layers without bias.
 *
 * Tolerance: both backends compute in float32 but sum in different orders (the GPU in 4-term blocks),
 * so each product differs by ~K·2⁻²⁴ relative; these differences are then carried through tens of
 * updates. We allow |w_gpu − w_cpu| ≤ 2e-4·(1 + |w_cpu|) after training — 50× above
 * the observed drift, yet far below what one wrong term, a missed row or a post-update W in the
 * hidden delta produces (≥ 1e-2 on these problems; swapping backprop and update fails every case).
 * Observed drift: ≤ 4e-7 for sgd/momentum, ≤ 4e-6 for Adam (its 1/√v̂ amplifies tiny gradients).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveGpu, sharedGpu, testKernel } from './helpers/gpu.ts';
import { createCpuBackend } from '../src/backends/cpu/backend.ts';
import { createWebGpuBackend } from '../src/backends/webgpu/index.ts';
import type { WebGpuBackend } from '../src/backends/webgpu/index.ts';
import type { LayerParams, Metrics, Backend } from '../src/backend.ts';
import type { ActivationName } from '../src/activations.ts';
import type { LossName } from '../src/losses.ts';
import type { OptimizerConfig } from '../src/optimizers.ts';
import { Random } from '../src/random.ts';
import { makeData, makeParams, makeSpec } from './helpers/networks.ts';

const ok = await haveGpu();

interface Case {
  name: string;
  sizes: number[]; // inputs, hidden…, outputs
  hidden: ActivationName;
  output: ActivationName;
  loss: LossName;
  optimizer: OptimizerConfig;
  bias?: boolean;
  rows: number;
  batch: number;
  epochs: number;
  /** online: only this many steps of the first epoch */
  steps?: number;
}

async function trainBoth(c: Case, backends: Backend[]): Promise<{ params: LayerParams[][]; metrics: Metrics[][]; traces: unknown[] }> {
  const spec = makeSpec(c);
  const init = makeParams(spec, new Random(7));
  const { x, y } = makeData(c.rows, c.sizes[0], c.sizes[c.sizes.length - 1], new Random(11));
  const params: LayerParams[][] = [];
  const metrics: Metrics[][] = [];
  const traces: unknown[] = [];
  for (const backend of backends) {
    const session = await backend.compile(spec, init);
    const data = await session.upload(x, y);
    const rng = new Random(99);
    const ms: Metrics[] = [];
    for (let e = 0; e < c.epochs; e++) {
      const order = rng.permutation(c.rows);
      const steps = c.steps ?? Math.ceil(c.rows / c.batch);
      ms.push(await session.trainSteps(data, order, 0, c.batch, steps));
    }
    // the CPU backend's evaluate reuses its step workspace, so read the trace first
    traces.push(await session.lastStep());
    ms.push(await session.evaluate(data));
    params.push(await session.getParams());
    metrics.push(ms);
    session.dispose();
  }
  return { params, metrics, traces };
}

/** Throws on the first element off by more than tol·(1 + |cpu|); returns the worst such ratio. */
function expectClose(gpu: ArrayLike<number>, cpu: ArrayLike<number>, tol: number, what: string): number {
  expect(gpu.length, `${what} length`).toBe(cpu.length);
  let worst = 0;
  for (let k = 0; k < cpu.length; k++) {
    const err = Math.abs(gpu[k] - cpu[k]);
    worst = Math.max(worst, err / (1 + Math.abs(cpu[k])));
    if (!(err <= tol * (1 + Math.abs(cpu[k])))) {
      throw new Error(`${what}[${k}]: gpu ${gpu[k]} vs cpu ${cpu[k]} (|Δ| ${err.toExponential(2)} > ${tol})`);
    }
  }
  return worst;
}

const CASES: Case[] = [
  { name: 'online SGD, sigmoid/halfSumSquared, 50 steps', sizes: [5, 7, 3], hidden: 'sigmoid', output: 'sigmoid', loss: 'halfSumSquared', optimizer: { type: 'sgd', learningRate: 0.5 }, rows: 64, batch: 1, epochs: 1, steps: 50 },
  { name: 'online momentum, tanh/meanSquared linear out, 50 steps', sizes: [4, 6, 2], hidden: 'tanh', output: 'linear', loss: 'meanSquared', optimizer: { type: 'momentum', learningRate: 0.05, momentum: 0.9 }, rows: 60, batch: 1, epochs: 1, steps: 50 },
  { name: 'online adam, relu/softmax+CE, 50 steps', sizes: [6, 9, 4], hidden: 'relu', output: 'softmax', loss: 'categoricalCrossentropy', optimizer: { type: 'adam', learningRate: 0.01 }, rows: 50, batch: 1, epochs: 1, steps: 50 },
  { name: 'mini-batch sgd+L2, leakyRelu/sigmoid+BCE, short last batch', sizes: [13, 17, 1], hidden: 'leakyRelu', output: 'sigmoid', loss: 'binaryCrossentropy', optimizer: { type: 'sgd', learningRate: 0.3, l2: 0.01 }, rows: 100, batch: 16, epochs: 2 },
  { name: 'mini-batch momentum, softplus/softmax+sumSquared (non-fused softmax)', sizes: [7, 11, 5], hidden: 'softplus', output: 'softmax', loss: 'sumSquared', optimizer: { type: 'momentum', learningRate: 0.1 }, rows: 90, batch: 32, epochs: 2 },
  { name: 'mini-batch adam+L2, 2 hidden layers, no bias, tanh/sigmoid+halfSumSquared', sizes: [9, 8, 6, 3], hidden: 'tanh', output: 'sigmoid', loss: 'halfSumSquared', optimizer: { type: 'adam', learningRate: 0.01, l2: 0.001 }, bias: false, rows: 75, batch: 10, epochs: 2 },
  { name: 'mini-batch adam, relu/linear+halfSumSquared (width over a tile)', sizes: [33, 65, 17], hidden: 'relu', output: 'linear', loss: 'halfSumSquared', optimizer: { type: 'adam', learningRate: 0.003 }, rows: 70, batch: 32, epochs: 2 },
  { name: 'full batch sgd, sigmoid/softmax+CE', sizes: [8, 12, 3], hidden: 'sigmoid', output: 'softmax', loss: 'categoricalCrossentropy', optimizer: { type: 'sgd', learningRate: 0.5 }, rows: 40, batch: 40, epochs: 5 },
];

describe.skipIf(!ok)('WebGPU agrees with the CPU reference', () => {
  describe.each(['tiled', 'naive'] as const)('with the %s matmul', (kernel) => {
    let other: WebGpuBackend;
    beforeAll(async () => {
      other = await createWebGpuBackend({ context: (await sharedGpu())!, matmul: kernel });
    });
    afterAll(() => other?.dispose());
    for (const c of [CASES[2], CASES[6]]) {
      it(c.name, async () => {
        const { params } = await trainBoth(c, [createCpuBackend({ kernels: 'reference' }), other]);
        params[0].forEach((p, l) => expectClose(params[1][l].W, p.W, 2e-4, `layer ${l} W`));
      });
    }
  });

  let gpu: WebGpuBackend;
  const cpu = createCpuBackend({ kernels: 'reference' });
  beforeAll(async () => {
    gpu = await createWebGpuBackend({ context: (await sharedGpu())!, matmul: testKernel((await sharedGpu())!) });
  });
  afterAll(() => gpu?.dispose());

  for (const c of CASES) {
    it(c.name, async () => {
      const { params, metrics, traces } = await trainBoth(c, [cpu, gpu]);
      const [pc, pg] = params;
      let drift = 0;
      pc.forEach((p, l) => {
        drift = Math.max(drift, expectClose(pg[l].W, p.W, 2e-4, `layer ${l} W`), expectClose(pg[l].b, p.b, 2e-4, `layer ${l} b`));
      });
      console.info(`${c.name}: largest weight drift |Δ|/(1+|w|) = ${drift.toExponential(1)}`);
      const [mc, mg] = metrics;
      mc.forEach((m, k) => {
        expect(mg[k].count).toBe(m.count);
        expect(mg[k].correct).toBe(m.correct);
        expect(Math.abs(mg[k].lossSum - m.lossSum)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(m.lossSum)));
      });
      const [tc, tg] = traces as { v: Float32Array[]; y: Float32Array[]; delta: Float32Array[] }[];
      for (const key of ['v', 'y', 'delta'] as const) {
        tc[key].forEach((a, l) => expectClose(tg[key][l], a, 2e-4, `lastStep ${key}[${l}]`));
      }
      // the run must have moved the weights, or agreement proves nothing
      const init = makeParams(makeSpec(c), new Random(7));
      expect(Math.max(...pc[0].W.map((w, k) => Math.abs(w - init[0].W[k])))).toBeGreaterThan(1e-3);
    });
  }
});
