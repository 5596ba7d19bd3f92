/**
 * The issue-11 acceptance run: a 60,000 × 784 set of 8-bit pixels (built here from the embedded digits,
 * repeated and shifted: src/data/synthetic.ts) trains one shuffled epoch on SwiftShader with the storage
 * binding limit forced to 128 MiB, where the same set as float32 (188 MB) would not fit in one binding,
 * and its metrics equal the CPU reference's on the same data and order. The same set is then streamed in
 * chunks under a 16 MiB data budget and must give exactly the resident run's metrics and weights.
 * The model is small (784-16-10, batch 500) so one epoch on the software adapter takes seconds, not minutes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveGpu } from './helpers/gpu.ts';
import { createCpuBackend } from '../src/backends/cpu/backend.ts';
import { createWebGpuBackend } from '../src/backends/webgpu/index.ts';
import type { WebGpuBackend } from '../src/backends/webgpu/index.ts';
import { requestGpu } from '../src/backends/webgpu/device.ts';
import type { Backend, LayerParams, Metrics } from '../src/backend.ts';
import { chunkRows, rowBytes } from '../src/backends/webgpu/dataset.ts';
import { syntheticDigits } from '../src/data/synthetic.ts';
import { Random } from '../src/random.ts';
import { makeParams, makeSpec } from './helpers/networks.ts';
import type { NetworkCase } from './helpers/networks.ts';

const ok = await haveGpu();
const MiB = 2 ** 20;
const net: NetworkCase = { sizes: [784, 16, 10], hidden: 'relu', output: 'softmax', loss: 'categoricalCrossentropy', optimizer: { type: 'sgd', learningRate: 0.1 } };

describe.skipIf(!ok)('60,000 × 784 bytes under a 128 MiB binding limit', () => {
  let gpu: WebGpuBackend;
  let streamed: WebGpuBackend;
  const set = syntheticDigits(60000);
  const order = new Random(42).permutation(60000);
  beforeAll(async () => {
    const context = await requestGpu({ limits: { maxStorageBufferBindingSize: 128 * MiB } });
    // one kernel for every shape, so the streamed and resident runs sum in the same order (see webgpu-data-formats)
    gpu = await createWebGpuBackend({ context: context!, matmul: 'regblock' });
    streamed = await createWebGpuBackend({ context: context!, dataBudget: 16 * MiB, matmul: 'regblock' });
  });
  afterAll(() => {
    gpu?.dispose();
    streamed?.dispose();
  });

  async function epoch(backend: Backend): Promise<{ m: Metrics; e: Metrics; params: LayerParams[] }> {
    const spec = makeSpec(net);
    const session = await backend.compile(spec, makeParams(spec, new Random(1)));
    const data = await session.upload(set.x, set.y);
    const m = await session.trainSteps(data, order, 0, 500, 120);
    const e = await session.evaluate(data);
    const params = await session.getParams();
    session.dispose();
    return { m, e, params };
  }

  it('the limit is in force: float32 pixels would need streaming, bytes fit in one binding', () => {
    expect(gpu.limits.maxStorageBufferBindingSize).toBe(128 * MiB);
    const limits = { binding: 128 * MiB, budget: Infinity };
    const asFloats = { data: new Float32Array(0), rows: 60000, cols: 784 };
    expect(chunkRows(60000, rowBytes(asFloats, set.y, 10), limits)).toBeGreaterThan(0);
    expect(chunkRows(60000, rowBytes(set.x, set.y, 10), limits)).toBe(0);
  });

  it('one epoch on the GPU gives the CPU reference metrics; streamed in 16 MiB chunks it gives the same exactly', async () => {
    const want = await epoch(createCpuBackend({ kernels: 'reference' }));
    const got = await epoch(gpu);
    console.info(`60k epoch: cpu ${JSON.stringify(want.m)} / gpu ${JSON.stringify(got.m)}; evaluate cpu ${JSON.stringify(want.e)} / gpu ${JSON.stringify(got.e)}`);
    for (const [g, c] of [[got.m, want.m], [got.e, want.e]]) {
      expect(g.count).toBe(60000);
      expect(g.count).toBe(c.count);
      expect(g.correct).toBe(c.correct);
      expect(Math.abs(g.lossSum - c.lossSum)).toBeLessThanOrEqual(1e-4 * c.lossSum);
    }
    // it learned: well above the 10% of chance after one epoch
    expect(want.e.correct / 60000).toBeGreaterThan(0.6);
    const s = await epoch(streamed);
    expect(s.m).toEqual(got.m);
    expect(s.e).toEqual(got.e);
    s.params.forEach((p, l) => expect(Array.from(p.W)).toEqual(Array.from(got.params[l].W)));
  }, 600_000);
});
