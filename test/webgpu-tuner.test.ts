/**
 * The matmul autotuner: tuning a 784-128-10 network times the candidates for every product of the step
 * (per layer: forward NT, backprop NN, gradient TN at the batch's shape), caches the answers on disk under
 * DELTAGPU_CACHE_DIR, and a cache entry naming a kernel makes the step use that kernel — with results still
 * equal to the CPU reference. A forced `matmul:` kernel bypasses the tuner.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { haveGpu, sharedGpu } from './helpers/gpu.ts';
import { createWebGpuBackend } from '../src/backends/webgpu/index.ts';
import { MATMUL_KERNELS } from '../src/backends/webgpu/kernels.ts';
import { createCpuBackend } from '../src/backends/cpu/backend.ts';
import { adapterKey, stepMatmuls, shapeKey } from '../src/backends/webgpu/tuner.ts';
import { tuningCache } from '../src/backends/webgpu/tuning-cache.ts';
import { raceOrder } from '../src/backends/webgpu/tuning-race.ts';
import { compareTraining } from '../src/verify/steps.ts';
import { Worst } from '../src/verify/result.ts';
import { makeParams, makeSpec } from './helpers/networks.ts';
import { Random } from '../src/random.ts';
import type { NetworkCase } from '../src/verify/networks.ts';

const ok = await haveGpu();

const NET: NetworkCase = { sizes: [784, 128, 10], hidden: 'relu', output: 'softmax', loss: 'categoricalCrossentropy', optimizer: { type: 'sgd', learningRate: 0.1 } };

describe.skipIf(!ok)('matmul autotuner', () => {
  let dir: string;
  const saved = process.env.DELTAGPU_CACHE_DIR;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'deltagpu-tuner-'));
    process.env.DELTAGPU_CACHE_DIR = dir;
    tuningCache.reset();
  });
  afterAll(() => {
    process.env.DELTAGPU_CACHE_DIR = saved;
    tuningCache.reset();
    rmSync(dir, { recursive: true, force: true });
  });

  it('tunes every product of a 784-128-10 step at batch 64, caches it on disk, and reuses it', async () => {
    const ctx = (await sharedGpu())!;
    const gpu = await createWebGpuBackend({ context: ctx });
    const spec = makeSpec(NET);
    const session = await gpu.compile(spec, makeParams(spec, new Random(1)));
    const x = { data: new Float32Array(64 * 784).fill(0.5), rows: 64, cols: 784 };
    const y = { data: new Float32Array(64 * 10).fill(0.1), rows: 64, cols: 10 };
    const data = await session.upload(x, y);
    await session.trainSteps(data, new Random(2).permutation(64), 0, 64, 1);
    const needs = stepMatmuls(spec, 64);
    const shapes = [...needs.forward, ...needs.backprop, ...needs.update].filter((n) => n !== null).map(shapeKey);
    expect(shapes).toEqual(['NT 64×128×784', 'NT 64×10×128', 'NN 64×128×10', 'TN 128×784×64', 'TN 10×128×64']);
    const entries = await gpu.tuning();
    expect(entries.map((e) => e.shape).sort()).toEqual([...shapes].sort());
    for (const n of [...needs.forward, ...needs.backprop, ...needs.update]) {
      if (!n) continue;
      const e = entries.find((x) => x.shape === shapeKey(n))!;
      // every candidate of the race was timed (naive only for tiny products: none here), and the kept one is the fastest
      expect(Object.keys(e.ms).sort()).toEqual(raceOrder(gpu.tuner!.candidates, gpu.defaultKernel, n.M * n.N * n.R).sort());
      expect(e.ms[e.kernel]).toBe(Math.min(...Object.values(e.ms)));
    }
    // the step uses the kernels the tuner picked
    const choice = session.matmulChoice!;
    expect(choice.forward).toEqual(needs.forward.map((n) => entries.find((e) => e.shape === shapeKey(n!))!.kernel));
    const disk = JSON.parse(readFileSync(join(dir, 'tuning.json'), 'utf8'));
    expect(Object.keys(disk.entries)).toHaveLength(5);
    for (const k of Object.keys(disk.entries)) expect(k.startsWith(adapterKey(ctx.report))).toBe(true);
    // a second backend in this process finds every answer cached: nothing is timed again
    const again = await createWebGpuBackend({ context: ctx });
    const s2 = await again.compile(spec, makeParams(spec, new Random(1)));
    await s2.trainSteps(await s2.upload(x, y), new Random(2).permutation(64), 0, 64, 1);
    expect(again.tuner!.spent.size).toBe(0);
    expect(s2.matmulChoice).toEqual(choice);
    session.dispose();
    s2.dispose();
    gpu.dispose();
    again.dispose();
  });

  // naive: a candidate on every adapter; tiled: not a candidate on a software adapter, honoured all the same
  for (const forced of ['naive', 'tiled'] as const) {
    it(`a cache entry naming ${forced} makes the step run ${forced}, equal to the CPU reference`, async () => {
      const ctx = (await sharedGpu())!;
      const net: NetworkCase = { sizes: [65, 17, 10], hidden: 'tanh', output: 'softmax', loss: 'categoricalCrossentropy', optimizer: { type: 'adam', learningRate: 0.01 } };
      const rows = 33;
      const spec = makeSpec(net);
      const needs = stepMatmuls(spec, rows);
      const probe = await createWebGpuBackend({ context: ctx });
      const suffix = probe.tuner!.candidates.join(',');
      const entries: Record<string, unknown> = {};
      for (const n of [...needs.forward, ...needs.backprop, ...needs.update]) {
        if (!n) continue;
        entries[`${adapterKey(ctx.report)}|${shapeKey(n)}|${suffix}`] = { shape: shapeKey(n), kernel: forced, ms: { [forced]: 0.001 }, timing: 'wall' };
      }
      writeFileSync(join(dir, 'tuning.json'), JSON.stringify({ version: 1, entries }));
      tuningCache.reset();
      const gpu = await createWebGpuBackend({ context: ctx });
      const worst = new Worst();
      let seen: unknown = null;
      // compareTraining compiles and trains on both; capture the GPU session's choice on the way
      const spy = { ...gpu, compile: async (...a: Parameters<typeof gpu.compile>) => {
        const s = await gpu.compile(...a);
        const train = s.trainSteps.bind(s);
        s.trainSteps = async (...t) => {
          const m = await train(...t);
          seen = s.matmulChoice;
          return m;
        };
        return s;
      } };
      expect(await compareTraining(createCpuBackend({ kernels: 'reference' }), spy, net, rows, {}, worst)).toBe(true);
      expect(worst.ratio).toBeLessThanOrEqual(1);
      expect(seen).toEqual({ forward: [forced, forced], backprop: [expect.any(String), forced], update: [forced, forced] });
      expect(gpu.tuner!.spent.size).toBe(0);
      gpu.dispose();
      probe.dispose();
    });
  }

  it('over a corrupt tuning.json, and over an entry naming a kernel that does not exist, a step still runs: it re-tunes and rewrites the file', async () => {
    const ctx = (await sharedGpu())!;
    const net: NetworkCase = { sizes: [9, 5, 3], hidden: 'tanh', output: 'softmax', loss: 'categoricalCrossentropy', optimizer: { type: 'sgd', learningRate: 0.1 } };
    const rows = 8;
    const spec = makeSpec(net);
    const needs = [...stepMatmuls(spec, rows).forward, ...stepMatmuls(spec, rows).backprop, ...stepMatmuls(spec, rows).update].filter((n) => n !== null);
    const train = async () => {
      tuningCache.reset();
      const gpu = await createWebGpuBackend({ context: ctx });
      const worst = new Worst();
      expect(await compareTraining(createCpuBackend({ kernels: 'reference' }), gpu, net, rows, {}, worst)).toBe(true);
      expect(worst.ratio).toBeLessThanOrEqual(1);
      const entries = await gpu.tuning();
      gpu.dispose();
      return entries;
    };
    // garbage: treated as empty; every product is tuned and the file rewritten whole
    writeFileSync(join(dir, 'tuning.json'), '{"version": 1, "entries": {"trunc');
    const fresh = await train();
    expect(fresh.map((e) => e.shape).sort()).toEqual([...new Set(needs.map(shapeKey))].sort());
    const disk = JSON.parse(readFileSync(join(dir, 'tuning.json'), 'utf8')) as { version: number; entries: Record<string, { kernel: string }> };
    expect(disk.version).toBe(1);
    // an entry naming a kernel that does not exist: not used, re-tuned, replaced on disk
    for (const k of Object.keys(disk.entries)) disk.entries[k] = { ...disk.entries[k], kernel: 'no-such-kernel' };
    writeFileSync(join(dir, 'tuning.json'), JSON.stringify(disk));
    const again = await train();
    for (const e of again) expect(MATMUL_KERNELS).toContain(e.kernel);
    const after = JSON.parse(readFileSync(join(dir, 'tuning.json'), 'utf8')) as { entries: Record<string, { kernel: string }> };
    for (const e of Object.values(after.entries)) expect(e.kernel).not.toBe('no-such-kernel');
  });

  it('a forced kernel bypasses the tuner', async () => {
    const gpu = await createWebGpuBackend({ context: (await sharedGpu())!, matmul: 'regblock' });
    expect(gpu.tuner).toBeNull();
    expect(await gpu.tuning()).toEqual([]);
    const spec = makeSpec(NET);
    const s = await gpu.compile(spec, makeParams(spec, new Random(1)));
    const x = { data: new Float32Array(5 * 784), rows: 5, cols: 784 };
    const y = { data: new Float32Array(5 * 10), rows: 5, cols: 10 };
    await s.trainSteps(await s.upload(x, y), new Random(2).permutation(5), 0, 5, 1);
    expect(s.matmulChoice).toEqual({ forward: ['regblock', 'regblock'], backprop: ['regblock', 'regblock'], update: ['regblock', 'regblock'] });
    gpu.dispose();
  });
});
