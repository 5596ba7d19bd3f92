// Whole training runs on the WebAssembly CPU kernels: against the reference kernels (dense.ts) for every
// hidden activation × every loss in the three training modes (online, mini-batch, full batch), and on
// 1, 2 and 3 threads, which must give identical weights (each output element is computed by one thread, in
// the same order whatever the split).
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../src/backends/cpu/backend.ts';
import type { WasmCpuSession } from '../src/backends/cpu/wasm/session.ts';
import { defaultThreads } from '../src/backends/cpu/wasm/threads.ts';
import { infoCommand } from '../src/cli/info.ts';
import { ACTIVATIONS } from '../src/activations.ts';
import type { ActivationName } from '../src/activations.ts';
import { LOSSES } from '../src/losses.ts';
import type { LossName } from '../src/losses.ts';
import type { OptimizerConfig } from '../src/optimizers.ts';
import { Random } from '../src/random.ts';
import type { LayerParams, NetworkSpec } from '../src/backend.ts';
import { makeParams, makeSpec } from './helpers/networks.ts';

type Mode = 'online' | 'mini-batch' | 'full batch';
const MODES: Mode[] = ['online', 'mini-batch', 'full batch'];

function makeData(rows: number, inputs: number, outputs: number, zeros: number, rng: Random) {
  const x = Float32Array.from({ length: rows * inputs }, () => (rng.next() < zeros ? 0 : rng.uniform(0, 1)));
  const y = new Float32Array(rows * outputs);
  for (let r = 0; r < rows; r++) y[r * outputs + (outputs === 1 ? 0 : Math.floor(rng.next() * outputs))] = outputs === 1 ? Math.round(rng.next()) : 1;
  return { x, y };
}

/** Trains a copy of `params` for 2 epochs in `mode` (online: batch 1; mini-batch: 8; full batch: all rows). */
async function train(options: Parameters<typeof createCpuBackend>[0], spec: NetworkSpec, params: LayerParams[], x: Float32Array, y: Float32Array, rows: number, mode: Mode, miniBatch = 8) {
  const backend = createCpuBackend(options);
  const session = await backend.compile(spec, params);
  const inputs = spec.layers[0].inputs;
  const outputs = spec.layers[spec.layers.length - 1].units;
  const data = await session.upload({ data: x, rows, cols: inputs }, { data: y, rows, cols: outputs });
  const batch = mode === 'online' ? 1 : mode === 'mini-batch' ? miniBatch : rows;
  const rng = new Random(3);
  for (let epoch = 0; epoch < 2; epoch++) {
    const order = Uint32Array.from(rng.permutation(rows));
    await session.trainSteps(data, order, 0, batch, Math.ceil(rows / batch));
  }
  const out = await session.getParams();
  const trace = await session.lastStep();
  const splitCalls = (session as Partial<WasmCpuSession>).splitCalls ?? 0;
  session.dispose();
  return { out, trace, description: backend.description, splitCalls };
}

/**
 * max |a − b| over every parameter, relative to the largest |b| of its tensor; and, for the layers in `moving`,
 * that training changed them (a layer behind a threshold unit gets δ = 0 and must not be required to move)
 */
function expectClose(a: LayerParams[], b: LayerParams[], initial: LayerParams[], tolerance: number, moving = (_l: number) => true): void {
  for (let l = 0; l < b.length; l++) {
    for (const key of ['W', 'b'] as const) {
      const [p, q] = [a[l][key], b[l][key]];
      const scale = Math.max(1e-3, ...Array.from(q, Math.abs));
      let worst = 0;
      for (let k = 0; k < p.length; k++) worst = Math.max(worst, Math.abs(p[k] - q[k]));
      expect(worst / scale, `layer ${l} ${key}`).toBeLessThanOrEqual(tolerance);
      if (q.length > 0 && moving(l)) expect(Array.from(q), 'training moved the weights').not.toEqual(Array.from(initial[l][key]));
    }
  }
}

/** step and sign: f' = 0 wherever it is defined, so no δ passes through them (backprop moves nothing behind them) */
const FLAT: readonly ActivationName[] = ['step', 'sign'];

/**
 * The output activation each loss is paired with: its fused one for the cross-entropies, else rotating; a flat
 * threshold unit only under the perceptron rule, whose δ = d − y needs no f'.
 */
function outputFor(loss: LossName, k: number): ActivationName {
  if (loss === 'categoricalCrossentropy') return 'softmax';
  if (loss === 'binaryCrossentropy') return 'sigmoid';
  const plain = ACTIVATIONS.filter((a) => a !== 'softmax' && (loss === 'perceptron' || !FLAT.includes(a)));
  return plain[k % plain.length];
}

