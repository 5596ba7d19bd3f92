// Issue 10 (training half) on the WebGPU backend: the health kernel's non-finite flags (read back with
// the tick's metrics) stop training at the same epoch, step and layer as the CPU and keep the weights
// from before that step; resume from a checkpoint; a device destroyed mid-epoch becomes DeviceLostError
// carrying the last checkpoint, and training recovers from it on the CPU.
// Runs on SwiftShader where there is no GPU (see test/helpers/gpu.ts).
import { describe, expect, it } from 'vitest';
import { gpuOrSkip, haveGpu, testKernel, worstError } from './helpers/gpu.ts';
import { createWebGpuBackend } from '../src/backends/webgpu/index.ts';
import type { WebGpuBackend } from '../src/backends/webgpu/index.ts';
import { requestGpu } from '../src/backends/webgpu/device.ts';
import { adam, dense, sequential } from '../src/index.ts';
import { DeviceLostError, ModelBusyError, NonFiniteError, TrainingStoppedError } from '../src/errors.ts';
import { bufferStats } from '../src/backends/webgpu/memory.ts';
import type { LayerParams } from '../src/backend.ts';
import { blobs, divergingCases, weightsBefore } from './helpers/robustness.ts';
import { makeData, makeParams, makeSpec } from './helpers/networks.ts';
import { Random } from '../src/random.ts';
import { resilientFit } from '../src/cli/resilient-fit.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const have = await haveGpu();
let shared: WebGpuBackend | null = null;
async function gpuBackend(): Promise<WebGpuBackend> {
  shared ??= await createWebGpuBackend({ context: (await gpuOrSkip())!, matmul: testKernel((await gpuOrSkip())!) });
  return shared;
}

function close(a: LayerParams[], b: LayerParams[], tol: number) {
  a.forEach((p, l) => {
    expect(worstError(p.W, b[l].W, 1e-3).rel, `layer ${l} W`).toBeLessThan(tol);
    expect(worstError(p.b, b[l].b, 1e-3).rel, `layer ${l} b`).toBeLessThan(tol);
  });
}

describe.skipIf(!have)('non-finite values stop training (WebGPU)', () => {
  for (const c of divergingCases) {
    it(`${c.name}: same epoch and step as the CPU; last good weights kept`, async () => {
      const { x, y } = c.data();
      const run = async (backend: 'cpu' | WebGpuBackend) => {
        const m = c.model();
        m.compile({ ...c.compile, backend });
        const err = await m.fit(x, y, c.fit).then(() => null, (e: unknown) => e);
        return { err: err as NonFiniteError, weights: await m.getWeights() };
      };
      const gpu = await run(await gpuBackend());
      const cpu = await run('cpu');
      expect(gpu.err).toBeInstanceOf(NonFiniteError);
      // the same step; which layers a NaN reaches may differ (WGSL's min/max/clamp of NaN is implementation-defined)
      expect([gpu.err.epoch, gpu.err.step]).toEqual([cpu.err.epoch, cpu.err.step]);
      expect(gpu.err.layers.length).toBeGreaterThan(0);
      expect(gpu.err.message).toMatch(/training diverged in epoch \d+, step \d+: the updated weights of layer/);
      for (const p of gpu.weights) for (const v of [...p.W, ...p.b]) expect(Number.isFinite(v)).toBe(true);
      // the rollback restored exactly the snapshot: an identical GPU model stopped before that step agrees bit for bit
      const before = await weightsBefore(c, await gpuBackend(), gpu.err.epoch, gpu.err.step);
      gpu.weights.forEach((p, l) => expect(Array.from(p.W)).toEqual(Array.from(before[l].W)));
    });
  }
});

