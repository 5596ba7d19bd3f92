// 8-bit pixels on the WebAssembly CPU session: widenUnorm8 (src/backends/cpu/wasm/unorm8.as.ts) gives UNORM8[b]
// = float32(b / 255) bit for bit for all 256 byte values, in the plain and the shared (threads) build; the
// batch gather (src/backends/cpu/wasm/gather.ts) gives exactly the float32 path's x and one-hot d; and whole
// training runs on bytes + class indices equal float32 + one-hot bit for bit, on 1 thread and on 2 (with the
// first layer's calls split, so the shared build runs), and on the TypeScript kernels.
import { describe, expect, it } from 'vitest';
import { createCpuBackend } from '../src/backends/cpu/backend.ts';
import { uploadCpuDataset } from '../src/backends/cpu/dataset.ts';
import { gatherWasmBatch } from '../src/backends/cpu/wasm/gather.ts';
import { Arena } from '../src/backends/cpu/wasm/memory.ts';
import type { WasmCpuSession } from '../src/backends/cpu/wasm/session.ts';
import { UNORM8 } from '../src/backends/upload.ts';
import type { ByteMatrix, ClassIndices, LayerParams, UploadInputs, UploadTargets } from '../src/backend.ts';
import { oneHot } from '../src/data/dataset.ts';
import type { Matrix } from '../src/tensor.ts';
import { Random } from '../src/random.ts';
import { makeParams, makeSpec } from './helpers/networks.ts';
import type { NetworkCase } from './helpers/networks.ts';

/** rows × inputs pixels, about 60% zero in runs (as digits are), with every byte value present; labels from a rule */
function makeSets(rows: number, inputs: number, classes: number, seed: number): { bytes: ByteMatrix; labels: ClassIndices; x: Matrix; y: Matrix } {
  const rng = new Random(seed);
  const b = new Uint8Array(rows * inputs);
  for (let k = 0; k < b.length; k++) b[k] = k < 256 ? k : (k >> 5) % 5 < 3 ? 0 : Math.floor(rng.uniform(0, 256));
  const labels = Uint8Array.from({ length: rows }, (_, r) => (b[r * inputs + 40] + b[r * inputs + 90] + r) % classes);
  return {
    bytes: { bytes: b, rows, cols: inputs },
    labels: { indices: labels, classes },
    x: { data: Float32Array.from(b, (v) => v / 255), rows, cols: inputs },
    y: oneHot(labels, classes),
  };
}