describe("kernels 'wasm' train as kernels 'reference'", () => {
  const hidden = ACTIVATIONS.filter((a) => a !== 'softmax');
  hidden.forEach((h, i) => {
    it(`hidden ${h}: every loss, online / mini-batch / full batch`, async () => {
      for (const [j, loss] of LOSSES.entries()) {
        const output = outputFor(loss, i + j);
        const outputs = loss === 'binaryCrossentropy' ? 1 : 3;
        const optimizer: OptimizerConfig = [{ type: 'sgd', learningRate: 0.1, l2: 0.001 }, { type: 'momentum', learningRate: 0.05 }, { type: 'adam', learningRate: 0.01 }][(i + j) % 3] as OptimizerConfig;
        const spec = makeSpec({ sizes: [9, 6, 5, outputs], hidden: h, output, loss, optimizer, bias: j % 2 === 0 });
        const rng = new Random(100 + 10 * i + j);
        const params = makeParams(spec, rng);
        const rows = 37;
        const { x, y } = makeData(rows, 9, outputs, 0.3, rng);
        for (const mode of MODES) {
          const w = await train({ kernels: 'wasm', threads: 1 }, spec, params, x, y, rows, mode);
          const r = await train({ kernels: 'reference' }, spec, params, x, y, rows, mode);
          // see test/cpu-fast-kernels.test.ts for why 1e-4 of the largest weight bounds a reordered float32 run
          // the hidden layers (0, 1) learn only when δ passes through their activation
          expectClose(w.out, r.out, params, 1e-4, (l) => l === 2 || !FLAT.includes(h));
        }
      }
    });
  });

  it('MNIST-shaped 784-32-10 (relu, softmax/CE) on 80% zero inputs, momentum', async () => {
    const spec = makeSpec({ sizes: [784, 32, 10], hidden: 'relu', output: 'softmax', loss: 'categoricalCrossentropy', optimizer: { type: 'momentum', learningRate: 0.05 } });
    const rng = new Random(11);
    const params = makeParams(spec, rng);
    const { x, y } = makeData(190, 784, 10, 0.8, rng);
    const w = await train({}, spec, params, x, y, 190, 'mini-batch', 16);
    const r = await train({ kernels: 'reference' }, spec, params, x, y, 190, 'mini-batch', 16);
    expect(w.description).toMatch(/^CPU \(float32, WebAssembly SIMD kernels, \d+ threads?\)$/);
    expectClose(w.out, r.out, params, 1e-4);
    for (const key of ['v', 'y', 'delta'] as const) {
      for (let l = 0; l < 2; l++) {
        const [a, b] = [w.trace[key][l], r.trace[key][l]];
        expect(a.length).toBe(b.length);
        const scale = Math.max(1e-6, ...Array.from(b, Math.abs));
        for (let k = 0; k < a.length; k++) expect(Math.abs(a[k] - b[k]) / scale, `lastStep ${key}[${l}][${k}]`).toBeLessThanOrEqual(1e-4);
      }
    }
  });
});

describe('threads: identical weights for 1, 2 and 3 threads', () => {
  const cases = [
    { name: '784-40-10 relu + softmax/CE, 80% zero inputs, SGD, batch 64', sizes: [784, 40, 10], hidden: 'relu', output: 'softmax', loss: 'categoricalCrossentropy', zeros: 0.8, optimizer: { type: 'sgd', learningRate: 0.1 }, batch: 64 },
    { name: '301-97-13-5 tanh + sigmoid/MSE, dense inputs, Adam, batch 45', sizes: [301, 97, 13, 5], hidden: 'tanh', output: 'sigmoid', loss: 'meanSquared', zeros: 0, optimizer: { type: 'adam', learningRate: 0.01 }, batch: 45 },
    { name: '403-98-3 leakyRelu + linear/MSE, no bias, momentum, batch 33', sizes: [403, 98, 3], hidden: 'leakyRelu', output: 'linear', loss: 'halfSumSquared', zeros: 0.5, optimizer: { type: 'momentum', learningRate: 0.01, l2: 0.01 }, batch: 33, bias: false },
  ] as const;
  for (const c of cases) {
    it(c.name, async () => {
      const spec = makeSpec({ ...c, sizes: [...c.sizes], optimizer: { ...c.optimizer } as OptimizerConfig });
      const rng = new Random(21);
      const params = makeParams(spec, rng);
      const rows = 190;
      const { x, y } = makeData(rows, c.sizes[0], c.sizes[c.sizes.length - 1], c.zeros, rng);
      for (const mode of MODES) {
        const runs = [];
        for (const threads of [1, 2, 3]) {
          const run = await train({ kernels: 'wasm', threads }, spec, params, x, y, rows, mode, c.batch);
          expect(run.description).toBe(`CPU (float32, WebAssembly SIMD kernels, ${threads} thread${threads > 1 ? 's' : ''})`);
          // the threaded path ran (online steps of one row are too small to split)
          if (threads > 1 && mode !== 'online') expect(run.splitCalls).toBeGreaterThan(0);
          runs.push(run.out);
        }
        expect(runs[1], `${mode}: 2 threads`).toEqual(runs[0]);
        expect(runs[2], `${mode}: 3 threads`).toEqual(runs[0]);
        expect(Array.from(runs[0][0].W)).not.toEqual(Array.from(params[0].W));
      }
    });
  }
});

