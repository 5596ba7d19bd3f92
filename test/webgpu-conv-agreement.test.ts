/**
 * Convolutional networks on `webgpu` against the CPU reference backend (src/backends/cpu/conv2d.ts etc., plain
 * loops): a Keras-like CNN (conv → maxpool → conv 'same' → avgpool → flatten → dropout → dense softmax) defined
 * through the model API trains an epoch on both with the same seed, and its weights, predictions and metrics
 * agree; then, at the backend level, every value of the last step (v, y, δ of every layer, W, b, metrics) on odd
 * shapes (stride 2, 'same' with even kernels, 1×1, non-square, 1 and 3 channels, batch 1, a short last batch),
 * 8-bit inputs, checkpoints (getState/setState), rollback and the NaN check on a conv layer.
 *
 * Tolerance: stepTolerance(n, steps) (src/verify/tolerance.ts), n = the sum of every layer's inputs and the
 * batch rows: each value is a float32 sum of at most that many O(1) terms, summed in another order on each
 * backend; a wrong index, sign, mask or missed row errs by orders of magnitude more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveGpu, sharedGpu } from './helpers/gpu.ts';
import { createCpuBackend } from '../src/backends/cpu/backend.ts';
import { createWebGpuBackend } from '../src/backends/webgpu/index.ts';
import type { WebGpuBackend } from '../src/backends/webgpu/index.ts';
import { avgPool2d, conv2d, dense, dropout, flatten, maxPool2d, sequential } from '../src/index.ts';
import type { Layer } from '../src/index.ts';
import type { Backend, ByteMatrix, LayerParams, NetworkSpec, UploadInputs } from '../src/backend.ts';
import type { LossName } from '../src/losses.ts';
import { resolveOptimizer } from '../src/optimizers.ts';
import type { OptimizerConfig } from '../src/optimizers.ts';
import { Random } from '../src/random.ts';
import { stepTolerance } from '../src/verify/tolerance.ts';

const ok = await haveGpu();

function close(gpu: ArrayLike<number>, cpu: ArrayLike<number>, tol: number, what: string): void {
  expect(gpu.length, `${what}: length`).toBe(cpu.length);
  for (let k = 0; k < cpu.length; k++) {
    const err = Math.abs(gpu[k] - cpu[k]) / (1 + Math.abs(cpu[k]));
    if (!(err <= tol)) expect.fail(`${what}[${k}]: gpu ${gpu[k]}, cpu ${cpu[k]} (error ${err.toExponential(2)} > ${tol.toExponential(2)})`);
  }
}

/** Seeded inputs in [0, 1) and one-hot targets from a fixed rule. */
function data(rows: number, inputs: number, classes: number, seed: number) {
  const rng = new Random(seed);
  const x = Float32Array.from({ length: rows * inputs }, () => rng.uniform(0, 1));
  const y = new Float32Array(rows * classes);
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let i = 0; i < inputs; i++) s += x[r * inputs + i] * Math.sin(i + 1);
    y[r * classes + (Math.floor(Math.abs(s) * 7) % classes)] = 1;
  }
  return { x: { data: x, rows, cols: inputs }, y: { data: y, rows, cols: classes } };
}

interface Net {
  name: string;
  layers: () => Layer[];
  loss: LossName;
  optimizer: OptimizerConfig;
  rows: number;
  batch: number;
  steps: number;
  bytes?: boolean;
}