describe('8-bit pixels on the WebAssembly CPU session', () => {
  for (const shared of [false, true]) {
    it(`widenUnorm8 is UNORM8 = float32(b/255) bit for bit for every byte (${shared ? 'shared' : 'plain'} build), writing nothing past n`, () => {
      const arena = new Arena(shared);
      // lengths around the 16-pixel step: none, tails only, whole steps, whole steps + tail
      for (const n of [0, 1, 15, 16, 17, 256, 256 * 3 + 13]) {
        const src = arena.alloc(Math.ceil(n / 4) + 4);
        const dst = arena.alloc(n + 1);
        const bytes = arena.byteView();
        // every value, in order, then reversed and mixed with zero runs (a whole zero step takes a shortcut)
        for (let i = 0; i < n; i++) bytes[src.ptr + i] = i < 256 ? i : i % 48 < 16 ? 0 : (i * 7) & 255;
        arena.view(dst).fill(-3);
        arena.kernels.widenUnorm8(src.ptr, dst.ptr, n);
        const out = arena.view(dst);
        const b = arena.byteView();
        for (let i = 0; i < n; i++) {
          const v = b[src.ptr + i];
          if (!Object.is(out[i], UNORM8[v]) || out[i] !== Math.fround(v / 255)) expect.fail(`n ${n}: byte ${v} at ${i} widened to ${out[i]}, expected ${UNORM8[v]}`);
        }
        expect(out[n], `the value after dst[${n - 1}]`).toBe(-3);
      }
      expect(UNORM8[255]).toBe(1);
    });
  }

  it('the batch gather gives bytes + class indices exactly the float32 + one-hot x and d (shuffled rows, a short batch)', () => {
    const rows = 40;
    const inputs = 29; // rows × inputs is no multiple of 16: the widening's tail runs
    const s = makeSets(rows, inputs, 6, 2);
    const bytes = uploadCpuDataset(s.bytes, s.labels, inputs, 6);
    const floats = uploadCpuDataset(s.x, s.y, inputs, 6);
    const arena = new Arena(false);
    const batch = (rows: number) => ({ x: arena.alloc(rows * inputs), xBytes: arena.alloc(Math.ceil((rows * inputs) / 4)), d: arena.alloc(rows * 6) });
    const [a, f] = [batch(16), batch(16)];
    const order = Uint32Array.from(new Random(4).permutation(rows));
    for (const [start, n] of [[0, 16], [16, 16], [32, 8]]) {
      arena.view(a.d).fill(7); // stale targets of an earlier batch must not survive
      gatherWasmBatch(arena, a, bytes, order, start, n);
      gatherWasmBatch(arena, f, floats, order, start, n);
      expect(Array.from(arena.view(a.x).subarray(0, n * inputs))).toEqual(Array.from(arena.view(f.x).subarray(0, n * inputs)));
      expect(Array.from(arena.view(a.d).subarray(0, n * 6))).toEqual(Array.from(arena.view(f.d).subarray(0, n * 6)));
      expect(arena.view(a.x)[inputs + 3]).toBe(s.x.data[order[start + 1] * inputs + 3]);
    }
  });

  // 64 × 200 × 90 multiply-adds in the first layer pass the session's split threshold, so 2 threads split it
  const net: NetworkCase = { sizes: [200, 90, 7], hidden: 'relu', output: 'softmax', loss: 'categoricalCrossentropy', optimizer: { type: 'momentum', learningRate: 0.1 } };
  const ROWS = 200;

  async function run(options: Parameters<typeof createCpuBackend>[0], x: UploadInputs, y: UploadTargets) {
    const spec = makeSpec(net);
    const session = await createCpuBackend(options).compile(spec, makeParams(spec, new Random(3)));
    const data = await session.upload(x, y);
    const order = Uint32Array.from(new Random(9).permutation(ROWS));
    const metrics = await session.trainSteps(data, order, 0, 64, 4); // 3 batches of 64 and one of 8
    const evaluation = await session.evaluate(data);
    const prediction = Array.from(await session.predict(await session.upload(x)));
    const params: LayerParams[] = await session.getParams();
    const splitCalls = (session as Partial<WasmCpuSession>).splitCalls ?? 0;
    session.dispose();
    return { metrics, evaluation, prediction, params: params.map((p) => [Array.from(p.W), Array.from(p.b)]), splitCalls };
  }

  for (const options of [{ kernels: 'wasm', threads: 1 }, { kernels: 'wasm', threads: 2 }, { kernels: 'fast' }] as const) {
    it(`training on bytes + class indices equals float32 + one-hot bit for bit (${options.kernels}, ${'threads' in options ? options.threads : 1} thread(s))`, async () => {
      const s = makeSets(ROWS, 200, 7, 5);
      const floats = await run(options, s.x, s.y);
      const bytes = await run(options, s.bytes, s.labels);
      expect(floats.metrics.count).toBe(ROWS);
      if ('threads' in options && options.threads === 2) expect(bytes.splitCalls).toBeGreaterThan(0);
      expect(bytes.metrics).toEqual(floats.metrics);
      expect(bytes.evaluation).toEqual(floats.evaluation);
      expect(bytes.prediction).toEqual(floats.prediction);
      expect(bytes.params).toEqual(floats.params);
    });
  }
});