describe.skipIf(!have)('health kernel (shaders/health.wgsl) against a host scan of the same parameters', () => {
  // The oracle is a host scan of the parameters the GPU holds after the step (read back): WGSL leaves
  // NaN through min/max/clamp implementation-defined, so a NaN may spread differently than on the CPU
  // (SwiftShader's clamped sigmoid output keeps a NaN output bias from reaching the hidden layers).
  it('flags exactly the layers whose W or b hold NaN/±Infinity, also past 64 workgroups × 256 values', async () => {
    // layer 1 has 130×140 = 18,200 weights: more than one pass of the strided loop
    const spec = makeSpec({ sizes: [5, 140, 130, 3], hidden: 'relu', output: 'sigmoid', loss: 'meanSquared', optimizer: { type: 'sgd', learningRate: 1e-6 } });
    const { x, y } = makeData(16, 5, 3, new Random(1));
    const order = Uint32Array.from({ length: 16 }, (_, i) => i);
    const scan = (p: LayerParams[]) => p.flatMap((q, l) => ([...q.W, ...q.b].every(Number.isFinite) ? [] : [l]));
    const cases: [string, (p: LayerParams[]) => void, number][] = [
      ['all finite', () => {}, -1],
      ['NaN in layer 2 b', (p) => void (p[2].b[1] = NaN), 2],
      ['+Infinity in the last weight of layer 1', (p) => void (p[1].W[p[1].W.length - 1] = Infinity), 1],
      ['-Infinity in layer 0 W', (p) => void (p[0].W[3] = -Infinity), 0],
    ];
    const gpu = await gpuBackend();
    for (const [what, poison, layer] of cases) {
      const params = makeParams(spec, new Random(2));
      poison(params);
      const session = await gpu.compile(spec, params);
      const data = await session.upload(x, y);
      const m = await session.trainSteps(data, order, 0, 16, 1);
      const held = await session.getParams();
      session.dispose();
      expect(m.nonFiniteLayers, what).toEqual(scan(held));
      if (layer >= 0) expect(m.nonFiniteLayers, what).toContain(layer);
      else expect(m.nonFiniteLayers, what).toEqual([]);
    }
  });
});