const NETS: Net[] = [
  {
    name: 'Keras-like CNN: conv 3×3 relu, maxpool 2, conv 2×2 same, avgpool, flatten, dropout 0.5, dense softmax; adam, 13 rows in batches of 5',
    layers: () => [
      conv2d(4, 3, { activation: 'relu', inputShape: [9, 8, 1] }), maxPool2d(2), conv2d(6, 2, { activation: 'tanh', padding: 'same' }), avgPool2d(2, { strides: 1 }),
      flatten(), dropout(0.5), dense(5, { activation: 'softmax' }),
    ],
    loss: 'categoricalCrossentropy', optimizer: { type: 'adam', learningRate: 0.01 }, rows: 13, batch: 5, steps: 3,
  },
  {
    name: '3 channels 7×9: conv [2,3] stride 2 same sigmoid, conv 1×1 leaky, maxpool 2×2 stride 1, flatten, dense; momentum + L2, online (batch 1)',
    layers: () => [
      conv2d(5, [2, 3], { strides: 2, padding: 'same', activation: 'sigmoid', inputShape: [7, 9, 3] }), conv2d(3, 1, { activation: 'leakyRelu' }),
      maxPool2d(2, { strides: 1 }), flatten(), dense(3, { activation: 'sigmoid' }),
    ],
    loss: 'halfSumSquared', optimizer: { type: 'momentum', learningRate: 0.1, l2: 0.01 }, rows: 4, batch: 1, steps: 4,
  },
  {
    name: '8-bit pixels, 1 channel 6×5: conv 3×3 relu, dropout 0.25, flatten, dense softmax; sgd, full batch of 7',
    layers: () => [conv2d(3, 3, { activation: 'relu', inputShape: [6, 5, 1] }), dropout(0.25), flatten(), dense(4, { activation: 'softmax' })],
    loss: 'categoricalCrossentropy', optimizer: { type: 'sgd', learningRate: 0.2 }, rows: 7, batch: 7, steps: 2, bytes: true,
  },
];

/** The network, its initial weights (drawn by the model, seed 3) and its data. */
async function setup(net: Net): Promise<{ spec: NetworkSpec; init: LayerParams[]; x: UploadInputs; y: ReturnType<typeof data>['y'] }> {
  const m = sequential(net.layers(), { seed: 3 });
  m.compile({ loss: net.loss, optimizer: net.optimizer, backend: 'cpu' });
  const init = await m.getWeights();
  await m.dispose();
  const spec: NetworkSpec = { layers: [...m.layerSpecs], loss: net.loss, optimizer: resolveOptimizer(net.optimizer) };
  const classes = spec.layers[spec.layers.length - 1].units;
  const d = data(net.rows, spec.layers[0].inputs, classes, 5);
  const x: UploadInputs = net.bytes ? ({ bytes: Uint8Array.from(d.x.data, (v) => Math.floor(v * 256)), rows: net.rows, cols: d.x.cols } satisfies ByteMatrix) : d.x;
  return { spec, init, x, y: d.y };
}

const tolerance = (spec: NetworkSpec, rows: number, steps: number) => stepTolerance(spec.layers.reduce((s, l) => s + l.inputs, rows), steps);