describe('WebAssembly CPU session: memory growth, predict, evaluate, setParams', () => {
  it('grows its scratch for larger batches (2 threads), predicts and evaluates as the reference, and setParams restarts the optimizer', async () => {
    const spec = makeSpec({ sizes: [300, 70, 4], hidden: 'sigmoid', output: 'softmax', loss: 'categoricalCrossentropy', optimizer: { type: 'adam', learningRate: 0.01 } });
    const rng = new Random(31);
    const params = makeParams(spec, rng);
    const rows = 300;
    const { x, y } = makeData(rows, 300, 4, 0.5, rng);
    const run = async (options: Parameters<typeof createCpuBackend>[0]) => {
      const session = await createCpuBackend(options).compile(spec, params);
      const data = await session.upload({ data: x, rows, cols: 300 }, { data: y, rows, cols: 4 });
      const order = Uint32Array.from(new Random(4).permutation(rows));
      for (const batch of [5, 64, 150]) await session.trainSteps(data, order, 0, batch, 2); // each batch larger than before
      const out = { params: await session.getParams(), predicted: await session.predict(data), metrics: await session.evaluate(data) };
      await session.setParams(params);
      await session.trainSteps(data, order, 0, 64, 3);
      const restarted = await session.getParams();
      session.dispose();
      return { ...out, restarted };
    };
    const w = await run({ kernels: 'wasm', threads: 2 });
    const r = await run({ kernels: 'reference' });
    expectClose(w.params, r.params, params, 1e-4);
    expectClose(w.restarted, r.restarted, params, 1e-4);
    for (let k = 0; k < w.predicted.length; k++) expect(Math.abs(w.predicted[k] - r.predicted[k]), `predict[${k}]`).toBeLessThanOrEqual(1e-4);
    expect(w.metrics.count).toBe(rows);
    expect(w.metrics.correct).toBe(r.metrics.correct);
    expect(w.metrics.lossSum).toBeCloseTo(r.metrics.lossSum, 2);
    // setParams reset Adam's moments and step count: the restarted run is a fresh 3-step run
    const fresh = await (async () => {
      const session = await createCpuBackend({ kernels: 'wasm', threads: 1 }).compile(spec, params);
      const data = await session.upload({ data: x, rows, cols: 300 }, { data: y, rows, cols: 4 });
      await session.trainSteps(data, Uint32Array.from(new Random(4).permutation(rows)), 0, 64, 3);
      const p = await session.getParams();
      session.dispose();
      return p;
    })();
    expect(w.restarted).toEqual(fresh);
  });
});

describe('CPU backend options', () => {
  it('rejects a bad thread count or kernel choice, naming the option', () => {
    for (const threads of [0, 1.5, -2, 1000, Number.NaN]) expect(() => createCpuBackend({ threads })).toThrow(/threads must be an integer from 1 to \d+, got/);
    expect(() => createCpuBackend({ kernels: 'simd' as 'wasm' })).toThrow(/kernels must be 'wasm', 'fast' or 'reference', got 'simd'/);
    expect(() => createCpuBackend({ kernels: 'wasm', precision: 'float64' })).toThrow(/kernels 'wasm' run float32 only, got precision 'float64'/);
  });

  it('says which kernels run and on how many threads', () => {
    const b = createCpuBackend({ threads: 2 });
    expect([b.kernels, b.threads, b.fallbackReason]).toEqual(['wasm', 2, '']);
    expect(createCpuBackend({ precision: 'float64' }).kernels).toBe('reference');
    expect(createCpuBackend({ kernels: 'fast', threads: 3 }).threads).toBe(1);
  });

  it('`deltagpu info` says which CPU kernels run and on how many threads', async () => {
    const lines: string[] = [];
    expect(await infoCommand(['--json'], (l) => lines.push(l))).toBe(0);
    const info = JSON.parse(lines[0]);
    expect(info.cpu).toEqual({ kernels: 'wasm', threads: defaultThreads(), description: createCpuBackend().description });
    lines.length = 0;
    await infoCommand([], (l) => lines.push(l));
    expect(lines).toContain(`CPU kernels: WebAssembly SIMD, ${defaultThreads()} thread${defaultThreads() === 1 ? '' : 's'}`);
  }, 60_000);
});