describe.skipIf(!have)('checkpoints and device loss (WebGPU)', () => {
  const net = () => sequential([dense(2, 6, { activation: 'tanh' }), dense(6, 3, { activation: 'softmax' })], { seed: 3 });

  it('a run resumed from a checkpoint (adam state, t and shuffle restored) ends within tolerance of the uninterrupted one', async () => {
    const { x, y } = blobs(60, 4);
    const full = net();
    full.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.02), backend: await gpuBackend() });
    let ck = null as import('../src/checkpoint/state.ts').Checkpoint | null;
    const stop = new AbortController();
    // in-memory checkpoints: take one after epoch 2 through an abort on an identical model
    const cut = net();
    cut.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.02), backend: await gpuBackend() });
    await cut.fit(x, y, { epochs: 4, batchSize: 8, signal: stop.signal, checkpoint: {}, callbacks: { onEpochEnd: (e) => { if (e === 2) stop.abort(); } } }).catch((e) => {
      ck = e.checkpoint;
    });
    expect(ck!.epoch).toBe(2);
    expect(ck!.state.optimizer[0].vW.length).toBe(12);
    const h = await full.fit(x, y, { epochs: 4, batchSize: 8 });
    const resumed = net();
    resumed.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.02), backend: await gpuBackend() });
    const h2 = await resumed.fit(x, y, { epochs: 4, batchSize: 8, resumeFrom: ck! });
    expect(h2.loss.length).toBe(4);
    h2.loss.forEach((l, i) => expect(Math.abs(l - h.loss[i])).toBeLessThan(1e-5));
    close(await resumed.getWeights(), await full.getWeights(), 1e-5);
    await Promise.all([full.dispose(), cut.dispose(), resumed.dispose()]);
  });

  it('device.destroy() mid-epoch: fit rejects with DeviceLostError carrying the last checkpoint; training finishes on the CPU from it', async () => {
    const { x, y } = blobs(60, 5);
    const ctx = await requestGpu();
    const own = await createWebGpuBackend({ context: ctx!, matmul: testKernel(ctx!) });
    const m = net();
    m.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.02), backend: own });
    const err = await m
      .fit(x, y, {
        epochs: 4,
        batchSize: 6,
        ticksPerEpoch: 5,
        checkpoint: { everyEpochs: 1 },
        callbacks: { onProgress: (p) => { if (p.epoch === 3 && p.done === 24) ctx!.device.destroy(); } },
      })
      .then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceLostError);
    const e = err as DeviceLostError;
    expect(e.message).toMatch(/webgpu: the device was lost during epoch 3 \(destroyed.*\); the last checkpoint \(after epoch 2\) is kept/);
    expect(e.checkpoint!.epoch).toBe(2);
    // the model took the checkpoint's weights and dropped the dead session
    expect(m.backendName).toBeNull();
    expect(Array.from((await m.getWeights())[0].W)).toEqual(Array.from(e.checkpoint!.state.params[0].W));
    // recovery: the same model, on the CPU, from that checkpoint
    m.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.02), backend: 'cpu' });
    const h = await m.fit(x, y, { epochs: 4, batchSize: 6, resumeFrom: e.checkpoint! });
    expect(h.epochs).toBe(4);
    const ref = net();
    ref.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.02), backend: 'cpu' });
    const hr = await ref.fit(x, y, { epochs: 4, batchSize: 6 });
    // two epochs of float32 GPU arithmetic then two on the CPU, against four on the CPU: Adam's
    // normalisation magnifies ulp-level differences in tiny gradients, hence 1e-3 relative
    h.loss.forEach((l, i) => expect(Math.abs(l - hr.loss[i])).toBeLessThan(1e-4));
    close(await m.getWeights(), await ref.getWeights(), 1e-3);
    own.dispose();
  });

  for (const fallback of ['cpu', 'retry'] as const) {
    it(`the CLI's fit (resilientFit) survives a lost device: --fallback ${fallback} finishes the run ${fallback === 'cpu' ? 'on the CPU' : 'on a new device'}`, async () => {
      const { x, y } = blobs(48, 6);
      const m = net();
      const compile = { loss: 'categoricalCrossentropy', optimizer: adam(0.02), backend: 'webgpu' } as const;
      m.compile(compile);
      const device = () => (m as unknown as { backend: WebGpuBackend }).backend.context.device;
      let destroyed = false;
      const logs: string[] = [];
      const dir = mkdtempSync(join(tmpdir(), 'deltagpu-lost-'));
      try {
        const h = await resilientFit(
          m,
          x,
          y,
          { epochs: 3, batchSize: 6, ticksPerEpoch: 4, callbacks: { onProgress: (p) => { if (p.epoch === 2 && p.done === 12 && !destroyed) [destroyed] = [true, device().destroy()]; } } },
          { base: join(dir, 'run.safetensors'), every: null, keep: 1, fallback, compile, extra: {}, resumeHint: (f) => f, log: (s) => logs.push(s) },
        );
        expect(h.epochs).toBe(3);
        expect(h.loss).toHaveLength(3);
        expect(logs.join('\n')).toMatch(new RegExp(`device was lost during epoch 2 .*resuming from the checkpoint after epoch 1 on ${fallback === 'cpu' ? 'the CPU' : 'a new device'}`));
        expect(logs.join('\n')).toMatch(/checkpoint kept in .*run\.e0001\.safetensors/);
        expect(m.backendName).toBe(fallback === 'cpu' ? 'cpu' : 'webgpu');
      } finally {
        await m.dispose();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }

  it('dispose() from onProgress stops the GPU fit at the next tick, frees every buffer, keeps the weights; a second fit is refused meanwhile', async () => {
    const { x, y } = blobs(48, 7);
    const before = bufferStats.live;
    const m = net();
    m.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.02), backend: 'webgpu' });
    let second: Promise<unknown> | null = null;
    let kept: number[] = [];
    const err = await m
      .fit(x, y, {
        epochs: 5,
        batchSize: 6,
        ticksPerEpoch: 4,
        callbacks: {
          onProgress: (p) => {
            if (p.epoch === 2 && p.done === 24) {
              second = m.fit(x, y).catch((e: Error) => e);
              void m.dispose();
            }
          },
        },
      })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TrainingStoppedError);
    expect((err as Error).message).toMatch(/the model was disposed during fit: stopped in epoch 2 after step 4/);
    expect(await second).toBeInstanceOf(ModelBusyError);
    expect(bufferStats.live).toBe(before);
    expect(m.backendName).toBeNull();
    kept = Array.from((await m.getWeights())[0].W);
    // the weights are those after step 4 of epoch 2: the same as a CPU run stopped there, within float tolerance
    const ref = net();
    ref.compile({ loss: 'categoricalCrossentropy', optimizer: adam(0.02), backend: 'cpu' });
    const stop = new AbortController();
    await ref.fit(x, y, { epochs: 5, batchSize: 6, ticksPerEpoch: 4, signal: stop.signal, callbacks: { onProgress: (p) => { if (p.epoch === 2 && p.done === 24) stop.abort(); } } }).catch(() => {});
    expect(worstError(kept, (await ref.getWeights())[0].W, 1e-3).rel).toBeLessThan(1e-4);
  });
});