describe.skipIf(!ok)('conv nets: webgpu agrees with the CPU reference', () => {
  let gpu: WebGpuBackend;
  const cpu = createCpuBackend({ kernels: 'reference' });
  beforeAll(async () => {
    gpu = await createWebGpuBackend({ context: (await sharedGpu())! });
  });
  afterAll(() => gpu?.dispose());

  it('the model API: a Keras-like CNN fits an epoch on cpu and on webgpu to the same weights, predictions and metrics', async () => {
    const net = NETS[0];
    const { x, y } = await setup(net);
    const out = [];
    for (const backend of ['cpu', gpu] as const) {
      const m = sequential(net.layers(), { seed: 3 });
      m.compile({ loss: net.loss, optimizer: net.optimizer, backend: backend === 'cpu' ? cpu : backend });
      const h = await m.fit(x as never, y, { epochs: 2, batchSize: net.batch });
      out.push({ weights: await m.getWeights(), p: await m.predict(x as never), e: await m.evaluate(x as never, y), loss: h.loss });
      await m.dispose();
    }
    const [c, g] = out;
    const spec = sequential(net.layers()).layerSpecs;
    const tol = stepTolerance(spec.reduce((s, l) => s + l.inputs, net.rows), 6);
    c.weights.forEach((w, l) => {
      close(g.weights[l].W, w.W, tol, `W${l}`);
      close(g.weights[l].b, w.b, tol, `b${l}`);
    });
    close(g.p.data, c.p.data, tol, 'predict');
    close([g.e.loss, g.e.accuracy ?? 0], [c.e.loss, c.e.accuracy ?? 0], tol, 'evaluate');
    close(g.loss, c.loss, tol, 'fit loss per epoch');
  });

  for (const net of NETS) {
    it(`${net.name}: every value of the last step`, async () => {
      const { spec, init, x, y } = await setup(net);
      const order = new Random(9).permutation(net.rows);
      const res = [];
      for (const b of [cpu, gpu] as Backend[]) {
        const s = await b.compile(spec, init);
        const d = await s.upload(x, y);
        const m = await s.trainSteps(d, order, 0, net.batch, net.steps);
        res.push({ m, trace: await s.lastStep(), params: await s.getParams(), eval: await s.evaluate(d), p: await s.predict(d) });
        s.dispose();
      }
      const [c, g] = res;
      const tol = tolerance(spec, net.rows, net.steps);
      spec.layers.forEach((layer, l) => {
        const at = `layer ${l} (${layer.kind ?? 'dense'})`;
        close(g.trace.v[l], c.trace.v[l], tol, `${at} v`);
        close(g.trace.y[l], c.trace.y[l], tol, `${at} y`);
        close(g.trace.delta[l], c.trace.delta[l], tol, `${at} δ`);
        close(g.params[l].W, c.params[l].W, tol, `${at} W`);
        close(g.params[l].b, c.params[l].b, tol, `${at} b`);
      });
      close([g.m.lossSum, g.m.correct, g.m.count], [c.m.lossSum, c.m.correct, c.m.count], tol, 'train metrics');
      close([g.eval.lossSum, g.eval.correct, g.eval.count], [c.eval.lossSum, c.eval.correct, c.eval.count], tol, 'evaluate (dropout passes through)');
      close(g.p, c.p, tol, 'predict');
      expect(g.m.nonFiniteLayers).toEqual([]);
    });
  }

  it('checkpoints: getState → setState on a fresh session resumes to the same weights as training straight through; rollback undoes a tick', async () => {
    const net = NETS[0];
    const { spec, init, x, y } = await setup(net);
    const order = new Random(9).permutation(net.rows);
    const a = await gpu.compile(spec, init);
    const da = await a.upload(x, y);
    await a.trainSteps(da, order, 0, net.batch, 1);
    const state = await a.getState();
    await a.trainSteps(da, order, net.batch, net.batch, 2);
    const straight = await a.getParams();
    await a.rollback();
    const back = await a.getState();
    state.params.forEach((p, l) => {
      expect(Array.from(back.params[l].W), `rollback W${l}`).toEqual(Array.from(p.W));
      expect(Array.from(back.optimizer[l].mW), `rollback m(W)${l}`).toEqual(Array.from(state.optimizer[l].mW));
    });
    expect(back.t).toBe(state.t);
    a.dispose();
    const b = await gpu.compile(spec, init);
    await b.setState(state);
    const db = await b.upload(x, y);
    await b.trainSteps(db, order, net.batch, net.batch, 2);
    const resumed = await b.getParams();
    // the same kernels on the same data: bit for bit (the dropout mask is keyed by t, restored with the state)
    straight.forEach((p, l) => {
      expect(Array.from(resumed[l].W), `W${l}`).toEqual(Array.from(p.W));
      expect(Array.from(resumed[l].b), `b${l}`).toEqual(Array.from(p.b));
    });
    b.dispose();
  });

  it('a NaN in a conv filter is reported for that layer, in the same readback as the metrics', async () => {
    const net = NETS[1];
    const { spec, init, x, y } = await setup(net);
    const bad = init.map((p) => ({ W: p.W.slice(), b: p.b.slice() }));
    bad[1].W[2] = NaN;
    const s = await gpu.compile(spec, bad);
    const m = await s.trainSteps(await s.upload(x, y), new Random(9).permutation(net.rows), 0, net.batch, 1);
    expect(m.nonFiniteLayers).toContain(1);
    expect(m.nonFiniteLayers).not.toContain(3);
    s.dispose();
  });
});
