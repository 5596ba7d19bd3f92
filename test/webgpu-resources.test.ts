/**
 * What the GPU backend promises about resources: metrics come back with at most one buffer map per
 * progress tick (+1), 20 compile/train/dispose cycles leave no growing number of live GPU buffers, a
 * layer too big for the device fails with a clear error before anything is dispatched, and a disposed
 * session refuses work.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveGpu, sharedGpu, testKernel } from './helpers/gpu.ts';
import { makeData, makeParams, makeSpec } from './helpers/networks.ts';
import { bufferStats, BufferLimitError, createWebGpuBackend, requestGpu } from '../src/backends/webgpu/index.ts';
import type { WebGpuBackend } from '../src/backends/webgpu/index.ts';
import { train } from '../src/trainer.ts';
import { Random } from '../src/random.ts';

const ok = await haveGpu();

const spec = makeSpec({ sizes: [20, 16, 4], hidden: 'relu', output: 'softmax', loss: 'categoricalCrossentropy', optimizer: { type: 'adam', learningRate: 0.01 } });

describe.skipIf(!ok)('WebGPU resources', () => {
  let gpu: WebGpuBackend;
  beforeAll(async () => {
    gpu = await createWebGpuBackend({ context: (await sharedGpu())!, matmul: testKernel((await sharedGpu())!) });
  });
  afterAll(() => gpu?.dispose());

  it('maps buffers at most once per progress tick (+1) during an epoch', async () => {
    const session = await gpu.compile(spec, makeParams(spec, new Random(1)));
    const { x, y } = makeData(500, 20, 4, new Random(2));
    const data = await session.upload(x, y);
    // the matmul tuner reads its timestamps once per shape, at the first step (test/webgpu-tuner.test.ts);
    // tune this shape on a throwaway session first, so the spy counts only the training loop's reads
    const warm = await gpu.compile(spec, makeParams(spec, new Random(1)));
    await warm.trainSteps(await warm.upload(x, y), new Random(4).permutation(500), 0, 8, 1);
    warm.dispose();
    const proto = (globalThis as unknown as { GPUBuffer: { prototype: GPUBuffer } }).GPUBuffer.prototype;
    const original = proto.mapAsync;
    let maps = 0;
    proto.mapAsync = function (this: GPUBuffer, ...args: Parameters<GPUBuffer['mapAsync']>) {
      maps++;
      return original.apply(this, args);
    };
    let ticks = 0;
    try {
      const h = await train(session, {
        train: data,
        validation: null,
        epochs: 1,
        batchSize: 8,
        shuffle: true,
        rng: new Random(3),
        stopAtLoss: null,
        ticksPerEpoch: 5,
        callbacks: { onProgress: () => void ticks++ },
        trace: null,
      });
      expect(h.epochs).toBe(1);
    } finally {
      proto.mapAsync = original;
    }
    // 63 steps of 8 patterns in 5 ticks: the spy must have seen the maps (it works), and no more than ticks+1
    expect(ticks).toBe(5);
    expect(maps).toBeGreaterThanOrEqual(1);
    expect(maps).toBeLessThanOrEqual(ticks + 1);
    session.dispose();
  });

  it('20 compile/upload/train/evaluate/predict/dispose cycles leave no live buffers behind', async () => {
    const { x, y } = makeData(64, 20, 4, new Random(4));
    const live: number[] = [];
    for (let k = 0; k < 20; k++) {
      const session = await gpu.compile(spec, makeParams(spec, new Random(k)));
      const data = await session.upload(x, y);
      await session.trainSteps(data, new Random(k).permutation(64), 0, 16, 4);
      await session.evaluate(data);
      await session.predict(data);
      await session.getParams();
      await session.lastStep();
      expect(session.liveBuffers).toBeGreaterThan(10);
      session.dispose();
      expect(session.liveBuffers).toBe(0);
      live.push(bufferStats.live);
    }
    // the process-wide count is flat: every cycle returns to the same number of live buffers
    expect(new Set(live).size).toBe(1);
  });

  it('a disposed session refuses work with a clear error', async () => {
    const session = await gpu.compile(spec, makeParams(spec, new Random(1)));
    session.dispose();
    await expect(session.getParams()).rejects.toThrow(/disposed/);
  });

  it('a layer above the adapter limits fails before anything is dispatched, naming the buffer and the limit', async () => {
    // a device with WebGPU's default limits (128 MiB per storage binding): requested limits below the
    // defaults are raised to them, so this is the smallest device we can make
    const small = await requestGpu({ limits: { maxStorageBufferBindingSize: 128 << 20, maxBufferSize: 256 << 20 } });
    expect(small).not.toBeNull();
    const limit = small!.device.limits.maxStorageBufferBindingSize;
    expect(limit).toBe(128 << 20);
    const backend = await createWebGpuBackend({ context: small!, matmul: testKernel(small!) });
    const queue = small!.device.queue;
    const submit = queue.submit.bind(queue);
    let submits = 0;
    queue.submit = (cbs: Iterable<GPUCommandBuffer>) => {
      submits++;
      return submit(cbs);
    };
    // W of 4100×8192 floats is 134,348,800 bytes > 134,217,728. Sizes are checked before the parameters
    // are even looked at, so the test needs no 134 MB host array.
    const big = makeSpec({ sizes: [8192, 4100, 10], hidden: 'relu', output: 'softmax', loss: 'categoricalCrossentropy', optimizer: { type: 'sgd', learningRate: 0.1 } });
    const before = bufferStats.live;
    const err = await backend.compile(big, []).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BufferLimitError);
    expect((err as Error).message).toMatch(/'layer 0 weights W \(4100×8192\)' needs 134348800 bytes/);
    expect((err as Error).message).toMatch(/maxStorageBufferBindingSize of 134217728 bytes/);
    expect(submits).toBe(0);
    expect(bufferStats.live).toBe(before);

    // activations too big for a batch fail the same way, before the step is encoded
    const wide = makeSpec({ sizes: [4, 40000, 2], hidden: 'relu', output: 'sigmoid', loss: 'halfSumSquared', optimizer: { type: 'sgd', learningRate: 0.1 } });
    const session = await backend.compile(wide, makeParams(wide, new Random(1)));
    const { x, y } = makeData(1000, 4, 2, new Random(2));
    const data = await session.upload(x, y);
    const submitsBefore = submits;
    await expect(session.trainSteps(data, new Random(1).permutation(1000), 0, 1000, 1)).rejects.toThrow(
      /train layer 0 activations V\/Y\/δ \(1000×40000\).*maxStorageBufferBindingSize/,
    );
    expect(submits).toBe(submitsBefore);
    // and a batch that fits still trains on the same session
    const m = await session.trainSteps(data, new Random(1).permutation(1000), 0, 10, 2);
    expect(m.count).toBe(20);
    backend.dispose();
    small!.device.destroy();
  });
});
