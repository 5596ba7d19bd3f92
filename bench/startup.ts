/**
 * Startup cost: time from `compile()` to the end of the first training step (shader compilation + matmul
 * tuning + the step), for the MNIST network 784-128-10 at batch 64 and 256, in three situations:
 *   cold   — matmul 'auto' with an empty tuning cache (times every candidate per product)
 *   cached — matmul 'auto', answers on disk from the cold run (tuning skipped), fresh pipeline cache
 *   forced — matmul 'regblock' (no tuning at all)
 * Also prints what the tuner picked per product and how long tuning each took (and, of that, compiling the
 * plain-epilogue pipelines it times).
 *
 *   node bin/run-ts.js bench/startup.ts          (uses a temporary DELTAGPU_CACHE_DIR)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requestGpu } from '../src/backends/webgpu/device.ts';
import { createWebGpuBackend } from '../src/backends/webgpu/index.ts';
import { tuningCache } from '../src/backends/webgpu/tuning-cache.ts';
import { makeData, makeParams, makeSpec } from '../src/verify/networks.ts';
import { Random } from '../src/random.ts';

const dir = mkdtempSync(join(tmpdir(), 'deltagpu-startup-'));
process.env.DELTAGPU_CACHE_DIR = dir;
const ctx = await requestGpu();
if (!ctx) throw new Error('no WebGPU adapter');
const spec = makeSpec({ sizes: [784, 128, 10], hidden: 'relu', output: 'softmax', loss: 'categoricalCrossentropy', optimizer: { type: 'sgd', learningRate: 0.1 } });
const params = makeParams(spec, new Random(1));
const { x, y } = makeData(256, 784, 10, new Random(2));
console.log(`startup on ${ctx.describe()}; load ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log('| batch | mode | compile() ms | first step ms (incl. tuning) | total ms | tuning ms (of which compiling timing pipelines) |');
console.log('|---:|---|---:|---:|---:|---:|');
for (const batch of [64, 256]) {
  for (const mode of ['cold', 'cached', 'forced'] as const) {
    tuningCache.reset(); // the process cache: 'cached' must come from disk
    const gpu = await createWebGpuBackend({ context: ctx, matmul: mode === 'forced' ? 'regblock' : 'auto' });
    const t0 = performance.now();
    const s = await gpu.compile(spec, params);
    const t1 = performance.now();
    const d = await s.upload(x, y);
    const t2 = performance.now();
    await s.trainSteps(d, new Random(3).permutation(256), 0, batch, 1);
    const t3 = performance.now();
    const sum = (m: Map<string, number> | undefined) => [...(m?.values() ?? [])].reduce((a, b) => a + b, 0);
    const tuning = sum(gpu.tuner?.spent);
    const compiling = sum(gpu.tuner?.compiling);
    console.log(`| ${batch} | ${mode} | ${(t1 - t0).toFixed(0)} | ${(t3 - t2).toFixed(0)} | ${(t1 - t0 + t3 - t2).toFixed(0)} | ${tuning.toFixed(0)}${tuning ? ` (${compiling.toFixed(0)} compiling)` : ''} |`);
    if (mode === 'cold') {
      for (const e of await gpu.tuning()) {
        if (!e.shape.includes(`${batch}`)) continue;
        const times = Object.entries(e.ms).map(([k, v]) => `${k} ${v!.toFixed(3)}`).join(', ');
        console.log(`|  | pick ${e.shape} → **${e.kernel}** (${times} ms; ${e.timing}; tuned in ${gpu.tuner!.spent.get(e.shape)?.toFixed(0)} ms) | | | | |`);
      }
    }
    s.dispose();
    gpu.dispose();
  }
}
ctx.device.destroy();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
