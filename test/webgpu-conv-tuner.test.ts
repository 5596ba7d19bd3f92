/**
 * The conv2d forward tuner (src/backends/webgpu/conv-tuner.ts): on a software adapter only the barrier-free
 * reference kernel is a candidate (and a conv net's step uses it); on an adapter treated as hardware both
 * kernels are timed by the race, the faster kept, the answer cached, and a second choice times nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { haveGpu, sharedGpu } from './helpers/gpu.ts';
import { ConvTuner } from '../src/backends/webgpu/conv-tuner.ts';
import { Kernels } from '../src/backends/webgpu/kernels.ts';
import { tuningCache } from '../src/backends/webgpu/tuning-cache.ts';
import { inferShapes } from '../src/layers/shapes.ts';
import { conv2d } from '../src/layers/index.ts';
import type { Conv2dSpec } from '../src/backend.ts';

const ok = await haveGpu();

describe.skipIf(!ok)('conv forward tuner', () => {
  let dir: string;
  const saved = process.env.DELTAGPU_CACHE_DIR;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'deltagpu-conv-tune-'));
    process.env.DELTAGPU_CACHE_DIR = dir;
    tuningCache.reset();
  });
  afterAll(() => {
    if (saved === undefined) delete process.env.DELTAGPU_CACHE_DIR;
    else process.env.DELTAGPU_CACHE_DIR = saved;
    tuningCache.reset();
    rmSync(dir, { recursive: true, force: true });
  });

  const layer = inferShapes([conv2d(8, 3, { activation: 'relu', inputShape: [12, 12, 2] })], null, 1).specs[0] as Conv2dSpec;

  it('times both kernels where both are candidates, keeps the faster, and caches the answer', async () => {
    const ctx = (await sharedGpu())!;
    const tuner = new ConvTuner(ctx.device, new Kernels(ctx.device), { ...ctx.report, isFallback: false });
    expect(tuner.candidates).toEqual(['direct', 'tiled']);
    const e = await tuner.choose(layer, 16);
    console.log(`conv tuner on ${ctx.report.description}, ${e.shape}: ${JSON.stringify(e.ms)} → ${e.kernel}`);
    expect(Object.keys(e.ms).sort()).toEqual(['direct', 'tiled']);
    expect(e.ms[e.kernel]).toBe(Math.min(...(Object.values(e.ms) as number[])));
    const again = new ConvTuner(ctx.device, new Kernels(ctx.device), { ...ctx.report, isFallback: false });
    expect(await again.choose(layer, 16)).toEqual(e);
  }, 120_000);

  it('on a software adapter only the reference kernel is a candidate', async () => {
    const ctx = (await sharedGpu())!;
    const tuner = new ConvTuner(ctx.device, new Kernels(ctx.device), { ...ctx.report, isFallback: true });
    expect(tuner.candidates).toEqual(['direct']);
    expect((await tuner.choose(layer, 16)).kernel).toBe('direct');
  });
});
